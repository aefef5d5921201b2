import Glibc
import Logging
import NIOCore
import NIOPosix
import Vocabulary

/// One virtual server's health-check input: its quorum policy and its real servers.
public struct VirtualServerHealth: Hashable, Sendable {
    /// The virtual server; must equal the `RealServerID.virtualServer` of its real servers.
    public var id: VirtualServerID
    /// quorum, hysteresis, quorum_up/down.
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

/// What the service reports: real-server state changes and quorum transitions. What they mean for the IPVS pool
/// (weights, inhibit, the sorry server) is the Director's decision (`LVSTableBuilder`).
public enum HealthCheckEvent: Hashable, Sendable, CustomStringConvertible {
    /// A real server changed state (or was added: `previous == nil`).
    case realServer(RealServerStateChange)
    /// A virtual server's quorum was gained or lost, and why.
    case quorum(virtualServer: VirtualServerID, up: Bool, liveWeight: Int, reason: QuorumChangeReason)

    /// One log line: `10.0.0.1:80 quorum DOWN: live weight 0, after 10.0.0.3:80 changed state`.
    public var description: String {
        switch self {
        case .realServer(let change): change.description
        case .quorum(let vs, let up, let weight, let reason): "\(vs) quorum \(up ? "UP" : "DOWN"): live weight \(weight), \(reason)"
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

/// The adapter around `HealthMonitor`: drives it with real time on one event loop, runs the probes it starts on the
/// path it names (TCP_CHECK and plain HTTP_GET on `EpollCheckEngine`: non-blocking connects on an epoll thread,
/// timeout from the connect itself, verified against the socket when it expires; every other kind on `probeLoops` in
/// turn), runs the scripts it asks for without waiting, and publishes what it reports as `events`. It decides nothing:
/// due probes are started in batches at most `timerResolution` apart, and that is all it adds.
///
/// All mutable state is confined to `loop` (checked: a `NIOLoopBoundBox`); public methods hop onto it.
public final class HealthCheckService: Sendable {
    /// Every state change and quorum transition, in order. Finishes after `shutdown()`.
    public let events: AsyncStream<HealthCheckEvent>
    private let continuation: AsyncStream<HealthCheckEvent>.Continuation
    private let loop: any EventLoop
    private let probeLoops: [any EventLoop]
    private let probes: ProbeRunner
    private let logger: Logger
    private let engineThreads: Int
    private let confined: NIOLoopBoundBox<Runtime>

    /// The adapter's own state (the decisions' state is in `monitor`).
    private final class Runtime {
        var monitor: HealthMonitor
        var nextProbeLoop = 0
        var timer: Scheduled<Void>?
        var timerDeadline: Instant?
        var lastFire: Instant?
        var stopped = false
        var probesStarted = 0
        var probesFinished = 0
        var lateness = LatenessHistogram()
        var tally = CheckTally()
        var history = ProbeHistory()
        var engine: EpollCheckEngine?
        /// Why the engine could not start, once it failed (its checks fail with this reason).
        var engineError: ProbeError?
        /// HTTP_GET probes running on the engine, by checker (their URLs are fetched one after another).
        var httpRuns: [CheckID: HTTPEngineCheck] = [:]

        init(monitor: HealthMonitor) { self.monitor = monitor }
    }

    /// Due probes are started together when their deadlines fall within this window (the timer fires at most once
    /// per window), so 10,000 checks a second cost about 1,000 wake-ups, not 10,000. Bounds the added lateness.
    public static let timerResolution: Duration = .milliseconds(1)

    /// A service whose monitor runs on `loop`. TCP_CHECKs and HTTP_GETs without TLS run on `tcpEngineThreads` epoll
    /// threads of the service's own (default one: the kernel does most of a check's work, one thread keeps up with
    /// tens of thousands of checks a second, and more threads only add wake-ups); other probes run on `probeLoops` in
    /// turn (default: the loops of `MultiThreadedEventLoopGroup.singleton`, one per core); results hop back to `loop`.
    /// Scripts are waited for on `threadPool`. Only the benchmark's reference run moves TCP_CHECK and HTTP_GET to NIO
    /// channels, through the environment (`ProbePaths.fromEnvironment()`).
    public init(loop: any EventLoop, probeLoops: [any EventLoop] = [], threadPool: NIOThreadPool,
                scriptSecurity: ScriptSecurity = ScriptSecurity(),
                logger: Logger = Logger(label: "vigil.healthcheck"), seed: UInt64 = UInt64.random(in: 0...UInt64.max),
                tcpEngineThreads: Int = 1) {
        self.loop = loop
        self.probeLoops = probeLoops.isEmpty ? MultiThreadedEventLoopGroup.singleton.makeIterator().map { $0 } : probeLoops
        self.engineThreads = max(1, tcpEngineThreads)
        self.logger = logger
        self.probes = ProbeRunner(scripts: ProcessScriptRunner(pool: threadPool, security: scriptSecurity))
        let monitor = HealthMonitor(seed: seed, paths: ProbePaths.fromEnvironment())
        confined = NIOLoopBoundBox.makeBoxSendingValue(Runtime(monitor: monitor), eventLoop: loop)
        (events, continuation) = AsyncStream.makeStream(of: HealthCheckEvent.self, bufferingPolicy: .unbounded)
    }

    /// Starts checking `virtualServers`, or replaces the set on reload: unchanged real servers keep their state
    /// and schedule; new ones are announced; removed ones stop. Returns once applied.
    public func update(_ virtualServers: [VirtualServerHealth]) async {
        try? await loop.submit {
            let now = Instant.now()
            self.confined.value.history.keep(only: Set(virtualServers.flatMap { $0.realServers.map(\.key) }))
            self.perform(self.confined.value.monitor.targetsUpdated(virtualServers, now: now))
        }.get()
    }

    /// The number of probes started so far (for benchmarks).
    public func probeCount() async -> Int {
        (try? await loop.submit { self.confined.value.probesStarted }.get()) ?? 0
    }

    /// Counters and the start-lateness histogram so far.
    public func statistics() async -> HealthCheckStatistics {
        (try? await loop.submit {
            let rt = self.confined.value
            return HealthCheckStatistics(probesStarted: rt.probesStarted, probesFinished: rt.probesFinished,
                                         lateness: rt.lateness, checks: rt.tally)
        }.get()) ?? HealthCheckStatistics(probesStarted: 0, probesFinished: 0, lateness: LatenessHistogram())
    }

    /// The latest probes of each real server (`ProbeHistory`), with the instant they are relative to.
    public func probeHistory() async -> (now: Instant, samples: [RealServerID: [ProbeHistory.Sample]]) {
        (try? await loop.submit {
            let history = self.confined.value.history
            return (Instant.now(), Dictionary(uniqueKeysWithValues: history.servers.map { ($0, history.samples($0)) }))
        }.get()) ?? (Instant.now(), [:])
    }

    /// Stops probing, runs omega scripts, and finishes `events`.
    public func shutdown() async {
        try? await loop.submit {
            let rt = self.confined.value
            self.perform(rt.monitor.stopped())
            rt.stopped = true
            rt.timer?.cancel()
            rt.engine?.shutdown()
            rt.engine = nil
            self.continuation.finish()
        }.get()
    }

    // MARK: - Loop-confined

    private func perform(_ actions: [HealthMonitorAction]) {
        let rt = confined.value
        var connects: [EpollCheckEngine.Request] = []
        for action in actions {
            switch action {
            case .startProbe(let id, let route, let due):
                rt.probesStarted += 1
                switch route {
                case .tcpEngine(let target):
                    connects.append(EpollCheckEngine.Request(id: id, target: target, due: due))
                case .httpEngine(let check):
                    guard !check.urls.isEmpty else {
                        loop.execute { self.probeDone(id: id, result: HTTPVerdict.noURL(check), checker: "HTTP_GET") }
                        continue
                    }
                    let run = HTTPEngineCheck(check: check)
                    rt.httpRuns[id] = run
                    connects.append(run.request(id: id, due: due))
                case .eventLoop(let kind):
                    startOnProbeLoop(id: id, kind: kind, due: due)
                }
            case .realServerChanged(let change):
                continuation.yield(.realServer(change))
            case .quorumChanged(let vs, let up, let weight, let reason):
                continuation.yield(.quorum(virtualServer: vs, up: up, liveWeight: weight, reason: reason))
            case .runScript(let command, _):
                runScript(command)
            case .logFailure(let id, let reason, let attempt):
                logger.warning("\(id.realServer.virtualServer) real server \(id.realServer.realServer): check failed (\(CheckScheduler.ordinal(attempt)) try, log_all_failures): \(reason)")
            }
        }
        if !connects.isEmpty { submit(connects) }
        armTimer()
    }

    private func startOnProbeLoop(id: CheckID, kind: CheckKind, due: Instant) {
        let rt = confined.value
        let probeLoop = probeLoops[rt.nextProbeLoop % probeLoops.count]
        rt.nextProbeLoop &+= 1
        let probes = self.probes
        // The probe (and its timeout) is created on its loop when that loop gets to it, not here: a busy
        // probe loop delays the probe, it does not eat its timeout.
        probeLoop.flatSubmit {
            let late = Instant.now() - due
            return probes.run(kind, on: probeLoop).map { ($0, late) }
        }.hop(to: loop).whenSuccess { result, late in
            self.confined.value.lateness.record(late)
            self.probeDone(id: id, result: result, checker: kind.name)
        }
    }

    /// Hands `requests` to the epoll engine, started on first use; if it cannot start, they fail with the reason.
    private func submit(_ requests: [EpollCheckEngine.Request]) {
        let rt = confined.value
        if rt.engine == nil, rt.engineError == nil, !rt.stopped {
            let loop = self.loop
            do {
                rt.engine = try EpollCheckEngine(threads: engineThreads) { [weak self] batch in
                    guard let self else { return }
                    loop.execute { self.connectsFinished(batch) }
                }
            } catch {
                rt.engineError = error
                logger.error("the TCP_CHECK/HTTP_GET engine could not start (\(error)); those checks fail")
            }
        }
        if let engine = rt.engine {
            engine.submit(requests)
        } else if let error = rt.engineError {
            let now = Instant.now()
            let failed = requests.map {
                EpollCheckEngine.Completion(id: $0.id, target: $0.target, outcome: .notStarted("\(error)"),
                                            latency: .zero, lateness: now - $0.due)
            }
            loop.execute { self.connectsFinished(failed) }
        }
    }

    private func connectsFinished(_ batch: [EpollCheckEngine.Completion]) {
        let rt = confined.value
        guard !rt.stopped else { return }
        let now = Instant.now()
        var actions: [HealthMonitorAction] = []
        var followUps: [EpollCheckEngine.Request] = []
        for completion in batch {
            if var run = rt.httpRuns[completion.id] {
                // HTTP_GET: the first URL's connect is the probe's start; later URLs follow at once.
                if run.index == 0 { rt.lateness.record(completion.lateness) }
                switch run.finished(completion, now: now) {
                case .next(let request):
                    rt.httpRuns[completion.id] = run
                    followUps.append(request)
                case .done(let result):
                    rt.httpRuns[completion.id] = nil
                    rt.probesFinished += 1
                    rt.tally.record(checker: "HTTP_GET", up: result.up, latency: result.latency)
                    rt.history.record(completion.id.realServer, at: now, latency: result.latency, up: result.up)
                    actions += rt.monitor.probeFinished(id: completion.id, result: result, now: now)
                }
                continue
            }
            rt.lateness.record(completion.lateness)
            let up = completion.outcome == .connected
            rt.probesFinished += 1
            rt.tally.record(checker: "TCP_CHECK", up: up, latency: completion.latency)
            rt.history.record(completion.id.realServer, at: now, latency: completion.latency, up: up)
            // The reason's text is built only if the result changes the server's state.
            actions += rt.monitor.probeFinished(id: completion.id, up: up, now: now) {
                completion.tcpCheckResult.reason
            }
        }
        if !followUps.isEmpty { rt.engine?.submit(followUps) }
        perform(actions)
    }

    private func probeDone(id: CheckID, result: ProbeResult, checker: String) {
        let rt = confined.value
        guard !rt.stopped else { return }
        rt.probesFinished += 1
        rt.tally.record(checker: checker, up: result.up, latency: result.latency)
        let now = Instant.now()
        rt.history.record(id.realServer, at: now, latency: result.latency, up: result.up)
        perform(rt.monitor.probeFinished(id: id, result: result, now: now))
    }

    private func timerFired() {
        let rt = confined.value
        rt.timer = nil
        rt.timerDeadline = nil
        guard !rt.stopped else { return }
        let now = Instant.now()
        rt.lastFire = now
        perform(rt.monitor.deadlineReached(now: now))
    }

    private func armTimer() {
        let rt = confined.value
        guard !rt.stopped else { return }
        guard let deadline = rt.monitor.nextDeadline else {
            rt.timer?.cancel()
            rt.timer = nil
            rt.timerDeadline = nil
            return
        }
        // At most one wake-up per timerResolution: a deadline sooner than that after the last one waits for it.
        let fireAt = rt.lastFire.map { max(deadline, $0 + Self.timerResolution) } ?? deadline
        // A timer already armed at or before that instant will fire, find the work, and re-arm.
        if rt.timer != nil, let armed = rt.timerDeadline, armed <= fireAt { return }
        rt.timer?.cancel()
        rt.timerDeadline = fireAt
        let delay = max(0, (fireAt - Instant.now()).nanoseconds)
        rt.timer = loop.scheduleTask(in: .nanoseconds(delay)) { self.timerFired() }
    }

    private func runScript(_ command: ScriptCommand) {
        let logger = self.logger
        probes.scripts.run(command, timeout: nil, on: loop).whenSuccess { exit in
            if exit != .exited(0) { logger.warning("script \(command): \(exit)") }
        }
    }
}
