import Testing
import Vocabulary
@testable import HA

/// The master-silence signal (not part of VRRP): a BACKUP reports a silent master before its master-down timer
/// fires, so the Director can prepare the LVS table ahead of the takeover.
@Suite("VRRP master silence")
struct MasterSilenceTests {
    @Test("No advert for 1.5 intervals: silent, then the takeover at the master-down deadline")
    func silentThenTakeover() {
        var i = VRRPInstance(configuration: config())
        _ = i.start(now: t0)
        #expect(i.advertisementReceived(advert(150), from: peer, now: at(1000)) == [])
        #expect(i.nextWakeup == at(2500))
        #expect(i.deadlineReached(now: at(2499)) == [])
        #expect(i.deadlineReached(now: at(2500)) == [.masterSilence(true)])
        #expect(i.nextWakeup == at(1000) + i.masterDownInterval)
        let takeover = i.deadlineReached(now: at(1000) + i.masterDownInterval)
        #expect(takeover.contains(.addVIPs))
        #expect(!takeover.contains(.masterSilence(true)))
    }

    @Test("An advert after the silence takes it back and restarts both timers")
    func heardAgain() {
        var i = VRRPInstance(configuration: config())
        _ = i.start(now: t0)
        #expect(i.deadlineReached(now: at(1500)) == [.masterSilence(true)])
        #expect(i.advertisementReceived(advert(150), from: peer, now: at(2000)) == [.masterSilence(false)])
        #expect(i.nextWakeup == at(3500))
        #expect(i.nextDeadline == at(2000) + i.masterDownInterval)
        #expect(i.advertisementReceived(advert(150), from: peer, now: at(3000)) == [])
        #expect(i.currentState == .backup)
    }

    @Test("Priority 0 from the master: silent at once; the takeover follows after the skew time")
    func priorityZero() {
        var i = VRRPInstance(configuration: config())
        _ = i.start(now: t0)
        _ = i.advertisementReceived(advert(150), from: peer, now: at(1000))
        #expect(i.advertisementReceived(advert(0), from: peer, now: at(1200)) == [.masterSilence(true)])
        #expect(i.nextWakeup == at(1200) + i.skewTime)
        let takeover = i.deadlineReached(now: at(1200) + i.skewTime)
        #expect(takeover.last == .transition(from: .backup, to: .master, reason: .masterLeft))
    }

    @Test("v3 uses the master's advertised interval: 0.1 s gives 150 ms")
    func v3Interval() {
        var i = VRRPInstance(configuration: config(version: .v3, interval: .milliseconds(100)))
        _ = i.start(now: t0)
        _ = i.advertisementReceived(advert(150, version: .v3, interval: 10), from: peer, now: at(100))
        #expect(i.nextWakeup == at(250))
        #expect(i.deadlineReached(now: at(250)) == [.masterSilence(true)])
    }

    @Test("When the silence and master-down deadlines pass together, only the takeover is reported")
    func bothDue() {
        var i = VRRPInstance(configuration: config())
        _ = i.start(now: t0)
        let actions = i.deadlineReached(now: at(10_000))
        #expect(!actions.contains(.masterSilence(true)))
        #expect(i.currentState == .master)
    }

    @Test("A MASTER reports no silence, and leaving BACKUP resets it (no stale 'false' later)")
    func masterNoSilence() {
        var i = VRRPInstance(configuration: config(priority: 200))
        _ = i.start(now: t0)
        #expect(i.deadlineReached(now: at(1500)) == [.masterSilence(true)])
        _ = i.deadlineReached(now: t0 + i.masterDownInterval)
        #expect(i.currentState == .master)
        // A lower-priority advert does not make a MASTER report anything.
        #expect(!i.advertisementReceived(advert(100), from: peer, now: at(5000)).contains { action in
            if case .masterSilence = action { true } else { false }
        })
        // Back to BACKUP through a higher-priority advert: the silence flag starts clean.
        _ = i.advertisementReceived(advert(250), from: peer, now: at(6000))
        #expect(i.currentState == .backup)
        #expect(i.advertisementReceived(advert(250), from: peer, now: at(6500)) == [])
    }
}
