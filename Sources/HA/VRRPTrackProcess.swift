// Theory of operation
// -------------------
// `vrrp_track_process` counts the running processes that match a name (and parameters) and compares the count with
// a quorum, as keepalived 2.2.7 does: `quorum` (default 1) to `quorum_max` (default no maximum) matching processes
// is success. A gained quorum counts after `fork_delay`, a lost one after `terminate_delay` (`delay` sets both), so a
// restart (stop, then start) does not bounce the instance. Only thread-group leaders are processes; a zombie is not
// running. Without parameters, `param_match` or `full_command` the process name (`/proc/PID/comm`, 15 bytes at most)
// must equal the configured name (cut to 15 bytes), as `pgrep -x` does; otherwise the command line is matched: its
// first word equals the name and its parameters are exactly those written, or begin with them (`param_match
// partial`), the last one possibly longer (`param_match initial`).
//
// Everything here is pure: `ProcessCensus` keeps what the adapter reported (each process's name and, when some
// tracker needs it, its command line) and counts matches per tracker; `ProcessQuorum` turns counts into up/down with
// the delays, time being an argument. `ProcConnectorProcessMonitor` reads /proc and the kernel's process events.

import Vocabulary

/// A `vrrp_track_process`.
public struct VRRPTrackProcessSpec: Sendable, Hashable {
    /// How a process is matched.
    public enum Match: Sendable, Hashable {
        /// Its name (`/proc/PID/comm`) equals `process`.
        case name
        /// Its command line is `process` and exactly `parameters`.
        case exact
        /// Its command line is `process`, then `parameters`, then anything.
        case partial
        /// As `partial`, the last parameter possibly longer than written.
        case initial
    }

    /// Name (`vrrp_track_process NAME`).
    public var name: String
    /// The process name or command (first word of `process`).
    public var process: String
    /// The parameters written after it.
    public var parameters: [String]
    /// How processes are matched.
    public var match: Match
    /// The fewest matching processes for success.
    public var quorum: Int
    /// The most matching processes for success (nil: no maximum).
    public var quorumMax: Int?
    /// A gained quorum counts after this long.
    public var forkDelay: Duration
    /// A lost quorum counts after this long.
    public var terminateDelay: Duration

    /// Creates a spec; defaults follow keepalived.
    public init(name: String, process: String, parameters: [String] = [], match: Match = .name, quorum: Int = 1,
                quorumMax: Int? = nil, forkDelay: Duration = .zero, terminateDelay: Duration = .zero) {
        self.name = name
        self.process = process
        self.parameters = parameters
        self.match = match
        self.quorum = quorum
        self.quorumMax = quorumMax
        self.forkDelay = forkDelay
        self.terminateDelay = terminateDelay
    }

    /// True when the command line must be read to match.
    public var readsCommandLine: Bool { match != .name }

    /// The kernel keeps 15 bytes of a process name.
    static let commLimit = 15

    /// Whether a process named `comm` with command line `arguments` (nil: not read) matches.
    public func matches(comm: String, arguments: [String]?) -> Bool {
        guard readsCommandLine else {
            return comm.utf8.elementsEqual(process.utf8.prefix(Self.commLimit))
        }
        guard let arguments, let first = arguments.first, first == process else { return false }
        let given = arguments.dropFirst()
        switch match {
        case .name:
            return false
        case .exact:
            return given.elementsEqual(parameters)
        case .partial:
            return given.count >= parameters.count && given.prefix(parameters.count).elementsEqual(parameters)
        case .initial:
            guard given.count >= parameters.count else { return false }
            guard let last = parameters.last else { return true }
            let head = given.prefix(parameters.count)
            return head.dropLast().elementsEqual(parameters.dropLast()) && (head.last ?? "").hasPrefix(last)
        }
    }

    /// True when `count` matching processes meet the quorum.
    public func quorumMet(by count: Int) -> Bool {
        count >= quorum && quorumMax.map { count <= $0 } ?? true
    }
}

/// What the process monitor knows of one process.
public struct ProcessRecord: Sendable, Hashable {
    /// `/proc/PID/comm`.
    public var comm: String
    /// `/proc/PID/cmdline` split at its NULs (nil: not read; no tracker needs it).
    public var arguments: [String]?

    /// Creates a record.
    public init(comm: String, arguments: [String]? = nil) {
        self.comm = comm
        self.arguments = arguments
    }
}

/// The processes the monitor reported and how many match each tracker.
public struct ProcessCensus: Sendable {
    private var processes: [Int32: ProcessRecord] = [:]
    private var specs: [VRRPTrackProcessSpec] = []
    /// Matching processes per tracker name.
    public private(set) var counts: [String: Int] = [:]

    /// Creates an empty census.
    public init() {}

    /// Watches `specs` (a reload): counts again.
    public mutating func configure(_ specs: [VRRPTrackProcessSpec]) {
        self.specs = specs
        recount()
    }

    /// True when some tracker needs command lines.
    public var readsCommandLines: Bool { specs.contains(where: \.readsCommandLine) }

    /// Every process now (a scan of /proc).
    public mutating func replaced(by all: [Int32: ProcessRecord]) {
        processes = all
        recount()
    }

    /// A process started, was renamed or exec'd another program.
    public mutating func seen(_ pid: Int32, _ info: ProcessRecord) {
        if let old = processes[pid] { count(old, by: -1) }
        processes[pid] = info
        count(info, by: 1)
    }

    /// A process ended.
    public mutating func exited(_ pid: Int32) {
        guard let old = processes.removeValue(forKey: pid) else { return }
        count(old, by: -1)
    }

    private mutating func recount() {
        counts = Dictionary(uniqueKeysWithValues: specs.map { ($0.name, 0) })
        for info in processes.values { count(info, by: 1) }
    }

    private mutating func count(_ info: ProcessRecord, by delta: Int) {
        for s in specs where s.matches(comm: info.comm, arguments: info.arguments) { counts[s.name, default: 0] += delta }
    }
}

/// One tracker's up/down from its counts, with keepalived's fork and terminate delays.
public struct ProcessQuorum: Sendable, Hashable {
    /// The spec it judges by.
    public let spec: VRRPTrackProcessSpec
    /// The last count read.
    public private(set) var count = 0
    /// Up (quorum met, after its delay); nil before the first count.
    public private(set) var isUp: Bool?
    private var pendingUp: Bool?
    /// When a pending change takes effect.
    public private(set) var deadline: Instant?

    /// Creates a tracker with nothing read.
    public init(spec: VRRPTrackProcessSpec) { self.spec = spec }

    /// A new count. Returns the new state when it changes now: the first count always sets it; a later change waits
    /// for its delay (a count that returns to the current state cancels it).
    public mutating func counted(_ n: Int, now: Instant) -> Bool? {
        count = n
        let met = spec.quorumMet(by: n)
        guard let up = isUp else {
            isUp = met
            return met
        }
        if met == up {
            pendingUp = nil
            deadline = nil
            return nil
        }
        let delay = met ? spec.forkDelay : spec.terminateDelay
        if delay <= .zero {
            isUp = met
            pendingUp = nil
            deadline = nil
            return met
        }
        if pendingUp != met {
            pendingUp = met
            deadline = now + delay
        }
        return nil
    }

    /// Time passed: returns the new state when a pending change is due.
    public mutating func deadlineReached(now: Instant) -> Bool? {
        guard let due = deadline, due <= now, let up = pendingUp else { return nil }
        isUp = up
        pendingUp = nil
        deadline = nil
        return up
    }
}
