import Glibc
import NIOCore
import NIOPosix

/// What a datagram probe makes of one received datagram.
enum DatagramVerdict: Sendable {
    /// Not ours (another ICMP id, a stale DNS id): keep waiting.
    case ignore
    /// The check passed with this detail.
    case pass(String)
    /// The check failed.
    case fail(ProbeError)
}

/// Sends one datagram on a connected UDP or raw socket and waits for a reply the judge accepts, bounded
/// by `timeout`. ICMP errors on a connected UDP socket surface as `.refused`.
enum DatagramExchange {
    static func run(target: ConnectTarget, rawProtocol: NIOIPProtocol?, request: [UInt8], on loop: any EventLoop,
                    judge: @escaping @Sendable ([UInt8]) -> DatagramVerdict) -> EventLoopFuture<String> {
        let promise = loop.makePromise(of: String.self)
        let remote: SocketAddress
        do {
            remote = try SocketAddress(ipAddress: target.address.description, port: Int(target.port))
        } catch {
            return loop.makeFailedFuture(ProbeError.invalidConfiguration("address \(target.address) is not numeric"))
        }
        let initializer: @Sendable (Channel) -> EventLoopFuture<Void> = { channel in
            do {
                try SocketPlacement.apply(target, channel: channel)
                try channel.pipeline.syncOperations.addHandler(DatagramJudgeHandler(judge: judge, promise: promise, stripIPv4Header: rawProtocol != nil && !target.address.isIPv6))
                return channel.eventLoop.makeSucceededVoidFuture()
            } catch {
                return channel.eventLoop.makeFailedFuture(error)
            }
        }
        let channel: EventLoopFuture<Channel>
        if let rawProtocol, remote.protocol == .inet6 {
            // NIO's raw bootstrap sets an IPv6 option a raw socket refuses (EINVAL): open the socket here and hand it
            // to a datagram channel. Raw ICMPv6 sockets get their checksum from the kernel (RFC 3542 §3.1).
            let fd = socket(AF_INET6, Int32(SOCK_RAW.rawValue) | Int32(SOCK_CLOEXEC.rawValue), Int32(rawProtocol.rawValue))
            guard fd >= 0 else {
                return loop.makeFailedFuture(ProbeError.system("socket(AF_INET6, SOCK_RAW): \(String(cString: strerror(errno)))"))
            }
            channel = DatagramBootstrap(group: loop).channelInitializer(initializer).withBoundSocket(fd)
                .flatMap { ch in ch.connect(to: remote).map { ch } }
        } else if let rawProtocol {
            channel = NIORawSocketBootstrap(group: loop).channelInitializer(initializer)
                .connect(host: target.address.description, ipProtocol: rawProtocol)
        } else {
            // A UDP reply may be up to 65,507 bytes (max_reply_length goes to 65535): read it whole.
            var bootstrap = DatagramBootstrap(group: loop).channelInitializer(initializer)
                .channelOption(.recvAllocator, value: FixedSizeRecvByteBufferAllocator(capacity: 65536))
            if let bind = target.bindAddress {
                bootstrap = bootstrap.channelOption(.socketOption(.so_reuseaddr), value: 1)
                channel = bootstrap.bind(host: bind.description, port: Int(target.bindPort ?? 0)).flatMap { ch in
                    ch.connect(to: remote).map { ch }
                }
            } else {
                channel = bootstrap.connect(to: remote)
            }
        }
        channel.whenFailure { promise.fail($0) }
        channel.whenSuccess { ch in
            var buffer = ch.allocator.buffer(capacity: request.count)
            buffer.writeBytes(request)
            ch.writeAndFlush(AddressedEnvelope(remoteAddress: remote, data: buffer)).whenFailure { promise.fail($0) }
        }
        _ = ProbeDeadline(promise: promise, timeout: target.timeout, channel: channel)
        return promise.futureResult
    }
}

final class DatagramJudgeHandler: ChannelInboundHandler {
    typealias InboundIn = AddressedEnvelope<ByteBuffer>

    private let judge: @Sendable ([UInt8]) -> DatagramVerdict
    private let promise: EventLoopPromise<String>
    private let stripIPv4Header: Bool

    init(judge: @escaping @Sendable ([UInt8]) -> DatagramVerdict, promise: EventLoopPromise<String>, stripIPv4Header: Bool) {
        self.judge = judge
        self.promise = promise
        self.stripIPv4Header = stripIPv4Header
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var bytes = Array(unwrapInboundIn(data).data.readableBytesView)
        if stripIPv4Header {
            // Raw IPv4 sockets deliver the IP header (raw IPv6 sockets do not); its length is in the low nibble of the first byte.
            guard let first = bytes.first, first >> 4 == 4, bytes.count >= Int(first & 0x0f) * 4 else { return }
            bytes.removeFirst(Int(first & 0x0f) * 4)
        }
        switch judge(bytes) {
        case .ignore: return
        case .pass(let detail): promise.succeed(detail)
        case .fail(let error): promise.fail(error)
        }
        context.close(promise: nil)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        promise.fail(error)
        context.close(promise: nil)
    }
}
