#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Prints diagnostics like a compiler: `file:line:col: error: message`, then the source line and a caret.
public struct DiagnosticRenderer: Sendable {
    /// File contents by path.
    public var sources: [String: [UInt8]]

    /// Creates a renderer over the files a load read.
    public init(sources: [String: [UInt8]]) { self.sources = sources }

    /// All diagnostics, one block each.
    public func render(_ diagnostics: [Diagnostic]) -> String {
        var cache = LineCache()
        var out = ""
        for d in diagnostics { out += render(d, cache: &cache) }
        return out
    }

    /// One diagnostic with excerpt and related notes.
    public func render(_ d: Diagnostic) -> String {
        var cache = LineCache()
        return render(d, cache: &cache)
    }

    private func render(_ d: Diagnostic, cache: inout LineCache) -> String {
        var out = d.description + "\n"
        if let loc = d.location { out += excerpt(loc, cache: &cache) }
        for r in d.related {
            out += "\(r.location): note: \(r.message)\n" + excerpt(r.location, cache: &cache)
        }
        return out
    }

    /// Line start offsets per file, computed once per render.
    struct LineCache {
        var starts: [String: [Int]] = [:]
    }

    func excerpt(_ loc: SourceLocation, cache: inout LineCache) -> String {
        guard let bytes = sources[loc.file], loc.line >= 1 else { return "" }
        let starts: [Int]
        if let s = cache.starts[loc.file] {
            starts = s
        } else {
            let s = Self.lineStarts(bytes)
            cache.starts[loc.file] = s
            starts = s
        }
        guard loc.line <= starts.count else { return "" }
        let lineEnd = loc.line < starts.count ? starts[loc.line] - 1 : bytes.count
        return excerpt(bytes, lineStart: starts[loc.line - 1], lineEnd: lineEnd, column: loc.column)
    }

    /// The offset of every line's first byte (memchr, so a 10 MB line costs no per-byte Swift loop).
    static func lineStarts(_ bytes: [UInt8]) -> [Int] {
        var s = [0]
        bytes.withUnsafeBufferPointer { buf in
            guard let base = buf.baseAddress else { return }
            var k = 0
            while k < buf.count, let q = memchr(base + k, Int32(UInt8(ascii: "\n")), buf.count - k) {
                k = UnsafeRawPointer(base).distance(to: UnsafeRawPointer(q)) + 1
                s.append(k)
            }
        }
        return s
    }

    /// The source line (clipped to 200 bytes around the column) and a caret under the column.
    func excerpt(_ bytes: [UInt8], lineStart i: Int, lineEnd e: Int, column: Int) -> String {
        var start = i
        var caretCol = max(column - 1, 0)
        if caretCol > 120 {
            start = i + caretCol - 60
            caretCol = 60
        }
        let end = min(e, start + 200)
        guard start <= end else { return "" }
        let text = bytes[start..<end].map { b -> UInt8 in
            (b < 0x20 && b != 0x09) || b == 0x7F ? UInt8(ascii: "?") : b
        }
        var pad = ""
        for b in bytes[start..<min(start + caretCol, end)] { pad += b == 0x09 ? "\t" : " " }
        return "    " + String(decoding: text, as: UTF8.self) + "\n    " + pad + "^\n"
    }
}
