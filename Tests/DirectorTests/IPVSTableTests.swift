import Config
import IPVS
import Testing
import Vocabulary
import TestSupport
@testable import Director

/// `vigil ipvs plan/apply`'s table: the same plan as the daemon's, with every service installed.
@Suite("DirectorPlan.ipvsTable")
struct IPVSTableTests {
    @Test("Every service is in the one-shot table, VIP-owned or not, with every real server at its weight")
    func everyServiceEveryRealServer() {
        let plan = directorPlan(parsedConfig(pairConfig))
        let (table, problems) = (plan.ipvsTable(), plan.problems)
        #expect(problems.isEmpty)
        #expect(Set(table.services.keys) == [tcp("10.0.0.100", 80), tcp("10.0.2.1", 80), .firewallMark(7, family: .inet)])
        #expect(table.services[tcp("10.0.0.100", 80)]?.sortedDestinations.map(\.weight) == [3, 1])
    }

    @Test("The one-shot table equals the daemon's table when every owner is MASTER and nothing was checked yet")
    func sameAsTheDaemon() {
        let config = parsedConfig(pairConfig)
        var lb = LoadBalancer(plan: lvsPlan(config))
        _ = lb.instanceChanged("VI_1", to: .master, reason: "test")
        _ = lb.instanceChanged("VI_2", to: .master, reason: "test")
        #expect(directorPlan(config).ipvsTable() == lb.desiredTable)
    }

    @Test("A down real server is removed, or kept at weight 0 with inhibit_on_failure; all down installs the sorry server")
    func downServers() {
        let config = parsedConfig("""
        virtual_server 10.0.0.1 80 {
            protocol TCP
            sorry_server 192.168.9.9 8080
            real_server 192.168.1.1 80 { inhibit_on_failure }
            real_server 192.168.1.2 80 { }
        }
        """)
        let r1 = RealServerID(virtualServer: "10.0.0.1:80", address: "192.168.1.1", port: 80)
        let r2 = RealServerID(virtualServer: "10.0.0.1:80", address: "192.168.1.2", port: 80)
        let one = directorPlan(config).ipvsTable(down: [r2])
        #expect(one.services[tcp("10.0.0.1", 80)]?.sortedDestinations.map(\.weight) == [1])
        let both = directorPlan(config).ipvsTable(down: [r1, r2])
        // keepalived 2.2.7: the inhibited real server stays at weight 0 beside the sorry server.
        #expect(both.services[tcp("10.0.0.1", 80)]?.sortedDestinations.map(\.key.address) == [v4("192.168.1.1"), v4("192.168.9.9")])
        #expect(both.services[tcp("10.0.0.1", 80)]?.sortedDestinations.map(\.weight) == [0, 1])
    }

    @Test("A virtual server without real servers programs nothing, with or without a sorry server, as keepalived ignores it")
    func noRealServers() {
        let config = parsedConfig("""
        virtual_server 10.0.0.1 80 {
            protocol TCP
            sorry_server 192.168.9.9 8080
        }
        virtual_server 10.0.0.2 80 {
            protocol TCP
        }
        virtual_server 10.0.0.3 80 {
            protocol TCP
            real_server 192.168.1.1 80 { }
        }
        """)
        #expect(directorPlan(config).ipvsTable().services.keys.sorted() == [tcp("10.0.0.3", 80)])
    }

    @Test("A DR or TUN destination takes the service's port (0 under a firewall mark), a NAT one keeps its own, as keepalived programs them")
    func destinationPorts() {
        let config = parsedConfig("""
        virtual_server 10.0.0.1 80 {
            protocol TCP
            lb_kind DR
            real_server 192.168.1.1 8080 { }
            real_server 192.168.1.2 8081 { lvs_method NAT }
            real_server 192.168.1.3 8082 { lvs_method TUN }
        }
        virtual_server fwmark 7 {
            lb_kind DR
            real_server 192.168.1.1 80 { }
            real_server 192.168.1.1 443 { }
        }
        """)
        let table = directorPlan(config).ipvsTable()
        #expect(table.services[tcp("10.0.0.1", 80)]?.sortedDestinations.map(\.key.port) == [80, 8081, 80])
        // Both real servers are one destination in the kernel: the first one written.
        #expect(table.services[.firewallMark(7, family: .inet)]?.sortedDestinations.map(\.key.port) == [0])
    }

    @Test("lvs_method TUN type gue port N becomes a GUE tunnel on that port")
    func tunnelWords() {
        let config = parsedConfig("""
        virtual_server 10.0.0.1 80 {
            protocol TCP
            lvs_method TUN type gue port 6080
            real_server 192.168.1.1 80 { }
        }
        """)
        let d = directorPlan(config).ipvsTable().services[tcp("10.0.0.1", 80)]?.sortedDestinations.first
        #expect(d?.forwarding == .tunnel(.gue, port: 6080))
    }

    @Test("A real server's own lvs_method TUN words (type, port, checksum) win over the virtual server's; without them it inherits the virtual server's tunnel")
    func realServerTunnel() {
        let config = parsedConfig("""
        virtual_server 10.0.0.1 53 {
            protocol UDP
            lb_kind TUN type gre remcsum
            real_server 192.168.1.1 53 {
                lvs_method TUN type gue port 6080 csum
            }
            real_server 192.168.1.2 53 { }
            real_server 192.168.1.3 53 { lvs_method DR }
        }
        """)
        let ds = directorPlan(config).ipvsTable().services[.address(.udp, v4("10.0.0.1"), port: 53)]?.sortedDestinations ?? []
        #expect(ds.map(\.forwarding) == [.tunnel(.gue, port: 6080, checksum: .csum), .tunnel(.gre, port: 0, checksum: .remcsum),
                                         .directRoute])
    }

    @Test("persistence_engine names the service's persistence engine; without it the service has none")
    func persistenceEngine() {
        let config = parsedConfig("""
        virtual_server 10.0.0.1 5060 {
            protocol UDP
            persistence_engine sip
            persistence_timeout 60
            real_server 192.168.1.1 5060 { }
        }
        virtual_server 10.0.0.2 80 {
            protocol TCP
            real_server 192.168.1.1 80 { }
        }
        """)
        let table = directorPlan(config).ipvsTable()
        #expect(table.services[.address(.udp, v4("10.0.0.1"), port: 5060)]?.service.persistenceEngine == "sip")
        #expect(table.services[tcp("10.0.0.2", 80)]?.service.persistenceEngine == nil)
    }

    @Test("A group's real server without a port takes each address service's port")
    func groupPorts() {
        let config = parsedConfig("""
        virtual_server_group WEB {
            10.0.0.1 80
            10.0.0.2 443
        }
        virtual_server group WEB {
            protocol TCP
            real_server 192.168.1.1 { }
        }
        """)
        let table = directorPlan(config).ipvsTable()
        #expect(table.services[tcp("10.0.0.1", 80)]?.sortedDestinations.map(\.key.port) == [80])
        #expect(table.services[tcp("10.0.0.2", 443)]?.sortedDestinations.map(\.key.port) == [443])
    }
}

@Suite("DirectorPlan keys")
struct DirectorPlanKeyTests {
    @Test("TCP and UDP virtual servers on one address and port are two pools, each with its own real servers")
    func protocolIsPartOfTheKey() throws {
        let config = parsedConfig("""
        virtual_server 10.0.0.53 53 {
            protocol UDP
            real_server 192.168.1.1 53 { }
        }
        virtual_server 10.0.0.53 53 {
            protocol TCP
            real_server 192.168.1.2 53 { }
        }
        """)
        let plan = directorPlan(config)
        #expect(plan.health.map(\.id.description) == ["10.0.0.53:53/udp", "10.0.0.53:53"])
        #expect(Set(plan.lvs.pools.keys) == ["10.0.0.53:53/udp", "10.0.0.53:53"])
        let table = plan.ipvsTable()
        let udp = IPVSServiceKey.address(.udp, v4("10.0.0.53"), port: 53)
        #expect(table.services[udp]?.sortedDestinations.map(\.key.address) == [v4("192.168.1.1")])
        #expect(table.services[tcp("10.0.0.53", 53)]?.sortedDestinations.map(\.key.address) == [v4("192.168.1.2")])
        // Health reports of the UDP pool's real server never touch the TCP pool.
        let udpServer = try #require(plan.health.first?.realServers.first?.key)
        #expect(plan.ipvsTable(down: [udpServer]).services[tcp("10.0.0.53", 53)]?.destinations.count == 1)
        #expect(plan.ipvsTable(down: [udpServer]).services[udp]?.destinations.isEmpty == true)
    }
}
