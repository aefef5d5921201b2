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
// What is logged follows keepalived too: a state change always (`.stateChanged`, with its reason); a failed attempt
// on its own (`.failureLogged`) only with `log_all_failures`, and only while the checker is up (a down checker's
// failures change nothing and are not logged).
// A real server is alive when all of its checkers are up; its weight is the configured weight adjusted by
// dynamic checkers (misc_dynamic: weight = exit code − 2). A change of `alive` or `weight` is an action with a reason.
// The scheduler does not time probes out (each probe bounds itself) and does not run scripts or sockets.

import Vocabulary

/// What the adapter must do after an event.
public enum CheckAction: Hashable, Sendable {
    /// Start one probe attempt of checker `id` now and report it with `probeFinished(id:result:now:)`.
    /// `due` is the instant the probe was scheduled for (the adapter measures how late it really starts).
    case startProbe(CheckID, CheckerSpec, attempt: Int, due: Instant)
    /// A real server's state changed (also emitted once when a server is added).
    case stateChanged(RealServerStateChange)
    /// `log_all_failures`: attempt `attempt` of up checker `id` failed for `reason`; the adapter logs it. Comes
    /// before the `.stateChanged` of the same attempt, if that attempt takes the checker down.
    case failureLogged(CheckID, reason: String, attempt: Int)
}

/// The sans-IO scheduler of every checker of every real server.
///
/// Servers live in slots of an array (a dictionary maps keys to slots), and the deadline heap holds only instants
/// and integers: starting the probes due at an instant hashes no key and copies no string.
public struct CheckScheduler: Sendable {
    private struct Checker: Sendable {
        enum Phase: Sendable {
            case waiting(until: Instant)
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

    private struct HeapEntry: HeapOrdered {
        var deadline: Instant
        var generation: UInt64
        var slot: Int32
        var index: Int32

        static func precedes(_ a: HeapEntry, _ b: HeapEntry) -> Bool {
            a.deadline != b.deadline ? a.deadline < b.deadline : a.generation < b.generation
        }
    }

    private var slots: [Server?] = []
    private var slotOf: [RealServerID: Int32] = [:]
    private var freeSlots: [Int32] = []
    private var heap = DeadlineHeap<HeapEntry>()
    private var generation: UInt64 = 0
    private var random: SplitMix64

    /// An empty scheduler. `seed` makes the warmup spread reproducible.
    public init(seed: UInt64 = 0x5EED) {
        random = SplitMix64(seed: seed)
    }

    /// The earliest instant at which `deadlineReached(now:)` has work; `nil` when nothing is waiting.
    public var nextDeadline: Instant? { heap.first?.deadline }

    /// The current state of every real server.
    public var states: [RealServerID: RealServerState] {
        slotOf.reduce(into: [:]) { result, entry in
            if let server = slots[Int(entry.value)] { result[entry.key] = server.state }
        }
    }

    /// The state of one real server, `nil` if unknown.
    public func state(of key: RealServerID) -> RealServerState? {
        slotOf[key].flatMap { slots[Int($0)]?.state }
    }

    /// The targets currently scheduled.
    public var targets: [RealServerTarget] { slots.compactMap { $0?.target } }

    /// Replaces the set of real servers. Servers and checkers whose settings are unchanged keep their state and
    /// schedule (a hitless reload); new ones start fresh (`.stateChanged` with `previous == nil`); removed ones
    /// are forgotten, and a late `probeFinished` for them is ignored.
    public mutating func update(targets: [RealServerTarget], now: Instant) -> [CheckAction] {
        var actions: [CheckAction] = []
        var seen = Set<RealServerID>()
        for target in targets {
            guard seen.insert(target.key).inserted else { continue }
            if let slot = slotOf[target.key], var server = slots[Int(slot)] {
                if server.target == target { continue }
                var checkers: [Checker] = []
                for (index, spec) in target.checkers.enumerated() {
                    if index < server.checkers.count, server.checkers[index].spec == spec {
                        checkers.append(server.checkers[index])
                    } else {
                        checkers.append(makeChecker(spec, slot: slot, index: index, now: now))
                    }
                }
                server.target = target
                server.checkers = checkers
                slots[Int(slot)] = server
                if let change = recompute(slot: slot, reason: "configuration changed") {
                    actions.append(.stateChanged(change))
                }
            } else {
                let slot = takeSlot()
                slotOf[target.key] = slot
                let checkers = target.checkers.enumerated().map { index, spec in
                    makeChecker(spec, slot: slot, index: index, now: now)
                }
                let state = Self.evaluate(target: target, checkers: checkers)
                slots[Int(slot)] = Server(target: target, checkers: checkers, state: state)
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
        for (key, slot) in slotOf where !seen.contains(key) {
            slotOf[key] = nil
            slots[Int(slot)] = nil
            freeSlots.append(slot)
        }
        dropStale()
        return actions
    }

    /// Starts every probe due at `now`. Safe to call early or twice.
    public mutating func deadlineReached(now: Instant) -> [CheckAction] {
        var actions: [CheckAction] = []
        while let top = heap.first, top.deadline <= now {
            heap.removeFirst()
            guard isCurrent(top) else { continue }
            // Read through the slot (no copy of the server: its arrays stay uniquely referenced for the write).
            let slot = Int(top.slot), index = Int(top.index)
            guard case .waiting = slots[slot]?.checkers[index].phase,
                  let failures = slots[slot]?.checkers[index].failures,
                  let spec = slots[slot]?.checkers[index].spec,
                  let key = slots[slot]?.target.key else { continue }
            let attempt = failures + 1
            let id = CheckID(realServer: key, index: index)
            slots[slot]?.checkers[index].phase = .probing(attempt: attempt)
            actions.append(.startProbe(id, spec, attempt: attempt, due: top.deadline))
        }
        dropStale()
        return actions
    }

    /// Records the result of the probe of `id` that a `.startProbe` started. Results for unknown or
    /// not-probing checkers (removed by a reload) are ignored.
    public mutating func probeFinished(id: CheckID, result: ProbeResult, now: Instant) -> [CheckAction] {
        probeFinished(id: id, up: result.up, dynamicWeight: result.dynamicWeight, now: now) { result.reason }
    }

    /// `probeFinished(id:result:now:)` for adapters that build the reason only when it is used (a state change):
    /// most results change nothing, and their text would be built for nothing.
    mutating func probeFinished(id: CheckID, up: Bool, dynamicWeight: Int?, now: Instant,
                                reason: () -> String) -> [CheckAction] {
        guard let slot = slotOf[id.realServer], let count = slots[Int(slot)]?.checkers.count, id.index < count,
              id.index >= 0 else { return [] }
        // Read through the slot (no copy of the server: its arrays stay uniquely referenced for the writes below).
        guard case .probing(let attempt) = slots[Int(slot)]?.checkers[id.index].phase,
              let timing = slots[Int(slot)]?.checkers[id.index].spec.timing,
              let wasUp = slots[Int(slot)]?.checkers[id.index].up,
              let oldFailures = slots[Int(slot)]?.checkers[id.index].failures else { return [] }
        let oldWeight = slots[Int(slot)]?.checkers[id.index].dynamicWeight
        var isUp = wasUp, failures = oldFailures, weight = oldWeight
        let until: Instant
        var retriesExhausted = false
        if up {
            isUp = true
            failures = 0
            weight = dynamicWeight
            until = now + timing.delayLoop
        } else if isUp && failures < timing.retry {
            failures += 1
            until = now + timing.delayBeforeRetry
        } else {
            retriesExhausted = isUp && attempt > 1
            isUp = false
            failures = 0
            weight = nil
            until = now + timing.delayLoop
        }
        generation &+= 1
        heap.insert(HeapEntry(deadline: until, generation: generation, slot: slot, index: Int32(id.index)))
        let g = generation
        slots[Int(slot)]?.checkers[id.index].phase = .waiting(until: until)
        slots[Int(slot)]?.checkers[id.index].up = isUp
        slots[Int(slot)]?.checkers[id.index].failures = failures
        slots[Int(slot)]?.checkers[id.index].dynamicWeight = weight
        slots[Int(slot)]?.checkers[id.index].generation = g
        // keepalived's log_all_failures: "log all failures when checker up" (a down checker's failures are quiet).
        var actions: [CheckAction] = []
        if !up && wasUp && timing.logAllFailures {
            actions.append(.failureLogged(id, reason: reason(), attempt: attempt))
        }
        // The server's state depends only on `up` and the dynamic weight: skip the re-evaluation when neither moved
        // (the common case, a passing check of a live server).
        guard isUp != wasUp || weight != oldWeight else { return actions }
        var text = reason()
        if retriesExhausted { text += " (\(Self.ordinal(attempt)) try)" }
        if let change = recompute(slot: slot, reason: text) {
            actions.append(.stateChanged(change))
        }
        return actions
    }

    // MARK: - Internals

    private mutating func takeSlot() -> Int32 {
        if let slot = freeSlots.popLast() { return slot }
        slots.append(nil)
        return Int32(slots.count - 1)
    }

    /// Whether a heap entry still belongs to its checker (not superseded, not removed by a reload).
    private func isCurrent(_ entry: HeapEntry) -> Bool {
        let slot = Int(entry.slot), index = Int(entry.index)
        guard slot < slots.count, let count = slots[slot]?.checkers.count, index < count else { return false }
        return slots[slot]?.checkers[index].generation == entry.generation
    }

    private mutating func makeChecker(_ spec: CheckerSpec, slot: Int32, index: Int, now: Instant) -> Checker {
        let warmupNs = spec.timing.warmup.nanoseconds
        let offset = warmupNs > 0 ? Int64(random.next() % UInt64(warmupNs + 1)) : 0
        let deadline = now + .nanoseconds(offset)
        generation &+= 1
        heap.insert(HeapEntry(deadline: deadline, generation: generation, slot: slot, index: Int32(index)))
        return Checker(spec: spec, phase: .waiting(until: deadline), up: !spec.timing.alpha, failures: 0,
                       dynamicWeight: nil, generation: generation)
    }

    private mutating func recompute(slot: Int32, reason: String) -> RealServerStateChange? {
        guard var server = slots[Int(slot)] else { return nil }
        let state = Self.evaluate(target: server.target, checkers: server.checkers)
        guard state != server.state else { return nil }
        let previous = server.state
        server.state = state
        slots[Int(slot)] = nil   // keep the arrays uniquely referenced while the server is rewritten
        slots[Int(slot)] = server
        return RealServerStateChange(key: server.target.key, state: state, previous: previous, reason: reason)
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
        while let top = heap.first, !isCurrent(top) {
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
