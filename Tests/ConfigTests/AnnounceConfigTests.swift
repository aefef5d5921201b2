import Testing
import Vocabulary
@testable import Config

private func announced(_ globals: String, _ vs: String = "virtual_server 192.0.2.80 80 {\n    vigil_announce\n    protocol TCP\n    real_server 10.0.1.11 80 {\n    }\n}\n", extra: String = "") -> ConfigLoadResult {
    parse("global_defs {\n\(globals)\n}\n" + vs + extra,
          files: ["/etc/iproute2/rt_tables": "198 anycast\n"])
}

@Suite("vigil_route_table and vigil_announce (Vigil extensions, docs/anycast.md)")
struct AnnounceConfigTests {
    @Test("A number or an rt_tables name; the flag is stored with its place")
    func accepted() throws {
        let r = announced("    vigil_route_table 198")
        #expect(r.errors.isEmpty && r.warnings.isEmpty, "\(r.diagnostics)")
        #expect(r.config.globalDefs.vigilRouteTable == 198)
        #expect(r.config.virtualServers.first?.vigilAnnounce?.line == 5)
        #expect(announced("    vigil_route_table anycast").config.globalDefs.vigilRouteTable == 198)
        #expect(announced("    vigil_route_table 70000").config.globalDefs.vigilRouteTable == 70000)
    }

    @Test("The kernel's own tables, an unknown name, and announcing without a table are errors at the word")
    func refused() {
        for t in ["0", "253", "main", "255", "nosuch", "-1"] {
            let r = announced("    vigil_route_table \(t)")
            #expect(positions(r, .invalidValue) == ["2:23"], "\(t): \(r.diagnostics)")
        }
        let none = announced("    router_id a")
        #expect(positions(none, .missingValue) == ["5:5"], "\(none.diagnostics)")
    }

    @Test("A fwmark service and a VRRP address cannot be announced")
    func wrongServices() {
        let fw = announced("    vigil_route_table 198", "virtual_server fwmark 3 {\n    vigil_announce\n    real_server 10.0.1.11 80 {\n    }\n}\n")
        #expect(fw.errors.map(\.message).contains { $0.contains("fwmark or group service") }, "\(fw.diagnostics)")
        let vip = announced("    vigil_route_table 198", extra: """
        vrrp_instance VI_1 {
            interface eth0
            virtual_router_id 51
            virtual_ipaddress {
                192.0.2.80/24
            }
        }
        """)
        #expect(vip.errors.map(\.message).contains { $0.contains("virtual_ipaddress of vrrp_instance 'VI_1'") }, "\(vip.diagnostics)")
    }
}

@Suite("vigil_failback_hold (a Vigil extension, docs/connections.md)")
struct FailbackHoldConfigTests {
    private func load(_ globals: String) -> ConfigLoadResult {
        parse("global_defs {\n\(globals)\n}\n" + minimalInstance)
    }

    @Test("Seconds or off; absent is nil (the Director's default)")
    func accepted() {
        let r = load("    lvs_sync_daemon eth0 VI_1\n    vigil_failback_hold 30")
        #expect(r.errors.isEmpty && r.warnings.isEmpty, "\(r.diagnostics)")
        #expect(r.config.globalDefs.vigilFailbackHold == .seconds(30))
        #expect(load("    lvs_sync_daemon eth0 VI_1\n    vigil_failback_hold off").config.globalDefs.vigilFailbackHold == .zero)
        #expect(load("    lvs_sync_daemon eth0 VI_1").config.globalDefs.vigilFailbackHold == nil)
    }

    @Test("vigil_handover_on_stop is a flag of global_defs, off by default")
    func handoverOnStop() {
        let r = load("    vigil_handover_on_stop")
        #expect(r.errors.isEmpty && r.warnings.isEmpty, "\(r.diagnostics)")
        #expect(r.config.globalDefs.vigilHandoverOnStop)
        #expect(!load("    router_id a").config.globalDefs.vigilHandoverOnStop)
    }

    @Test("A bad value is an error at the word; a hold without lvs_sync_daemon is a warning")
    func refused() {
        for v in ["soon", "-3", "3601"] {
            let r = load("    lvs_sync_daemon eth0 VI_1\n    vigil_failback_hold \(v)")
            #expect(r.errors.count == 1, "\(v): \(r.diagnostics)")
            #expect(r.errors.first?.location?.line == 3, "\(v): \(r.diagnostics)")
        }
        let alone = load("    vigil_failback_hold 30")
        #expect(alone.errors.isEmpty)
        #expect(diagnostics(alone, .ignoredKeyword).map(\.message).contains { $0.contains("no effect without lvs_sync_daemon") },
                "\(alone.diagnostics)")
    }
}
