import Foundation
import HA
import HealthCheck
import IPVS
import Vocabulary

/// The sans-IO core behind `/status`, `/events` and the dumps: a plain value fed the daemon's events with the
/// wall-clock instant they were seen, from which `snapshot(now:)` builds a `VigilStatus`.
///
/// Theory of operation: the book starts from the configuration (every instance in INIT, every real server
/// UNKNOWN) and folds in what the Supervisor sees — VRRP transitions and I/O errors, real-server and quorum changes,
/// reconcile reports — plus the counters and states the VRRP runtime reports when a snapshot is taken. Each fact also
/// becomes one entry of a bounded history (`historyLimit`, oldest dropped first). It does not read clocks, sockets
/// or the kernel, and it keeps no latency of individual checks (HealthCheck reports state changes only).
public struct StatusBook: Sendable {
    private struct Instance: Sendable {
        var spec: VRRPInstanceSpec
        var state: VRRPState = .initialize
        var counters: VRRPCounters?  // HA has no public zero value; nil reads as all zeros
        var priority: VRRPPriorityReport?
        /// The peers as last read, and when.
        var peers: (reports: [VRRPPeerReport], readAt: Date)?
        var transitionCount = 0
        var transitions: [TransitionRecord] = []
        /// Transitions to and from MASTER since start (the kept `transitions` are bounded).
        var becameMaster = 0
        var releasedMaster = 0
        var lastTransition: Date?
        /// The keepalived counters at the last SIGRTMAX-1 (`statisticsCleared`); the dumps show what came since.
        var statsBaseline = KeepalivedStats()
    }

    private struct Pool: Sendable {
        var id: VirtualServerID
        var quorumUp: Bool
        var servers: [RealServerStatus]
        var keys: [RealServerID]
    }

    /// The daemon's pid, reported in snapshots.
    public let pid: Int32
    /// When the daemon started.
    public let startedAt: Date
    /// How many events `/events` keeps.
    public let historyLimit: Int
    /// How many transitions each instance keeps.
    public let transitionLimit: Int
    private var instances: [Instance]
    private var pools: [Pool]
    private var ipvs = IPVSActivity()
    private var announcements: [String: AnnouncementStatus] = [:]
    /// The tracked scripts as the runtime last reported them.
    private var scripts: [String: VRRPScriptStatus] = [:]
    private var announcementOrder: [String] = []
    /// Connection sync, nil without `lvs_sync_daemon`.
    private var connectionSync: ConnectionSyncStatus?
    private var history: [StatusEvent] = []
    private var nextSeq = 1
    /// The pool policy's IPVS weight of a real server in a state (the Director's `LVSTableBuilder.ipvsWeight`).
    private let ipvsWeight: @Sendable (RealServerState) -> Int?

    /// A book for these instances and virtual servers (what the configuration declares). `ipvsWeight` is the
    /// IPVS weight the pool policy gives a real server in a state (`nil`: out of the pool); the Director passes its own.
    public init(instances: [VRRPInstanceSpec], virtualServers: [VirtualServerHealth], pid: Int32, startedAt: Date,
                historyLimit: Int = 256, transitionLimit: Int = 16,
                ipvsWeight: @escaping @Sendable (RealServerState) -> Int?) {
        self.ipvsWeight = ipvsWeight
        self.pid = pid
        self.startedAt = startedAt
        self.historyLimit = max(1, historyLimit)
        self.transitionLimit = max(1, transitionLimit)
        self.instances = instances.map { Instance(spec: $0) }
        self.pools = virtualServers.map(Self.pool)
    }

    private static func pool(_ vs: VirtualServerHealth) -> Pool {
        Pool(id: vs.id, quorumUp: !vs.alpha,
             servers: vs.realServers.map { RealServerStatus(address: $0.key.realServer, weight: $0.weight, ipvsWeight: nil) },
             keys: vs.realServers.map(\.key))
    }

    // MARK: - Events

    /// Replaces the configuration (after a reload): instances and real servers that keep their name keep their
    /// state and history; new ones start as at startup; removed ones disappear.
    public mutating func configurationChanged(instances specs: [VRRPInstanceSpec], virtualServers: [VirtualServerHealth]) {
        let old = Dictionary(instances.map { ($0.spec.name, $0) }, uniquingKeysWith: { a, _ in a })
        instances = specs.map { spec in
            var i = old[spec.name] ?? Instance(spec: spec)
            i.spec = spec
            return i
        }
        let oldPools = Dictionary(pools.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        pools = virtualServers.map { vs in
            var p = Self.pool(vs)
            guard let before = oldPools[vs.id] else { return p }
            p.quorumUp = before.quorumUp
            for (i, key) in p.keys.enumerated() {
                if let j = before.keys.firstIndex(of: key) {
                    var s = before.servers[j]
                    s.weight = p.servers[i].weight
                    p.servers[i] = s
                }
            }
            return p
        }
    }

    /// A VRRP event from the runtime (through the Supervisor's loop).
    public mutating func vrrpEventReceived(_ event: VRRPEvent, now: Date) {
        switch event {
        case .transition(let name, let from, let to, let reason):
            let record = TransitionRecord(at: now, from: from.rawValue, to: to.rawValue, reason: "\(reason)")
            if let i = instances.firstIndex(where: { $0.spec.name == name }) {
                instances[i].state = to
                instances[i].transitionCount += 1
                instances[i].lastTransition = now
                if to == .master { instances[i].becameMaster += 1 }
                if from == .master { instances[i].releasedMaster += 1 }
                instances[i].transitions.append(record)
                if instances[i].transitions.count > transitionLimit {
                    instances[i].transitions.removeFirst(instances[i].transitions.count - transitionLimit)
                }
            }
            append(.vrrp, subject: name, "\(name) \(from.rawValue) -> \(to.rawValue): \(reason)", now: now)
        case .ioError(let name, let message):
            append(.vrrpError, subject: name, "\(name): \(message)", now: now)
        case .masterSilence(let name, let silent):
            append(.vrrp, subject: name, silent ? "\(name): master silent, LVS table prepared for a takeover"
                                                : "\(name): master advertising again", now: now)
        case .stopped:
            break
        }
    }

    /// A health-check event (through the Supervisor's loop).
    public mutating func healthEventReceived(_ event: HealthCheckEvent, now: Date) {
        switch event {
        case .realServer(let change):
            let subject = "\(change.key.virtualServer) \(change.key.realServer)"
            if let p = pools.firstIndex(where: { $0.id == change.key.virtualServer }),
               let s = pools[p].keys.firstIndex(of: change.key) {
                pools[p].servers[s].health = change.state.alive ? .up : .down
                pools[p].servers[s].ipvsWeight = ipvsWeight(change.state)
                pools[p].servers[s].since = now
                pools[p].servers[s].reason = change.reason
            }
            append(.realServer, subject: subject, "\(change.key.virtualServer) real server \(change)", now: now)
        case .quorum(let vs, let up, _, _):
            if let p = pools.firstIndex(where: { $0.id == vs }) { pools[p].quorumUp = up }
            append(.quorum, subject: vs.description, event.description, now: now)
        }
    }

    /// A reconcile finished; `duration` is how long `apply(desired:)` took.
    public mutating func reconciled(_ report: IPVSChangeReport, duration: Duration, now: Date) {
        ipvs.reconciles += 1
        ipvs.lastDurationSeconds = duration.seconds
        ipvs.lastReconcileAt = now
        for c in report.commands { ipvs.operations[Self.operationName(c.operation), default: 0] += 1 }
        for f in report.failures {
            let op = Self.operationName(f.command.operation)
            ipvs.errors[op, default: 0] += 1
            ipvs.lastError = "\(f.command): \(f)"
            append(.ipvsError, subject: op, "\(f.command) failed: \(f)", now: now)
        }
        if !report.commands.isEmpty {
            let done = report.commands.count - report.failures.count
            append(.ipvs, subject: "reconcile",
                   "\(done) command\(done == 1 ? "" : "s") applied: " + report.commands.map { "\($0)" }.joined(separator: "; "),
                   now: now)
        }
    }

    /// A reconcile failed as a whole (the table could not be read, the socket failed).
    public mutating func reconcileFailed(_ message: String, duration: Duration, now: Date) {
        ipvs.reconciles += 1
        ipvs.lastDurationSeconds = duration.seconds
        ipvs.lastReconcileAt = now
        ipvs.errors["reconcile", default: 0] += 1
        ipvs.lastError = message
        append(.ipvsError, subject: "reconcile", "reconcile failed: \(message)", now: now)
    }

    /// The runtime's current states and counters (read when a snapshot is taken). A state that differs from the
    /// last transition seen (events are still queued) wins, so a snapshot never lags the runtime.
    public mutating func runtimeRead(states: [String: VRRPState], counters: [String: VRRPCounters],
                                     priorities: [String: VRRPPriorityReport] = [:],
                                     scripts: [String: VRRPScriptStatus]? = nil,
                                     peers: [String: [VRRPPeerReport]]? = nil, now: Date? = nil) {
        if let scripts { self.scripts = scripts }
        for i in instances.indices {
            let name = instances[i].spec.name
            if let peers, let now { instances[i].peers = (peers[name] ?? [], now) }
            if let s = states[name] { instances[i].state = s }
            if let c = counters[name] { instances[i].counters = c }
            if let p = priorities[name] { instances[i].priority = p }
        }
    }

    /// keepalived's STATS_CLEAR: the keepalived dumps count from now on. `/status` and `/metrics` keep counting
    /// from start (Prometheus counters never go back).
    public mutating func statisticsCleared() {
        for i in instances.indices { instances[i].statsBaseline = Self.keepalivedStats(instances[i]) }
    }

    private mutating func append(_ kind: StatusEventKind, subject: String, _ message: String, now: Date) {
        history.append(StatusEvent(seq: nextSeq, at: now, kind: kind, subject: subject, message: message))
        nextSeq += 1
        if history.count > historyLimit { history.removeFirst(history.count - historyLimit) }
    }

    // MARK: - Reading

    /// The status at `now`.
    public func snapshot(now: Date) -> VigilStatus {
        VigilStatus(pid: pid, startedAt: startedAt, generatedAt: now,
                    instances: instances.map(Self.status),
                    virtualServers: pools.map { VirtualServerStatus(name: $0.id.description, quorumUp: $0.quorumUp, realServers: $0.servers) },
                    ipvs: ipvs,
                    announcements: announcementOrder.isEmpty ? nil : announcementOrder.compactMap { announcements[$0] },
                    connectionSync: connectionSync)
    }

    /// The sync daemons running now (`configured` false: no `lvs_sync_daemon`, the section goes).
    public mutating func syncDaemonsChanged(_ roles: [String], configured: Bool, now: Date) {
        guard configured else {
            connectionSync = nil
            return
        }
        var sync = connectionSync ?? ConnectionSyncStatus(daemons: [])
        let before = connectionSync?.daemons
        sync.daemons = roles
        connectionSync = sync
        if before != roles {
            append(.sync, subject: "lvs_sync_daemon", "sync daemons running: \(roles.isEmpty ? "none" : roles.joined(separator: ", "))", now: now)
        }
    }

    /// A failback hold started (`hold` non-nil) or ended for `instance`; `message` is the logged line.
    public mutating func failbackHoldChanged(instance: String, hold: FailbackHoldStatus?, message: String, now: Date) {
        var sync = connectionSync ?? ConnectionSyncStatus(daemons: [])
        sync.holds.removeAll { $0.instance == instance }
        if let hold { sync.holds.append(hold) }
        connectionSync = sync
        append(.sync, subject: instance, message, now: now)
    }

    /// The kernel's table held `count` connections at `now` (nil: unreadable); `receiving` says whether the backup
    /// daemon runs, so that a growth counts as a sync seen.
    public mutating func connectionsCounted(_ count: Int?, receiving: Bool, now: Date) {
        guard var sync = connectionSync else { return }
        if let count, let before = sync.connections, count > before, receiving { sync.lastSyncSeen = now }
        sync.connections = count
        connectionSync = sync
    }

    /// An announced address's route was added or deleted (or refused: `announced` false with the kernel's reason).
    /// `order` is every announced address of the configuration in order: addresses no longer listed are dropped.
    public mutating func announcementChanged(address: String, table: UInt32, announced: Bool, reason: String,
                                             order: [String], now: Date) {
        announcementOrder = order
        announcements = announcements.filter { order.contains($0.key) }
        let before = announcements[address]
        announcements[address] = AnnouncementStatus(address: address, table: table, announced: announced,
                                                    reason: reason, since: before?.announced == announced ? (before?.since ?? now) : now)
        if before?.announced != announced || before?.reason != reason {
            append(.route, subject: address, "\(address) \(announced ? "announced" : "withdrawn") in table \(table): \(reason)", now: now)
        }
    }

    /// The history, oldest first: entries with `seq` greater than `after` (all when nil), at most the last `limit`.
    public func events(after: Int? = nil, limit: Int? = nil) -> [StatusEvent] {
        StatusEvent.window(history, after: after, limit: limit)
    }


    private static func status(_ i: Instance) -> InstanceStatus {
        let c = i.spec.configuration
        let trackers = i.spec.trackScripts.map { ("track_script", $0) } + i.spec.trackInterfaces.map { ("track_interface", $0) }
            + i.spec.trackFiles.map { ("track_file", $0) }
        var reason = c.priority == 255 ? "address owner (255)" : "base \(c.priority)"
        if trackers.isEmpty {
            reason += ", no trackers"
        } else if let p = i.priority {
            // The runtime's account: each tracker's state and what it adds now.
            reason += "; " + p.trackers.joined(separator: ", ")
            if c.priority != 255, p.effective == 1 || p.effective == 254 { reason += " (clamped to \(p.effective))" }
        } else {
            reason += "; " + trackers.map { kind, t in
                t.weight == 0 ? "\(kind) \(t.name) (FAULT on failure)" : "\(kind) \(t.name) weight \(t.weight > 0 ? "+" : "")\(t.weight)"
            }.joined(separator: ", ")
        }
        return InstanceStatus(
            name: i.spec.name, interface: i.spec.interface, vrid: Int(c.vrid), version: Int(c.version.rawValue),
            state: i.state.rawValue, priority: Int(c.priority),
            // With no tracker the effective priority is the configured one; with trackers only the runtime knows.
            effectivePriority: trackers.isEmpty ? Int(c.priority) : i.priority.map { Int($0.effective) },
            priorityReason: reason,
            vips: (i.spec.virtualAddresses + i.spec.excludedAddresses).map { "\($0.address)" },
            adverts: AdvertCounters(sent: i.counters?.sent ?? 0, received: i.counters?.accepted ?? 0,
                                    rejected: Dictionary((i.counters?.discarded ?? [:]).map { (discardReasonName($0.key), $0.value) },
                                                         uniquingKeysWith: +),
                                    priorityZeroReceived: i.counters?.priorityZeroReceived ?? 0),
            transitionCount: i.transitionCount, transitions: i.transitions, peers: i.peers.map(Self.peers))
    }

    /// Peer reports as status: heard within three of its intervals it is the MASTER (or leaving at priority 0).
    private static func peers(_ read: (reports: [VRRPPeerReport], readAt: Date)) -> [PeerStatus] {
        read.reports.map { p in
            let interval = Double(p.interval.nanoseconds) / 1e9, age = Double(p.age.nanoseconds) / 1e9
            let role = age > 3 * max(interval, 0.01) ? "silent" : p.priority == 0 ? "leaving" : "MASTER"
            return PeerStatus(address: "\(p.address)", priority: p.priority, role: role,
                              lastHeard: read.readAt.addingTimeInterval(-age), advertIntervalSeconds: interval,
                              adverts: p.adverts)
        }
    }

    /// Every real server of the configuration in pool order: its key, and the names status gives it and its pool.
    public var checkedServers: [(key: RealServerID, virtualServer: String, realServer: String)] {
        pools.flatMap { pool in
            zip(pool.keys, pool.servers).map { (key: $0.0, virtualServer: pool.id.description, realServer: $0.1.address) }
        }
    }

    /// What keepalived's dumps show at `now` (`KeepalivedDump`).
    public func keepalivedSnapshot(now: Date, version: String, scriptSecurity: Bool) -> KeepalivedSnapshot {
        var k = KeepalivedSnapshot(version: version, scriptSecurity: scriptSecurity,
                                   instances: instances.map(Self.keepalivedInstance), status: snapshot(now: now))
        k.scripts = scripts.sorted { $0.key < $1.key }.map { (name: $0.key, status: $0.value) }
        return k
    }

    private static func keepalivedInstance(_ i: Instance) -> KeepalivedInstance {
        let c = i.spec.configuration
        let held = i.state == .master
        func line(_ v: VirtualAddress) -> String {
            var text = "\(v.address)/\(v.prefixLength)"
            if let b = v.broadcast { text += " brd \(b)" }
            text += " dev \(v.device ?? i.spec.interface) scope \(scopeName(v.scope))"
            if let label = v.label { text += " label \(label)" }
            return text + (held ? " set" : "")
        }
        let authType: Int
        switch c.authentication {
        case .none: authType = 0
        case .password: authType = 1
        case .ah: authType = 2
        }
        let n = i.spec.notify
        let notify: [(String, ScriptCommand?)] = [("backup", n.backup), ("master", n.master), ("fault", n.fault),
                                                  ("stop", n.stop), ("generic", n.generic)]
        let effective = i.priority.map { Int($0.effective) } ?? Int(c.priority)
        let tracked = { (t: VRRPTrackReference) in KeepalivedInstance.Tracked(name: t.name, weight: t.weight) }
        var instance = KeepalivedInstance(
            name: i.spec.name, version: Int(c.version.rawValue), state: i.state.rawValue, lastTransition: i.lastTransition,
            interface: i.spec.interface, sourceAddress: i.spec.unicastSource.map { "\($0)" },
            unicastPeers: i.spec.unicastPeers.map { "\($0)" },
            isIPv6: i.spec.virtualAddresses.first.map { "\($0.address)".contains(":") } ?? false,
            vrid: Int(c.vrid), priority: Int(c.priority), effectivePriority: effective,
            advertInterval: c.advertInterval.seconds, preempt: c.preempt, preemptDelay: c.preemptDelay.seconds,
            authType: authType, vips: i.spec.virtualAddresses.map(line), excludedVIPs: i.spec.excludedAddresses.map(line),
            garpDelay: i.spec.garp.masterDelay.seconds, garpRepeat: i.spec.garp.masterRepeat,
            garpRefresh: i.spec.garp.masterRefresh.seconds,
            trackScripts: i.spec.trackScripts.map(tracked), trackInterfaces: i.spec.trackInterfaces.map(tracked),
            notifyScripts: notify.compactMap { label, s in s.map { .init(label: label, command: $0.command) } },
            stats: keepalivedStats(i).since(i.statsBaseline), dontTrackPrimary: !i.spec.tracksPrimaryInterface)
        instance.noAccept = i.spec.filtersVIPTraffic
        instance.notifyDeleted = n.notifiesDeleted
        instance.garpLowerPriorityDelay = i.spec.garp.lowerPriorityDelay.seconds
        instance.garpLowerPriorityRepeat = i.spec.garp.lowerPriorityRepeat
        instance.garpRefreshRepeat = i.spec.garp.refreshRepeat
        instance.lowerPriorityNoAdvert = !c.advertisesOnLowerPriority
        instance.higherPrioritySendAdvert = c.advertisesOnHigherPriority
        return instance
    }

    /// keepalived's counters from Vigil's, since start.
    private static func keepalivedStats(_ i: Instance) -> KeepalivedStats {
        var s = KeepalivedStats()
        s.becameMaster = i.becameMaster
        s.releasedMaster = i.releasedMaster
        guard let c = i.counters else { return s }
        s.advertSent = c.sent
        s.priorityZeroReceived = c.priorityZeroReceived
        s.addressListErrors = c.addressListMismatches
        var received = c.accepted
        for (reason, n) in c.discarded {
            switch reason {
            case .vridMismatch: continue  // another router's advert, not this instance's
            case .badTTL: s.ttlErrors += n
            case .intervalMismatch: s.advertIntervalErrors += n
            case .authenticationMismatch: s.authFailure += n
            case .authenticationTypeMismatch: s.authTypeMismatch += n
            case .authenticationHeaderInvalid, .authenticationSequenceReplayed: s.authFailure += n
            case .versionMismatch, .familyMismatch: s.invalidType += n
            case .addressListMismatch: break  // in addressListErrors already
            case .unicastSourceNotPeer: break  // keepalived has no counter of its own for it
            case .addressOwner: continue  // keepalived drops these before counting the advert as received
            case .authHMAC: s.authFailure += n
            case .malformed(let e):
                switch e {
                case .unknownType: s.invalidType += n
                case .unknownAuthenticationType: s.invalidAuthType += n
                default: s.packetLengthErrors += n
                }
            }
            received += n
        }
        s.advertReceived = received
        return s
    }

    private static func scopeName(_ scope: UInt8) -> String {
        switch scope {
        case 0: "global"
        case 200: "site"
        case 253: "link"
        case 254: "host"
        case 255: "nowhere"
        default: "\(scope)"
        }
    }

    /// The label used for a discard reason in JSON and metrics.
    public static func discardReasonName(_ reason: VRRPDiscardReason) -> String {
        switch reason {
        case .badTTL: "bad_ttl"
        case .versionMismatch: "version_mismatch"
        case .vridMismatch: "vrid_mismatch"
        case .authenticationMismatch: "auth_mismatch"
        case .authenticationTypeMismatch: "auth_type_mismatch"
        case .authenticationHeaderInvalid: "ah_invalid"
        case .authenticationSequenceReplayed: "ah_replayed"
        case .intervalMismatch: "interval_mismatch"
        case .familyMismatch: "family_mismatch"
        case .addressListMismatch: "address_list_mismatch"
        case .unicastSourceNotPeer: "unicast_source_not_peer"
        case .addressOwner: "address_owner"
        case .authHMAC(let f): "hmac_\(f.rawValue)"
        case .malformed: "malformed"
        }
    }

    /// The label used for an IPVS operation in JSON and metrics.
    public static func operationName(_ op: IPVSOperation) -> String { "\(op)" }
}
