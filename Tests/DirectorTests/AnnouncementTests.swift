import Config
import HealthCheck
import IPVS
import Testing
import Vocabulary
import TestSupport
@testable import Director

private let web: VirtualServerID = "192.0.2.80:80"
private let tls: VirtualServerID = "192.0.2.80:443"
private let other: VirtualServerID = "192.0.2.81:80"
private let vip = IPAddress("192.0.2.80")
private let vip2 = IPAddress("192.0.2.81")

private func pool(_ vs: VirtualServerID, alpha: Bool = false) -> PlannedPool {
    let rs = RealServerID(virtualServer: vs, address: "10.0.1.11", port: vs.port ?? 80)
    return PlannedPool(realServers: [PlannedRealServer(
        key: rs, destination: IPVSDestination(key: IPVSDestinationKey(address: rs.address, port: rs.port), forwarding: .masquerade, weight: 1),
        inhibitOnFailure: false, initiallyAlive: true)], quorum: 1, alpha: alpha)
}

private func plan(alpha: Bool = false) -> LoadBalancerPlan {
    LoadBalancerPlan(
        services: [(web, "192.0.2.80", 80), (tls, "192.0.2.80", 443), (other, "192.0.2.81", 80)].map {
            PlannedService(service: IPVSService(key: tcp($0.1, UInt16($0.2))), owner: .always, virtualServer: $0.0)
        },
        pools: [web: pool(web, alpha: alpha), tls: pool(tls), other: pool(other)],
        announcement: AnnouncementPlan(table: 198, addresses: [vip: [web, tls], vip2: [other]]))
}

private func announcements(_ actions: [LoadBalancerAction]) -> [String] {
    actions.compactMap { if case .announcementChanged(let a, let up, let why) = $0 { "\(a) \(up ? "+" : "-") \(why)" } else { nil } }
}

@Suite("vigil_announce: which addresses are routed, and why")
struct AnnouncementTests {
    @Test("Healthy pools are announced from the start; alpha starts the address down")
    func initial() {
        #expect(LoadBalancer(plan: plan()).announcedAddresses == [vip, vip2])
        #expect(LoadBalancer(plan: plan(alpha: true)).announcedAddresses == [vip2])
        #expect(LoadBalancer(plan: plan(alpha: true)).announcementReason(vip) == "virtual_server \(web) has no quorum")
    }

    @Test("An address shared by two virtual servers is withdrawn when either loses quorum, announced when both have it")
    func sharedAddress() {
        var lb = LoadBalancer(plan: plan())
        #expect(announcements(lb.quorumChanged(virtualServer: tls, up: false)) == ["\(vip) - virtual_server \(tls) has no quorum"])
        #expect(announcements(lb.quorumChanged(virtualServer: web, up: false)).isEmpty)
        #expect(announcements(lb.quorumChanged(virtualServer: tls, up: true)).isEmpty)
        #expect(announcements(lb.quorumChanged(virtualServer: web, up: true)) == ["\(vip) + its 2 virtual servers have quorum"])
        #expect(lb.announcedAddresses == [vip, vip2])
    }

    @Test("Health without a quorum report counts (no report yet: the live weight against quorum)")
    func realServerReports() {
        var lb = LoadBalancer(plan: plan())
        let rs = RealServerID(virtualServer: other, address: "10.0.1.11", port: 80)
        let down = RealServerStateChange(key: rs, state: RealServerState(alive: false, weight: 1, inhibitOnFailure: false),
                                         previous: nil, reason: "test")
        #expect(announcements(lb.realServerChanged(down)) == ["\(vip2) - virtual_server \(other) has no quorum"])
    }

    @Test("VRRP states do not move announced addresses; a reload that drops vigil_announce withdraws")
    func vrrpAndReload() {
        var lb = LoadBalancer(plan: plan())
        #expect(announcements(lb.instanceChanged("VI_1", to: .fault, reason: "link down")).isEmpty)
        var next = plan()
        next.announcement?.addresses[vip2] = nil
        #expect(announcements(lb.replacePlan(next)) == ["\(vip2) - not announced in the configuration after a reload"])
    }

    @Test("At start, leftovers of an earlier run: kept when announced, held for the first verdict when checked, else deleted")
    func startActions() {
        let a = IPAddress("192.0.2.1"), b = IPAddress("192.0.2.2"), c = IPAddress("192.0.2.3"), d = IPAddress("192.0.2.4")
        let p = AnnouncementPlan(table: 198, addresses: [b: [web], c: [web], d: [web]],
                                 firstVerdict: [d: .seconds(9), c: .seconds(4)])
        let s = p.startActions(leftovers: [a, b, d], announced: [b, c])
        #expect(s.remove == [a] && s.kept == [b] && s.add == [c] && s.held == [d] && s.holdFor == .seconds(9))
        let none = p.startActions(leftovers: [], announced: [])
        #expect(none.remove.isEmpty && none.add.isEmpty && none.kept.isEmpty && none.held.isEmpty)
        let unchecked = AnnouncementPlan(table: 198, addresses: [d: [web]])
        #expect(unchecked.startActions(leftovers: [d], announced: []).remove == [d])
    }

    @Test("An announced pool starts down until its first check passes; its first verdict is bounded from the timers")
    func startsDown() throws {
        let p = directorPlan(parsedConfig("""
        global_defs {
            vigil_route_table 198
        }
        virtual_server 192.0.2.80 80 {
            vigil_announce
            protocol TCP
            delay_loop 3
            real_server 10.0.1.11 80 {
                TCP_CHECK {
                    connect_timeout 2
                    retry 1
                    delay_before_retry 1
                }
            }
        }
        """))
        #expect(LoadBalancer(plan: p.lvs).announcedAddresses.isEmpty)
        #expect(p.health.first?.realServers.first?.checkers.first?.timing.alpha == true)
        // warmup (the delay_loop, 3 s) + 2 attempts × 2 s + 1 retry delay × 1 s + 1 s
        #expect(p.lvs.announcement?.firstVerdict[vip] == .seconds(9))
    }

    @Test("The plan of a configuration: announced addresses with their virtual servers; a table alone is an empty plan")
    func fromConfig() throws {
        let p = directorPlan(parsedConfig("""
        global_defs {
            vigil_route_table 198
        }
        virtual_server 192.0.2.80 80 {
            vigil_announce
            protocol TCP
            real_server 10.0.1.11 80 {
            }
        }
        virtual_server 192.0.2.80 443 {
            vigil_announce
            protocol TCP
            real_server 10.0.1.11 443 {
            }
        }
        virtual_server 192.0.2.90 80 {
            protocol TCP
            real_server 10.0.1.11 80 {
            }
        }
        """))
        let a = try #require(p.lvs.announcement)
        #expect(a.table == 198 && a.addresses == [vip: [web, tls]])
        let empty = directorPlan(parsedConfig("global_defs {\n    vigil_route_table 7\n}\n"))
        #expect(empty.lvs.announcement == AnnouncementPlan(table: 7, addresses: [:]))
        #expect(directorPlan(parsedConfig("global_defs {\n    router_id a\n}\n")).lvs.announcement == nil)
    }

    @Test("An announced mh pool keeps a dead real server at weight 0 (the kernel's mh order stays); others delete it")
    func stableMaglev() throws {
        func plan(_ algo: String, announce: Bool) -> DirectorPlan {
            directorPlan(parsedConfig("""
            global_defs {
                vigil_route_table 198
            }
            virtual_server 192.0.2.80 80 {
                \(announce ? "vigil_announce" : "")
                lb_algo \(algo)
                lb_kind NAT
                protocol TCP
                real_server 10.0.1.11 80 {
                    TCP_CHECK {
                    }
                }
                real_server 10.0.1.12 80 {
                    TCP_CHECK {
                    }
                }
            }
            """))
        }
        let key = tcp("192.0.2.80", 80)
        var lb = LoadBalancer(plan: plan("mh", announce: true).lvs)
        #expect(lb.desiredTable.services[key]?.sortedDestinations.map(\.weight) == [0, 0])
        let up = RealServerStateChange(key: RealServerID(virtualServer: web, address: "10.0.1.11", port: 80),
                                       state: RealServerState(alive: true, weight: 1, inhibitOnFailure: true),
                                       previous: nil, reason: "test")
        _ = lb.realServerChanged(up)
        #expect(lb.desiredTable.services[key]?.sortedDestinations.map(\.weight) == [1, 0])
        #expect(LoadBalancer(plan: plan("wlc", announce: true).lvs).desiredTable.services[key]?.destinations.isEmpty == true)
        #expect(LoadBalancer(plan: plan("mh", announce: false).lvs).desiredTable.services[key]?.destinations.count == 2)
    }

    @Test("vigil bgp render: BIRD learns the table and exports exactly the announced addresses; FRR imports it")
    func render() {
        let session = BGPTool.Session(localAS: 65001, peers: [IPAddress("10.99.0.1")], peerAS: 65000, bfd: true)
        let p = AnnouncementPlan(table: 198, addresses: [vip: [web], IPAddress("2001:db8::80"): [other]])
        let bird = BGPTool.text(p, engine: .bird, session: session, source: "k.conf")
        #expect(bird.contains("kernel table 198;") && bird.contains("learn;"))
        #expect(bird.contains("if net ~ [ 192.0.2.80/32 ] then accept;"))
        #expect(bird.contains("if net ~ [ 2001:db8::80/128 ] then accept;"))
        #expect(bird.contains("neighbor 10.99.0.1 as 65000;") && bird.contains("bfd on;") && bird.contains("protocol bfd"))
        let frr = BGPTool.text(p, engine: .frr, session: session, source: "k.conf")
        #expect(frr.contains("ip import-table 198") && frr.contains("redistribute table 198 route-map VIGIL-ANNOUNCED"))
        #expect(frr.contains("permit 192.0.2.80/32") && frr.contains("neighbor 10.99.0.1 bfd"))
    }
}
