import Testing
import Vocabulary
@testable import HA

let vip = IPAddress("10.0.0.100")!
let me = IPAddress("10.0.0.2")!
let peer = IPAddress("10.0.0.3")!

func config(priority: UInt8 = 100, version: VRRPVersion = .v2, interval: Duration = .seconds(1),
            preempt: Bool = true, preemptDelay: Duration = .zero,
            auth: VRRPAuthentication = .none, primary: IPAddress = me) -> VRRPInstanceConfiguration {
    VRRPInstanceConfiguration(name: "VI_1", version: version, vrid: 51, priority: priority, advertInterval: interval,
                              preempt: preempt, preemptDelay: preemptDelay, virtualAddresses: [vip],
                              authentication: auth, primaryAddress: primary)
}

func advert(_ priority: UInt8, version: VRRPVersion = .v2, interval: UInt16 = 100,
            auth: VRRPAuthentication = .none, addresses: [IPAddress] = [vip]) -> VRRPAdvertisement {
    VRRPAdvertisement(version: version, vrid: 51, priority: priority, intervalCentiseconds: interval,
                      addresses: addresses, authentication: auth)
}

let t0 = Instant.zero
func at(_ ms: Int64) -> Instant { Instant(nanoseconds: ms * 1_000_000) }

@Suite("VRRP instance state machine")
struct VRRPInstanceTests {
    @Test("Start of a non-owner enters Backup with the master-down timer armed")
    func startBackup() {
        var i = VRRPInstance(configuration: config())
        #expect(i.start(now: t0) == [.transition(from: .initialize, to: .backup, reason: .startup)])
        #expect(i.nextDeadline == t0 + .nanoseconds(3_609_375_000))
    }

    @Test("Address owner (255) becomes Master at start")
    func startOwner() {
        var i = VRRPInstance(configuration: config(priority: 255))
        #expect(i.start(now: t0) == [.send(advert(255)), .addVIPs,
                                     .transition(from: .initialize, to: .master, reason: .addressOwner)])
        #expect(i.nextDeadline == at(1000))
    }

    @Test("v2 skew time is (256 - priority)/256 s")
    func v2Skew() {
        #expect(VRRPInstance(configuration: config(priority: 100)).skewTime == .nanoseconds(609_375_000))
        #expect(VRRPInstance(configuration: config(priority: 254)).skewTime == .nanoseconds(7_812_500))
    }

    @Test("v3 skew time scales with the advert interval")
    func v3Skew() {
        let i = VRRPInstance(configuration: config(priority: 100, version: .v3, interval: .milliseconds(100)))
        #expect(i.skewTime == .nanoseconds(60_937_500))
        #expect(i.masterDownInterval == .nanoseconds(360_937_500))
    }

    @Test("Backup with no adverts becomes Master at exactly t0 + masterDown, not one tick earlier")
    func masterDownExact() {
        var i = VRRPInstance(configuration: config())
        _ = i.start(now: t0)
        let due = t0 + .nanoseconds(3_609_375_000)
        // One nanosecond early: only the master-silence report (1.5 s without an advert), no transition.
        #expect(i.deadlineReached(now: due - .nanoseconds(1)) == [.masterSilence(true)])
        #expect(i.currentState == .backup)
        #expect(i.deadlineReached(now: due) == [
            .send(advert(100)), .addVIPs,
            .transition(from: .backup, to: .master, reason: .masterDownTimerExpired(lastAdvertAge: nil)),
        ])
        #expect(i.nextDeadline == due + .seconds(1))
    }

    @Test("An advert from a higher-priority master resets the master-down timer")
    func advertResetsTimer() {
        var i = VRRPInstance(configuration: config())
        _ = i.start(now: t0)
        #expect(i.advertisementReceived(advert(200), from: peer, now: at(3000)) == [])
        #expect(i.nextDeadline == at(3000) + .nanoseconds(3_609_375_000))
        #expect(i.deadlineReached(now: at(3610)) == [])
        #expect(i.currentState == .backup)
    }

    @Test("Transition reason records the age of the last advert")
    func lastAdvertAge() {
        var i = VRRPInstance(configuration: config())
        _ = i.start(now: t0)
        _ = i.advertisementReceived(advert(200), from: peer, now: at(1000))
        let due = at(1000) + .nanoseconds(3_609_375_000)
        #expect(i.deadlineReached(now: due).last
            == .transition(from: .backup, to: .master,
                           reason: .masterDownTimerExpired(lastAdvertAge: .nanoseconds(3_609_375_000))))
    }

    @Test("Master sends an advert every interval")
    func masterAdvertises() {
        var i = VRRPInstance(configuration: config(priority: 255))
        _ = i.start(now: t0)
        #expect(i.deadlineReached(now: at(999)) == [])
        #expect(i.deadlineReached(now: at(1000)) == [.send(advert(255))])
        #expect(i.deadlineReached(now: at(1000)) == [])
        #expect(i.nextDeadline == at(2000))
    }

    @Test("Priority 0 advert triggers takeover after skew time")
    func priorityZero() {
        var i = VRRPInstance(configuration: config())
        _ = i.start(now: t0)
        _ = i.advertisementReceived(advert(200), from: peer, now: at(1000))
        #expect(i.advertisementReceived(advert(0), from: peer, now: at(1500)) == [.masterSilence(true)])
        #expect(i.nextDeadline == at(1500) + .nanoseconds(609_375_000))
        #expect(i.deadlineReached(now: at(1500) + .nanoseconds(609_375_000)).last
            == .transition(from: .backup, to: .master, reason: .masterLeft))
    }

    @Test("Master yields to a higher-priority advert and removes its VIPs")
    func masterYields() {
        var i = VRRPInstance(configuration: config())
        _ = i.start(now: t0)
        _ = i.deadlineReached(now: at(3610))
        #expect(i.advertisementReceived(advert(150), from: peer, now: at(4000)) == [
            .removeVIPs,
            .transition(from: .master, to: .backup, reason: .higherPriorityAdvert(priority: 150, from: peer)),
        ])
        #expect(i.nextDeadline == at(4000) + .nanoseconds(3_609_375_000))
    }

    @Test("Master answers a lower-priority advert with its own (keepalived's default), and stays MASTER")
    func masterAnswersLower() {
        var i = VRRPInstance(configuration: config())
        _ = i.start(now: t0)
        _ = i.deadlineReached(now: at(3610))
        #expect(i.advertisementReceived(advert(50), from: peer, now: at(4000))
                    == [.send(advert(100)), .lowerPriorityAdvert(priority: 50, from: peer)])
        #expect(i.currentState == .master)
        #expect(i.nextDeadline == at(4610), "the answer does not move the advert timer")
    }

    @Test("lower_prio_no_advert: the Master only reports the lower priority")
    func masterSilentOnLower() {
        var c = config()
        c.advertisesOnLowerPriority = false
        var i = VRRPInstance(configuration: c)
        _ = i.start(now: t0)
        _ = i.deadlineReached(now: at(3610))
        #expect(i.advertisementReceived(advert(50), from: peer, now: at(4000))
                    == [.lowerPriorityAdvert(priority: 50, from: peer)])
    }

    @Test("higher_prio_send_advert: the Master advertises once more before yielding; by default it does not")
    func masterAdvertisesBeforeYielding() {
        var c = config()
        c.advertisesOnHigherPriority = true
        var i = VRRPInstance(configuration: c)
        _ = i.start(now: t0)
        _ = i.deadlineReached(now: at(3610))
        let yielded = i.advertisementReceived(advert(150), from: peer, now: at(4000))
        #expect(yielded.first == .send(advert(100)))
        #expect(i.currentState == .backup)
        var d = VRRPInstance(configuration: config())
        _ = d.start(now: t0)
        _ = d.deadlineReached(now: at(3610))
        #expect(!d.advertisementReceived(advert(150), from: peer, now: at(4000)).contains(.send(advert(100))))
    }

    @Test("Master answers a priority-0 advert with an immediate advert")
    func masterAnswersZero() {
        var i = VRRPInstance(configuration: config())
        _ = i.start(now: t0)
        _ = i.deadlineReached(now: at(3610))
        #expect(i.advertisementReceived(advert(0), from: peer, now: at(4000)) == [.send(advert(100))])
        #expect(i.nextDeadline == at(5000))
    }

    @Test("Equal priority: the higher primary address wins")
    func tieBreakHigherWins() {
        var low = VRRPInstance(configuration: config(primary: IPAddress("10.0.0.2")!))
        _ = low.start(now: t0)
        _ = low.deadlineReached(now: at(3610))
        #expect(low.advertisementReceived(advert(100), from: IPAddress("10.0.0.3")!, now: at(4000)).last
            == .transition(from: .master, to: .backup,
                           reason: .higherPriorityAdvert(priority: 100, from: IPAddress("10.0.0.3")!)))
    }

    @Test("Equal priority: the lower primary address does not displace the master")
    func tieBreakLowerLoses() {
        var high = VRRPInstance(configuration: config(primary: IPAddress("10.0.0.3")!))
        _ = high.start(now: t0)
        _ = high.deadlineReached(now: at(3610))
        #expect(high.advertisementReceived(advert(100), from: IPAddress("10.0.0.2")!, now: at(4000))
                    == [.send(advert(100)), .lowerPriorityAdvert(priority: 100, from: IPAddress("10.0.0.2")!)])
        #expect(high.currentState == .master)
    }

    @Test("Preempting backup ignores a lower-priority master and takes over at master-down")
    func preempt() {
        var i = VRRPInstance(configuration: config(priority: 150))
        _ = i.start(now: t0)
        let md = i.masterDownInterval
        #expect(i.advertisementReceived(advert(100), from: peer, now: at(1000)) == [])
        #expect(i.nextDeadline == t0 + md)
        #expect(i.deadlineReached(now: t0 + md).contains(.addVIPs))
    }

    @Test("nopreempt backup keeps listening to a lower-priority master")
    func noPreempt() {
        var i = VRRPInstance(configuration: config(priority: 150, preempt: false))
        _ = i.start(now: t0)
        _ = i.advertisementReceived(advert(100), from: peer, now: at(1000))
        #expect(i.nextDeadline == at(1000) + i.masterDownInterval)
        // The last advert is 2.6 s old: the master counts as silent, but the takeover is not due.
        #expect(i.deadlineReached(now: t0 + i.masterDownInterval) == [.masterSilence(true)])
        #expect(i.currentState == .backup)
    }

    @Test("preempt_delay holds off preemption until the delay after start")
    func preemptDelay() {
        var i = VRRPInstance(configuration: config(priority: 150, preemptDelay: .seconds(10)))
        _ = i.start(now: t0)
        _ = i.advertisementReceived(advert(100), from: peer, now: at(9000))
        #expect(i.nextDeadline == at(9000) + i.masterDownInterval)
        _ = i.advertisementReceived(advert(100), from: peer, now: at(10000))
        #expect(i.nextDeadline == at(9000) + i.masterDownInterval)
        #expect(i.deadlineReached(now: at(9000) + i.masterDownInterval).contains(.addVIPs))
    }

    @Test("v3 backup learns Master_Adver_Interval from the master")
    func v3Learns() {
        var i = VRRPInstance(configuration: config(version: .v3, interval: .seconds(1)))
        _ = i.start(now: t0)
        _ = i.advertisementReceived(advert(200, version: .v3, interval: 10), from: peer, now: at(100))
        #expect(i.masterDownInterval == .nanoseconds(360_937_500))
        #expect(i.nextDeadline == at(100) + .nanoseconds(360_937_500))
    }

    @Test("v2 advert with a different interval is discarded and counted")
    func v2IntervalMismatch() {
        var i = VRRPInstance(configuration: config())
        _ = i.start(now: t0)
        #expect(i.advertisementReceived(advert(200, interval: 200), from: peer, now: at(1000))
            == [.discarded(.intervalMismatch(centiseconds: 200), from: peer)])
        #expect(i.nextDeadline == t0 + i.masterDownInterval)
        #expect(i.counters.discarded[.intervalMismatch(centiseconds: 200)] == 1)
    }

    @Test("Wrong TTL is discarded and counted")
    func badTTL() {
        var i = VRRPInstance(configuration: config())
        _ = i.start(now: t0)
        #expect(i.advertisementReceived(advert(200), from: peer, ttl: 64, now: at(1000))
            == [.discarded(.badTTL(64), from: peer)])
        #expect(i.counters.discardedTotal == 1)
    }

    @Test("Wrong password is discarded and does not reset the timer")
    func wrongPassword() {
        var i = VRRPInstance(configuration: config(auth: .password("secret")))
        _ = i.start(now: t0)
        #expect(i.advertisementReceived(advert(200, auth: .password("wrong")), from: peer, now: at(1000))
            == [.discarded(.authenticationMismatch, from: peer)])
        #expect(i.nextDeadline == t0 + i.masterDownInterval)
    }

    @Test("An advert of auth type AH to an instance without AH is an authentication mismatch")
    func ahToPlain() {
        var i = VRRPInstance(configuration: config())
        _ = i.start(now: t0)
        #expect(i.advertisementReceived(advert(200, auth: .ah), from: peer, now: at(1000))
            == [.discarded(.authenticationMismatch, from: peer)])
    }

    @Test("Other VRID and other version are discarded")
    func vridVersion() {
        var i = VRRPInstance(configuration: config())
        _ = i.start(now: t0)
        var other = advert(200); other.vrid = 52
        #expect(i.advertisementReceived(other, from: peer, now: at(1)) == [.discarded(.vridMismatch(52), from: peer)])
        #expect(i.advertisementReceived(advert(200, version: .v3), from: peer, now: at(2))
            == [.discarded(.versionMismatch(.v3), from: peer)])
    }

    @Test("Address list mismatch drops the advert: reported, and the master-down timer keeps running")
    func addressMismatch() {
        var i = VRRPInstance(configuration: config())
        _ = i.start(now: t0)
        let other = [IPAddress("10.0.0.200")!]
        #expect(i.advertisementReceived(advert(200, addresses: other), from: peer, now: at(1000))
            == [.discarded(.addressListMismatch, from: peer), .addressListMismatch(from: peer, theirs: other)])
        #expect(i.nextDeadline == t0 + i.masterDownInterval)
    }

    @Test("Malformed packets are counted")
    func malformedCounted() {
        var i = VRRPInstance(configuration: config())
        _ = i.malformedPacketReceived(.badChecksum, from: peer)
        #expect(i.counters.discarded[.malformed(.badChecksum)] == 1)
    }

    @Test("Shutdown of a master sends priority 0 and removes VIPs")
    func shutdownMaster() {
        var i = VRRPInstance(configuration: config(priority: 255))
        _ = i.start(now: t0)
        #expect(i.shutdown(now: at(10)) == [.send(advert(0)), .removeVIPs,
                                            .transition(from: .master, to: .stop, reason: .shutdown)])
        #expect(i.nextDeadline == nil)
    }

    @Test("Shutdown of a backup sends nothing")
    func shutdownBackup() {
        var i = VRRPInstance(configuration: config())
        _ = i.start(now: t0)
        #expect(i.shutdown(now: at(10)) == [.transition(from: .backup, to: .stop, reason: .shutdown)])
    }

    @Test("Effective priority is base plus weights clamped to 1...254")
    func effectivePriority() {
        var i = VRRPInstance(configuration: config(priority: 100))
        _ = i.priorityAdjustmentChanged(to: -20, now: t0)
        #expect(i.effectivePriority == 80)
        _ = i.priorityAdjustmentChanged(to: 500, now: t0)
        #expect(i.effectivePriority == 254)
        _ = i.priorityAdjustmentChanged(to: -500, now: t0)
        #expect(i.effectivePriority == 1)
    }

    @Test("Master advertises its lowered effective priority")
    func masterAdvertisesLowered() {
        var i = VRRPInstance(configuration: config(priority: 100))
        _ = i.start(now: t0)
        _ = i.deadlineReached(now: at(3610))
        _ = i.priorityAdjustmentChanged(to: -20, now: at(3700))
        #expect(i.deadlineReached(now: at(4610)) == [.send(advert(80))])
    }

    @Test("Fault from master sends priority 0 twice (as keepalived 2.2.7), removes VIPs; recovery returns to backup")
    func faultCycle() {
        var i = VRRPInstance(configuration: config())
        _ = i.start(now: t0)
        _ = i.deadlineReached(now: at(3610))
        #expect(i.faultChanged(true, now: at(4000)) == [.send(advert(0)), .send(advert(0)), .removeVIPs,
                                                        .transition(from: .master, to: .fault, reason: .fault)])
        #expect(i.nextDeadline == nil)
        #expect(i.faultChanged(false, now: at(5000)) == [.transition(from: .fault, to: .backup, reason: .faultCleared)])
        #expect(i.nextDeadline == at(5000) + i.masterDownInterval)
    }

    @Test("Transition reason prints like keepalived's operators expect")
    func reasonText() {
        #expect(VRRPTransitionReason.masterDownTimerExpired(lastAdvertAge: .milliseconds(3020)).description
            == "master down timer expired, last advert 3.02 s ago")
    }
}

@Suite("Sync group moves")
struct VRRPSyncGroupTests {
    @Test("A backup member is forced to master when its group goes master")
    func followMaster() {
        var i = VRRPInstance(configuration: config())
        _ = i.start(now: t0)
        #expect(i.syncGroupForced(to: .master, group: "G", now: at(10)) == [
            .send(advert(100)), .addVIPs, .transition(from: .backup, to: .master, reason: .syncGroup("G")),
        ])
    }

    @Test("A master member follows its group to fault with a priority-0 advert")
    func followFault() {
        var i = VRRPInstance(configuration: config(priority: 255))
        _ = i.start(now: t0)
        #expect(i.syncGroupForced(to: .fault, group: "G", now: at(10)) == [
            .send(advert(0)), .removeVIPs, .transition(from: .master, to: .fault, reason: .syncGroup("G")),
        ])
    }

    @Test("A member in its own fault is not pulled back to backup by the group")
    func ownFaultStays() {
        var i = VRRPInstance(configuration: config())
        _ = i.start(now: t0)
        _ = i.faultChanged(true, now: at(5))
        #expect(i.syncGroupForced(to: .backup, group: "G", now: at(10)) == [])
        #expect(i.currentState == .fault)
    }
}
