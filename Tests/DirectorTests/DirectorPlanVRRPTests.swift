import Config
@testable import Director
import HA
import Testing
import Vocabulary

@Suite("Director plan: Config → HA (VRRP addressing)")
struct DirectorPlanVRRPTests {
    static func plan(_ text: String) throws -> DirectorPlan {
        let loaded = ConfigLoader.parse(text: text, fileName: "t.conf")
        #expect(loaded.isValid, "\(loaded.rendered())")
        return try DirectorPlan(config: loaded.config)
    }

    @Test("An IPv6 instance without version reaches HA as VRRPv3")
    func ipv6IsV3() throws {
        let p = try Self.plan("""
        global_defs { vrrp_version 2 }
        vrrp_instance VI_6 {
          interface eth0
          virtual_router_id 52
          virtual_ipaddress { 2001:db8::80 }
        }
        """)
        let instance = try #require(p.vrrp.instances.first)
        #expect(instance.configuration.version == .v3)
    }
}
