
/// Why a `--control ADDR:PORT` value was refused.
public enum ControlEndpointError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Not `ADDR:PORT` / `[ADDR]:PORT` / `PORT` / `unix:PATH`, or the port is outside 1…65535, or the path is not
    /// absolute or longer than a socket address holds (107 bytes).
    case invalid(String)

    public var description: String {
        switch self {
        case .invalid(let s):
            "invalid control endpoint '\(s)': expected ADDR:PORT, [IPv6]:PORT, PORT (port 1-65535) or unix:/ABSOLUTE/PATH (at most 107 bytes)"
        }
    }
}

/// Where the control endpoint listens (`--control`), and where `vigil status` asks.
public struct ControlEndpoint: Sendable, Equatable, CustomStringConvertible {
    /// The port used when none is given: unassigned by IANA and free of the common exporters' range.
    public static let defaultPort = 9678
    /// The default endpoint: loopback only, so status is not exposed to the network unless asked for.
    public static let `default` = ControlEndpoint(host: "127.0.0.1", port: defaultPort)

    /// The longest path a `sockaddr_un` holds (108 bytes with the terminating NUL).
    public static let maxSocketPathBytes = 107

    /// Numeric address or host name to bind to (or to ask); empty for a unix socket.
    public var host: String
    /// TCP port; 0 for a unix socket.
    public var port: Int
    /// The path of a unix stream socket (`unix:PATH`) instead of TCP: only processes allowed by its file permissions
    /// (root, mode 0600) can reach it.
    public var socketPath: String?

    /// An endpoint.
    public init(host: String, port: Int) {
        self.host = host
        self.port = port
        self.socketPath = nil
    }

    /// A unix socket endpoint at `path`.
    public init(socketPath path: String) {
        self.host = ""
        self.port = 0
        self.socketPath = path
    }

    /// Parses `127.0.0.1:9678`, `[::1]:9678`, `0.0.0.0:80`, `9678` (loopback) or `unix:/run/vigil/control.sock`.
    public init(parsing text: String) throws(ControlEndpointError) {
        if text.hasPrefix("unix:") {
            let path = String(text.dropFirst(5))
            guard path.hasPrefix("/"), path.utf8.count <= Self.maxSocketPathBytes, !path.utf8.contains(0),
                  !path.hasSuffix("/") else { throw .invalid(text) }
            self.init(socketPath: path)
            return
        }
        func port(_ s: Substring) throws(ControlEndpointError) -> Int {
            guard let p = Int(s), (1...65535).contains(p) else { throw .invalid(text) }
            return p
        }
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]") else { throw .invalid(text) }
            let host = text[text.index(after: text.startIndex)..<close]
            let rest = text[text.index(after: close)...]
            // A `[` inside the brackets would print as an unbracketed host that does not parse back (found by
            // `make fuzz-control`: `[[]:9`).
            guard !host.isEmpty, !host.contains("["), rest.hasPrefix(":") else { throw .invalid(text) }
            self.init(host: String(host), port: try port(rest.dropFirst()))
        } else if let colon = text.lastIndex(of: ":") {
            let host = text[..<colon]
            guard !host.isEmpty, !host.contains(":") else { throw .invalid(text) }
            self.init(host: String(host), port: try port(text[text.index(after: colon)...]))
        } else {
            self.init(host: "127.0.0.1", port: try port(text[...]))
        }
    }

    /// `host:port`, with brackets around an IPv6 address, or `unix:PATH`.
    public var description: String {
        if let socketPath { return "unix:\(socketPath)" }
        return host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
    }
}
