#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// `vigil status`: reads `/status` or `/events` from a running `vigil run` and renders it as tables, or as served.
public enum StatusClient {
    /// The reply of `endpoint` rendered for a terminal (or the JSON as served with `json`).
    public static func fetch(_ endpoint: ControlEndpoint, events: Bool, json: Bool) throws(StatusClientError) -> String {
        let body: [UInt8]
        do { body = try HTTPGet.fetch(endpoint, path: events ? "/events" : "/status") } catch {
            throw .unreachable(error)
        }
        return try rendered(body, from: endpoint, events: events, json: json)
    }

    /// The body of a `/status` (or `/events`) reply rendered for a terminal, or as served with `json`. Pure, so any
    /// reply can be fed to it by the fuzzer (`make fuzz-control`).
    static func rendered(_ body: [UInt8], from endpoint: ControlEndpoint, events: Bool,
                         json: Bool) throws(StatusClientError) -> String {
        if json {
            let text = String(decoding: body, as: UTF8.self)
            return text.hasSuffix("\n") ? text : text + "\n"
        }
        do {
            if events {
                let list = try StatusJSON.decoder().decode([StatusEvent].self, from: Data(body))
                return list.map { "\($0.seq)  \(StatusTable.timestamp($0.at))  \($0.kind.rawValue)  \($0.message)\n" }.joined()
            }
            let status = try StatusJSON.decoder().decode(VigilStatus.self, from: Data(body))
            return StatusTable.render(status)
        } catch {
            throw .unexpectedReply(endpoint, "\(error)")
        }
    }
}

/// `vigil handover`: asks a running `vigil run` to hand its MASTER instances over (make-before-break), or to
/// cancel that; on the unix-socket endpoint, whose file permissions say who may, or on TCP with the control token.
public enum HandoverClient {
    /// The outcome per instance, one line each, as the endpoint answered; `token` goes with the request (TCP).
    public static func request(_ endpoint: ControlEndpoint, instances: [String], cancel: Bool,
                               token: ControlToken? = nil) throws(StatusClientError) -> String {
        var query: [String] = []
        if !instances.isEmpty {
            // Only unreserved characters and the separating commas stay as they are (a name may hold & or =).
            let unreserved = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
            let names = instances.map { $0.addingPercentEncoding(withAllowedCharacters: unreserved) ?? "" }
                .joined(separator: ",")
            query.append("instances=\(names)")
        }
        if cancel { query.append("cancel=1") }
        let body: [UInt8]
        do {
            body = try HTTPGet.fetch(endpoint, path: "/handover" + (query.isEmpty ? "" : "?" + query.joined(separator: "&")),
                                     method: "POST", headers: token.map { ["Authorization: \($0.authorization)"] } ?? [])
        } catch {
            throw .unreachable(error)
        }
        do {
            let outcome = try JSONDecoder().decode([String: String].self, from: Data(body))
            return outcome.keys.sorted().map { "\($0): \(outcome[$0] ?? "")\n" }.joined()
        } catch {
            throw .unexpectedReply(endpoint, "\(error)")
        }
    }
}

/// Why `vigil status` printed nothing.
public enum StatusClientError: Error, Sendable, CustomStringConvertible {
    /// No answer.
    case unreachable(HTTPGetError)
    /// An answer that is not Vigil's status.
    case unexpectedReply(ControlEndpoint, String)

    public var description: String {
        switch self {
        case .unreachable(let e): "\(e)"
        case .unexpectedReply(let endpoint, let why): "unexpected reply from \(endpoint): \(why)"
        }
    }
}

/// Why `vigil status` got no answer.
public enum HTTPGetError: Error, Sendable, CustomStringConvertible {
    /// The host did not resolve.
    case resolve(String)
    /// A socket call failed.
    case socket(String, errno: Int32)
    /// The reply was not an HTTP 200.
    case status(String)

    public var description: String {
        switch self {
        case .resolve(let h): "cannot resolve \(h)"
        case .socket(let op, let e): "\(op): \(String(cString: strerror(e))) (is vigil run listening there? see --control)"
        case .status(let line): "endpoint answered \(line)"
        }
    }
}

/// A minimal blocking HTTP/1.0 GET, enough to read the control endpoint on loopback without an HTTP stack.
enum HTTPGet {
    static func fetch(_ endpoint: ControlEndpoint, path: String, method: String = "GET", headers: [String] = [],
                      timeoutSeconds: Int = 5) throws(HTTPGetError) -> [UInt8] {
        let fd = try connected(endpoint)
        defer { close(fd) }
        var tv = timeval(tv_sec: timeoutSeconds, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        let host = endpoint.socketPath == nil ? "\(endpoint)" : "localhost"
        let length = method == "GET" ? "" : "Content-Length: 0\r\n"
        let extra = headers.map { $0 + "\r\n" }.joined()
        let request = Array("\(method) \(path) HTTP/1.0\r\nHost: \(host)\r\n\(length)\(extra)Connection: close\r\n\r\n".utf8)
        var off = 0
        while off < request.count {
            let n = request[off...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard n > 0 else { throw .socket("send", errno: errno) }
            off += n
        }
        var reply: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n == 0 { break }
            guard n > 0 else { throw .socket("recv", errno: errno) }
            reply += buffer[0..<n]
        }
        return try body(ofReply: reply)
    }

    /// A stream socket connected to `endpoint` (TCP, or the unix socket).
    private static func connected(_ endpoint: ControlEndpoint) throws(HTTPGetError) -> Int32 {
        if let path = endpoint.socketPath {
            do { return try UnixSocketConnection.connect(path) } catch {
                throw .socket("connect to \(endpoint)", errno: error.errno)
            }
        }
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(endpoint.host, "\(endpoint.port)", &hints, &list) == 0, let first = list else {
            throw .resolve(endpoint.host)
        }
        defer { freeaddrinfo(list) }
        let fd = socket(first.pointee.ai_family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw .socket("socket", errno: errno) }
        guard connect(fd, first.pointee.ai_addr, first.pointee.ai_addrlen) == 0 else {
            let e = errno
            close(fd)
            throw .socket("connect to \(endpoint)", errno: e)
        }
        return fd
    }

    /// The body of a whole HTTP reply (everything after the head's CR LF CR LF); throws unless its status is 200.
    /// Pure, so any reply can be fed to it by the fuzzer (`make fuzz-control`).
    static func body(ofReply reply: [UInt8]) throws(HTTPGetError) -> [UInt8] {
        let separator: [UInt8] = [13, 10, 13, 10]
        guard let headEnd = reply.indices.first(where: { reply[$0...].starts(with: separator) }) else {
            throw .status("an incomplete reply (\(reply.count) bytes)")
        }
        let head = String(decoding: reply[..<headEnd], as: UTF8.self)
        let statusLine = head.split(separator: "\r\n", maxSplits: 1).first.map(String.init) ?? ""
        guard statusLine.split(separator: " ").dropFirst().first == "200" else {
            // The endpoint's own explanation (one short plain-text line) is worth showing; anything else is clipped.
            let text = String(decoding: reply[(headEnd + 4)...].prefix(300), as: UTF8.self)
                .split(whereSeparator: \.isNewline).first.map(String.init) ?? ""
            throw .status("'\(statusLine)'" + (text.isEmpty ? "" : ": \(text)"))
        }
        return Array(reply[(headEnd + 4)...])
    }
}

/// A failed socket call on a unix socket path.
struct UnixSocketFailure: Error {
    let errno: Int32
}

/// A blocking connection to a unix stream socket.
enum UnixSocketConnection {
    /// A socket connected to `path` (the caller closes it).
    static func connect(_ path: String) throws(UnixSocketFailure) -> Int32 {
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        let capacity = MemoryLayout.size(ofValue: address.sun_path)
        guard bytes.count < capacity else { throw UnixSocketFailure(errno: ENAMETOOLONG) }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: bytes)
            raw[bytes.count] = 0
        }
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw UnixSocketFailure(errno: errno) }
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        guard result == 0 else {
            let e = errno
            close(fd)
            throw UnixSocketFailure(errno: e)
        }
        return fd
    }
}
