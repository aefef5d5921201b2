// Which kernel services Vigil may delete, remembered across restarts.
//
// Theory of operation: the kernel's IPVS table has no field saying who made a service,
// so ownership is Vigil's own memory. `IPVSOwnershipRecord` is its pure text form (one
// service key per line, as `ipvsadm -Ln` names it: `TCP 10.0.0.1:80`,
// `UDP [2001:db8::1]:53`, `FWM 7`, `FWM 7 IPv6`), parsed with a typed error naming the
// file and line. `IPVSOwnershipFile` is the adapter that loads and atomically replaces it
// (one file per network namespace, because each namespace has its own IPVS table).
//
// A key is recorded only after Vigil declared that service (created or adopted it); a
// service that never appeared in a Vigil config is never in the record, so it can never
// be deleted. What this does not do: notice that someone deleted a recorded service and
// re-created it by hand with the same key (it is then still treated as Vigil's).

#if canImport(Glibc)
import Glibc
import Vocabulary
#endif

/// The set of services Vigil declared, in a line-oriented text form.
public struct IPVSOwnershipRecord: Hashable, Sendable {
    /// The services Vigil created or adopted and may therefore delete.
    public var services: Set<IPVSServiceKey>

    /// A record of `services`.
    public init(services: Set<IPVSServiceKey> = []) {
        self.services = services
    }

    /// The file's contents: a comment line, then one key per line in key order.
    public var text: String {
        var out = "# services declared by vigil; only these may be deleted by it\n"
        for k in services.sorted() { out += k.description + "\n" }
        return out
    }

    /// Parses `text` (blank lines and `#` comments ignored).
    /// - Throws: `.invalidOwnershipRecord(file, line:, reason:)` for a line that is not a service key.
    public static func parse(_ text: String, file: String) throws(IPVSError) -> IPVSOwnershipRecord {
        var keys: Set<IPVSServiceKey> = []
        var number = 0
        for raw in text.split(separator: "\n", omittingEmptySubsequences: false) {
            number += 1
            let line = raw.trimmingWhitespace()
            if line.isEmpty || line.hasPrefix("#") { continue }
            guard let key = IPVSServiceKey(parsing: line) else {
                throw .invalidOwnershipRecord(file, line: number, reason: "'\(line.prefix(80))' is not a service key")
            }
            keys.insert(key)
        }
        return IPVSOwnershipRecord(services: keys)
    }
}

extension IPVSServiceKey {
    /// Parses the form `description` prints: `TCP 10.0.0.1:80`, `SCTP [::1]:80`, `FWM 7`, `FWM 7 IPv6`.
    public init?(parsing text: Substring) {
        let words = text.split(separator: " ")
        guard words.count >= 2 else { return nil }
        if words[0] == "FWM" {
            guard let mark = UInt32(words[1]) else { return nil }
            switch words.count {
            case 2: self = .firewallMark(mark, family: .inet)
            case 3 where words[2] == "IPv6": self = .firewallMark(mark, family: .inet6)
            default: return nil
            }
            return
        }
        guard words.count == 2, let proto = IPVSProtocol.allCases.first(where: { $0.name == words[0] }) else { return nil }
        let endpoint = words[1]
        guard let colon = endpoint.lastIndex(of: ":"), let port = UInt16(endpoint[endpoint.index(after: colon)...]) else {
            return nil
        }
        var host = endpoint[..<colon]
        if host.hasPrefix("[") {
            guard host.hasSuffix("]") else { return nil }
            host = host.dropFirst().dropLast()
            guard host.contains(":") else { return nil }
        } else if host.contains(":") {
            return nil  // IPv6 without brackets is ambiguous with the port
        }
        guard let address = IPAddress(String(host)) else { return nil }
        self = .address(proto, address, port: port)
    }
}

extension Substring {
    fileprivate func trimmingWhitespace() -> Substring {
        var s = self
        while let f = s.first, f == " " || f == "\t" || f == "\r" { s = s.dropFirst() }
        while let l = s.last, l == " " || l == "\t" || l == "\r" { s = s.dropLast() }
        return s
    }
}

/// Loads and saves the ownership record of the current network namespace.
public struct IPVSOwnershipFile: Hashable, Sendable {
    /// The record's path.
    public let path: String

    /// A record at `path`.
    public init(path: String) {
        self.path = path
    }

    /// The default record of the calling process's network namespace:
    /// `DIRECTORY/ipvs-owned.<namespace inode>` (each namespace has its own IPVS table, but
    /// `ip netns exec` shares `/run`).
    public static func forCurrentNetworkNamespace(directory: String = "/run/vigil") -> IPVSOwnershipFile {
        var st = stat()
        let id = stat("/proc/self/ns/net", &st) == 0 ? String(st.st_ino) : "default"
        return IPVSOwnershipFile(path: "\(directory)/ipvs-owned.\(id)")
    }

    /// The recorded services; an absent file is an empty record.
    public func load() throws(IPVSError) -> Set<IPVSServiceKey> {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 {
            if errno == ENOENT { return [] }
            throw .ownershipFile("open", path: path, errno: errno)
        }
        defer { close(fd) }
        var data: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw .ownershipFile("read", path: path, errno: errno)
            }
            if n == 0 { break }
            data += chunk[0..<n]
        }
        return try IPVSOwnershipRecord.parse(String(decoding: data, as: UTF8.self), file: path).services
    }

    /// Replaces the record atomically (write a temporary file, then rename it), creating
    /// the directory when missing.
    public func save(_ services: Set<IPVSServiceKey>) throws(IPVSError) {
        if let slash = path.lastIndex(of: "/"), slash != path.startIndex {
            let dir = String(path[..<slash])
            if mkdir(dir, 0o755) != 0, errno != EEXIST { throw .ownershipFile("mkdir", path: dir, errno: errno) }
        }
        let tmp = path + ".tmp"
        let fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw .ownershipFile("open", path: tmp, errno: errno) }
        let bytes = Array(IPVSOwnershipRecord(services: services).text.utf8)
        var written = 0
        while written < bytes.count {
            let n = bytes.withUnsafeBytes { raw in
                raw.baseAddress.map { write(fd, $0 + written, raw.count - written) } ?? 0
            }
            if n <= 0 {
                if n < 0 && errno == EINTR { continue }
                let e = n < 0 ? errno : EIO
                close(fd)
                unlink(tmp)
                throw .ownershipFile("write", path: tmp, errno: e)
            }
            written += n
        }
        let synced = fsync(fd) == 0 ? 0 : errno
        let closed = close(fd) == 0 ? 0 : errno
        if synced != 0 || closed != 0 {
            let e = synced != 0 ? synced : closed
            unlink(tmp)
            throw .ownershipFile("close", path: tmp, errno: e)
        }
        guard rename(tmp, path) == 0 else {
            let e = errno
            unlink(tmp)
            throw .ownershipFile("rename", path: path, errno: e)
        }
    }
}
