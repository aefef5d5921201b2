import NIOCore
import Vocabulary

/// Bounds one probe's whole exchange: when `timeout` (plus one loop turn) elapses before `promise` completes, the
/// promise fails with `.timeout` and the channel (if any) is closed, so an accept-then-hang server never leaves a stuck probe.
struct ProbeDeadline<Value: Sendable>: Sendable {
    let promise: EventLoopPromise<Value>
    private let scheduled: Scheduled<Void>

    init(promise: EventLoopPromise<Value>, timeout: Duration, channel: EventLoopFuture<Channel>?) {
        self.promise = promise
        let loop = promise.futureResult.eventLoop
        scheduled = loop.scheduleTask(in: .nanoseconds(timeout.nanoseconds)) {
            // A loop busy past the deadline may hold this probe's answer unread: NIO runs due tasks before it polls
            // again. One more turn (1 ms) lets it read that answer first, so a late probe is not a timeout.
            loop.scheduleTask(in: .milliseconds(1)) {
                promise.fail(ProbeError.timeout(timeout))
                channel?.whenSuccess { $0.close(promise: nil) }
            }
        }
        let scheduled = self.scheduled
        promise.futureResult.whenComplete { _ in
            scheduled.cancel()
            channel?.whenSuccess { $0.close(promise: nil) }
        }
    }
}

extension EventLoopPromise where Value: Sendable {
    /// Completes the promise unless it already is (probe handlers may see several terminal events).
    func complete(with result: Result<Value, any Error>) {
        switch result {
        case .success(let v): succeed(v)
        case .failure(let e): fail(e)
        }
    }
}
