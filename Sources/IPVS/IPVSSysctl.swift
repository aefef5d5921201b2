#if canImport(Glibc)
import Glibc
#endif

/// IPVS's per-network-namespace switches under `/proc/sys/net/ipv4/vs/` (`sloppy_tcp`, `sloppy_sctp`, …), read and
/// written as the text the kernel keeps there. A thin adapter: the Director decides what to set.
public struct IPVSSysctl: Sendable {
    /// The directory (tests may point it elsewhere).
    public var directory: String

    /// The adapter over `/proc/sys/net/ipv4/vs`.
    public init(directory: String = "/proc/sys/net/ipv4/vs") { self.directory = directory }

    /// The integer value of `name`, nil when it cannot be read (no IPVS module loaded, no such switch).
    public func value(_ name: String) -> Int? {
        guard let f = fopen("\(directory)/\(name)", "r") else { return nil }
        defer { fclose(f) }
        var buffer = [CChar](repeating: 0, count: 32)
        guard fgets(&buffer, Int32(buffer.count), f) != nil else { return nil }
        let text = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return Int(String(text.filter { !$0.isWhitespace }))
    }

    /// Writes `value` to `name`; the errno on failure.
    public func set(_ name: String, _ value: Int) -> Int32? {
        setText(name, "\(value)")
    }

    /// The value of `name` as the kernel prints it, blanks between numbers made single spaces (`sync_threshold` is
    /// two numbers); nil when it cannot be read.
    public func text(_ name: String) -> String? {
        guard let f = fopen("\(directory)/\(name)", "r") else { return nil }
        defer { fclose(f) }
        var buffer = [CChar](repeating: 0, count: 64)
        guard fgets(&buffer, Int32(buffer.count), f) != nil else { return nil }
        let raw = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return raw.split(whereSeparator: \.isWhitespace).joined(separator: " ")
    }

    /// Writes `text` (a line) to `name`; the errno on failure.
    public func setText(_ name: String, _ text: String) -> Int32? {
        guard let f = fopen("\(directory)/\(name)", "w") else { return errno }
        let written = fputs(text + "\n", f)
        let closed = fclose(f)
        return written < 0 || closed != 0 ? errno : nil
    }
}
