#if canImport(Glibc)
import Glibc
#endif

/// The kernel's IPVS connection table as `/proc/net/ip_vs_conn` lists it (one header line, then one line per
/// connection entry, persistence templates included), of the reader's network namespace. A thin adapter: it only
/// counts; the Director decides what the count means (the failback hold).
public struct IPVSConnectionTable: Sendable {
    /// The file (tests may point it elsewhere).
    public var path: String

    /// The adapter over `/proc/net/ip_vs_conn`.
    public init(path: String = "/proc/net/ip_vs_conn") { self.path = path }

    /// How many connection entries the table holds now; nil when the file cannot be read (no IPVS module).
    /// Reads the file in 64 KiB chunks, so the cost is one pass over the table's text and no more memory.
    public func count() -> Int? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var counter = LineCounter()
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while true {
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                return nil
            }
            if n == 0 { break }
            counter.consume(buffer[0..<n])
        }
        return counter.entries
    }
}

/// Counts the entries of `/proc/net/ip_vs_conn`'s text fed in chunks: lines after the header; a last line without
/// its newline counts too.
public struct LineCounter: Sendable {
    private var lines = 0
    private var partial = false

    public init() {}

    /// Feeds the next chunk of the file.
    public mutating func consume(_ bytes: some Collection<UInt8>) {
        for b in bytes {
            if b == UInt8(ascii: "\n") {
                lines += 1
                partial = false
            } else {
                partial = true
            }
        }
    }

    /// The entries: every line but the header.
    public var entries: Int { max(0, lines + (partial ? 1 : 0) - 1) }
}
