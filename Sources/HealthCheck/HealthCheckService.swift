import Glibc
import Logging
import NIOCore
import NIOPosix
import Vocabulary

/// One virtual server's health-check input: its quorum policy and its real servers.
public struct VirtualServerHealth: Hashable, Sendable {
    /// The virtual server; must equal the `RealServerID.virtualServer` of its real servers.
    public var id: VirtualServerID
    /// quorum, hysteresis, quorum_up/down, sorry_server.
    public var quorum: QuorumPolicy
    /// `alpha` at the virtual-server level: quorum starts down.
    public var alpha: Bool
    /// `omega`: run quorum_down and notify_down scripts on shutdown.
    public var omega: Bool
    /// The real servers.
    public var realServers: [RealServerTarget]

    /// An input.
    public init(id: VirtualServerID, quorum: QuorumPolicy = QuorumPolicy(), alpha: Bool = false, omega: Bool = false,
                realServers: [RealServerTarget]) {
        self.id = id
        self.quorum = quorum
        self.alpha = alpha
        self.omega = omega
        self.realServers = realServers
    }
}

/// What the service reports; every event carries the virtual server's resulting IPVS pool.
public enum HealthCheckEvent: Hashable, Sendable, CustomStringConvertible {
    /// A real server changed state (or was added). Apply `change.state.ipvsWeight` to IPVS when `applyToPool` is true;
    /// it is false while quorum is down and the sorry server stands in for the whole pool.
    case realServer(RealServerStateChange, applyToPool: Bool)
    /// A virtual server's quorum was gained or lost. `pool` is its destinations afterwards.
    case quorum(virtualServer: VirtualServerID, up: Bool, liveWeight: Int, pool: [PoolDestination])

    public var description: String {
        switch self {
        case .realServer(let change, _): change.description
        case .quorum(let vs, let up, let weight, _): "\(vs) quorum \(up ? "UP" : "DOWN"): live weight \(weight)"
        }
    }
}

/// Counters of a running service (for benchmarks and status).
public struct HealthCheckStatistics: Hashable, Sendable {
    /// Probes started since the service started.
    public var probesStarted: Int
    /// Probes whose result came back.
    public var probesFinished: Int
    /// How late each probe started against its due instant (TCP_CHECK: at its `connect()`; other kinds: when
    /// handed to their event loop).
    public var lateness: LatenessHistogram
    /// Finished probes by checker: results and latencies.
    public var checks = CheckTally()
}

/// The runtime: drives a `CheckScheduler` with real time on one event loop, runs the probes concurrently
/// (no thread per check), tracks quorum per virtual server, runs notify/quorum scripts without waiting,
/// and publishes `events`.
///
/// TCP_CHECKs and plain HTTP_GETs run on `EpollCheckEngine` (non-blocking connects on an epoll thread, timeout from
/// the connect itself, verified against the socket when it expires); every other kind runs on `probeLoops` in turn. Due
/// probes are started in batches at most `timerResolution` apart.
///
/// All mutable state is confined to `loop`; public methods hop onto it.
public final class HealthCheckService: @unchecked Sendable {
    /// Every state change, in order. Finishes after `shutdown()`.
    public let events: AsyncStream<HealthCheckEvent>
    private let continuation: AsyncStream<HealthCheckEvent>.Continuation
    private let loop: any EventLoop
    private let probeLoops: [any EventLoop]
    private var nextProbeLoop = 0
    private let probes: ProbeRunner
    private let logger: Logger

    // Loop-confined state.
    private var scheduler: CheckScheduler
    private var virtualServers: [VirtualServerID: VirtualServerHealth] = [:]
    private var quorums: [VirtualServerID: QuorumTracker] = [:]
    private var targetsByKey: [RealServerID: RealServerTarget] = [:]
    private var liveWeights: [VirtualServerID: Int] = [:]
    private var timer: Scheduled<Void>?
    private var timerDeadline: Instant?
    private var stopped = false
    private var probesStarted = 0
    private var probesFinished = 0
    private var lateness = LatenessHistogram()
    private var tally = CheckTally()
    private var lastFire: Instant?
    private let engineThreads: Int
    private var engine: EpollCheckEngine?
    /// HTTP_GET probes running on the engine, by checker (their URLs are fetched one after another).
    private var httpRuns: [CheckID: HTTPEngineCheck] = [:]
    private var engineFailed = false

    /// Due probes are started together when their deadlines fall within this window (the timer fires at most once
    /// per window), so 10,000 checks a second cost about 1,000 wake-ups, not 10,000. Bounds the added lateness.
    public static let timerResolution: Duration = .milliseconds(1)

    /// A service whose scheduler runs on `loop`. TCP_CHECKs and HTTP_GETs without TLS run on `tcpEngineThreads` epoll
    /// threads of the service's own (default one: the kernel does most of a check's work, one thread keeps up with
    /// tens of thousands of checks a second, and more threads only add wake-ups); other probes run on `probeLoops` in
    /// turn (default: the loops of `MultiThreadedEventLoopGroup.singleton`, one per core); results hop back to `loop`.
    /// Scripts are waited for on `threadPool`. `tcpConnectEngine: false` runs those checks on NIO channels like the
    /// other kinds (the previous implementation, kept as the benchmark's reference).
    public init(loop: any EventLoop, probeLoops: [any EventLoop] = [], threadPool: NIOThreadPool,
                scriptSecurity: ScriptSecurity = ScriptSecurity(),
                logger: Logger = Logger(label: "vigil.healthcheck"), seed: UInt64 = UInt64.random(in: 0...UInt64.max),
                tcpConnectEngine: Bool = true, tcpEngineThreads: Int = 1) {
        self.loop = loop
        self.probeLoops = probeLoops.isEmpty ? MultiThreadedEventLoopGroup.singleton.makeIterator().map { $0 } : probeLoops
        self.engineThreads = max(1, tcpEngineThreads)
        self.engineFailed = !tcpConnectEngine
        self.logger = logger
        self.probes = ProbeRunner(scripts: ProcessScriptRunner(pool: threadPool, security: scriptSecurity))
        self.scheduler = CheckScheduler(seed: seed)
        (events, continuation) = AsyncStream.makeStream(of: HealthCheckEvent.self, bufferingPolicy: .unbounded)
    }

    /// Starts checking `virtualServers`, or replaces the set on reload: unchanged real servers keep their state
    /// and schedule; new ones are announced; removed ones stop. Returns once applied.
    public func update(_ virtualServers: [VirtualServerHealth]) async {
        try? await loop.submit { self.apply(virtualServers) }.get()
    }

    /// The number of probes started so far (for benchmarks).
    public func probeCount() async -> Int {
        (try? await loop.submit { self.probesStarted }.get()) ?? 0
    }

    /// Counters and the start-lateness histogram so far.
    public func statistics() async -> HealthCheckStatistics {
        (try? await loop.submit {
            HealthCheckStatistics(probesStarted: self.probesStarted, probesFinished: self.probesFinished,
                                  lateness: self.lateness, checks: self.tally)
        }.get()) ?? HealthCheckStatistics(probesStarted: 0, probesFinished: 0, lateness: LatenessHistogram())
    }

    /// The current IPVS pool of every virtual server.
    public func pools() async -> [VirtualServerID: [PoolDestination]] {
        (try? await loop.submit { self.quorums.keys.reduce(into: [:]) { $0[$1] = self.pool($1) } }.get()) ?? [:]
    }

    /// Stops probing, runs omega scripts, and finishes `events`.
    public func shutdown() async {
        try? await loop.submit {
            self.stopped = true
            self.timer?.cancel()
            self.engine?.shutdown()
            self.engine = nil
            for vs in self.virtualServers.values where vs.omega {
                if let script = vs.quorum.quorumDown { self.runScript(script) }
                for rs in vs.realServers { if let s = rs.notifyDown { self.runScript(s) } }
            }
            self.continuation.finish()
        }.get()
    }

    // MARK: - Loop-confined

    private func apply(_ list: [VirtualServerHealth]) {
        guard !stopped else { return }
        let now = Instant.now()
        var next: [VirtualServerID: VirtualServerHealth] = [:]
        for vs in list { next[vs.id] = vs }
        virtualServers = next
        let all = list.flatMap(\.realServers)
        targetsByKey = Dictionary(all.map { ($0.key, $0) }, uniquingKeysWith: { first, _ in first })
        let actions = scheduler.update(targets: all, now: now)
        for name in quorums.keys where next[name] == nil { quorums[name] = nil }
        liveWeights = [:]
        for vs in list {
            let live = QuorumTracker.liveWeight(of: vs.realServers.compactMap { scheduler.state(of: $0.key) })
            liveWeights[vs.id] = live
            if quorums[vs.id] == nil {
                quorums[vs.id] = QuorumTracker(policy: vs.quorum, liveWeight: live, alpha: vs.alpha)
            } else if quorums[vs.id]?.policy != vs.quorum, var tracker = quorums[vs.id] {
                let transitions = tracker.policyChanged(vs.quorum)
                quorums[vs.id] = tracker
                emitQuorum(vs.id, transitions)
            }
        }
        perform(actions, now: now, weightsCurrent: true)
    }

    /// `weightsCurrent`: live weights already include these changes (a reload recomputed them).
    private func perform(_ actions: [CheckAction], now: Instant, weightsCurrent: Bool = false) {
        var connects: [EpollCheckEngine.Request] = []
        for action in actions {
            switch action {
            case .startProbe(let id, let spec, _, let due):
                probesStarted += 1
                if case .tcp(let check) = spec.kind, tcpEngine() != nil {
                    connects.append(EpollCheckEngine.Request(id: id, target: check.target, due: due))
                    continue
                }
                if case .http(let check) = spec.kind, HTTPEngineCheck.supports(check), tcpEngine() != nil {
                    let run = HTTPEngineCheck(check: check)
                    httpRuns[id] = run
                    connects.append(run.request(id: id, due: due))
                    continue
                }
                let probeLoop = probeLoops[nextProbeLoop % probeLoops.count]
                nextProbeLoop &+= 1
                let probes = self.probes, kind = spec.kind
                // The probe (and its timeout) is created on its loop when that loop gets to it, not here: a busy
                // probe loop delays the probe, it does not eat its timeout.
                probeLoop.flatSubmit {
                    let late = Instant.now() - due
                    return probes.run(kind, on: probeLoop).map { ($0, late) }
                }.hop(to: loop).whenSuccess { result, late in
                    self.lateness.record(late)
                    self.probeDone(id: id, result: result)
                }
            case .stateChanged(let change):
                let vs = change.key.virtualServer
                if change.previous != nil || !change.state.alive, let target = targetsByKey[change.key] {
                    if change.state.alive, change.previous?.alive == false, let s = target.notifyUp { runScript(s) }
                    if !change.state.alive, change.previous?.alive != false, let s = target.notifyDown { runScript(s) }
                }
                var transitions: [QuorumAction] = []
                if !weightsCurrent {
                    let old = change.previous.map { $0.alive ? $0.weight : 0 } ?? 0
                    let new = change.state.alive ? change.state.weight : 0
                    liveWeights[vs, default: 0] += new - old
                }
                if var tracker = quorums[vs], let live = liveWeights[vs] {
                    transitions = tracker.liveWeightChanged(live)
                    quorums[vs] = tracker
                }
                let sorryActive = quorums[vs].map { !$0.isUp && $0.policy.sorryServer != nil } ?? false
                continuation.yield(.realServer(change, applyToPool: !sorryActive))
                emitQuorum(vs, transitions)
            }
        }
        if !connects.isEmpty { engine?.submit(connects) }
        armTimer()
    }

    /// The epoll engine, started on first use; `nil` (probes fall back to NIO channels) if it cannot start.
    private func tcpEngine() -> EpollCheckEngine? {
        if let engine { return engine }
        guard !engineFailed, !stopped else { return nil }
        let loop = self.loop
        do {
            engine = try EpollCheckEngine(threads: engineThreads) { [weak self] batch in
                guard let self else { return }
                loop.execute { self.connectsFinished(batch) }
            }
        } catch {
            engineFailed = true
            logger.warning("TCP_CHECK engine could not start (\(error)); TCP checks use NIO channels")
        }
        return engine
    }

    private func connectsFinished(_ batch: [EpollCheckEngine.Completion]) {
        guard !stopped else { return }
        let now = Instant.now()
        var actions: [CheckAction] = []
        var followUps: [EpollCheckEngine.Request] = []
        for completion in batch {
            if var run = httpRuns[completion.id] {
                // HTTP_GET: the first URL's connect is the probe's start; later URLs follow at once.
                if run.index == 0 { lateness.record(completion.lateness) }
                switch run.finished(completion, now: now) {
                case .next(let request):
                    httpRuns[completion.id] = run
                    followUps.append(request)
                case .done(let result):
                    httpRuns[completion.id] = nil
                    probesFinished += 1
                    tally.record(checker: "HTTP_GET", up: result.up, latency: result.latency)
                    actions.append(contentsOf: scheduler.probeFinished(id: completion.id, result: result, now: now))
                }
                continue
            }
            lateness.record(completion.lateness)
            let up = completion.outcome == .connected
            probesFinished += 1
            tally.record(checker: "TCP_CHECK", up: up, latency: completion.latency)
            // The reason's text is built only if the result changes the server's state.
            actions.append(contentsOf: scheduler.probeFinished(id: completion.id, up: up, dynamicWeight: nil, now: now) {
                Self.result(of: completion).reason
            })
        }
        if !followUps.isEmpty { engine?.submit(followUps) }
        perform(actions, now: now)
    }

    static func result(of completion: EpollCheckEngine.Completion) -> ProbeResult {
        let what = "TCP_CHECK \(completion.target.hostPort)"
        switch completion.outcome {
        case .connected:
            return .success("\(what) connected", latency: completion.latency)
        case .failed(let code) where code == ECONNREFUSED:
            return .failure("\(what) \(ProbeError.refused)", latency: completion.latency)
        case .failed(let code):
            return .failure("\(what) \(ProbeError.system("connect: \(EpollCheckEngine.Worker.errorText(code))"))", latency: completion.latency)
        case .timedOut:
            return .failure("\(what) \(ProbeError.timeout(completion.target.timeout))", latency: completion.latency)
        case .notStarted(let why):
            return .failure("\(what) \(ProbeError.system(why))", latency: completion.latency)
        case .response, .badResponse:
            // Only HTTP exchanges end this way; a TCP_CHECK request has none.
            return .failure("\(what) \(ProbeError.malformedReply("unexpected HTTP outcome"))", latency: completion.latency)
        }
    }

    private func emitQuorum(_ vs: VirtualServerID, _ transitions: [QuorumAction]) {
        for t in transitions {
            switch t {
            case .quorumGained(let weight, let script):
                if let script { runScript(script) }
                continuation.yield(.quorum(virtualServer: vs, up: true, liveWeight: weight, pool: pool(vs)))
            case .quorumLost(let weight, let script):
                if let script { runScript(script) }
                continuation.yield(.quorum(virtualServer: vs, up: false, liveWeight: weight, pool: pool(vs)))
            }
        }
    }

    private func pool(_ vs: VirtualServerID) -> [PoolDestination] {
        guard let tracker = quorums[vs], let members = virtualServers[vs]?.realServers else { return [] }
        var states: [RealServerID: RealServerState] = [:]
        for m in members { states[m.key] = scheduler.state(of: m.key) }
        return tracker.destinations(states: states)
    }

    private func probeDone(id: CheckID, result: ProbeResult) {
        guard !stopped else { return }
        probesFinished += 1
        let checker = targetsByKey[id.realServer]?.checkers.element(at: id.index)?.kind.name ?? "unknown"
        tally.record(checker: checker, up: result.up, latency: result.latency)
        let now = Instant.now()
        perform(scheduler.probeFinished(id: id, result: result, now: now), now: now)
    }

    private func timerFired() {
        timer = nil
        timerDeadline = nil
        guard !stopped else { return }
        let now = Instant.now()
        lastFire = now
        perform(scheduler.deadlineReached(now: now), now: now)
    }

    private func armTimer() {
        guard !stopped else { return }
        guard let deadline = scheduler.nextDeadline else {
            timer?.cancel()
            timer = nil
            timerDeadline = nil
            return
        }
        // At most one wake-up per timerResolution: a deadline sooner than that after the last one waits for it.
        let fireAt = lastFire.map { max(deadline, $0 + Self.timerResolution) } ?? deadline
        // A timer already armed at or before that instant will fire, find the work, and re-arm.
        if timer != nil, let armed = timerDeadline, armed <= fireAt { return }
        timer?.cancel()
        timerDeadline = fireAt
        let delay = max(0, (fireAt - Instant.now()).nanoseconds)
        timer = loop.scheduleTask(in: .nanoseconds(delay)) { self.timerFired() }
    }

    private func runScript(_ command: ScriptCommand) {
        probes.scripts.run(command, timeout: nil, on: loop).whenSuccess { exit in
            if exit != .exited(0) { self.logger.warning("script \(command): \(exit)") }
        }
    }
}
