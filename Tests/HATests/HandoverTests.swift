import Testing
import Vocabulary
@testable import HA

/// The planned handover (issue #15): make-before-break on simulated time.
@Suite("VRRP planned handover (simulated time)")
struct HandoverTests {
    func running(version: VRRPVersion = .v2, interval: Duration = .seconds(1)) -> PairHarness {
        var h = PairHarness(config(priority: 150, version: version, interval: interval, primary: addrA),
                            config(priority: 100, version: version, interval: interval, primary: addrB))
        h.start(0); h.start(1)
        h.run(until: at(10_000))
        return h
    }

    @Test("The MASTER keeps its VIPs until the new MASTER advertises: the VIP is never without a holder")
    func makeBeforeBreak() throws {
        var h = running()
        #expect(h.vipHolder == [0])
        h.apply(h.nodes[0].handover(now: h.now), node: 0)
        #expect(h.nodes[0].handingOver)
        #expect(h.vipHolder == [0])
        h.run(until: at(20_000))
        let took = try #require(h.becameMaster(1, after: at(10_000)))
        // The backup heard priority 0: Skew_Time (plus the 1 ms link).
        #expect(took - at(10_000) == .milliseconds(1) + h.nodes[1].skewTime)
        #expect(h.nodes[0].currentState == .backup)
        #expect(h.vipHolder == [1])
        #expect(h.vipLostAt.isEmpty)
        let released = try #require(h.transitions.first { $0.1 == 0 && $0.2 == .backup && $0.0 >= at(10_000) })
        // At the new MASTER's second advert: one interval after it took over (plus the link).
        #expect(released.0 == took + .seconds(1) + .milliseconds(1))
    }

    @Test("After a handover the higher-priority node does not preempt back until the handover is cancelled")
    func staysYielded() throws {
        var h = running()
        h.apply(h.nodes[0].handover(now: h.now), node: 0)
        h.run(until: at(60_000))
        #expect(h.vipHolder == [1])
        #expect(h.preemptionsHeld == 1)
        h.apply(h.nodes[0].cancelHandover(now: h.now), node: 0)
        h.run(until: at(70_000))
        #expect(h.becameMaster(0, after: at(60_000)) != nil)
        #expect(h.vipHolder == [0])
    }

    @Test("With no node to take over, the MASTER resumes after a master-down interval and never drops its VIPs")
    func noTaker() throws {
        var h = running()
        h.crash(1)
        h.apply(h.nodes[0].handover(now: h.now), node: 0)
        h.run(until: at(20_000))
        #expect(h.handoversFailed == 1)
        #expect(h.nodes[0].currentState == .master)
        #expect(h.vipHolder == [0])
        #expect(h.vipLostAt.isEmpty)
        #expect(!h.nodes[0].yielded)
    }

    @Test("A yielded BACKUP still takes over when the MASTER dies")
    func yieldedTakesOver() throws {
        var h = running()
        h.apply(h.nodes[0].handover(now: h.now), node: 0)
        h.run(until: at(20_000))
        h.crash(1)
        h.run(until: at(30_000))
        let took = try #require(h.becameMaster(0, after: at(20_000)))
        #expect(took - at(20_000) <= h.nodes[0].masterDownInterval)
    }

    @Test("VRRPv3 at 100 ms: the same make-before-break")
    func v3() throws {
        var h = running(version: .v3, interval: .milliseconds(100))
        h.apply(h.nodes[0].handover(now: h.now), node: 0)
        h.run(until: at(12_000))
        #expect(h.vipHolder == [1])
        #expect(h.vipLostAt.isEmpty)
    }
}

@Suite("VRRP router: planned handover")
struct RouterHandoverTests {
    @Test("A handover cancels the MASTER's pending announcement burst (garp_master_delay), which would pull the neighbours back")
    func noLateAnnouncement() throws {
        let spec = routerSpec(priority: 150, garp: .init(masterDelay: .seconds(5)))
        var router = VRRPRouter(configuration: VRRPRuntimeConfiguration(instances: [spec]))
        _ = router.transportOpened(instance: "VI_1", primaryAddress: me, now: at(0))
        var t = at(0)
        var announced: [Instant] = []
        while t < at(4_000) {
            t = router.nextDeadline ?? at(4_000)
            for a in router.deadlineReached(now: t) { if case .announce = a { announced.append(t) } }
        }
        #expect(router.states["VI_1"] == .master)
        let (actions, outcome) = router.handover(nil, cancel: false, now: t)
        #expect(outcome == ["VI_1": "handing over"])
        #expect(actions.contains { if case .handoverStarted = $0 { true } else { false } })
        while t < at(9_000) {
            guard let next = router.nextDeadline, next < at(9_000) else { break }
            t = next
            for a in router.deadlineReached(now: t) { if case .announce = a { announced.append(t) } }
        }
        // garp_master_delay (5 s after the takeover at ~3.6 s) would announce at ~8.6 s: nothing after the handover.
        #expect(announced.allSatisfy { $0 < at(4_000) })
        #expect(router.handover(["VI_9"], cancel: false, now: t).outcome == ["VI_9": "unknown instance"])
    }
}

@Suite("VRRP router: stop with vigil_handover_on_stop")
struct RouterStopHandoverTests {
    /// A router whose only instance is MASTER (no peer), at the returned instant.
    func masterRouter(handoverOnStop: Bool) -> (VRRPRouter, Instant) {
        var configuration = VRRPRuntimeConfiguration(instances: [routerSpec(priority: 150)])
        configuration.handoverOnStop = handoverOnStop
        var router = VRRPRouter(configuration: configuration)
        _ = router.transportOpened(instance: "VI_1", primaryAddress: me, now: at(0))
        var t = at(0)
        while router.states["VI_1"] != .master, let next = router.nextDeadline { t = next; _ = router.deadlineReached(now: t) }
        return (router, t)
    }

    @Test("Off (keepalived's stop): the instances stop at once")
    func off() {
        var (router, t) = masterRouter(handoverOnStop: false)
        let (actions, stopped) = router.stopRequested(now: t)
        #expect(stopped)
        #expect(actions.contains { if case .transition(_, .master, .stop, _) = $0 { true } else { false } })
    }

    @Test("On: the MASTER hands over first; with nobody to take over the stop completes after the master-down interval")
    func on() throws {
        var (router, t) = masterRouter(handoverOnStop: true)
        let (actions, stopped) = router.stopRequested(now: t)
        #expect(!stopped)
        #expect(actions.first == .stoppingAfterHandover(instances: ["VI_1"]))
        #expect(actions.contains { if case .handoverStarted = $0 { true } else { false } })
        #expect(router.stopIfDrained(now: t) == nil)
        let start = t
        var final: [VRRPRouterAction]?
        while final == nil, let next = router.nextDeadline, next < start + .seconds(10) {
            t = next
            _ = router.deadlineReached(now: t)
            final = router.stopIfDrained(now: t)
        }
        let done = try #require(final)
        #expect(t - start <= .seconds(4))   // the master-down interval at priority 150, 1 s adverts: 3.41 s
        #expect(done.contains { if case .transition(_, .master, .stop, _) = $0 { true } else { false } })
    }

    @Test("A second stop request during the wait stops at once")
    func secondRequest() {
        var (router, t) = masterRouter(handoverOnStop: true)
        _ = router.stopRequested(now: t)
        let (_, stopped) = router.stopRequested(now: t + .milliseconds(100))
        #expect(stopped)
        #expect(router.states["VI_1"] == .stop)
    }
}
