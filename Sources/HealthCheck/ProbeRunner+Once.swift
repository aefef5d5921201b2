import NIOCore
import Vocabulary

/// The result of one checker of one real server, from `ProbeRunner.runOnce`.
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

extension ProbeRunner {
    /// Runs every checker of every real server once, all at the same time, so the whole run takes about as long as
    /// the slowest timeout. Outcomes are in configuration order. A real server without checkers gets none.
    public func runOnce(_ virtualServers: [VirtualServerHealth], on loop: any EventLoop) async -> [ProbeOutcome] {
        var futures: [(ProbeOutcome, EventLoopFuture<ProbeResult>)] = []
        for vs in virtualServers {
            for rs in vs.realServers {
                for (index, spec) in rs.checkers.enumerated() {
                    let pending = ProbeOutcome(virtualServer: vs.id, realServer: rs.key, index: index, checker: spec.kind.name,
                                               result: .failure("not run"))
                    futures.append((pending, run(spec.kind, on: loop)))
                }
            }
        }
        var outcomes: [ProbeOutcome] = []
        for (pending, future) in futures {
            var outcome = pending
            do {
                outcome.result = try await future.get()
            } catch {
                outcome.result = .failure("\(pending.checker) \(error)")
            }
            outcomes.append(outcome)
        }
        return outcomes
    }
}
