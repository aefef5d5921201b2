#if canImport(Glibc)
import Glibc
#endif

/// The secret that lets a request on the TCP control endpoint change the daemon's state (`POST /handover`), from
/// `vigil run --control-token-file PATH` (issue #18). Without one, such requests are served on the unix socket only.
///
/// The file holds the token on its first line (16 to 256 visible ASCII characters, no blank; surrounding blanks and
/// the newline are dropped). The daemon refuses a file that is not a regular file or that users other than its owner
/// may read or write (as keepalived's script security refuses scripts others may write). A request carries it as
/// `Authorization: Bearer TOKEN`; the comparison takes the same time whatever the first difference.
public struct ControlToken: Sendable, Equatable {
    private let bytes: [UInt8]

    /// The token of `text` (the file's content); throws when it is malformed.
    public init(text: String, source: String) throws(ControlTokenError) {
        let first = text.split(separator: "\n", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
        let trimmed = first.trimmingBlanks()
        guard trimmed.count >= 16, trimmed.count <= 256 else {
            throw .malformed(source, "the token on its first line must have 16 to 256 characters (it has \(trimmed.count))")
        }
        guard trimmed.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7f }) else {
            throw .malformed(source, "the token must be visible ASCII characters without blanks")
        }
        bytes = Array(trimmed.utf8)
    }

    /// Reads the token file at `path`, checking its kind and permissions first (`checksPermissions` false: the client
    /// side, which only needs to read it).
    public init(readingFile path: String, checksPermissions: Bool = true) throws(ControlTokenError) {
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)
        guard fd >= 0 else { throw .unreadable(path, errno) }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw .unreadable(path, errno) }
        guard st.st_mode & S_IFMT == S_IFREG else { throw .malformed(path, "not a regular file") }
        if checksPermissions, let why = Self.permissionProblem(mode: st.st_mode) {
            throw .malformed(path, why)
        }
        var data: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 1024)
        while data.count <= 4096 {
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0, errno == EINTR { continue }
            guard n >= 0 else { throw .unreadable(path, errno) }
            if n == 0 { break }
            data += buffer[0..<n]
        }
        try self.init(text: String(decoding: data.prefix(4096), as: UTF8.self), source: path)
    }

    /// Why a token file with `mode` must not be used (nil: fine): group or others may read or write it.
    public static func permissionProblem(mode: mode_t) -> String? {
        let loose = mode & 0o077
        guard loose != 0 else { return nil }
        return "users other than its owner may read or write it (mode \(String(mode & 0o777, radix: 8))); chmod 600 it"
    }

    /// Whether an `Authorization` header's value carries this token (`Bearer TOKEN`).
    public func accepts(authorization: String?) -> Bool {
        guard let authorization else { return false }
        let parts = authorization.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else { return false }
        let given = Array(parts[1].trimmingBlanks().utf8)
        // Constant time over the expected token: every byte is looked at, the length difference too.
        var diff = UInt(bitPattern: given.count ^ bytes.count)
        for i in bytes.indices { diff |= UInt(bytes[i] ^ (i < given.count ? given[i] : 0)) }
        return diff == 0
    }

    /// The header value that carries it.
    public var authorization: String { "Bearer " + String(decoding: bytes, as: UTF8.self) }
}

/// Why the control token cannot be used.
public enum ControlTokenError: Error, Sendable, CustomStringConvertible, Equatable {
    case unreadable(String, Int32)
    case malformed(String, String)

    public var description: String {
        switch self {
        case .unreadable(let p, let e): "control token file \(p): \(String(cString: strerror(e)))"
        case .malformed(let p, let why): "control token file \(p): \(why)"
        }
    }
}

private extension StringProtocol {
    func trimmingBlanks() -> String {
        let blank: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\r" }
        guard let start = firstIndex(where: { !blank($0) }), let end = lastIndex(where: { !blank($0) }) else { return "" }
        return String(self[start...end])
    }
}
