import Testing
import Vocabulary
@testable import HA

/// keepalived's `down_timer_adverts N`: Master_Down_Interval = N × the master's advert interval + Skew_Time.
@Suite("down_timer_adverts")
struct DownTimerAdvertsTests {
    private func instance(_ n: Int, version: VRRPVersion = .v2, interval: Duration = .seconds(1)) -> VRRPInstance {
        var c = config(version: version, interval: interval)
        c.downTimerAdverts = n
        return VRRPInstance(configuration: c)
    }

    @Test("The default is the RFCs' 3 intervals plus skew (priority 100, v2: skew 609 ms)")
    func defaultThree() {
        let i = VRRPInstance(configuration: config())
        #expect(i.masterDownInterval == .milliseconds(3000) + i.skewTime)
        #expect(i.skewTime == .nanoseconds(156 * 1_000_000_000 / 256))
    }

    @Test("N in place of 3", arguments: [1, 2, 7, 100])
    func nIntervals(n: Int) {
        let i = instance(n)
        #expect(i.masterDownInterval == .milliseconds(Int64(n) * 1000) + i.skewTime)
    }

    @Test("v3 counts the master's advertised interval: 0.1 s adverts with N 10 give 1 s + skew")
    func v3AdvertisedInterval() {
        var i = instance(10, version: .v3, interval: .milliseconds(100))
        _ = i.start(now: t0)
        _ = i.advertisementReceived(advert(150, version: .v3, interval: 10), from: peer, now: at(100))
        #expect(i.masterDownInterval == .milliseconds(1000) + i.skewTime)
    }

    @Test("A BACKUP with N 6 does not take over at the RFC's bound, and does at its own")
    func backupWaitsItsBound() {
        var i = instance(6)
        _ = i.start(now: t0)
        _ = i.advertisementReceived(advert(150), from: peer, now: at(1000))
        let rfcBound = at(1000) + .milliseconds(3000) + i.skewTime
        _ = i.deadlineReached(now: rfcBound)
        #expect(i.currentState == .backup)
        let actions = i.deadlineReached(now: at(1000) + i.masterDownInterval)
        #expect(actions.contains(.addVIPs))
        #expect(i.currentState == .master)
    }

    @Test("With N 1 the master counts as silent after one interval, before the master-down deadline")
    func oneAdvertSilence() {
        var i = instance(1)
        _ = i.start(now: t0)
        _ = i.advertisementReceived(advert(150), from: peer, now: at(1000))
        #expect(i.nextWakeup == at(2000))
        #expect(i.deadlineReached(now: at(2000)) == [.masterSilence(true)])
        #expect(i.nextWakeup == at(1000) + i.masterDownInterval)
        #expect(i.deadlineReached(now: at(1000) + i.masterDownInterval).contains(.addVIPs))
    }

    @Test("A value outside 1…100 in the configuration is held inside it")
    func clamped() {
        #expect(instance(0).masterDownInterval == instance(1).masterDownInterval)
        #expect(instance(1000).masterDownInterval == instance(100).masterDownInterval)
    }
}
