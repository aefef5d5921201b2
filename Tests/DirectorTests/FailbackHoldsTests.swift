import Foundation
import HA
import Testing
import Vocabulary
@testable import Director

private func ms(_ n: Int64) -> Instant { Instant(nanoseconds: n * 1_000_000) }
private let following = PlannedSyncDaemon(interface: "eth1", instance: "VI_1", syncID: 51)

/// The failback hold's decisions (issue #15): when a BACKUP that receives the connection state may preempt.
@Suite("Failback hold")
struct FailbackHoldsTests {
    /// Feeds one reading per second from `from` (ms) on, the table growing to `counts` in order (arrivals: the
    /// growth; the first reading's arrivals are its count); returns every change.
    func feed(_ holds: inout FailbackHolds, from: Int64, _ counts: [Int]) -> [(Int64, FailbackHolds.Change)] {
        var out: [(Int64, FailbackHolds.Change)] = []
        var previous = 0
        for (i, c) in counts.enumerated() {
            let t = from + Int64(i) * 1000
            out += holds.connectionsCounted(c, arrivals: max(0, c - previous), now: ms(t)).map { (t, $0) }
            previous = c
        }
        return out
    }

    @Test("Entering BACKUP with the backup daemon starts a hold bounded by vigil_failback_hold")
    func starts() {
        var holds = FailbackHolds(syncDaemon: following)
        #expect(holds.stateChanged("VI_1", to: .backup, syncing: true, now: ms(0)) == [.hold(instance: "VI_1", timeout: .seconds(60))])
        #expect(holds.isHolding)
        // Entering BACKUP again while held changes nothing.
        #expect(holds.stateChanged("VI_1", to: .backup, syncing: true, now: ms(500)).isEmpty)
    }

    /// The settle window in whole seconds.
    let settle = Int64(FailbackHolds.settle.components.seconds)

    @Test("A filling table holds; the hold ends once the live flows stopped growing for the settle window")
    func settles() throws {
        #expect(FailbackHolds.settle == .seconds(5))   // refresh 2 s + the kernel's 2 s send delay + 1 s
        var holds = FailbackHolds(syncDaemon: following)
        _ = holds.stateChanged("VI_1", to: .backup, syncing: true, now: ms(0))
        let changes = feed(&holds, from: 0, [0, 40, 90, 150, 200, 200, 200, 201, 201, 201, 201, 201])
        let (t, change) = try #require(changes.first)
        #expect(changes.count == 1)
        // The last big arrival is at 4 s; the window (4, 9] holds one arrival (at 7 s), within max(1, 1 %): released
        // at 9 s.
        #expect(t == 4000 + settle * 1000)
        #expect(change == .release(instance: "VI_1", reason: .settled, after: .seconds(4 + settle), connections: 201))
        #expect(!holds.isHolding)
    }

    @Test("An idle service (no connection at all) is released after the settle time")
    func emptyTable() {
        var holds = FailbackHolds(syncDaemon: following)
        _ = holds.stateChanged("VI_1", to: .backup, syncing: true, now: ms(0))
        let changes = feed(&holds, from: 0, [Int](repeating: 0, count: Int(settle) + 2))
        #expect(changes.map(\.0) == [settle * 1000])
    }

    @Test("Growth above 1 % keeps holding; the timeout ends the hold of a table that never settles")
    func timesOut() {
        var holds = FailbackHolds(syncDaemon: PlannedSyncDaemon(interface: "eth1", instance: "VI_1", syncID: 51,
                                                                failbackHold: .seconds(10)))
        _ = holds.stateChanged("VI_1", to: .backup, syncing: true, now: ms(0))
        let counts = (0..<12).map { 1000 + $0 * 20 }   // 2 % a second: never settled
        let changes = feed(&holds, from: 0, counts)
        #expect(changes.count == 1)
        #expect(changes.first?.0 == 10_000)
        #expect(changes.first?.1 == .release(instance: "VI_1", reason: .timedOut, after: .seconds(10), connections: 1200))
    }

    @Test("The timeout also ends a hold when counts cannot be read")
    func timeoutWithoutCounts() {
        var holds = FailbackHolds(syncDaemon: following)
        _ = holds.stateChanged("VI_1", to: .backup, syncing: true, now: ms(0))
        #expect(holds.deadlineReached(now: ms(59_999)).isEmpty)
        #expect(holds.deadlineReached(now: ms(60_000)) == [.release(instance: "VI_1", reason: .timedOut, after: .seconds(60), connections: nil)])
    }

    @Test("No hold without the backup daemon, with the hold off, or for an instance the daemon does not follow")
    func noHold() {
        var holds = FailbackHolds(syncDaemon: following)
        #expect(holds.stateChanged("VI_1", to: .backup, syncing: false, now: ms(0)).isEmpty)
        #expect(holds.stateChanged("VI_2", to: .backup, syncing: true, now: ms(0)).isEmpty)
        var off = FailbackHolds(syncDaemon: PlannedSyncDaemon(interface: "eth1", instance: "VI_1", syncID: 51, failbackHold: .zero))
        #expect(off.stateChanged("VI_1", to: .backup, syncing: true, now: ms(0)).isEmpty)
        var none = FailbackHolds(syncDaemon: nil)
        #expect(none.stateChanged("VI_1", to: .backup, syncing: true, now: ms(0)).isEmpty)
        // Without an instance both daemons run: every instance is held.
        var both = FailbackHolds(syncDaemon: PlannedSyncDaemon(interface: "eth1", instance: nil, syncID: 0))
        #expect(both.stateChanged("VI_2", to: .backup, syncing: true, now: ms(0)) == [.hold(instance: "VI_2", timeout: .seconds(60))])
    }

    @Test("Leaving BACKUP, the daemon stopping, or the hold turned off by a reload ends the hold")
    func otherEnds() {
        var holds = FailbackHolds(syncDaemon: following)
        _ = holds.stateChanged("VI_1", to: .backup, syncing: true, now: ms(0))
        #expect(holds.stateChanged("VI_1", to: .master, syncing: false, now: ms(2000))
                == [.release(instance: "VI_1", reason: .leftBackup(.master), after: .seconds(2), connections: nil)])
        _ = holds.stateChanged("VI_1", to: .backup, syncing: true, now: ms(3000))
        #expect(holds.syncDaemonChanged(running: true, now: ms(3500)).isEmpty)
        #expect(holds.syncDaemonChanged(running: false, now: ms(4000))
                == [.release(instance: "VI_1", reason: .noSyncDaemon, after: .seconds(1), connections: nil)])
        _ = holds.stateChanged("VI_1", to: .backup, syncing: true, now: ms(5000))
        // A reload that keeps the hold keeps it running; one that turns it off ends it.
        #expect(holds.configurationChanged(following, now: ms(5500)).isEmpty)
        #expect(holds.isHolding)
        let off = PlannedSyncDaemon(interface: "eth1", instance: "VI_1", syncID: 51, failbackHold: .zero)
        #expect(holds.configurationChanged(off, now: ms(6000))
                == [.release(instance: "VI_1", reason: .disabled, after: .seconds(1), connections: nil)])
    }

    @Test("Arrivals hidden by expiring entries still hold: a steady count is not a settled table")
    func arrivalsNotNetGrowth() {
        var holds = FailbackHolds(syncDaemon: following)
        _ = holds.stateChanged("VI_1", to: .backup, syncing: true, now: ms(0))
        // 100 entries throughout: each second 10 old ones expire and 10 synced ones arrive.
        var changes: [FailbackHolds.Change] = []
        for s in 0..<10 { changes += holds.connectionsCounted(100, arrivals: s == 0 ? 100 : 10, now: ms(Int64(s) * 1000)) }
        #expect(changes.isEmpty)
        // The arrivals stop after 9 s: settled a window later.
        for s in 10..<16 { changes += holds.connectionsCounted(100, arrivals: 0, now: ms(Int64(s) * 1000)) }
        #expect(changes == [.release(instance: "VI_1", reason: .settled, after: .seconds(9 + settle), connections: 100)])
    }

    @Test("A busy service's short connections (arriving and closing at a steady rate) do not hold a caught-up table")
    func shortConnectionsSettle() {
        var holds = FailbackHolds(syncDaemon: following)
        _ = holds.stateChanged("VI_1", to: .backup, syncing: true, now: ms(0))
        // 40 long-lived connections arrive in the first 3 s; meanwhile 10 short ones arrive and 10 close every second,
        // and the table (their closing entries) keeps growing.
        var changes: [(Int64, FailbackHolds.Change)] = []
        for s in Int64(0)..<20 {
            let arrivals = (s < 3 ? 14 : 0) + 10
            let closes = s == 0 ? 0 : 10
            changes += holds.connectionsCounted(50 + Int(s) * 10, arrivals: arrivals, closes: closes, now: ms(s * 1000)).map { (s, $0) }
        }
        // The last long-lived one arrived at 2 s: settled a window later, not at the timeout.
        #expect(changes.map(\.0) == [2 + settle])
        #expect(changes.first?.1 == .release(instance: "VI_1", reason: .settled, after: .seconds(2 + settle), connections: 120))
    }

    @Test("The kernel switches the hold needs: a 2 s refresh and no packet period; none with the hold off")
    func kernelSettings() {
        #expect(following.kernelSettings == ["sync_refresh_period": "2", "sync_threshold": "3 0"])
        #expect(PlannedSyncDaemon(interface: "eth1", instance: "VI_1", syncID: 51, failbackHold: .zero).kernelSettings.isEmpty)
    }

    @Test("vigil_failback_hold from the configuration: default 60 s, off, a value")
    func fromConfiguration() {
        let base = """
        global_defs {
            lvs_sync_daemon eth0 VI_1
        %@
        }
        vrrp_instance VI_1 {
            interface eth0
            virtual_router_id 51
            priority 100
            virtual_ipaddress {
                10.0.0.100/24
            }
        }
        virtual_server 10.0.0.100 80 {
            real_server 192.168.1.1 80 {
            }
        }
        """
        func hold(_ line: String) -> Duration? {
            directorPlan(parsedConfig(base.replacingOccurrences(of: "%@", with: line))).lvs.syncDaemon?.failbackHold
        }
        #expect(hold("") == .seconds(60))
        #expect(hold("    vigil_failback_hold off") == .zero)
        #expect(hold("    vigil_failback_hold 12.5") == .milliseconds(12_500))
    }
}
