import Foundation
import Testing
import Vocabulary
@testable import Config

/// Times are `Duration`s in the model, parsed to the nanosecond, and messages print them as the file writes them.
@Suite("Times as Duration")
struct DurationTests {
    private func instance(_ lines: String) -> ConfigLoadResult {
        parse(minimalInstance.replacingOccurrences(of: "interface eth0", with: "interface eth0\n    \(lines)"))
    }

    @Test("A fractional advert_int 0.5 is 500 ms")
    func fractionalAdvertInterval() throws {
        let r = instance("version 3\n    advert_int 0.5")
        #expect(r.errors.isEmpty, "\(r.rendered())")
        #expect(try #require(r.config.vrrpInstances.first).advertInterval == .milliseconds(500))
    }

    @Test("A decimal time is exact to the nanosecond, without the binary fraction of a Double")
    func decimalIsExact() throws {
        let r = instance("version 3\n    advert_int 0.1\n    preempt_delay 0.3")
        #expect(r.errors.isEmpty, "\(r.rendered())")
        let v = try #require(r.config.vrrpInstances.first)
        #expect(v.advertInterval == .milliseconds(100) && v.preemptDelay == .milliseconds(300))
    }

    @Test("A VRRPv2 advert_int 0.5 is printed as 0.5 and becomes 1 second, as keepalived makes it")
    func diagnosticPrintsAsWritten() throws {
        let r = instance("advert_int 0.5")
        let d = try #require(diagnostics(r, .keepalivedIgnores).first)
        #expect(d.message.hasPrefix("advert_int 0.5 is below the 1 second VRRPv2 can carry"))
        #expect(r.config.vrrpInstances.first?.advertInterval == .seconds(1))
        #expect(r.errors.isEmpty)
    }

    @Test("A VRRPv2 advert_int with a fraction is a warning that prints it as written")
    func roundedWarning() throws {
        let r = instance("advert_int 1.5")
        #expect(r.errors.isEmpty, "\(r.rendered())")
        let d = try #require(diagnostics(r, .suspicious).first { $0.message.contains("whole seconds") })
        #expect(d.message.contains("advert_int 1.5 will be rounded"), "\(d.message)")
    }

    @Test("VRRPv3 advert_int bounds are exactly 0.01 and 40.95 seconds")
    func v3Bounds() {
        for (value, valid) in [("0.01", true), ("0.009", false), ("40.95", true), ("40.951", false)] {
            let r = instance("version 3\n    advert_int \(value)")
            #expect(diagnostics(r, .outOfRange).isEmpty == valid, "advert_int \(value): \(r.rendered())")
        }
    }

    @Test("Checker timers and a MISC_CHECK timeout are Durations, inherited and defaulted as before")
    func checkerTimers() throws {
        let r = parse("virtual_server 10.0.0.1 80 {\n delay_loop 2.5\n real_server 10.0.0.2 80 {\n  connect_timeout 0.25\n  MISC_CHECK {\n   misc_path /bin/true\n  }\n }\n}\n")
        #expect(r.errors.isEmpty, "\(r.rendered())")
        let c = try #require(r.config.virtualServers.first?.realServers.first?.checkers.first)
        #expect(c.delayLoop == .milliseconds(2500) && c.connection.connectTimeout == .milliseconds(250) && c.warmup == nil)
        #expect(c.settings == .misc(MiscCheckerSettings(path: "/bin/true", timeout: .milliseconds(2500))))
    }

    @Test("configText prints seconds as keepalived.conf writes them")
    func configText() {
        #expect(Duration.seconds(1).configText == "1")
        #expect(Duration.milliseconds(500).configText == "0.5")
        #expect(Duration.milliseconds(40_950).configText == "40.95")
        #expect(Duration.seconds(0.1).configText == "0.1")
        #expect(Duration.nanoseconds(1).configText == "0.000000001")
        #expect(Duration.zero.configText == "0")
        #expect((Duration.zero - .milliseconds(1500)).configText == "-1.5")
    }

    @Test("The cluster check prints a mismatched advert_int as written")
    func clusterMismatchText() {
        let a = ClusterChecker.NodeConfig(name: "a.conf", config: instance("version 3\n    advert_int 0.5").config)
        let b = ClusterChecker.NodeConfig(name: "b.conf", config: instance("version 3\n    advert_int 2").config)
        let m = ClusterChecker.check([a, b]).filter { $0.kind == .clusterMismatch && $0.message.contains("advert_int") }
        #expect(m.count == 1)
        #expect(m.first?.message.contains("advert_int is 2 on b.conf but 0.5 on a.conf") == true, "\(m)")
    }

    @Test("The model's JSON writes times as seconds and leaves an unset one out")
    func jsonSeconds() throws {
        let r = instance("version 3\n    advert_int 0.5")
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let json = String(decoding: try encoder.encode(r.config.vrrpInstances[0]), as: UTF8.self)
        #expect(json.contains("\"advertInterval\":0.5,") && json.contains("\"garpMasterDelay\":5,"), "\(json)")
        let back = try JSONDecoder().decode(VRRPInstanceConfig.self, from: Data(json.utf8))
        #expect(back == r.config.vrrpInstances[0])
        // An unset optional time (the global garp_lower_prio_delay) is left out and reads back as nil.
        let g = String(decoding: try encoder.encode(r.config.globalDefs), as: UTF8.self)
        #expect(!g.contains("vrrpGarpLowerPrioDelay"), "\(g)")
        #expect(try JSONDecoder().decode(GlobalDefs.self, from: Data(g.utf8)).vrrpGarpLowerPrioDelay == nil)
    }
}
