import Crypto
import RegexMatch
import Glibc

/// Where one HTTP exchange of the epoll engine stands on its socket: the request written, the response read with
/// `HTTPResponseParser` and its body hashed when a digest is configured. A class: a worker advances it in place
/// while it sits among the pending checks. Confined to the worker's thread.
final class HTTPExchangeState {
    /// What `advance` got to.
    enum Progress {
        /// Waiting for the socket (EAGAIN).
        case waiting
        /// Stopped after `maxReadsPerTurn` reads with data perhaps still waiting: edge-triggered, no new event will
        /// come for it, so the worker goes on in its next turn (one endless body cannot hold the thread).
        case yielded
        /// The exchange ended.
        case finished(EpollCheckEngine.Outcome)
    }

    /// Reads per socket per turn of the worker.
    static let maxReadsPerTurn = 16

    private let request: [UInt8]
    private var sent = 0
    /// The connect completed.
    var connected = false
    private var parser = HTTPResponseParser()
    private var md5: Insecure.MD5?
    /// The body's regex match, piece by piece as the body arrives (nothing of the body is kept beyond its window).
    private let scanner: RegexScanner?

    /// The state of a new exchange.
    init(_ exchange: EpollCheckEngine.HTTPExchange) {
        request = exchange.request
        md5 = exchange.hashBody ? Insecure.MD5() : nil
        scanner = exchange.regex.map(RegexScanner.init)
    }

    /// Writes what is left of the request, then reads what has arrived (edge-triggered: until EAGAIN) into
    /// `buffer`, the worker's one receive buffer.
    func advance(fd: Int32, buffer: inout [UInt8]) -> Progress {
        while sent < request.count {
            let n = request.withUnsafeBytes { raw in
                send(fd, raw.baseAddress.map { $0 + sent }, raw.count - sent, Int32(MSG_NOSIGNAL))
            }
            if n > 0 { sent += n; continue }
            let e = errno
            if n < 0 && (e == EAGAIN || e == EWOULDBLOCK || e == EINTR) { return .waiting }
            return .finished(.failed(errno: n < 0 ? e : EPIPE))
        }
        var reads = 0
        while true {
            reads += 1
            if reads > Self.maxReadsPerTurn { return .yielded }
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n > 0 {
                do {
                    let complete = try buffer.withUnsafeBytes { raw in
                        try parser.feed(UnsafeRawBufferPointer(rebasing: raw[0..<n])) { body in
                            md5?.update(bufferPointer: body)
                            scanner?.feed(body)
                        }
                    }
                    if complete { return .finished(response()) }
                } catch {
                    return .finished(.badResponse(error as? HTTPResponseError ?? .badStatusLine))
                }
                continue
            }
            if n == 0 {
                do throws(HTTPResponseError) {
                    try parser.connectionClosed()
                    return .finished(response())
                } catch {
                    return .finished(.badResponse(error))
                }
            }
            let e = errno
            if e == EAGAIN || e == EWOULDBLOCK || e == EINTR { return .waiting }
            return .finished(.failed(errno: e))
        }
    }

    private func response() -> EpollCheckEngine.Outcome {
        .response(status: parser.status ?? 0, digest: md5?.hexDigest(), bodyLength: parser.bodyLength,
                  regex: scanner?.finished())
    }
}
