import NIOCore
import NIOPosix

/// `SMTP_CHECK`: expects a 220 banner, sends `HELO`, expects 250, then sends `QUIT`. The whole exchange is
/// bounded by `connect_timeout`.
public struct SMTPProbe: Sendable {
    /// The check's settings.
    public var check: SMTPCheck

    /// A probe of `check`.
    public init(check: SMTPCheck) { self.check = check }

    /// Runs one attempt; the future never fails.
    public func run(on loop: any EventLoop) -> EventLoopFuture<ProbeResult> {
        let start = NIODeadline.now()
        let target = check.target
        let what = "SMTP_CHECK \(target.hostPort)"
        let promise = loop.makePromise(of: String.self)
        let helo = check.heloName
        let channel = SocketConnector.connect(target, on: loop) { channel in
            do {
                try channel.pipeline.syncOperations.addHandler(SMTPHandler(helo: helo, promise: promise))
                return channel.eventLoop.makeSucceededVoidFuture()
            } catch {
                return channel.eventLoop.makeFailedFuture(error)
            }
        }
        channel.whenFailure { promise.fail($0) }
        _ = ProbeDeadline(promise: promise, timeout: target.timeout, channel: channel)
        return promise.futureResult
            .map { ProbeResult.success("\(what) \($0)", latency: elapsed(since: start)) }
            .recover { .failure("\(what) \(ProbeError.classify($0, timeout: target.timeout))", latency: elapsed(since: start)) }
    }
}

/// Answers the SMTP server's replies (read by `SMTPCheckReplies`): 220 banner, then HELO, then 250.
final class SMTPHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private enum Stage { case banner, helo, done }
    private var stage = Stage.banner
    private var replies = SMTPCheckReplies()
    private let helo: String
    private let promise: EventLoopPromise<String>

    init(helo: String, promise: EventLoopPromise<String>) {
        self.helo = helo
        self.promise = promise
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        for event in replies.read(unwrapInboundIn(data).readableBytesView) {
            let code: Int
            switch event {
            case .malformed(let why): return fail(context, .malformedReply(why))
            case .reply(let c): code = c
            }
            switch stage {
            case .banner:
                guard code == 220 else { return fail(context, .malformedReply("banner \(code), expected 220")) }
                stage = .helo
                context.writeAndFlush(wrapOutboundOut(context.channel.allocator.buffer(string: "HELO \(helo)\r\n")), promise: nil)
            case .helo:
                guard code == 250 else { return fail(context, .malformedReply("HELO answered \(code), expected 250")) }
                stage = .done
                context.writeAndFlush(wrapOutboundOut(context.channel.allocator.buffer(string: "QUIT\r\n")), promise: nil)
                promise.succeed("banner 220, HELO 250")
                context.close(promise: nil)
            case .done:
                return
            }
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        promise.fail(error)
        context.close(promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        if stage != .done { promise.fail(ProbeError.closedEarly) }
        context.fireChannelInactive()
    }

    private func fail(_ context: ChannelHandlerContext, _ error: ProbeError) {
        stage = .done
        promise.fail(error)
        context.close(promise: nil)
    }
}
