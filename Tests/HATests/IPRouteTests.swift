import Testing
import Vocabulary
@testable import HA

@Suite("virtual_routes: the rtnetlink request and where the router puts it")
struct IPRouteTests {
    let route = IPRoute(destination: IPAddress("10.1.0.0")!, prefixLength: 16, gateway: IPAddress("192.168.0.1")!,
                        device: "eth1", metric: 5)

    @Test("RTM_NEWROUTE: create + ack, rtmsg (inet, /16, main, keepalived's protocol 18, universe, unicast), then dst, gateway, oif, priority")
    func addBytes() {
        let b = route.message(add: true, interfaceIndex: 7, sequence: 3)
        #expect(b.count == 16 + 12 + 8 + 8 + 8 + 8)
        #expect(Array(b[4..<8]) == [24, 0, 0x05, 0x04])   // RTM_NEWROUTE; NLM_F_REQUEST|ACK, NLM_F_CREATE
        #expect(Array(b[8..<12]) == [3, 0, 0, 0])
        #expect(Array(b[16..<28]) == [2, 16, 0, 0, 254, 18, 0, 1, 0, 0, 0, 0])
        #expect(Array(b[28..<36]) == [8, 0, 1, 0, 10, 1, 0, 0])          // RTA_DST
        #expect(Array(b[36..<44]) == [8, 0, 5, 0, 192, 168, 0, 1])       // RTA_GATEWAY
        #expect(Array(b[44..<52]) == [8, 0, 4, 0, 7, 0, 0, 0])           // RTA_OIF
        #expect(Array(b[52..<60]) == [8, 0, 6, 0, 5, 0, 0, 0])           // RTA_PRIORITY
    }

    @Test("RTM_DELROUTE: no create, scope nowhere, type left to the kernel; a table from 256 goes in RTA_TABLE")
    func deleteBytes() {
        var r = route
        r.table = 1000
        let b = r.message(add: false, interfaceIndex: nil, sequence: 1)
        #expect(Array(b[4..<8]) == [25, 0, 0x05, 0x00])
        #expect(Array(b[16..<28]) == [2, 16, 0, 0, 0, 18, 255, 0, 0, 0, 0, 0])
        #expect(Array(b[28..<36]) == [8, 0, 15, 0, 0xe8, 0x03, 0, 0])   // RTA_TABLE 1000
        var blackhole = route
        blackhole.type = 6
        #expect(blackhole.message(add: false, interfaceIndex: nil, sequence: 1)[23] == 6)
    }

    @Test("The router adds the routes after the VIPs on takeover and removes them before the VIPs")
    func order() {
        var spec = routerSpec()
        spec.virtualRoutes = [route]
        var (router, _) = startedRouter(VRRPRuntimeConfiguration(instances: [spec]))
        let up = router.deadlineReached(now: masterDown100)
        let add = VRRPRouterAction.addRoutes(instance: "VI_1", routes: [route], rules: [])
        #expect((up.firstIndex(of: addVIPs(spec)) ?? 99) < (up.firstIndex(of: add) ?? -1))
        let down = router.packetReceived(packet(routerAdvert(spec, 200)), instance: "VI_1", now: at(4000))
        let remove = VRRPRouterAction.removeRoutes(instance: "VI_1", routes: [route], rules: [])
        #expect((down.firstIndex(of: remove) ?? 99) < (down.firstIndex(of: removeVIPs(spec)) ?? -1))
    }

    @Test("A reload of a MASTER removes the routes that went, before anything, and adds the new ones last")
    func reload() {
        var spec = routerSpec()
        spec.virtualRoutes = [route]
        var (router, _) = startedRouter(VRRPRuntimeConfiguration(instances: [spec]))
        _ = router.deadlineReached(now: masterDown100)
        var other = route
        other.destination = IPAddress("10.2.0.0")!
        var new = spec
        new.virtualRoutes = [other]
        let r = router.configurationReloaded(VRRPRuntimeConfiguration(instances: [new]), now: at(5000))
        #expect(r.first == .removeRoutes(instance: "VI_1", routes: [route], rules: []))
        #expect(r.contains(.addRoutes(instance: "VI_1", routes: [other], rules: [])))
    }

    @Test("RTM_NEWRULE: create exclusive, fib_rule_hdr (inet, from /32, table 100 in the header, to-table), then src, priority, protocol 18")
    func ruleBytes() {
        var rule = IPRule(isIPv6: false, action: 1, priority: 100)
        rule.table = 100
        rule.from = IPAddress("10.9.0.100")!
        rule.fromLength = 32
        let b = rule.message(add: true, sequence: 1)
        #expect(Array(b[4..<8]) == [32, 0, 0x05, 0x06])   // RTM_NEWRULE; REQUEST|ACK, CREATE|EXCL
        #expect(Array(b[16..<28]) == [2, 0, 32, 0, 100, 0, 0, 1, 0, 0, 0, 0])
        #expect(Array(b[28..<36]) == [8, 0, 2, 0, 10, 9, 0, 100])       // FRA_SRC
        #expect(Array(b[36..<44]) == [8, 0, 6, 0, 100, 0, 0, 0])        // FRA_PRIORITY
        #expect(Array(b[44..<52]) == [5, 0, 21, 0, 18, 0, 0, 0])        // FRA_PROTOCOL
        rule.table = 1000
        let big = rule.message(add: false, sequence: 1)
        #expect(big[5] == 0 && big[4] == 33 && big[20] == 0)
        #expect(big.count == 52 + 8)   // FRA_TABLE 1000 added
    }
}
