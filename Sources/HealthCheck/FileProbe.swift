import Glibc

/// `FILE_CHECK`: reads an integer from the tracked file. The value times `weight` (negated with `reverse`)
/// is the file's contribution. Without `dynamic`, the check passes when the contribution is ≥ 0; with
/// `dynamic`, it passes and requests that contribution as the server's weight (≥ 0), failing below 0.
/// A missing or unreadable file counts as 0, like an empty tracked file.
public struct FileProbe: Sendable {
    /// The check's settings.
    public var check: FileCheck

    /// A probe of `check`.
    public init(check: FileCheck) { self.check = check }

    /// Judges file contents.
    static func judge(_ text: String?, check: FileCheck) -> ProbeResult {
        let what = "FILE_CHECK \(check.path)"
        let trimmed = (text ?? "").split(whereSeparator: { $0 == "\n" || $0 == " " || $0 == "\t" }).first.map(String.init) ?? "0"
        guard let value = Int(trimmed) else { return .failure("\(what) content \(trimmed.prefix(20)) is not a number") }
        let (product, overflow) = value.multipliedReportingOverflow(by: check.weight)
        guard !overflow else { return .failure("\(what) value \(value) overflows") }
        let contribution = check.reverse ? -product : product
        if contribution < 0 { return .failure("\(what) value \(value) gives \(contribution)") }
        if check.dynamic { return .success("\(what) value \(value), weight \(contribution)", dynamicWeight: contribution) }
        return .success("\(what) value \(value)")
    }

    /// Reads the file now (small files; no event loop needed).
    public func run() -> ProbeResult {
        guard let file = fopen(check.path, "r") else { return Self.judge(nil, check: check) }
        defer { fclose(file) }
        var buffer = [UInt8](repeating: 0, count: 64)
        let count = fread(&buffer, 1, buffer.count, file)
        let text = String(decoding: buffer.prefix(count), as: UTF8.self)
        return Self.judge(text, check: check)
    }
}
