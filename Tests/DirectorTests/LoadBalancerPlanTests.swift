import Config
import HealthCheck
import IPVS
import Testing
import Vocabulary
import TestSupport
@testable import Director

/// Parses a configuration that must be valid.
func parsedConfig(_ text: String) -> KeepalivedConfig {
    let result = ConfigLoader.parse(text: text)
    #expect(result.isValid, "\(result.rendered())")
    return result.config
}

/// The plan of a configuration the test wrote (a plan error is a bug in the test).
func directorPlan(_ config: KeepalivedConfig) -> DirectorPlan {
    do { return try DirectorPlan(config: config) } catch { preconditionFailure("test configuration: \(error)") }
}

/// The LVS side of `directorPlan(config)`.
func lvsPlan(_ config: KeepalivedConfig) -> LoadBalancerPlan { directorPlan(config).lvs }

let pairConfig = """
vrrp_instance VI_1 {
    interface eth0
    virtual_router_id 51
    priority 150
    virtual_ipaddress {
        10.0.0.100/24
    }
}
vrrp_instance VI_2 {
    interface eth1
    virtual_router_id 52
    virtual_ipaddress {
        10.0.1.100/24
    }
}
virtual_server 10.0.0.100 80 {
    protocol TCP
    delay_loop 2
    lb_algo rr
    lb_kind NAT
    real_server 192.168.1.1 8080 {
        weight 3
        TCP_CHECK { connect_timeout 1 }
    }
    real_server 192.168.1.2 8080 {
        TCP_CHECK { connect_timeout 1 }
    }
}
virtual_server 10.0.2.1 80 {
    protocol TCP
    lb_algo wlc
    real_server 192.168.1.3 80 { }
}
virtual_server fwmark 7 {
    real_server 192.168.1.4 80 { }
}
"""

func v4(_ s: String) -> IPAddress {
    guard let a = IPAddress(s) else { preconditionFailure("bad test address \(s)") }
    return a
}

func tcp(_ host: String, _ port: UInt16) -> IPVSServiceKey { .address(.tcp, v4(host), port: port) }

@Suite("LoadBalancerPlan")
struct LoadBalancerPlanTests {
    @Test("A virtual server on a VIP is owned by the instance holding that VIP")
    func vipOwnedByInstance() {
        let plan = lvsPlan(parsedConfig(pairConfig))
        let s = plan.services.first { $0.service.key == tcp("10.0.0.100", 80) }
        #expect(s?.owner == .instance("VI_1"))
    }

    @Test("A virtual server on no VIP is always installed")
    func nonVIPAlways() {
        let plan = lvsPlan(parsedConfig(pairConfig))
        #expect(plan.services.first { $0.service.key == tcp("10.0.2.1", 80) }?.owner == .always)
    }

    @Test("An fwmark virtual server is always installed")
    func fwmarkAlways() {
        let plan = lvsPlan(parsedConfig(pairConfig))
        #expect(plan.services.first { $0.service.key == .firewallMark(7, family: .inet) }?.owner == .always)
    }

    @Test("An instance in a sync group gives the group ownership")
    func syncGroupOwns() {
        let text = """
        vrrp_sync_group G {
            group {
                VI_1
                VI_2
            }
        }
        """ + pairConfig
        let plan = lvsPlan(parsedConfig(text))
        #expect(plan.services.first { $0.service.key == tcp("10.0.0.100", 80) }?.owner
            == .syncGroup("G", members: ["VI_1", "VI_2"]))
    }

    @Test("A virtual_server_group expands to one owned service per address")
    func groupExpands() {
        let text = """
        vrrp_instance VI_1 {
            interface eth0
            virtual_router_id 51
            virtual_ipaddress {
                10.0.0.100
                10.0.0.101
            }
        }
        virtual_server_group WEB {
            10.0.0.100-101 80
            fwmark 9
        }
        virtual_server group WEB {
            protocol TCP
            real_server 192.168.1.1 80 { }
        }
        """
        let plan = lvsPlan(parsedConfig(text))
        #expect(plan.services.map(\.service.key) == [tcp("10.0.0.100", 80), tcp("10.0.0.101", 80),
                                                      .firewallMark(9, family: .inet)])
        #expect(plan.services.map(\.owner) == [.instance("VI_1"), .instance("VI_1"), .always])
        #expect(plan.services.allSatisfy { $0.virtualServer == "group WEB" })
    }

    @Test("Service attributes and destinations come from the virtual server")
    func attributes() {
        let plan = lvsPlan(parsedConfig(pairConfig))
        let s = plan.services.first { $0.service.key == tcp("10.0.0.100", 80) }
        #expect(s?.service.scheduler == "rr")
        let pool = plan.pools["10.0.0.100:80"]
        #expect(pool?.realServers.map(\.destination) == [
            IPVSDestination(key: IPVSDestinationKey(address: v4("192.168.1.1"), port: 8080), forwarding: .masquerade, weight: 3),
            IPVSDestination(key: IPVSDestinationKey(address: v4("192.168.1.2"), port: 8080), forwarding: .masquerade, weight: 1),
        ])
    }

    @Test("Health-check targets use the same keys as the plan")
    func checkKeysMatch() {
        let config = parsedConfig(pairConfig)
        let plan = lvsPlan(config)
        let health = directorPlan(config).health
        for vs in health {
            #expect(vs.realServers.map(\.key) == plan.pools[vs.id]?.realServers.map(\.key))
        }
        let first = health.first { $0.id == "10.0.0.100:80" }?.realServers.first?.checkers.first
        #expect(first?.kind == .tcp(TCPCheck(target: ConnectTarget(address: "192.168.1.1", port: 8080, timeout: .seconds(1)))))
        #expect(first?.timing.delayLoop == .seconds(2))
    }
}
