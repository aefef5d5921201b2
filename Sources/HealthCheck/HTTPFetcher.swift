import Crypto
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import RegexMatch
import Vocabulary

/// The outcome of one HTTP(S) GET: status and MD5 of the body (as genhash computes it).
public struct HTTPFetchResult: Hashable, Sendable {
    /// Response status code.
    public var status: Int
    /// MD5 of the response body, lowercase hex.
    public var digest: String
    /// Body length in bytes.
    public var bodyLength: Int
    /// What matching the body against the url's regex came to; nil without a regex.
    public var regex: RegexOutcome?
}

/// One HTTP(S) GET over a fresh connection, bounded as a whole by the target's timeout.
/// Used by `HTTPProbe` (SSL_GET) and by `vigil genhash`.
public struct HTTPFetcher: Sendable {
    /// Where to connect.
    public var target: ConnectTarget
    /// Path to request.
    public var path: String
    /// Host header value (`virtualhost`); the target address when `nil`.
    public var virtualHost: String?
    /// `http_protocol`.
    public var version: HTTPProtocolVersion
    /// TLS settings, `nil` for plain HTTP.
    public var tls: TLSSettings?
    /// The body is matched against this as it arrives (`url { regex }`).
    public var regex: BodyRegex?

    /// A fetcher.
    public init(target: ConnectTarget, path: String, virtualHost: String? = nil,
                version: HTTPProtocolVersion = .http10, tls: TLSSettings? = nil, regex: BodyRegex? = nil) {
        self.target = target
        self.path = path
        self.virtualHost = virtualHost
        self.version = version
        self.tls = tls
        self.regex = regex
    }

    /// The URL as a log line shows it.
    public var url: String { "\(tls == nil ? "http" : "https")://\(virtualHost ?? target.hostPort)\(path)" }

    /// The Host header: the virtual host, else the address, with the port unless it is the scheme's default
    /// (80, or 443 with TLS). The epoll engine's request (`HTTPEngineCheck`) sends the same.
    static func hostHeader(target: ConnectTarget, virtualHost: String?, tls: Bool) -> String {
        if let virtualHost { return virtualHost }
        return target.port == (tls ? 443 : 80) ? target.address.description : target.hostPort
    }

    /// Builds the TLS context once per checker (it loads files).
    static func makeSSLContext(_ tls: TLSSettings) throws -> NIOSSLContext {
        var config = TLSConfiguration.makeClientConfiguration()
        config.certificateVerification = tls.verifyPeer ? (tls.serverName == nil ? .noHostnameVerification : .fullVerification) : .none
        if let ca = tls.caFile { config.trustRoots = .file(ca) }
        if let cert = tls.certificateFile {
            config.certificateChain = try NIOSSLCertificate.fromPEMFile(cert).map { .certificate($0) }
        }
        if let key = tls.keyFile {
            if let password = tls.keyPassword {
                let bytes = Array(password.utf8)
                let key = try NIOSSLPrivateKey(file: key, format: .pem) { (give: NIOSSLPassphraseSetter<[UInt8]>) in
                    give(bytes)
                }
                config.privateKey = .privateKey(key)
            } else {
                config.privateKey = .privateKey(try NIOSSLPrivateKey(file: key, format: .pem))
            }
        }
        return try NIOSSLContext(configuration: config)
    }

    /// Fetches once on `loop`. Fails with a `ProbeError` (timeout, refused, closed early, malformed, TLS).
    public func fetch(on loop: any EventLoop) -> EventLoopFuture<HTTPFetchResult> {
        var sslContext: NIOSSLContext?
        if let tls {
            do {
                sslContext = try Self.makeSSLContext(tls)
            } catch {
                // Before the promise exists: a promise dropped unfulfilled is a leak (and a trap in debug builds).
                return loop.makeFailedFuture(ProbeError.tls("cannot build TLS context: \(error)"))
            }
        }
        let promise = loop.makePromise(of: HTTPFetchResult.self)
        let hostHeader = Self.hostHeader(target: target, virtualHost: virtualHost, tls: tls != nil)
        var head = HTTPRequestHead(version: version == .http11 ? .http1_1 : .http1_0, method: .GET, uri: path)
        head.headers.add(name: "User-Agent", value: "KeepAliveClient")
        head.headers.add(name: "Host", value: hostHeader)
        if version != .http10 { head.headers.add(name: "Connection", value: "close") }
        let request = head
        let context = sslContext
        let sni = tls?.serverName
        let quietClose = tls.map { !$0.closeNotify } ?? false
        let regex = regex
        let channel = SocketConnector.connect(target, on: loop) { channel in
            do {
                let sync = channel.pipeline.syncOperations
                if let context {
                    try sync.addHandler(NIOSSLClientHandler(context: context, serverHostname: sni))
                }
                try sync.addHTTPClientHandlers()
                try sync.addHandler(HTTPFetchHandler(request: request, promise: promise, regex: regex,
                                                     quietClose: quietClose))
                return channel.eventLoop.makeSucceededVoidFuture()
            } catch {
                return channel.eventLoop.makeFailedFuture(error)
            }
        }
        channel.whenFailure { promise.fail($0) }
        _ = ProbeDeadline(promise: promise, timeout: target.timeout, channel: channel)
        let timeout = target.timeout
        return promise.futureResult.flatMapErrorThrowing { throw ProbeError.classify($0, timeout: timeout) }
    }
}

/// Sends the request, hashes the body (and matches it against the url's regex, piece by piece as NIO's decoder
/// hands it over, de-chunked), and completes the promise on the first terminal event.
final class HTTPFetchHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPClientResponsePart
    typealias OutboundOut = HTTPClientRequestPart

    private let request: HTTPRequestHead
    private let promise: EventLoopPromise<HTTPFetchResult>
    private var status: Int?
    private var md5 = Insecure.MD5()
    private var length = 0
    private var done = false
    private let scanner: RegexScanner?
    /// Close under the TLS handler, so no close_notify is written (`tls_compliant` off).
    private let quietClose: Bool

    init(request: HTTPRequestHead, promise: EventLoopPromise<HTTPFetchResult>, regex: BodyRegex? = nil,
         quietClose: Bool = false) {
        self.request = request
        self.promise = promise
        self.quietClose = quietClose
        scanner = regex.map(RegexScanner.init)
    }

    func channelActive(context: ChannelHandlerContext) {
        context.write(wrapOutboundOut(.head(request)), promise: nil)
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !done else { return }
        switch unwrapInboundIn(data) {
        case .head(let head):
            status = Int(head.status.code)
        case .body(let buffer):
            length += buffer.readableBytes
            buffer.withUnsafeReadableBytes { body in
                md5.update(bufferPointer: body)
                scanner?.feed(body)
            }
        case .end:
            guard let status else { return finish(context, .failure(ProbeError.malformedReply("no status line"))) }
            let digest = md5.hexDigest()
            finish(context, .success(HTTPFetchResult(status: status, digest: digest, bodyLength: length,
                                                         regex: scanner?.finished())))
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        finish(context, .failure(error))
    }

    func channelInactive(context: ChannelHandlerContext) {
        finish(context, .failure(ProbeError.closedEarly))
        context.fireChannelInactive()
    }

    private func finish(_ context: ChannelHandlerContext, _ result: Result<HTTPFetchResult, any Error>) {
        guard !done else { return }
        done = true
        // keepalived without tls_compliant shuts TLS down quietly: the close starts below the TLS handler (an
        // outbound call on its context goes to the handlers before it), which so never writes a close_notify. It
        // comes before the promise: completing it makes `ProbeDeadline` close the channel from the top.
        if quietClose, let tls = try? context.pipeline.syncOperations.context(handlerType: NIOSSLClientHandler.self) {
            tls.close(promise: nil)
        } else {
            context.close(promise: nil)
        }
        promise.complete(with: result)
    }
}

extension Insecure.MD5 {
    /// The digest of what was hashed, lowercase hex (as genhash prints it).
    func hexDigest() -> String {
        finalize().map { byte in
            let hex = String(byte, radix: 16)
            return byte < 16 ? "0" + hex : hex
        }.joined()
    }
}
