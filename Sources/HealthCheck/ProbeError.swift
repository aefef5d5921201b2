import NIOHTTP1
import Vocabulary

/// Why a probe attempt failed, before it is turned into a `ProbeResult` reason.
public enum ProbeError: Error, Hashable, Sendable, CustomStringConvertible {
    /// `connect_timeout` elapsed before the exchange finished.
    case timeout(Duration)
    /// The peer refused the connection (or answered with an ICMP error).
    case refused
    /// The connection closed before the reply was complete.
    case closedEarly
    /// The peer's reply did not parse (HTTP, SMTP, DNS...).
    case malformedReply(String)
    /// TLS failed (handshake, verification).
    case tls(String)
    /// A socket or system call failed.
    case system(String)
    /// The check is configured in a way the probe cannot run.
    case invalidConfiguration(String)

    public var description: String {
        switch self {
        case .timeout(let d): "timeout after \(Self.format(d))"
        case .refused: "connection refused"
        case .closedEarly: "connection closed before the reply was complete"
        case .malformedReply(let s): "malformed reply: \(s)"
        case .tls(let s): "TLS error: \(s)"
        case .system(let s): s
        case .invalidConfiguration(let s): "invalid configuration: \(s)"
        }
    }

    static func format(_ d: Duration) -> String {
        let ms = d.milliseconds
        return ms >= 1000 && ms.truncatingRemainder(dividingBy: 1000) == 0 ? "\(Int(ms / 1000)) s" : "\(Int(ms)) ms"
    }

    /// Classifies an error thrown by NIO or NIOSSL.
    static func classify(_ error: any Error, timeout: Duration) -> ProbeError {
        if let e = error as? ProbeError { return e }
        if let e = error as? HTTPParserError {
            // The connection ended inside the response (a body shorter than its Content-Length, a cut chunk).
            return e == .invalidEOFState ? .closedEarly : .malformedReply("\(e)")
        }
        let text = String(describing: error)
        if text.contains("connectTimeout") { return .timeout(timeout) }
        if text.contains("ECONNREFUSED") || text.contains("Connection refused") || text.contains("errno: 111") { return .refused }
        if text.contains("NIOSSL") || text.contains("BoringSSL") || text.contains("handshake") || text.contains("SSL") {
            return .tls(text)
        }
        if text.contains("HTTPParserError") { return .malformedReply(text) }
        return .system(text)
    }
}
