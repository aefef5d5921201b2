// Theory of operation
// -------------------
// The failback hold (issue #15), as a plain value: when may a BACKUP that receives the connection state
// (`lvs_sync_daemon`) preempt a master of lower priority without breaking the connections that master carries?
//
// A node that comes back (start, the end of a FAULT, or any entry into BACKUP) starts the backup sync daemon with an
// empty connection table. The master's kernel sends each connection's state when it changes and then about every
// `sync_threshold` packets, so the table fills over a few seconds. keepalived preempts at the first master-down
// interval (about 1.7 s with a 0.5 s advert), and every connection not yet synced by then is lost at the failback.
//
// The BACKUP cannot see the master's table, only its own filling up. So a hold starts when the instance the sync
// daemon follows enters BACKUP, and ends when one of these happens, in this order of checks:
//   - the backup sync daemon is not running (it never started, or stopped): nothing can arrive, nothing is awaited;
//   - the instance leaves BACKUP (became MASTER because the master went silent, FAULT, STOP): no longer relevant;
//   - the table has settled: the hold has lasted `settle` at least, and over the last `settle` the live flows
//     (established TCP and SCTP connections, UDP flows) grew by at most max(1, 1 %) of the table's entries. The
//     growth is counted as flows that arrived (not in the adapter's previous reading) minus flows that closed (still
//     listed, in a closing state): so expiring entries do not hide arrivals (as a net count of the table would), and
//     the steady stream of short connections a busy service has (each arrives and closes within seconds) does not
//     keep a caught-up table held until the timeout — the VM benchmark found that with a new connection every
//     100 ms. An empty table of an idle service settles after `settle`;
//   - the timeout (`vigil_failback_hold`, default 60 s) ran out: a peer that never syncs cannot keep this node BACKUP.
// The VRRP instance only consults the hold when it would preempt: a master that goes silent or sends priority 0 is
// taken over at the protocol's time, held or not.
//
// The adapter (the Supervisor) reads the kernel's table about once a second while a hold lasts and feeds the number
// of entries, arrivals and closes here; the machine reads no clock and does no I/O.

import HA
import Vocabulary

/// The failback holds of the instances that follow a connection-sync daemon. See the theory of operation above.
public struct FailbackHolds: Sendable {
    /// Why a hold started or ended.
    public enum Change: Sendable, Hashable {
        /// Hold `instance`'s preemption (the log line names the bound).
        case hold(instance: String, timeout: Duration)
        /// Release it: `reason` says why, `after` how long it was held, `connections` the last count (nil: none yet).
        case release(instance: String, reason: Release, after: Duration, connections: Int?)
    }

    /// Why a hold ended.
    public enum Release: Sendable, Hashable, CustomStringConvertible {
        /// The connection table stopped growing.
        case settled
        /// The timeout ran out before the table settled.
        case timedOut
        /// The instance left BACKUP (to the state named).
        case leftBackup(VRRPState)
        /// The backup sync daemon is not running, so nothing can be awaited.
        case noSyncDaemon
        /// `vigil_failback_hold off`, or the sync daemon left the configuration.
        case disabled

        public var description: String {
            switch self {
            case .settled: "the connection table has settled"
            case .timedOut: "vigil_failback_hold ran out before the connection table settled"
            case .leftBackup(let s): "the instance left BACKUP (\(s))"
            case .noSyncDaemon: "the backup sync daemon is not running"
            case .disabled: "the failback hold is off"
            }
        }
    }

    private struct Hold: Sendable {
        var since: Instant
        /// Readings of the last `settle` and a little more, oldest first (`growth`: arrivals minus closes).
        var samples: [(at: Instant, count: Int, growth: Int)] = []
    }

    /// How long the live flows must stop growing before the hold ends (and the shortest hold): the kernel's refresh
    /// period (`PlannedSyncDaemon.syncRefreshPeriod`), its 2 s send delay and a second of slack, so every connection
    /// that sends at least one packet in a refresh period has arrived.
    public static let settle: Duration = .seconds(Int64(PlannedSyncDaemon.syncRefreshPeriod) + 3)

    /// The instance the sync daemon follows (nil: every instance, when both daemons run all the time).
    private var instance: String?
    /// `vigil_failback_hold` (`.zero`: off); nil without a sync daemon.
    private var timeout: Duration?
    private var holds: [String: Hold] = [:]

    /// Holds for `plan`'s sync daemon (none without one).
    public init(syncDaemon plan: PlannedSyncDaemon?) {
        instance = plan?.instance
        timeout = plan?.failbackHold
    }

    /// Whether any hold lasts (the adapter then counts connections about once a second).
    public var isHolding: Bool { !holds.isEmpty }

    private func follows(_ name: String) -> Bool { instance == nil || instance == name }

    /// Instance `name` entered `state`; `syncing` says whether the backup sync daemon runs now.
    public mutating func stateChanged(_ name: String, to state: VRRPState, syncing: Bool, now: Instant) -> [Change] {
        guard let timeout, timeout > .zero, follows(name) else { return [] }
        if state == .backup {
            guard holds[name] == nil else { return [] }
            guard syncing else { return [] }
            holds[name] = Hold(since: now)
            return [.hold(instance: name, timeout: timeout)]
        }
        return release(name, .leftBackup(state), now: now)
    }

    /// The backup sync daemon runs (`true`) or not: without it every hold ends.
    public mutating func syncDaemonChanged(running: Bool, now: Instant) -> [Change] {
        guard !running else { return [] }
        return holds.keys.sorted().flatMap { release($0, .noSyncDaemon, now: now) }
    }

    /// A new configuration: a hold in progress keeps its start, under the new bound; a hold turned off ends.
    public mutating func configurationChanged(_ plan: PlannedSyncDaemon?, now: Instant) -> [Change] {
        instance = plan?.instance
        timeout = plan?.failbackHold
        let gone = holds.keys.filter { name in plan == nil || plan?.failbackHold == .zero || !follows(name) }
        return gone.sorted().flatMap { release($0, .disabled, now: now) }
    }

    /// The kernel's table holds `count` entries now; since the previous reading `arrivals` live flows arrived and
    /// `closes` live flows closed (expired ones are neither).
    public mutating func connectionsCounted(_ count: Int, arrivals: Int, closes: Int = 0, now: Instant) -> [Change] {
        var out: [Change] = []
        for name in holds.keys.sorted() {
            guard var hold = holds[name] else { continue }
            hold.samples.append((now, count, arrivals - closes))
            // Keep one reading at or before the window's start: it shows the window is covered.
            while hold.samples.count > 1, hold.samples[1].at <= now - Self.settle { hold.samples.removeFirst() }
            holds[name] = hold
            let recent = hold.samples.filter { $0.at > now - Self.settle }.reduce(0) { $0 + $1.growth }
            guard now - hold.since >= Self.settle, let first = hold.samples.first, first.at <= now - Self.settle,
                  recent <= max(1, count / 100) else { continue }
            out += release(name, .settled, now: now)
        }
        return out + deadlineReached(now: now)
    }

    /// Ends the holds whose timeout ran out.
    public mutating func deadlineReached(now: Instant) -> [Change] {
        guard let timeout else { return [] }
        return holds.filter { now - $0.value.since >= timeout }.keys.sorted().flatMap { release($0, .timedOut, now: now) }
    }

    private mutating func release(_ name: String, _ reason: Release, now: Instant) -> [Change] {
        guard let hold = holds.removeValue(forKey: name) else { return [] }
        return [.release(instance: name, reason: reason, after: now - hold.since, connections: hold.samples.last?.count)]
    }
}
