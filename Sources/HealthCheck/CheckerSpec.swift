import RegexMatch
import Vocabulary

/// One configured checker of one real server: what to probe (`kind`) and when (`timing`).
///
/// These are HealthCheck's own input types; the Director translates the Config model into them,
/// so HealthCheck never imports Config.
public struct CheckerSpec: Hashable, Sendable {
    /// What the probe does.
    public var kind: CheckKind
    /// When to probe and how to decide up/down.
    public var timing: CheckTiming

    /// A checker of `kind` with `timing`.
    public init(kind: CheckKind, timing: CheckTiming) {
        self.kind = kind
        self.timing = timing
    }
}

/// Scheduling settings of one checker (keepalived's per-checker options, already resolved from
/// the checker, real server and virtual server levels by the Director).
public struct CheckTiming: Hashable, Sendable {
    /// `delay_loop`: time between the end of one round and the next probe.
    public var delayLoop: Duration
    /// `retry` (`nb_get_retry`): additional attempts after a failure while the checker is up.
    public var retry: Int
    /// `delay_before_retry`: wait between a failed attempt and its retry.
    public var delayBeforeRetry: Duration
    /// `warmup`: the first probe starts at a pseudo-random point in `0…warmup` (0 disables the spread).
    public var warmup: Duration
    /// `alpha`: the checker starts down, so the server joins the pool only after a success.
    public var alpha: Bool
    /// `log_all_failures` (or `checker_log_all_failures`): every failed attempt of an up checker is logged, the
    /// retried ones too, not only the state change of the one that takes it down.
    public var logAllFailures: Bool

    /// Settings with keepalived's defaults where not given (retry 1, delay_before_retry 1 s, warmup = delay_loop).
    public init(delayLoop: Duration = .seconds(60), retry: Int = 1, delayBeforeRetry: Duration = .seconds(1),
                warmup: Duration? = nil, alpha: Bool = false, logAllFailures: Bool = false) {
        self.delayLoop = delayLoop
        self.retry = max(0, retry)
        self.delayBeforeRetry = delayBeforeRetry
        self.warmup = warmup ?? delayLoop
        self.alpha = alpha
        self.logAllFailures = logAllFailures
    }
}

/// The kind of a checker and its probe-specific settings.
public enum CheckKind: Hashable, Sendable {
    /// `TCP_CHECK`: a TCP connect.
    case tcp(TCPCheck)
    /// `HTTP_GET` (`tls == nil`) or `SSL_GET` (`tls != nil`).
    case http(HTTPCheck)
    /// `MISC_CHECK`: run a program.
    case misc(MiscCheck)
    /// `DNS_CHECK`: a DNS query over UDP.
    case dns(DNSCheck)
    /// `SMTP_CHECK`: read the 220 banner, send HELO, expect 250.
    case smtp(SMTPCheck)
    /// `UDP_CHECK`: send a datagram, fail on an ICMP error (or on no reply when one is required).
    case udp(UDPCheck)
    /// `PING_CHECK`: an ICMP echo.
    case ping(PingCheck)
    /// `FILE_CHECK`: read a number from a tracked file.
    case file(FileCheck)

    /// keepalived's name for the checker (`HTTP_GET`, `TCP_CHECK`, ...).
    public var name: String {
        switch self {
        case .tcp: "TCP_CHECK"
        case .http(let h): h.tls == nil ? "HTTP_GET" : "SSL_GET"
        case .misc: "MISC_CHECK"
        case .dns: "DNS_CHECK"
        case .smtp: "SMTP_CHECK"
        case .udp: "UDP_CHECK"
        case .ping: "PING_CHECK"
        case .file: "FILE_CHECK"
        }
    }
}

/// Where a network checker connects to and from (`connect_ip`, `connect_port`, `bindto`, `bind_port`, `bind_if`, `fwmark`,
/// `connect_timeout`).
public struct ConnectTarget: Hashable, Sendable {
    /// Address to connect to.
    public var address: IPAddress
    /// Port to connect to.
    public var port: UInt16
    /// Source address (`bindto`), if any.
    public var bindAddress: IPAddress?
    /// Source port (`bind_port`), if any.
    public var bindPort: UInt16?
    /// Interface the packets leave by (`bind_if`), if any.
    public var bindInterface: String?
    /// Firewall mark of the packets (`fwmark`), if any.
    public var fwmark: UInt32?
    /// `connect_timeout`: bounds the whole exchange, not only the connect.
    public var timeout: Duration

    /// A target with keepalived's default 5 s timeout.
    public init(address: IPAddress, port: UInt16, bindAddress: IPAddress? = nil, bindPort: UInt16? = nil,
                bindInterface: String? = nil, fwmark: UInt32? = nil, timeout: Duration = .seconds(5)) {
        self.address = address
        self.port = port
        self.bindAddress = bindAddress
        self.bindPort = bindPort
        self.bindInterface = bindInterface
        self.fwmark = fwmark
        self.timeout = timeout
    }

    /// `host:port`, with brackets around IPv6 hosts.
    public var hostPort: String { address.withPort(port) }
}

/// `TCP_CHECK` settings.
public struct TCPCheck: Hashable, Sendable {
    /// Where to connect.
    public var target: ConnectTarget
    /// A TCP check of `target`.
    public init(target: ConnectTarget) { self.target = target }
}

/// One `url` block of an HTTP_GET/SSL_GET checker.
public struct URLCheck: Hashable, Sendable {
    /// Request path (`path`), e.g. `/health`.
    public var path: String
    /// Accepted status codes (`status_code`); empty means 200–299.
    public var statusCodes: [ClosedRange<Int>]
    /// Expected MD5 of the body in lowercase hex (`digest`), as genhash prints it.
    public var digest: String?
    /// `virtualhost` of this URL (overrides the checker's).
    public var virtualHost: String?
    /// `regex` and its settings, compiled once per checker (at load); a failure to compile (which the config check
    /// already reports) fails every check with PCRE2's message rather than skipping the match.
    public var regex: Result<BodyRegex, RegexCompileError>?
    /// `tls_compliant` of this url (SSL_GET): its connection ends with a close_notify even when the checker's
    /// `tls_compliant` is off.
    public var tlsCompliant: Bool

    /// A URL check.
    public init(path: String, statusCodes: [ClosedRange<Int>] = [], digest: String? = nil, virtualHost: String? = nil,
                regex: Result<BodyRegex, RegexCompileError>? = nil, tlsCompliant: Bool = false) {
        self.path = path
        self.statusCodes = statusCodes
        self.digest = digest?.lowercased()
        self.virtualHost = virtualHost
        self.regex = regex
        self.tlsCompliant = tlsCompliant
    }

    /// The regex to match the body against, when one compiled.
    var bodyRegex: BodyRegex? { try? regex?.get() }

    /// True when `status` is accepted.
    public func accepts(status: Int) -> Bool {
        if statusCodes.isEmpty { return (200...299).contains(status) }
        return statusCodes.contains { $0.contains(status) }
    }

    /// The accepted codes as written in a config (`200`, `200-299 503`).
    public var statusDescription: String {
        if statusCodes.isEmpty { return "200-299" }
        return statusCodes.map { $0.lowerBound == $0.upperBound ? "\($0.lowerBound)" : "\($0.lowerBound)-\($0.upperBound)" }
            .joined(separator: " ")
    }
}

/// `http_protocol`.
public enum HTTPProtocolVersion: String, Hashable, Sendable {
    /// HTTP/1.0 without `Connection: close`.
    case http10 = "1.0"
    /// HTTP/1.0 with `Connection: close` (keepalived's `1.0C`).
    case http10Close = "1.0C"
    /// HTTP/1.1 (sends `Connection: close`).
    case http11 = "1.1"
}

/// TLS settings of an SSL_GET checker.
public struct TLSSettings: Hashable, Sendable {
    /// Verify the server certificate against `caFile` (or the system store). keepalived does not verify by default.
    public var verifyPeer: Bool
    /// PEM CA file (`SSL { ca }`).
    public var caFile: String?
    /// Client certificate and key (`SSL { certificate key }`).
    public var certificateFile: String?
    /// Client key file.
    public var keyFile: String?
    /// The key file's passphrase (`SSL { password }`), for an encrypted key.
    public var keyPassword: String?
    /// Send SNI (`enable_sni`) with this name.
    public var serverName: String?
    /// `tls_compliant`: end the connection as TLS says, with a close_notify alert. Off (keepalived's default, its
    /// "quiet shutdown"), the TCP connection is closed without one.
    public var closeNotify: Bool

    /// TLS settings; the defaults match keepalived (no verification, no SNI, no close_notify).
    public init(verifyPeer: Bool = false, caFile: String? = nil, certificateFile: String? = nil,
                keyFile: String? = nil, keyPassword: String? = nil, serverName: String? = nil,
                closeNotify: Bool = false) {
        self.verifyPeer = verifyPeer
        self.caFile = caFile
        self.certificateFile = certificateFile
        self.keyFile = keyFile
        self.keyPassword = keyPassword
        self.serverName = serverName
        self.closeNotify = closeNotify
    }
}

/// `HTTP_GET` / `SSL_GET` settings. Every URL must pass.
public struct HTTPCheck: Hashable, Sendable {
    /// Where to connect.
    public var target: ConnectTarget
    /// The URLs to fetch, in order.
    public var urls: [URLCheck]
    /// `virtualhost` for the Host header (else the target address).
    public var virtualHost: String?
    /// `http_protocol`.
    public var version: HTTPProtocolVersion
    /// TLS settings; `nil` for plain HTTP_GET.
    public var tls: TLSSettings?

    /// An HTTP(S) check.
    public init(target: ConnectTarget, urls: [URLCheck], virtualHost: String? = nil,
                version: HTTPProtocolVersion = .http10, tls: TLSSettings? = nil) {
        self.target = target
        self.urls = urls
        self.virtualHost = virtualHost
        self.version = version
        self.tls = tls
    }

    /// The TLS settings of the connection that fetches `url` (`nil` for plain HTTP_GET). keepalived 2.2.8: the
    /// connection ends with a close_notify when the url's `tls_compliant` or the checker's is on, and quietly
    /// (TCP close only) when both are off.
    public func tls(for url: URLCheck) -> TLSSettings? {
        guard var tls else { return nil }
        tls.closeNotify = tls.closeNotify || url.tlsCompliant
        return tls
    }
}

/// `MISC_CHECK` settings.
public struct MiscCheck: Hashable, Sendable {
    /// `misc_path` with its `user` (`nil`: the service's `script_user`).
    public var command: ScriptCommand
    /// `misc_timeout`: the script's process group is killed after this.
    public var timeout: Duration
    /// `misc_dynamic`: exit codes 2–255 set the weight to code − 2.
    public var dynamic: Bool

    /// A MISC check.
    public init(command: ScriptCommand, timeout: Duration = .seconds(5), dynamic: Bool = false) {
        self.command = command
        self.timeout = timeout
        self.dynamic = dynamic
    }
}

/// `DNS_CHECK` settings.
public struct DNSCheck: Hashable, Sendable {
    /// Where to send the query (UDP).
    public var target: ConnectTarget
    /// Query type name (`A`, `NS`, `CNAME`, `SOA`, `MX`, `TXT`, `AAAA`); default `SOA`.
    public var type: String
    /// Query name; default `.`.
    public var name: String

    /// A DNS check.
    public init(target: ConnectTarget, type: String = "SOA", name: String = ".") {
        self.target = target
        self.type = type
        self.name = name
    }
}

/// `SMTP_CHECK` settings.
public struct SMTPCheck: Hashable, Sendable {
    /// Where to connect.
    public var target: ConnectTarget
    /// `helo_name`.
    public var heloName: String

    /// An SMTP check.
    public init(target: ConnectTarget, heloName: String = "localhost") {
        self.target = target
        self.heloName = heloName
    }
}

/// `UDP_CHECK` settings.
public struct UDPCheck: Hashable, Sendable {
    /// Where to send.
    public var target: ConnectTarget
    /// `payload` bytes (a short fixed payload when empty).
    public var payload: [UInt8]
    /// `require_reply`: a reply must arrive; if `replyPrefix` is set, it must match it.
    public var requireReply: Bool
    /// Expected reply bytes (`require_reply HEX`), `nil` for any reply. Only with them are the reply's length and
    /// bytes judged, as in keepalived.
    public var replyPrefix: [UInt8]?
    /// Per byte of `replyPrefix`, the bits that must match (`X` nibbles are 0); `nil`: every bit.
    public var replyMask: [UInt8]?
    /// `min_reply_length`.
    public var minReplyLength: Int
    /// `max_reply_length`.
    public var maxReplyLength: Int

    /// A UDP check.
    public init(target: ConnectTarget, payload: [UInt8] = [], requireReply: Bool = false, replyPrefix: [UInt8]? = nil,
                replyMask: [UInt8]? = nil, minReplyLength: Int = 0, maxReplyLength: Int = 255) {
        self.target = target
        self.payload = payload
        self.requireReply = requireReply
        self.replyPrefix = replyPrefix
        self.replyMask = replyMask
        self.minReplyLength = minReplyLength
        self.maxReplyLength = maxReplyLength
    }
}

/// `PING_CHECK` settings.
public struct PingCheck: Hashable, Sendable {
    /// Address to ping (port ignored).
    public var target: ConnectTarget
    /// A ping check.
    public init(target: ConnectTarget) { self.target = target }
}

/// `FILE_CHECK` settings (a `track_file` resolved to its path).
public struct FileCheck: Hashable, Sendable {
    /// The tracked file's path.
    public var path: String
    /// `weight` multiplier.
    public var weight: Int
    /// `reverse`.
    public var reverse: Bool
    /// `dynamic`: the value changes the server's weight instead of only up/down.
    public var dynamic: Bool

    /// A file check.
    public init(path: String, weight: Int = 1, reverse: Bool = false, dynamic: Bool = false) {
        self.path = path
        self.weight = weight
        self.reverse = reverse
        self.dynamic = dynamic
    }
}
