import Testing
import Vocabulary
@testable import HA

private let otherVIP = IPAddress("10.0.0.201")!

/// `routerSpec()` with no accept mode: its VIPs are filtered while MASTER.
private func filtered(_ spec: VRRPInstanceSpec = routerSpec()) -> VRRPInstanceSpec {
    var s = spec
    s.filtersVIPTraffic = true
    return s
}

@Suite("no_accept: the router says which VIPs the firewall drops, around the VIPs themselves")
struct VIPFilterRouterTests {
    @Test("A takeover blocks the VIPs before adding them; losing MASTER removes them, then the block")
    func aroundTheVIPs() {
        let spec = filtered()
        var (router, _) = startedRouter(VRRPRuntimeConfiguration(instances: [spec]))
        let up = router.deadlineReached(now: masterDown100)
        let block = VRRPRouterAction.filterVIPTraffic(instance: "VI_1", addresses: [vip])
        #expect(up.firstIndex(of: block).map { $0 < (up.firstIndex(of: addVIPs(spec)) ?? -1) } == true)
        let down = router.packetReceived(packet(routerAdvert(spec, 200)), instance: "VI_1", now: at(4000))
        let unblock = VRRPRouterAction.filterVIPTraffic(instance: "VI_1", addresses: [])
        #expect(down.firstIndex(of: unblock).map { $0 > (down.firstIndex(of: removeVIPs(spec)) ?? 99) } == true)
    }

    @Test("An instance with accept mode never asks for a block")
    func acceptModeNoBlock() {
        var (router, _) = startedRouter(VRRPRuntimeConfiguration(instances: [routerSpec()]))
        let actions = router.deadlineReached(now: masterDown100) + router.shutdown(now: at(5000))
        #expect(!actions.contains { if case .filterVIPTraffic = $0 { true } else { false } })
    }

    @Test("Stopping a filtered MASTER unblocks after the VIPs are removed")
    func shutdownUnblocks() {
        let spec = filtered()
        var (router, _) = startedRouter(VRRPRuntimeConfiguration(instances: [spec]))
        _ = router.deadlineReached(now: masterDown100)
        let stop = router.shutdown(now: at(5000))
        #expect(stop.suffix(from: stop.firstIndex(of: removeVIPs(spec)) ?? stop.endIndex)
                    .contains(.filterVIPTraffic(instance: "VI_1", addresses: [])))
    }

    @Test("A reload of a MASTER: new VIP list blocked before the new VIPs go up; accept mode turned on unblocks")
    func reload() {
        let spec = filtered()
        var (router, _) = startedRouter(VRRPRuntimeConfiguration(instances: [spec]))
        _ = router.deadlineReached(now: masterDown100)
        var moved = spec
        moved.virtualAddresses = [VirtualAddress(address: otherVIP)]
        moved.configuration.virtualAddresses = [otherVIP]
        let r = router.configurationReloaded(VRRPRuntimeConfiguration(instances: [moved]), now: at(5000))
        #expect(Array(r.prefix(3)) == [
            .removeVIPs(instance: "VI_1", interface: "eth0", addresses: spec.virtualAddresses),
            .filterVIPTraffic(instance: "VI_1", addresses: [otherVIP]),
            .addVIPs(instance: "VI_1", interface: "eth0", addresses: moved.virtualAddresses, announcements: 5),
        ])
        var accepting = moved
        accepting.filtersVIPTraffic = false
        let r2 = router.configurationReloaded(VRRPRuntimeConfiguration(instances: [accepting]), now: at(6000))
        #expect(r2.first == .filterVIPTraffic(instance: "VI_1", addresses: []))
    }
}

@Suite("no_accept: the blocked set and the nft text")
struct VIPFilterBookTests {
    @Test("The union of every instance's block; an address stays until no instance blocks it")
    func union() {
        var book = VIPFilterBook()
        let v6 = IPAddress("2001:db8::1")!
        let first = book.set([vip, v6], for: "A"), shared = book.set([vip], for: "B")
        #expect(first && !shared)
        #expect(book.blocked == [vip, v6])
        let aGone = book.set([], for: "A")
        #expect(aGone && book.blocked == [vip])
        let same = book.set([vip], for: "B")
        #expect(!same)
        let bGone = book.set([], for: "B")
        #expect(bGone && book.isEmpty && book.blocked.isEmpty)
    }

    @Test("The table: ND let through, then input to and output from the sets dropped, at the given priority")
    func tableText() {
        let t = VIPFilterRules.createTable(VIPFilterSettings(table: "vigil", chainPriority: -1))
        #expect(t.contains("table inet vigil {"))
        #expect(t.contains("chain in { type filter hook input priority -1; policy accept; icmpv6 type { nd-neighbor-solicit, nd-neighbor-advert } accept; ip daddr @vips4 drop; ip6 daddr @vips6 drop; }"))
        #expect(t.contains("chain out { type filter hook output priority -1; policy accept; icmpv6 type { nd-neighbor-solicit, nd-neighbor-advert } accept; ip saddr @vips4 drop; ip6 saddr @vips6 drop; }"))
        #expect(VIPFilterRules.deleteTable(VIPFilterSettings(table: "lb")) == "add table inet lb\ndelete table inet lb\n")
    }

    @Test("Setting the elements flushes both sets and adds each family's addresses in one text")
    func elements() {
        let s = VIPFilterSettings()
        #expect(VIPFilterRules.setElements(s, [vip, otherVIP, IPAddress("fe80::12")!]) == """
            flush set inet vigil vips4
            flush set inet vigil vips6
            add element inet vigil vips4 { 10.0.0.100, 10.0.0.201 }
            add element inet vigil vips6 { fe80::12 }

            """)
        #expect(VIPFilterRules.setElements(s, []) == "flush set inet vigil vips4\nflush set inet vigil vips6\n")
    }
}
