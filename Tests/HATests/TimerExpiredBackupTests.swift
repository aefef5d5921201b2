import Testing
import Vocabulary
@testable import HA

@Suite("timer_expired_backup (keepalived 2.2.8): a Master that ran late goes to Backup")
struct TimerExpiredBackupTests {
    /// A nopreempt instance (priority 200, v2, 1 s) that became MASTER; returns it and when its next advert is due.
    private func master(option: UInt8?) -> (VRRPInstance, Instant) {
        var c = config(priority: 200, preempt: false)
        c.timerExpiredBackupPriority = option
        var i = VRRPInstance(configuration: c)
        _ = i.start(now: t0)
        let down = t0 + i.masterDownInterval
        _ = i.deadlineReached(now: down)
        #expect(i.currentState == .master)
        return (i, down + .seconds(1))
    }

    @Test("Silent longer than another node's master-down interval (3 s + skew of 254): Backup, VIPs removed, no advert")
    func lateGoesBackup() {
        var (i, due) = master(option: 254)
        let actions = i.deadlineReached(now: due + .milliseconds(2100))
        #expect(i.currentState == .backup)
        #expect(actions.contains(.removeVIPs))
        #expect(!actions.contains { if case .send = $0 { true } else { false } })
        #expect(actions.contains { if case .transition(_, _, .timerExpired) = $0 { true } else { false } })
    }

    @Test("Late by less than that: the advert goes out as usual")
    func slightlyLate() {
        var (i, due) = master(option: 254)
        let actions = i.deadlineReached(now: due + .milliseconds(1500))
        #expect(i.currentState == .master)
        #expect(actions.contains { if case .send = $0 { true } else { false } })
    }

    @Test("A lower priority option means a longer skew: 3 s + (256 − 1)/256 s with priority 1")
    func otherPriority() {
        var (i, due) = master(option: 1)
        _ = i.deadlineReached(now: due + .milliseconds(2900))
        #expect(i.currentState == .master)
        var (j, due2) = master(option: 1)
        _ = j.deadlineReached(now: due2 + .milliseconds(3000))
        #expect(j.currentState == .backup)
    }

    @Test("Late, the queued advert of the node that took over does not make it answer: Backup first")
    func advertWhileLate() {
        var (i, due) = master(option: 254)
        let actions = i.advertisementReceived(advert(100), from: peer, now: due + .milliseconds(2500))
        #expect(i.currentState == .backup)
        #expect(!actions.contains { if case .send = $0 { true } else { false } })
    }

    @Test("Without the option a late Master advertises and stays Master")
    func withoutOption() {
        var (i, due) = master(option: nil)
        let actions = i.deadlineReached(now: due + .seconds(10))
        #expect(i.currentState == .master)
        #expect(actions.contains { if case .send = $0 { true } else { false } })
    }
}
