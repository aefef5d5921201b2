import Foundation
import Testing
@testable import Config

func node(_ name: String, priority: Int, state: String = "BACKUP", vrid: Int = 51, weight: Int? = nil,
          vip: String = "192.168.0.80/24", auth: String = "51ea2a78") -> ClusterChecker.NodeConfig {
    var text = ""
    if let weight { text += "vrrp_script chk {\n script /bin/true\n weight \(weight)\n}\n" } else { text += "\n\n\n\n" }
    text += """
    vrrp_instance VI_1 {
        state \(state)
        interface eth0
        virtual_router_id \(vrid)
        priority \(priority)
        authentication {
            auth_type PASS
            auth_pass \(auth)
        }
        virtual_ipaddress {
            \(vip)
        }
        \(weight != nil ? "track_script {\n chk\n }" : "")
    }
    """
    let r = ConfigLoader.parse(text: text, fileName: name)
    return ClusterChecker.NodeConfig(name: name, config: r.config)
}

@Test("A weight smaller than the priority gap can never move the VIP: warning with both positions")
func ineffectiveWeight() {
    let d = ClusterChecker.check([node("m.conf", priority: 100, state: "MASTER", weight: -2),
                                  node("b.conf", priority: 90, weight: -2)])
    let w = d.filter { $0.kind == .ineffectiveWeight }
    #expect(w.count == 1)
    #expect(w.first?.location == SourceLocation(file: "m.conf", line: 3, column: 2))
    #expect(w.first?.related.first?.location == SourceLocation(file: "b.conf", line: 9, column: 14))
    #expect(w.first?.message.contains("100 − 2 = 98 > 90") == true)
}

@Test("A weight larger than the priority gap is accepted")
func effectiveWeight() {
    let d = ClusterChecker.check([node("m.conf", priority: 100, state: "MASTER", weight: -20),
                                  node("b.conf", priority: 90, weight: -20)])
    #expect(d.isEmpty)
}

@Test("Nodes disagreeing on VRID, auth or VIPs are errors")
func clusterMismatches() {
    let d = ClusterChecker.check([node("m.conf", priority: 100), node("b.conf", priority: 90, vrid: 52, vip: "192.168.0.81/24", auth: "other")])
    #expect(d.filter { $0.kind == .clusterMismatch && $0.severity == .error }.count == 3)
}

@Test("Equal priorities are a note about the tie-break")
func equalPriorities() {
    let d = ClusterChecker.check([node("m.conf", priority: 100), node("b.conf", priority: 100)])
    #expect(d.map(\.severity) == [.note])
}

@Test("The shipped maintenance pair moves the VIP; the classic weight -2 does not")
func samplesMaintenancePair() throws {
    let m = ConfigLoader.load(path: "\(samplesDirectory)/maintenance/master.conf", configID: "")
    let b = ConfigLoader.load(path: "\(samplesDirectory)/maintenance/backup.conf", configID: "")
    let ok = ClusterChecker.check([.init(name: "m", config: m.config), .init(name: "b", config: b.config)])
    #expect(ok.filter { $0.kind == .ineffectiveWeight }.isEmpty)
    var m2 = m.config
    m2.vrrpScripts[0].weight = -2
    var b2 = b.config
    b2.vrrpScripts[0].weight = -2
    let bad = ClusterChecker.check([.init(name: "m", config: m2), .init(name: "b", config: b2)])
    #expect(bad.filter { $0.kind == .ineffectiveWeight }.count == 1)
}
