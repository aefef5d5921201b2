import NIOCore
import Synchronization
import Vocabulary

/// The result of one checker of one real server, from `ProbeRound.runOnce`.
public struct ProbeOutcome: Hashable, Sendable {
    /// The virtual server.
    public var virtualServer: VirtualServerID
    /// The real server.
    public var realServer: RealServerID
    /// Index of the checker on the real server.
    public var index: Int
    /// keepalived's checker name (`HTTP_GET`).
    public var checker: String
    /// The result.
    public var result: ProbeResult
}

/// Single probe attempts on the path the daemon takes for each kind (`ProbeRoute`): TCP_CHECK and plain HTTP_GET on
/// an `EpollCheckEngine` of its own, every other kind through `ProbeRunner` on an event loop. For `vigil probe` (one
/// round) and the host tests; `HealthCheckService` drives the same paths in batches. Call `shutdown()` when done.
public final class ProbeRound: Sendable {
    private let runner: ProbeRunner
    private let engine: Result<EpollCheckEngine, ProbeError>
    private let waiting: Waiting

    /// Exchanges handed to the engine, by checker, until their completion arrives (on the engine's thread).
    private final class Waiting: Sendable {
        private let continuations = Mutex<[CheckID: (ConnectTarget, CheckedContinuation<EpollCheckEngine.Completion, Never>)]>([:])

        func add(_ request: EpollCheckEngine.Request, _ continuation: CheckedContinuation<EpollCheckEngine.Completion, Never>) {
            continuations.withLock { $0[request.id] = (request.target, continuation) }
        }

        func deliver(_ batch: [EpollCheckEngine.Completion]) {
            for completion in batch {
                continuations.withLock { $0.removeValue(forKey: completion.id) }?.1.resume(returning: completion)
            }
        }

        /// Ends every exchange still waiting (the engine stopped and will deliver nothing more).
        func cancelAll() {
            let left = continuations.withLock { all in
                defer { all = [:] }
                return all
            }
            for (id, (target, continuation)) in left {
                continuation.resume(returning: EpollCheckEngine.Completion(id: id, target: target, outcome: .notStarted("stopped"),
                                                                           latency: .zero, lateness: .zero))
            }
        }
    }

    /// A round whose MISC_CHECKs run with `scripts`. The engine starts now; if it cannot, TCP_CHECKs and
    /// HTTP_GETs fail with the reason.
    public init(scripts: ProcessScriptRunner) {
        runner = ProbeRunner(scripts: scripts)
        let waiting = Waiting()
        self.waiting = waiting
        do throws(ProbeError) {
            engine = .success(try EpollCheckEngine(threads: 1) { waiting.deliver($0) })
        } catch {
            engine = .failure(error)
        }
    }

    /// One attempt of `kind`. `id` names it to the engine: it must be unique among the attempts running at once.
    public func run(_ kind: CheckKind, id: CheckID, on loop: any EventLoop) async -> ProbeResult {
        switch ProbeRoute.of(kind) {
        case .eventLoop(let kind):
            do {
                return try await runner.run(kind, on: loop).get()
            } catch {
                return .failure("\(kind.name) \(error)")
            }
        case .tcpEngine(let target):
            return await exchange(EpollCheckEngine.Request(id: id, target: target, due: Instant.now())).tcpCheckResult
        case .httpEngine(let check):
            guard !check.urls.isEmpty else { return HTTPVerdict.noURL(check) }
            var run = HTTPEngineCheck(check: check)
            var request = run.request(id: id, due: Instant.now())
            while true {
                switch run.finished(await exchange(request), now: Instant.now()) {
                case .next(let next): request = next
                case .done(let result): return result
                }
            }
        }
    }

    /// Runs every checker of every real server once, all at the same time, so the whole run takes about as long as
    /// the slowest timeout. Outcomes are in configuration order. A real server without checkers gets none.
    public func runOnce(_ virtualServers: [VirtualServerHealth], on loop: any EventLoop) async -> [ProbeOutcome] {
        var pending: [(ProbeOutcome, CheckKind)] = []
        for vs in virtualServers {
            for rs in vs.realServers {
                for (index, spec) in rs.checkers.enumerated() {
                    pending.append((ProbeOutcome(virtualServer: vs.id, realServer: rs.key, index: index,
                                                 checker: spec.kind.name, result: .failure("not run")), spec.kind))
                }
            }
        }
        return await withTaskGroup(of: (Int, ProbeResult).self) { group in
            for (n, (outcome, kind)) in pending.enumerated() {
                // The position in the round keeps IDs unique even when a real server is configured twice.
                let id = CheckID(realServer: outcome.realServer, index: n)
                group.addTask { (n, await self.run(kind, id: id, on: loop)) }
            }
            var outcomes = pending.map(\.0)
            for await (n, result) in group { outcomes[n].result = result }
            return outcomes
        }
    }

    /// Stops the engine; attempts still running on it end as failures.
    public func shutdown() {
        if case .success(let engine) = engine { engine.shutdown() }
        waiting.cancelAll()
    }

    private func exchange(_ request: EpollCheckEngine.Request) async -> EpollCheckEngine.Completion {
        switch engine {
        case .failure(let error):
            return EpollCheckEngine.Completion(id: request.id, target: request.target, outcome: .notStarted("\(error)"),
                                               latency: .zero, lateness: .zero)
        case .success(let engine):
            return await withCheckedContinuation { continuation in
                waiting.add(request, continuation)
                engine.submit([request])
            }
        }
    }
}
