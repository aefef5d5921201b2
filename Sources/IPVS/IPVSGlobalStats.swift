#if canImport(Glibc)
import Glibc
#endif

/// The kernel's IPVS totals as `/proc/net/ip_vs_stats` lists them: every connection scheduled and every packet and
/// byte forwarded since the module loaded, deleted services included (no netlink command returns them). A thin
/// adapter: it reads; `parse` is the pure part.
public struct IPVSGlobalStats: Sendable {
    /// The file (tests may point it elsewhere).
    public var path: String

    /// The adapter over `/proc/net/ip_vs_stats`.
    public init(path: String = "/proc/net/ip_vs_stats") { self.path = path }

    /// The totals now; nil when the file cannot be read (no IPVS module) or is not in the kernel's layout.
    public func read() -> IPVSStats? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        // The file is five short lines; anything past 4 KiB is not the kernel's.
        var buffer = [UInt8](repeating: 0, count: 4096)
        var used = 0
        while used < buffer.count {
            let n = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress.map { $0 + used }, $0.count - used) }
            if n < 0 {
                if errno == EINTR { continue }
                return nil
            }
            if n == 0 { break }
            used += n
        }
        return Self.parse(String(decoding: buffer[0..<used], as: UTF8.self))
    }

    /// The totals of the file's text: two header lines, then five hexadecimal numbers (connections, packets in and
    /// out, bytes in and out); after a blank line and one more header line, the same five as rates per second.
    /// nil unless the totals line holds exactly five hexadecimal numbers of at most 64 bits. Missing or malformed
    /// rates leave them at zero (the totals are what exporters read).
    public static func parse(_ text: String) -> IPVSStats? {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        guard lines.count > 2, let totals = numbers(lines[2]) else { return nil }
        var s = IPVSStats()
        (s.connections, s.packetsIn, s.packetsOut, s.bytesIn, s.bytesOut) = (totals[0], totals[1], totals[2], totals[3], totals[4])
        if lines.count > 5, let rates = numbers(lines[5]) {
            (s.connectionsPerSecond, s.packetsInPerSecond, s.packetsOutPerSecond, s.bytesInPerSecond, s.bytesOutPerSecond)
                = (rates[0], rates[1], rates[2], rates[3], rates[4])
        }
        return s
    }

    private static func numbers(_ line: Substring) -> [UInt64]? {
        let words = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
        guard words.count == 5 else { return nil }
        let values = words.compactMap { w in w.count <= 16 && w.allSatisfy(\.isHexDigit) ? UInt64(w, radix: 16) : nil }
        return values.count == 5 ? values : nil
    }
}
