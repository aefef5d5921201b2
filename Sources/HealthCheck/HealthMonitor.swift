// Theory of operation
//
// `HealthMonitor` is the pure core of the health-check runtime: a plain value that holds the `CheckScheduler` (when
// each checker probes; retry and up/down hysteresis) and one `QuorumTracker` per virtual server, and makes every
// decision its adapter (`HealthCheckService`) acts on. Events, each with an injected `now`:
//   - `targetsUpdated(_:now:)`           the virtual servers to check (at start, and on every reload);
//   - `deadlineReached(now:)`            probes are due (safe to call early or twice);
//   - `probeFinished(id:result:now:)`    one probe attempt came back;
//   - `stopped()`                        the service shuts down.
// Actions (`HealthMonitorAction`):
//   - `.startProbe`      start one attempt of a checker on the path its kind takes (`ProbeRoute`);
//   - `.realServerChanged` / `.quorumChanged`  report a state change or a quorum transition, with its reason;
//   - `.runScript`       notify_up, notify_down, quorum_up, quorum_down: once per transition.
// Scripts follow keepalived: notify_up when a dead server comes alive, notify_down when a server dies or is added
// dead; a weight change runs none. Quorum is the live weight (the weights of the alive servers) against
// quorum ± hysteresis; it is evaluated after each state change and after a reload (a removed server lowers it).
// With `omega`, stopping runs the virtual server's quorum_down and every notify_down.
// The monitor holds no sockets, reads no clock, times no probe out, and builds no IPVS pool (the Director's
// `LVSTableBuilder` does, from the reported states and quorum).

import Vocabulary

/// Why a virtual server's quorum changed.
public enum QuorumChangeReason: Hashable, Sendable, CustomStringConvertible {
    /// A real server's state change moved the live weight across the threshold.
    case realServerChanged(RealServerID)
    /// A reload changed the quorum, the hysteresis, or the set of real servers.
    case configurationChanged

    public var description: String {
        switch self {
        case .realServerChanged(let key): "after \(key.realServer) changed state"
        case .configurationChanged: "after a configuration change"
        }
    }
}

/// Which script a `.runScript` action runs, and for whom.
public enum ScriptTrigger: Hashable, Sendable {
    /// `notify_up` of a real server that came alive.
    case notifyUp(RealServerID)
    /// `notify_down` of a real server that died (or was added dead, or `omega` at shutdown).
    case notifyDown(RealServerID)
    /// `quorum_up` of a virtual server.
    case quorumUp(virtualServer: VirtualServerID)
    /// `quorum_down` of a virtual server (also `omega` at shutdown).
    case quorumDown(virtualServer: VirtualServerID)
}

/// What the adapter must do after an event.
public enum HealthMonitorAction: Hashable, Sendable {
    /// Start one attempt of checker `id` on `route` now and report it with `probeFinished(id:result:now:)`.
    /// `due` is the instant it was scheduled for (the adapter measures how late it starts).
    case startProbe(CheckID, ProbeRoute, due: Instant)
    /// Report a real server's new state (also once when it is added: `previous == nil`).
    case realServerChanged(RealServerStateChange)
    /// Report a quorum transition of a virtual server.
    case quorumChanged(virtualServer: VirtualServerID, up: Bool, liveWeight: Int, reason: QuorumChangeReason)
    /// Run a notify or quorum script without waiting for it.
    case runScript(ScriptCommand, ScriptTrigger)
    /// Log one failed attempt of an up checker (`log_all_failures`); changes nothing.
    case logFailure(CheckID, reason: String, attempt: Int)
}

/// The sans-IO decisions of the health checks: scheduling, real-server state, quorum, scripts and probe routes.
public struct HealthMonitor: Sendable {
    private var scheduler: CheckScheduler
    private let paths: ProbePaths
    private var virtualServers: [VirtualServerHealth] = []
    private var quorums: [VirtualServerID: QuorumTracker] = [:]
    private var targets: [RealServerID: RealServerTarget] = [:]
    private var liveWeights: [VirtualServerID: Int] = [:]
    private var isStopped = false

    /// A monitor with nothing to check. `seed` makes the warmup spread reproducible; `paths` is where TCP_CHECK and
    /// HTTP_GET run (the engine, except in the benchmark's reference run).
    public init(seed: UInt64 = 0x5EED, paths: ProbePaths = .engine) {
        scheduler = CheckScheduler(seed: seed)
        self.paths = paths
    }

    /// The earliest instant at which `deadlineReached(now:)` has work; `nil` when nothing waits (or after `stopped()`).
    public var nextDeadline: Instant? { isStopped ? nil : scheduler.nextDeadline }

    /// The state of one real server, `nil` if unknown.
    public func state(of key: RealServerID) -> RealServerState? { scheduler.state(of: key) }

    /// Whether a virtual server's quorum is up, `nil` if unknown.
    public func quorumIsUp(_ virtualServer: VirtualServerID) -> Bool? { quorums[virtualServer]?.isUp }

    /// Replaces the set of virtual servers. Unchanged real servers keep their state and schedule; new ones are
    /// reported; removed ones stop. Quorum policies are replaced in place and quorum is evaluated again.
    public mutating func targetsUpdated(_ list: [VirtualServerHealth], now: Instant) -> [HealthMonitorAction] {
        guard !isStopped else { return [] }
        virtualServers = list
        let all = list.flatMap(\.realServers)
        targets = Dictionary(all.map { ($0.key, $0) }, uniquingKeysWith: { first, _ in first })
        let changes = scheduler.update(targets: all, now: now)
        let ids = Set(list.map(\.id))
        quorums = quorums.filter { ids.contains($0.key) }
        liveWeights = [:]
        var actions: [HealthMonitorAction] = []
        for vs in list {
            let live = QuorumTracker.liveWeight(of: vs.realServers.compactMap { scheduler.state(of: $0.key) })
            liveWeights[vs.id] = live
            if var tracker = quorums[vs.id] {
                if tracker.policy != vs.quorum {
                    let transitions = tracker.policyChanged(vs.quorum)
                    quorums[vs.id] = tracker
                    actions += quorumActions(vs.id, transitions, reason: .configurationChanged)
                }
            } else {
                quorums[vs.id] = QuorumTracker(policy: vs.quorum, liveWeight: live, alpha: vs.alpha)
            }
        }
        actions += route(changes, weightsCurrent: true)
        // A reload that removed servers changes the live weight without a state change of its own.
        for vs in list {
            guard var tracker = quorums[vs.id], let live = liveWeights[vs.id] else { continue }
            let transitions = tracker.liveWeightChanged(live)
            quorums[vs.id] = tracker
            actions += quorumActions(vs.id, transitions, reason: .configurationChanged)
        }
        return actions
    }

    /// Probes are due: returns the ones to start now.
    public mutating func deadlineReached(now: Instant) -> [HealthMonitorAction] {
        guard !isStopped else { return [] }
        return route(scheduler.deadlineReached(now: now))
    }

    /// One attempt of checker `id` finished with `result`. A result for a checker that is no longer probing (removed
    /// or replaced by a reload) is ignored.
    public mutating func probeFinished(id: CheckID, result: ProbeResult, now: Instant) -> [HealthMonitorAction] {
        guard !isStopped else { return [] }
        return route(scheduler.probeFinished(id: id, result: result, now: now))
    }

    /// `probeFinished(id:result:now:)` for a result whose reason is built only if it changes the server's state
    /// (the engine's TCP_CHECKs: most results change nothing).
    mutating func probeFinished(id: CheckID, up: Bool, now: Instant,
                                reason: () -> String) -> [HealthMonitorAction] {
        guard !isStopped else { return [] }
        return route(scheduler.probeFinished(id: id, up: up, dynamicWeight: nil, now: now, reason: reason))
    }

    /// The service stops: nothing more is started or reported. With `omega`, a virtual server's quorum_down and
    /// its real servers' notify_down scripts run (as keepalived does on shutdown).
    public mutating func stopped() -> [HealthMonitorAction] {
        guard !isStopped else { return [] }
        isStopped = true
        var actions: [HealthMonitorAction] = []
        for vs in virtualServers where vs.omega {
            if let script = vs.quorum.quorumDown { actions.append(.runScript(script, .quorumDown(virtualServer: vs.id))) }
            for rs in vs.realServers {
                if let script = rs.notifyDown { actions.append(.runScript(script, .notifyDown(rs.key))) }
            }
        }
        return actions
    }

    // MARK: - Decisions

    /// The scheduler's actions as the adapter's: probes with their route; state changes with their scripts, the
    /// live weight and quorum that follow. `weightsCurrent`: the live weights already include these changes
    /// (a reload recomputed them).
    private mutating func route(_ scheduled: [CheckAction], weightsCurrent: Bool = false) -> [HealthMonitorAction] {
        guard !scheduled.isEmpty else { return [] }
        var actions: [HealthMonitorAction] = []
        actions.reserveCapacity(scheduled.count)
        for action in scheduled {
            switch action {
            case .startProbe(let id, let spec, _, let due):
                actions.append(.startProbe(id, ProbeRoute.of(spec.kind, paths: paths), due: due))
            case .stateChanged(let change):
                actions += stateChanged(change, weightsCurrent: weightsCurrent)
            case .failureLogged(let id, let reason, let attempt):
                actions.append(.logFailure(id, reason: reason, attempt: attempt))
            }
        }
        return actions
    }

    private mutating func stateChanged(_ change: RealServerStateChange, weightsCurrent: Bool) -> [HealthMonitorAction] {
        var actions: [HealthMonitorAction] = []
        let vs = change.key.virtualServer
        if change.previous != nil || !change.state.alive, let target = targets[change.key] {
            if change.state.alive, change.previous?.alive == false, let script = target.notifyUp {
                actions.append(.runScript(script, .notifyUp(change.key)))
            }
            if !change.state.alive, change.previous?.alive != false, let script = target.notifyDown {
                actions.append(.runScript(script, .notifyDown(change.key)))
            }
        }
        if !weightsCurrent {
            let old = change.previous.map { $0.alive ? $0.weight : 0 } ?? 0
            let new = change.state.alive ? change.state.weight : 0
            liveWeights[vs, default: 0] += new - old
        }
        actions.append(.realServerChanged(change))
        if var tracker = quorums[vs], let live = liveWeights[vs] {
            let transitions = tracker.liveWeightChanged(live)
            quorums[vs] = tracker
            actions += quorumActions(vs, transitions, reason: .realServerChanged(change.key))
        }
        return actions
    }

    private func quorumActions(_ vs: VirtualServerID, _ transitions: [QuorumAction],
                               reason: QuorumChangeReason) -> [HealthMonitorAction] {
        var actions: [HealthMonitorAction] = []
        for transition in transitions {
            switch transition {
            case .quorumGained(let weight, let script):
                if let script { actions.append(.runScript(script, .quorumUp(virtualServer: vs))) }
                actions.append(.quorumChanged(virtualServer: vs, up: true, liveWeight: weight, reason: reason))
            case .quorumLost(let weight, let script):
                if let script { actions.append(.runScript(script, .quorumDown(virtualServer: vs))) }
                actions.append(.quorumChanged(virtualServer: vs, up: false, liveWeight: weight, reason: reason))
            }
        }
        return actions
    }
}
