import Foundation
import Testing
@testable import Director

@Suite("The BGP engine beside vigil_announce")
struct RoutingEngineTests {
    @Test("None running is a warning naming the table; BIRD or FRR a notice; each said once per change")
    func watch() {
        var w = RoutingEngineWatch()
        let none = w.observed([], table: 198)
        #expect(none?.warning == true && none?.text.contains("table 198 reach no router") == true)
        #expect(w.observed([], table: 198) == nil)
        let bird = w.observed(["bird"], table: 198)
        #expect(bird?.warning == false && bird?.text.contains("BIRD runs") == true)
        #expect(w.observed(["bird"], table: 198) == nil)
        let half = w.observed(["bgpd"], table: 198)
        #expect(half?.warning == true && half?.text.contains("without zebra") == true)
        #expect(w.observed(["bgpd", "zebra"], table: 198)?.warning == false)
        #expect(w.observed(["bgpd", "zebra"], table: 200)?.text.contains("table 200") == true)
        #expect(w.observed([], table: 200)?.warning == true)
    }

    @Test("The probe reads /proc: engines in our network namespace count, those in another do not")
    func probe() throws {
        let fm = FileManager.default
        let root = fm.temporaryDirectory.appendingPathComponent("vigil-proc-\(UUID().uuidString)").path
        defer { try? fm.removeItem(atPath: root) }
        func process(_ pid: String, comm: String, net: String) throws {
            try fm.createDirectory(atPath: "\(root)/\(pid)/ns", withIntermediateDirectories: true)
            try (comm + "\n").write(toFile: "\(root)/\(pid)/comm", atomically: true, encoding: .utf8)
            try fm.createSymbolicLink(atPath: "\(root)/\(pid)/ns/net", withDestinationPath: net)
        }
        try fm.createDirectory(atPath: "\(root)/self/ns", withIntermediateDirectories: true)
        try fm.createSymbolicLink(atPath: "\(root)/self/ns/net", withDestinationPath: "net:[4026531840]")
        try process("10", comm: "bird", net: "net:[4026532999]")
        try process("11", comm: "zebra", net: "net:[4026531840]")
        try process("12", comm: "bgpd", net: "net:[4026531840]")
        try process("13", comm: "sshd", net: "net:[4026531840]")
        #expect(RoutingEngineProbe.running(proc: root) == ["zebra", "bgpd"])
    }
}
