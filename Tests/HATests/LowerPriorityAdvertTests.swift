import Testing
import Vocabulary
@testable import HA

private let vipB = IPAddress("10.0.0.200")!

/// A router whose instances all became MASTER at `masterDown100` (VIPs up, no takeover gate).
private func masters(_ configuration: VRRPRuntimeConfiguration) -> VRRPRouter {
    var (router, _) = startedRouter(configuration)
    _ = router.deadlineReached(now: masterDown100)
    return router
}

@Suite("A MASTER that hears a lower priority, as keepalived 2.2.7 (garp_lower_prio_*, lower_prio_no_advert)")
struct LowerPriorityAdvertTests {
    let garp = GratuitousARPSettings(masterDelay: .zero, lowerPriorityRepeat: 5, lowerPriorityDelay: .seconds(5))

    @Test("It answers with its advert, logs, announces its VIPs 5 times at once and 5 more after 5 s")
    func answersAndAnnounces() {
        let spec = routerSpec(garp: garp)
        var router = masters(VRRPRuntimeConfiguration(instances: [spec]))
        let heard = router.packetReceived(packet(routerAdvert(spec, 50)), instance: "VI_1", now: at(4000))
        let burst = VRRPRouterAction.announce(instance: "VI_1", interface: "eth0", addresses: spec.virtualAddresses,
                                              count: 5)
        #expect(heard == [
            .send(instance: "VI_1", routerAdvert(spec, 100)),
            .lowerPriorityAdvert(instance: "VI_1", priority: 50, ours: 100, from: peer, answered: true),
            burst,
        ])
        #expect(router.nextDeadline == masterDown100 + .seconds(1), "the advert timer comes first")
        _ = router.deadlineReached(now: masterDown100 + .seconds(1))
        #expect(!router.deadlineReached(now: at(8999)).contains(burst))
        #expect(router.deadlineReached(now: at(9000)).contains(burst))
        #expect(!router.deadlineReached(now: at(14000)).contains(burst), "one delayed burst, not a refresh")
    }

    @Test("garp_lower_prio_repeat 0 (strict mode's value): no announcement; the delay alone does nothing")
    func noRepeatNoBurst() {
        let spec = routerSpec(garp: GratuitousARPSettings(masterDelay: .zero, lowerPriorityRepeat: 0,
                                                          lowerPriorityDelay: .seconds(5)))
        var router = masters(VRRPRuntimeConfiguration(instances: [spec]))
        let heard = router.packetReceived(packet(routerAdvert(spec, 50)), instance: "VI_1", now: at(4000))
        #expect(!heard.contains { if case .announce = $0 { true } else { false } })
        #expect(!router.deadlineReached(now: at(9000)).contains { if case .announce = $0 { true } else { false } })
    }

    @Test("The other members of its sync group announce too; a BACKUP never does; leaving MASTER cancels the delayed burst")
    func syncGroupAndLeaving() {
        let a = routerSpec("A", vrid: 51, garp: garp)
        let b = routerSpec("B", vrid: 52, address: vipB, garp: garp)
        let configuration = VRRPRuntimeConfiguration(instances: [a, b],
                                                     syncGroups: [VRRPSyncGroupSpec(name: "G", members: ["A", "B"])])
        var router = masters(configuration)
        let heard = router.packetReceived(packet(routerAdvert(a, 50)), instance: "A", now: at(4000))
        #expect(heard.contains(.announce(instance: "A", interface: "eth0", addresses: a.virtualAddresses, count: 5)))
        #expect(heard.contains(.announce(instance: "B", interface: "eth0", addresses: b.virtualAddresses, count: 5)))
        _ = router.packetReceived(packet(routerAdvert(a, 200)), instance: "A", now: at(4500))
        #expect(router.states == ["A": .backup, "B": .backup])
        #expect(!router.deadlineReached(now: at(9000)).contains { if case .announce = $0 { true } else { false } })
    }

    @Test("notify_master_rx_lower_pri runs, without arguments, each time")
    func notifyScript() {
        var spec = routerSpec(garp: garp)
        spec.notify.masterReceivedLowerPriority = cmd("/usr/local/bin/reclaim")
        var router = masters(VRRPRuntimeConfiguration(instances: [spec]))
        let heard = router.packetReceived(packet(routerAdvert(spec, 50)), instance: "VI_1", now: at(4000))
        #expect(heard.last == .runNotifyScript(cmd("/usr/local/bin/reclaim"), arguments: []))
        let again = router.packetReceived(packet(routerAdvert(spec, 50)), instance: "VI_1", now: at(4300))
        #expect(again.contains(.runNotifyScript(cmd("/usr/local/bin/reclaim"), arguments: [])))
    }
}
