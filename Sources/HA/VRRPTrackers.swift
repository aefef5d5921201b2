// Theory of operation
// -------------------
// What the trackers of a configuration currently say, as a plain value: the rise/fall state of each `vrrp_script`,
// the last reading of each tracked interface and of each `vrrp_track_file`. `VRRPRouter` owns one and asks it
// for an instance's sum (`sum(for:)`) whenever a reading that instance references changes.
//
// Readings go in (`scriptFinished`, `interfaceRead`, `fileRead`); each returns the change worth a log line, or
// nil when nothing changed. The first reading of an interface or file only sets it (the adapter reads once when
// it starts watching). Readings of objects no instance references are ignored. Running scripts, listening to
// rtnetlink and reading files is the adapter's job; this value does no I/O. The primary interface of an instance is
// a weight-0 interface tracker unless `dont_track_primary`; a deleted one faults its instances for good.

import Vocabulary

/// A tracker reading that changed, as the runtime logs it.
public enum VRRPTrackerChange: Sendable, Hashable, CustomStringConvertible {
    /// A `vrrp_script` went up (`succeeded`) or down after its rise/fall count.
    case script(String, succeeded: Bool)
    /// A tracked interface went up or down.
    case interface(String, up: Bool)
    /// A tracked interface was deleted (or renamed away).
    case interfaceDeleted(String)
    /// A `vrrp_track_file` holds a new value.
    case file(String, value: Int)
    case process(String, up: Bool, count: Int)
    /// A `bfd_instance` session went Up, or left Up.
    case bfd(String, up: Bool)
    /// `track_src_ip`: a configured source address appeared or went.
    case sourceAddress(IPAddress, present: Bool)

    public var description: String {
        switch self {
        case .script(let name, let ok): return "VRRP_Script(\(name)) \(ok ? "succeeded" : "failed")"
        case .interface(let name, let up): return "interface \(name) is \(up ? "up" : "down")"
        case .interfaceDeleted(let name): return "interface \(name) is deleted"
        case .file(let name, let value): return "track file \(name) now \(value)"
        case .process(let name, let up, let count):
            return "track_process \(name): \(count) matching process\(count == 1 ? "" : "es"), quorum \(up ? "met" : "not met")"
        case .bfd(let name, let up): return "bfd_instance \(name) is \(up ? "up" : "down")"
        case .sourceAddress(let a, let present): return "source address \(a) is \(present ? "back" : "gone") (track_src_ip)"
        }
    }
}

/// An instance's effective priority and what makes it so (for status pages).
public struct VRRPPriorityReport: Sendable, Hashable {
    /// Base priority plus tracker weights, clamped 1…254 (255 stays 255).
    public var effective: UInt8
    /// Whether a weight-0 tracker holds the instance in FAULT.
    public var fault: Bool
    /// One line per tracker with its current state and what it adds: `track_script chk_nginx up: +20`,
    /// `track_interface eth1 down: FAULT`, `track_file maint value 1 × -20: -20`.
    public var trackers: [String]
}

/// A tracked `vrrp_script` as keepalived's data dump and its exporter show it.
public struct VRRPScriptStatus: Sendable, Hashable {
    /// Up after rise/fall (keepalived's `Status = GOOD`), else BAD.
    public var up: Bool
    /// A run is in progress (keepalived's `State = running`), else idle.
    public var running: Bool

    /// A status.
    public init(up: Bool, running: Bool) {
        self.up = up
        self.running = running
    }
}

/// The current readings of every tracker a configuration references. See the theory of operation above.
struct VRRPTrackers: Sendable, Hashable {
    /// What an instance's trackers add up to.
    struct Sum: Sendable, Hashable {
        /// Sum of the weights that count now (added to the base priority).
        var adjustment = 0
        /// A weight-0 tracker is failing: the instance must be in FAULT.
        var fault = false
        /// The first failing weight-0 tracker, as a transition reason (nil: none, or not an interface: `.fault`).
        var faultReason: VRRPTransitionReason?
        /// One line per tracker saying why (see `VRRPPriorityReport.trackers`).
        var lines: [String] = []
    }

    private var scripts: [String: ScriptTracker] = [:]
    private var scriptSpecs: [String: VRRPScriptSpec] = [:]
    private var interfaces: [String: VRRPLinkState] = [:]
    private var files: [String: Int] = [:]
    /// Scripts referenced by some instance (`track_script`), by name.
    private(set) var watchedScripts: [String: VRRPScriptSpec] = [:]
    /// Interfaces referenced by some instance: `track_interface`, and the primary `interface` unless
    /// `dont_track_primary`.
    private(set) var watchedInterfaces: Set<String> = []
    /// Track files referenced by some instance (`track_file`), by name.
    private(set) var watchedFiles: [String: VRRPTrackFileSpec] = [:]
    /// The last state of each `bfd_instance` (Up or not); a session not heard of yet is down, as a BFD session starts.
    private var bfds: [String: Bool] = [:]
    /// `track_src_ip`: whether each watched source address is on an interface (not read yet: present).
    private var sourceAddresses: [IPAddress: Bool] = [:]
    /// The source addresses of the instances with `track_src_ip`.
    private(set) var watchedSourceAddresses: Set<IPAddress> = []
    private(set) var processes: [String: ProcessQuorum] = [:]
    /// Primary interfaces deleted while an instance ran on them. Their instances stay in FAULT (tracked or not, as
    /// keepalived faults an instance whose interface is deleted) until Vigil restarts: their sockets are bound to the
    /// deleted device, and one of the same name is another device.
    private(set) var deletedPrimaries: Set<String> = []
    private var recreationsReported: Set<String> = []

    /// Takes a (new) configuration: a script whose spec is unchanged keeps its rise/fall state, a new or changed one
    /// starts from its `init_fail`; readings of objects no longer referenced (or of a changed file) are forgotten.
    mutating func configure(_ configuration: VRRPRuntimeConfiguration) {
        let usedScripts = Set(configuration.instances.flatMap { $0.trackScripts.map(\.name) })
        watchedScripts = Dictionary(configuration.scripts.filter { usedScripts.contains($0.name) }.map { ($0.name, $0) },
                                    uniquingKeysWith: { a, _ in a })
        watchedInterfaces = Set(configuration.instances.flatMap { spec in
            spec.trackInterfaces.map(\.name) + (spec.tracksPrimaryInterface ? [spec.interface] : [])
        })
        let usedFiles = Set(configuration.instances.flatMap { $0.trackFiles.map(\.name) })
        let previousFiles = watchedFiles
        watchedFiles = Dictionary(configuration.trackFiles.filter { usedFiles.contains($0.name) }.map { ($0.name, $0) },
                                  uniquingKeysWith: { a, _ in a })
        let usedProcesses = Set(configuration.instances.flatMap { $0.trackProcesses.map(\.name) })
        var nextProcesses: [String: ProcessQuorum] = [:]
        for spec in configuration.trackProcesses where usedProcesses.contains(spec.name) {
            // A changed spec starts afresh (read again at once by the adapter).
            nextProcesses[spec.name] = processes[spec.name].flatMap { $0.spec == spec ? $0 : nil } ?? ProcessQuorum(spec: spec)
        }
        processes = nextProcesses
        for name in Array(scripts.keys) where watchedScripts[name] != scriptSpecs[name] {
            scripts[name] = nil
            scriptSpecs[name] = nil
        }
        for (name, spec) in watchedScripts where scripts[name] == nil {
            scripts[name] = ScriptTracker(rise: spec.rise, fall: spec.fall, initFail: spec.initFail)
            scriptSpecs[name] = spec
        }
        interfaces = interfaces.filter { watchedInterfaces.contains($0.key) }
        watchedSourceAddresses = Set(configuration.instances.compactMap { $0.tracksSourceAddress ? $0.unicastSource : nil })
        sourceAddresses = sourceAddresses.filter { watchedSourceAddresses.contains($0.key) }
        // A changed file spec is read afresh, as a new one.
        files = files.filter { watchedFiles[$0.key] != nil && watchedFiles[$0.key] == previousFiles[$0.key] }
    }

    /// Whether each watched script is up now (keepalived's GOOD), by name.
    var scriptsUp: [String: Bool] { scripts.mapValues(\.isUp) }

    /// One run of script `name` finished. Returns the change when the script went up or down.
    mutating func scriptFinished(_ name: String, succeeded: Bool) -> VRRPTrackerChange? {
        guard scripts[name]?.resultReceived(success: succeeded) == true else { return nil }
        return .script(name, succeeded: succeeded)
    }

    /// A reading of interface `name`. Returns the change when it differs from the previous reading.
    mutating func interfaceRead(_ name: String, up: Bool) -> VRRPTrackerChange? {
        interfaceRead(name, state: up ? .up : .down)
    }

    /// A reading of interface `name` (up, down or deleted). Returns the change when it differs from the previous
    /// reading; the first reading only sets it.
    mutating func interfaceRead(_ name: String, state: VRRPLinkState) -> VRRPTrackerChange? {
        guard watchedInterfaces.contains(name), interfaces[name] != state else { return nil }
        let first = interfaces[name] == nil
        interfaces[name] = state
        if first { return nil }
        switch state {
        case .up: return .interface(name, up: true)
        case .down: return .interface(name, up: false)
        case .absent: return .interfaceDeleted(name)
        }
    }

    /// Records that primary interface `name` was deleted; true the first time.
    mutating func primaryDeleted(_ name: String) -> Bool { deletedPrimaries.insert(name).inserted }

    /// True the first time the re-creation of deleted primary interface `name` is reported.
    mutating func recreationReported(_ name: String) -> Bool { recreationsReported.insert(name).inserted }

    /// Whether interface `name` has been read since it is watched.
    func hasReading(interface name: String) -> Bool { interfaces[name] != nil }

    /// BFD session `name` is Up (`true`) or not. Returns the change when it differs from what was known.
    mutating func sourceAddressRead(_ address: IPAddress, present: Bool) -> VRRPTrackerChange? {
        guard watchedSourceAddresses.contains(address) else { return nil }
        let before = sourceAddresses[address] ?? true
        sourceAddresses[address] = present
        return before == present ? nil : .sourceAddress(address, present: present)
    }

    mutating func bfdChanged(_ name: String, up: Bool) -> VRRPTrackerChange? {
        guard (bfds[name] ?? false) != up else { return nil }
        bfds[name] = up
        return .bfd(name, up: up)
    }

    /// A reading of track file `name`. Returns the change when it differs from the previous reading.
    mutating func fileRead(_ name: String, value: Int) -> VRRPTrackerChange? {
        guard watchedFiles[name] != nil, files[name] != value else { return nil }
        let first = files[name] == nil
        files[name] = value
        return first ? nil : .file(name, value: value)
    }

    /// Whether `spec` references the object `change` is about.
    /// The watched process trackers' specs.
    var watchedProcesses: [VRRPTrackProcessSpec] { processes.values.map(\.spec).sorted { $0.name < $1.name } }

    /// The earliest pending fork or terminate delay.
    var processDeadline: Instant? { processes.values.compactMap(\.deadline).min() }

    /// New counts of matching processes, by tracker. A change is reported when a tracker's state changes now; a
    /// tracker read for the first time reports only a quorum not met (it counted as met until read).
    mutating func processesCounted(_ counts: [String: Int], now: Instant) -> [VRRPTrackerChange] {
        var out: [VRRPTrackerChange] = []
        for name in processes.keys.sorted() {
            guard var q = processes[name] else { continue }
            let first = q.isUp == nil
            let n = counts[name] ?? 0
            if let up = q.counted(n, now: now), !(first && up) { out.append(.process(name, up: up, count: n)) }
            processes[name] = q
        }
        return out
    }

    /// Fork and terminate delays that are due.
    mutating func processDeadlinesReached(now: Instant) -> [VRRPTrackerChange] {
        var out: [VRRPTrackerChange] = []
        for name in processes.keys.sorted() {
            guard var q = processes[name], let up = q.deadlineReached(now: now) else { continue }
            processes[name] = q
            out.append(.process(name, up: up, count: q.count))
        }
        return out
    }

    static func references(_ spec: VRRPInstanceSpec, _ change: VRRPTrackerChange) -> Bool {
        switch change {
        case .script(let name, _): return spec.trackScripts.contains { $0.name == name }
        case .interface(let name, _), .interfaceDeleted(let name): return references(spec, interface: name)
        case .file(let name, _): return spec.trackFiles.contains { $0.name == name }
        case .process(let name, _, _): return spec.trackProcesses.contains { $0.name == name }
        case .bfd(let name, _): return spec.trackBFDs.contains { $0.name == name }
        case .sourceAddress(let a, _): return spec.tracksSourceAddress && spec.unicastSource == a
        }
    }

    /// Whether `spec` tracks interface `name` (a `track_interface`, or its primary interface).
    static func references(_ spec: VRRPInstanceSpec, interface name: String) -> Bool {
        (spec.tracksPrimaryInterface && spec.interface == name) || spec.trackInterfaces.contains { $0.name == name }
    }

    /// What the trackers of `spec` add up to now. A weight-0 tracker that fails means FAULT; a positive weight counts
    /// while up, a negative one while down; a file's value is multiplied by its weight. An interface not read yet
    /// counts as down; a file not read yet as 0. The primary interface (tracked unless `dont_track_primary`) is a
    /// weight-0 tracker that counts as up until read (its transport opened on it); keepalived 2.2.7 tracks it so.
    func sum(for spec: VRRPInstanceSpec) -> Sum {
        var sum = Sum()
        func linkFault(_ name: String, _ state: VRRPLinkState) {
            sum.fault = true
            if sum.faultReason == nil {
                sum.faultReason = state == .absent ? .interfaceDeleted(name) : .interfaceDown(name)
            }
        }
        if let why = spec.configurationFault {
            sum.fault = true
            sum.faultReason = .configurationFault(why)
            sum.lines.append("\(why): FAULT")
        }
        if spec.tracksSourceAddress, let a = spec.unicastSource, sourceAddresses[a] == false {
            sum.fault = true
            if sum.faultReason == nil { sum.faultReason = .configurationFault("source address \(a) is gone (track_src_ip)") }
            sum.lines.append("track_src_ip \(a) gone: FAULT")
        }
        if deletedPrimaries.contains(spec.interface) {
            linkFault(spec.interface, .absent)
            sum.lines.append("interface \(spec.interface) deleted (a restart reopens it): FAULT")
        } else if spec.tracksPrimaryInterface, let state = interfaces[spec.interface], state != .up {
            linkFault(spec.interface, state)
            sum.lines.append("interface \(spec.interface) \(state): FAULT")
        }
        func upDown(_ kind: String, _ ref: VRRPTrackReference, up: Bool) {
            let what = "\(kind) \(ref.name) \(up ? "up" : "down")\(ref.reverse ? " (reverse)" : "")"
            if ref.weight == 0 {
                let failing = up == ref.reverse
                if failing { sum.fault = true }
                sum.lines.append("\(what): \(failing ? "FAULT" : "0")")
            } else {
                let counts = (ref.weight > 0) == up ? ref.weight : 0
                let add = ref.reverse ? -counts : counts
                sum.adjustment += add
                sum.lines.append("\(what): \(add >= 0 ? "+" : "")\(add)")
            }
        }
        for ref in spec.trackScripts {
            upDown("track_script", ref, up: scripts[ref.name]?.isUp ?? true)
        }
        for ref in spec.trackInterfaces {
            let state = interfaces[ref.name] ?? .absent
            if ref.weight == 0, !ref.reverse, state != .up { linkFault(ref.name, state) }
            upDown("track_interface", ref, up: state == .up)
        }
        for ref in spec.trackBFDs {
            upDown("track_bfd", ref, up: bfds[ref.name] ?? false)
        }
        for ref in spec.trackProcesses {
            // Not read yet counts as up: the adapter counts at once when it starts watching.
            upDown("track_process", ref, up: processes[ref.name]?.isUp ?? true)
        }
        for ref in spec.trackFiles {
            let value = files[ref.name] ?? 0
            if ref.weight == 0 {
                let failing = (value != 0) != ref.reverse
                if failing { sum.fault = true }
                sum.lines.append("track_file \(ref.name) value \(value)\(ref.reverse ? " (reverse)" : ""): \(failing ? "FAULT" : "0")")
            } else {
                let add = value * ref.weight * (ref.reverse ? -1 : 1)
                sum.adjustment += add
                sum.lines.append("track_file \(ref.name) value \(value) × \(ref.reverse ? -ref.weight : ref.weight): \(add >= 0 ? "+" : "")\(add)")
            }
        }
        return sum
    }
}
