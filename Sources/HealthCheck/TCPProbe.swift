import NIOCore
import NIOPosix
import Vocabulary

/// `TCP_CHECK` on a NIO channel: one TCP connect, closed at once. The benchmark's reference path only: the daemon and
/// `vigil probe` run TCP_CHECK on the epoll engine (`ProbeRoute`).
public struct TCPProbe: Sendable {
    /// The check's settings.
    public var check: TCPCheck

    /// A probe of `check`.
    public init(check: TCPCheck) { self.check = check }

    /// Runs one attempt on `loop`; the future never fails (failures are `ProbeResult`s).
    public func run(on loop: any EventLoop) -> EventLoopFuture<ProbeResult> {
        let target = check.target
        let start = NIODeadline.now()
        let what = "TCP_CHECK \(target.hostPort)"
        return SocketConnector.connect(target, on: loop, initializer: nil)
            .flatMap { channel in channel.close().map { _ in () }.recover { _ in () } }
            .map { _ in ProbeResult.success("\(what) connected", latency: elapsed(since: start)) }
            .recover { error in
                .failure("\(what) \(ProbeError.classify(error, timeout: target.timeout))", latency: elapsed(since: start))
            }
    }
}

/// Time since `start` as a `Duration`.
func elapsed(since start: NIODeadline) -> Duration {
    .nanoseconds((NIODeadline.now() - start).nanoseconds)
}

/// Opens TCP connections with the checker's source binding and connect timeout.
enum SocketConnector {
    static func connect(_ target: ConnectTarget, on loop: any EventLoop,
                        initializer: (@Sendable (Channel) -> EventLoopFuture<Void>)?) -> EventLoopFuture<Channel> {
        let address: SocketAddress
        do {
            address = try SocketAddress(ipAddress: target.address.description, port: Int(target.port))
        } catch {
            return loop.makeFailedFuture(ProbeError.invalidConfiguration("address \(target.address) is not numeric"))
        }
        var bootstrap = ClientBootstrap(group: loop)
            .connectTimeout(.nanoseconds(target.timeout.nanoseconds))
            .channelOption(.socketOption(.so_reuseaddr), value: 1)
        if target.bindAddress != nil || target.bindPort != nil {
            let host = target.bindAddress?.description ?? (address.protocol == .inet6 ? "::" : "0.0.0.0")
            do {
                bootstrap = bootstrap.bind(to: try SocketAddress(ipAddress: host, port: Int(target.bindPort ?? 0)))
            } catch {
                return loop.makeFailedFuture(ProbeError.invalidConfiguration("bindto \(host) is not numeric"))
            }
        }
        if target.fwmark != nil || target.bindInterface != nil {
            bootstrap = bootstrap.channelInitializer { channel in
                do {
                    try SocketPlacement.apply(target, channel: channel)
                } catch {
                    return channel.eventLoop.makeFailedFuture(error)
                }
                return initializer?(channel) ?? channel.eventLoop.makeSucceededVoidFuture()
            }
        } else if let initializer {
            bootstrap = bootstrap.channelInitializer(initializer)
        }
        return bootstrap.connect(to: address)
    }
}
