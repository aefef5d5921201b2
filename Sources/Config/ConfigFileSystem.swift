#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Where configuration text comes from. The loader only reads files and expands globs, so tests can
/// supply an in-memory tree and the real loader reads the disk.
public protocol ConfigFileSystem: Sendable {
    /// The whole file, or nil when it cannot be read.
    func read(_ path: String) -> [UInt8]?
    /// Paths matching a glob pattern, sorted; an empty array when nothing matches.
    func glob(_ pattern: String) -> [String]
    /// Whether a path exists (used only for host-fact warnings).
    func exists(_ path: String) -> Bool
    /// The permission bits of a file (`st_mode & 0o7777`), nil when unknown.
    func mode(_ path: String) -> UInt32?
}

extension ConfigFileSystem {
    /// Unknown by default.
    public func mode(_ path: String) -> UInt32? { nil }
}

/// The real file system.
public struct DiskFileSystem: ConfigFileSystem {
    /// Creates the disk file system.
    public init() {}

    /// Reads a whole file with POSIX calls.
    public func read(_ path: String) -> [UInt8]? {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG else { return nil }
        var out: [UInt8] = []
        out.reserveCapacity(Int(st.st_size))
        var buf = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = buf.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if n < 0 { if errno == EINTR { continue }; return nil }
            if n == 0 { break }
            out.append(contentsOf: buf[0..<n])
        }
        return out
    }

    /// Expands a glob with glob(3).
    public func glob(_ pattern: String) -> [String] {
        var g = glob_t()
        defer { globfree(&g) }
        guard Glibc.glob(pattern, 0, nil, &g) == 0 else { return [] }
        var out: [String] = []
        for i in 0..<Int(g.gl_pathc) {
            if let p = g.gl_pathv[i] { out.append(String(cString: p)) }
        }
        return out.sorted()
    }

    /// access(2) F_OK.
    public func exists(_ path: String) -> Bool { access(path, F_OK) == 0 }

    /// stat(2)'s permission bits.
    public func mode(_ path: String) -> UInt32? {
        var st = stat()
        guard stat(path, &st) == 0 else { return nil }
        return UInt32(st.st_mode) & 0o7777
    }
}

/// An in-memory file tree for tests: path → contents. Globs use fnmatch(3).
public struct MemoryFileSystem: ConfigFileSystem {
    /// The files.
    public var files: [String: String]

    /// Permission bits by path (`mode(_:)`); a file not listed has none known.
    public var modes: [String: UInt32]

    /// Creates a tree.
    public init(_ files: [String: String], modes: [String: UInt32] = [:]) {
        self.files = files
        self.modes = modes
    }

    /// The permission bits given for the path.
    public func mode(_ path: String) -> UInt32? { modes[path] }

    /// The file's UTF-8 bytes.
    public func read(_ path: String) -> [UInt8]? { files[path].map { Array($0.utf8) } }

    /// Matching paths, sorted.
    public func glob(_ pattern: String) -> [String] {
        files.keys.filter { fnmatch(pattern, $0, FNM_PATHNAME) == 0 }.sorted()
    }

    /// Whether the path is one of the files.
    public func exists(_ path: String) -> Bool { files[path] != nil }
}

/// The host name, the default config-id for `@ID` lines.
public func defaultConfigID() -> String {
    var buf = [CChar](repeating: 0, count: 256)
    guard gethostname(&buf, buf.count - 1) == 0 else { return "" }
    let name = String(decoding: buf.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    // keepalived uses the name up to the first dot.
    return String(name.split(separator: ".", maxSplits: 1).first ?? "")
}
