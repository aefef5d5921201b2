// Theory of operation
//
// `CheckScheduler` decides when each checker of each real server probes, and turns probe results into
// real-server state. It is a plain value driven by three events, all with an injected `now`:
//   - `update(targets:now:)`   the set of real servers (start, and every reload);
//   - `deadlineReached(now:)`  a probe is due: returns `.startProbe` actions;
//   - `probeFinished(id:result:now:)`  one attempt finished.
// Each checker is either waiting until an instant or probing. Its health follows keepalived:
//   - it starts up, or down with `alpha`;
//   - the first probe starts at a pseudo-random point in 0…warmup, so many servers do not probe at once;
//   - a success brings a down checker up at once (one success is enough);
//   - a failure of an up checker is retried `retry` times, `delay_before_retry` apart; when the last retry fails the
//     checker goes down. A failure of a down checker is not retried;
//   - after a round ends (success, down, or a failure while down) the next probe is `delay_loop` after it ended.
// A real server is alive when all of its checkers are up; its weight is the configured weight adjusted by
// dynamic checkers (misc_dynamic: weight = exit code − 2). A change of `alive` or `weight` is an action with a reason.
// The scheduler does not time probes out (each probe bounds itself) and does not run scripts or sockets.

/// What the adapter must do after an event.
public enum CheckAction: Hashable, Sendable {
    /// Start one probe attempt of checker `id` now and report it with `probeFinished(id:result:now:)`.
    /// `due` is the instant the probe was scheduled for (the adapter measures how late it really starts).
    case startProbe(CheckID, CheckerSpec, attempt: Int, due: CheckInstant)
    /// A real server's state changed (also emitted once when a server is added).
    case stateChanged(RealServerStateChange)
}

/// The sans-IO scheduler of every checker of every real server.
public struct CheckScheduler: Sendable {
    private struct Checker: Sendable {
        enum Phase: Sendable {
            case waiting(until: CheckInstant)
            case probing(attempt: Int)
        }
        var spec: CheckerSpec
        var phase: Phase
        var up: Bool
        /// Failed attempts in the current round while up.
        var failures: Int
        var dynamicWeight: Int?
        var generation: UInt64
    }

    private struct Server: Sendable {
        var target: RealServerTarget
        var checkers: [Checker]
        var state: RealServerState
    }

    private struct HeapEntry: Sendable {
        var deadline: CheckInstant
        var generation: UInt64
        var id: CheckID
    }

    private var servers: [RealServerKey: Server] = [:]
    private var heap = DeadlineHeap<HeapEntry>(before: { ($0.deadline, $0.generation) < ($1.deadline, $1.generation) })
    private var generation: UInt64 = 0
    private var random: SplitMix64

    /// An empty scheduler. `seed` makes the warmup spread reproducible.
    public init(seed: UInt64 = 0x5EED) {
        random = SplitMix64(seed: seed)
    }

    /// The earliest instant at which `deadlineReached(now:)` has work; `nil` when nothing is waiting.
    public var nextDeadline: CheckInstant? { heap.first?.deadline }

    /// The current state of every real server.
    public var states: [RealServerKey: RealServerState] { servers.mapValues(\.state) }

    /// The state of one real server, `nil` if unknown.
    public func state(of key: RealServerKey) -> RealServerState? { servers[key]?.state }

    /// The targets currently scheduled.
    public var targets: [RealServerTarget] { servers.values.map(\.target) }

    /// Replaces the set of real servers. Servers and checkers whose settings are unchanged keep their state and
    /// schedule (a hitless reload); new ones start fresh (`.stateChanged` with `previous == nil`); removed ones
    /// are forgotten, and a late `probeFinished` for them is ignored.
    public mutating func update(targets: [RealServerTarget], now: CheckInstant) -> [CheckAction] {
        var actions: [CheckAction] = []
        var seen = Set<RealServerKey>()
        for target in targets {
            guard seen.insert(target.key).inserted else { continue }
            if var server = servers[target.key] {
                if server.target == target { continue }
                var checkers: [Checker] = []
                for (index, spec) in target.checkers.enumerated() {
                    if index < server.checkers.count, server.checkers[index].spec == spec {
                        checkers.append(server.checkers[index])
                    } else {
                        checkers.append(makeChecker(spec, id: CheckID(realServer: target.key, index: index), now: now))
                    }
                }
                server.target = target
                server.checkers = checkers
                servers[target.key] = server
                if let change = recompute(target.key, reason: "configuration changed") {
                    actions.append(.stateChanged(change))
                }
            } else {
                let checkers = target.checkers.enumerated().map { index, spec in
                    makeChecker(spec, id: CheckID(realServer: target.key, index: index), now: now)
                }
                let state = Self.evaluate(target: target, checkers: checkers)
                servers[target.key] = Server(target: target, checkers: checkers, state: state)
                let reason: String
                if target.checkers.isEmpty {
                    reason = "no checker"
                } else if state.alive {
                    reason = "added, assumed up until a check fails"
                } else {
                    reason = "added, alpha: down until a check passes"
                }
                actions.append(.stateChanged(RealServerStateChange(key: target.key, state: state, previous: nil, reason: reason)))
            }
        }
        for key in servers.keys where !seen.contains(key) {
            servers[key] = nil
        }
        dropStale()
        return actions
    }

    /// Starts every probe due at `now`. Safe to call early or twice.
    public mutating func deadlineReached(now: CheckInstant) -> [CheckAction] {
        var actions: [CheckAction] = []
        while let top = heap.first, top.deadline <= now {
            heap.removeFirst()
            let key = top.id.realServer, index = top.id.index
            // Read only the checker (not the whole server) so the in-place write below does not copy the array.
            guard let checker = servers[key]?.checkers.element(at: index),
                  checker.generation == top.generation, case .waiting = checker.phase else { continue }
            let attempt = checker.failures + 1
            servers[key]?.checkers[index].phase = .probing(attempt: attempt)
            actions.append(.startProbe(top.id, checker.spec, attempt: attempt, due: top.deadline))
        }
        dropStale()
        return actions
    }

    /// Records the result of the probe of `id` that a `.startProbe` started. Results for unknown or
    /// not-probing checkers (removed by a reload) are ignored.
    public mutating func probeFinished(id: CheckID, result: ProbeResult, now: CheckInstant) -> [CheckAction] {
        let key = id.realServer
        guard var checker = servers[key]?.checkers.element(at: id.index) else { return [] }
        guard case .probing(let attempt) = checker.phase else { return [] }
        let timing = checker.spec.timing
        let wasUp = checker.up, oldWeight = checker.dynamicWeight
        var reason = result.reason
        if result.up {
            checker.up = true
            checker.failures = 0
            checker.dynamicWeight = result.dynamicWeight
            checker.phase = .waiting(until: now + timing.delayLoop)
        } else if checker.up && checker.failures < timing.retry {
            checker.failures += 1
            checker.phase = .waiting(until: now + timing.delayBeforeRetry)
        } else {
            if checker.up, attempt > 1 { reason += " (\(Self.ordinal(attempt)) try)" }
            checker.up = false
            checker.failures = 0
            checker.dynamicWeight = nil
            checker.phase = .waiting(until: now + timing.delayLoop)
        }
        generation &+= 1
        checker.generation = generation
        if case .waiting(let until) = checker.phase {
            heap.insert(HeapEntry(deadline: until, generation: generation, id: id))
        }
        servers[key]?.checkers[id.index] = checker
        // The server's state depends only on `up` and the dynamic weight: skip the re-evaluation when neither moved
        // (the common case, a passing check of a live server).
        guard checker.up != wasUp || checker.dynamicWeight != oldWeight else { return [] }
        if let change = recompute(key, reason: reason) {
            return [.stateChanged(change)]
        }
        return []
    }

    // MARK: - Internals

    private mutating func makeChecker(_ spec: CheckerSpec, id: CheckID, now: CheckInstant) -> Checker {
        let warmupNs = spec.timing.warmup.nanosecondsClamped
        let offset = warmupNs > 0 ? Int64(random.next() % UInt64(warmupNs + 1)) : 0
        let deadline = now + .nanoseconds(offset)
        generation &+= 1
        heap.insert(HeapEntry(deadline: deadline, generation: generation, id: id))
        return Checker(spec: spec, phase: .waiting(until: deadline), up: !spec.timing.alpha, failures: 0,
                       dynamicWeight: nil, generation: generation)
    }

    private mutating func recompute(_ key: RealServerKey, reason: String) -> RealServerStateChange? {
        guard var server = servers[key] else { return nil }
        let state = Self.evaluate(target: server.target, checkers: server.checkers)
        guard state != server.state else { return nil }
        let previous = server.state
        server.state = state
        servers[key] = server
        return RealServerStateChange(key: key, state: state, previous: previous, reason: reason)
    }

    private static func evaluate(target: RealServerTarget, checkers: [Checker]) -> RealServerState {
        let alive = checkers.allSatisfy(\.up)
        // misc_dynamic: each dynamic checker moves the weight by (its value − configured weight).
        var weight = target.weight
        for checker in checkers {
            if let dynamic = checker.dynamicWeight { weight += dynamic - target.weight }
        }
        return RealServerState(alive: alive, weight: max(0, weight), inhibitOnFailure: target.inhibitOnFailure)
    }

    private mutating func dropStale() {
        while let top = heap.first {
            if let server = servers[top.id.realServer], top.id.index < server.checkers.count,
               server.checkers[top.id.index].generation == top.generation {
                return
            }
            heap.removeFirst()
        }
    }

    static func ordinal(_ n: Int) -> String {
        let suffix: String
        switch (n % 10, n % 100) {
        case (_, 11...13): suffix = "th"
        case (1, _): suffix = "st"
        case (2, _): suffix = "nd"
        case (3, _): suffix = "rd"
        default: suffix = "th"
        }
        return "\(n)\(suffix)"
    }
}

extension Array {
    /// The element at `index`, or `nil` when it is out of range.
    func element(at index: Int) -> Element? { indices.contains(index) ? self[index] : nil }
}

/// A small deterministic generator for the warmup spread (not for anything secret).
struct SplitMix64: Sendable {
    private var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
