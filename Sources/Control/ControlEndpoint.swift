
/// Why a `--control ADDR:PORT` value was refused.
public enum ControlEndpointError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Not `ADDR:PORT` / `[ADDR]:PORT` / `PORT`, or the port is outside 1…65535.
    case invalid(String)

    public var description: String {
        switch self {
        case .invalid(let s): "invalid control endpoint '\(s)': expected ADDR:PORT, [IPv6]:PORT or PORT (port 1-65535)"
        }
    }
}

/// Where the control endpoint listens (`--control`), and where `vigil status` asks.
public struct ControlEndpoint: Sendable, Equatable, CustomStringConvertible {
    /// The port used when none is given: unassigned by IANA and free of the common exporters' range.
    public static let defaultPort = 9678
    /// The default endpoint: loopback only, so status is not exposed to the network unless asked for.
    public static let `default` = ControlEndpoint(host: "127.0.0.1", port: defaultPort)

    /// Numeric address or host name to bind to (or to ask).
    public var host: String
    /// TCP port.
    public var port: Int

    /// An endpoint.
    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    /// Parses `127.0.0.1:9678`, `[::1]:9678`, `0.0.0.0:80` or `9678` (loopback).
    public init(parsing text: String) throws(ControlEndpointError) {
        func port(_ s: Substring) throws(ControlEndpointError) -> Int {
            guard let p = Int(s), (1...65535).contains(p) else { throw .invalid(text) }
            return p
        }
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]") else { throw .invalid(text) }
            let host = text[text.index(after: text.startIndex)..<close]
            let rest = text[text.index(after: close)...]
            guard !host.isEmpty, rest.hasPrefix(":") else { throw .invalid(text) }
            self.init(host: String(host), port: try port(rest.dropFirst()))
        } else if let colon = text.lastIndex(of: ":") {
            let host = text[..<colon]
            guard !host.isEmpty, !host.contains(":") else { throw .invalid(text) }
            self.init(host: String(host), port: try port(text[text.index(after: colon)...]))
        } else {
            self.init(host: "127.0.0.1", port: try port(text[...]))
        }
    }

    /// `host:port`, with brackets around an IPv6 address.
    public var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
}
