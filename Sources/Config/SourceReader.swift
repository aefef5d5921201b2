#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads a configuration file and everything it includes as a stream of lines of tokens, applying
/// keepalived's line-level preprocessing: `@ID` / `@^ID` conditional lines, `$NAME=value` definitions,
/// `$NAME` / `${NAME}` substitution (outside quotes) and `include PATTERN...` (globs relative to the
/// including file). Include loops and unreadable files become diagnostics; nothing traps.
///
/// Theory of operation: a stack of frames, the top one active. A file frame yields its lines one by
/// one; an `include` line pushes an include frame above it, which expands its patterns and opens its
/// matching files one at a time (each pushed above it), in the order keepalived reads them. The parser
/// pulls one line of tokens at a time (`nextLine`), so the whole token stream never exists at once.
struct SourceReader {
    let fileSystem: any ConfigFileSystem
    let configID: String
    var macros: [String: String] = [:]
    var lineCounter: Int32 = 0
    /// Every file read, by path, for rendering source excerpts.
    var sources: [String: [UInt8]] = [:]
    /// File names by index (`TokenPosition.file`).
    private(set) var files: [String] = []
    private var fileIndex: [String: Int32] = [:]
    var sink: DiagnosticSink

    static let maxIncludeDepth = 32
    static let maxMacroExpansions = 16
    static let maxExpansionBytes = 65536

    /// A file being read.
    private struct FileFrame {
        var bytes: [UInt8]
        var path: String
        var file: Int32
        var chain: [String]
        var offset = 0
        var lineNo = 0
    }

    /// The patterns of one `include` line, expanded and opened lazily.
    private struct IncludeFrame {
        var patterns: [(text: String, location: SourceLocation)]
        var nextPattern = 0
        var matches: [String] = []
        var nextMatch = 0
        var matchLocation: SourceLocation
        var currentFile: String
        var chain: [String]
    }

    private enum Frame {
        case file(FileFrame)
        case include(IncludeFrame)
    }

    /// Suspended files and include lists, the innermost last.
    private var stack: [Frame] = []
    /// The file whose lines are being read.
    private var active: FileFrame?
    /// An include line just seen, to run before the rest of its file.
    private var pendingInclude: IncludeFrame?
    private var dollars: [Int] = []
    private var problems: [LineLexer.Problem] = []

    init(fileSystem: any ConfigFileSystem, configID: String, sink: DiagnosticSink) {
        self.fileSystem = fileSystem
        self.configID = configID
        self.sink = sink
    }

    /// The location of a token position.
    func location(_ p: TokenPosition) -> SourceLocation {
        SourceLocation(file: files[Int(p.file)], line: Int(p.line), column: Int(p.column))
    }

    private mutating func index(of path: String) -> Int32 {
        if let i = fileIndex[path] { return i }
        let i = Int32(files.count)
        files.append(path)
        fileIndex[path] = i
        return i
    }

    /// Opens a top-level file (or an included one, `from` the include's location).
    mutating func readFile(_ path: String, from: SourceLocation?, chain: [String]) {
        if let loopStart = chain.firstIndex(of: path) {
            let cycle = (chain[loopStart...] + [path]).joined(separator: " -> ")
            sink.error(.include, from, "include loop: \(cycle)")
            return
        }
        if chain.count >= Self.maxIncludeDepth {
            sink.error(.include, from, "includes nested deeper than \(Self.maxIncludeDepth) levels")
            return
        }
        guard let bytes = fileSystem.read(path) else {
            sink.error(from == nil ? .io : .include, from, "cannot read '\(path)'")
            return
        }
        if sources[path] == nil { sources[path] = bytes }
        readText(bytes, path: path, chain: chain + [path])
    }

    /// Opens text that came from `path`.
    mutating func readText(_ bytes: [UInt8], path: String, chain: [String]) {
        if let f = active { stack.append(.file(f)) }
        active = FileFrame(bytes: bytes, path: path, file: index(of: path), chain: chain)
    }

    /// The tokens of the next line that has any (include lines are followed, not returned), in `out`.
    /// Returns false at the end of all input.
    mutating func nextLine(into out: inout [Token]) -> Bool {
        out.removeAll(keepingCapacity: true)
        while true {
            if var f = active {
                // Detach the active file while this line is processed (an include may suspend it).
                active = nil
                let n = f.bytes.count
                let lineStart = f.offset
                let lineEnd: Int = f.bytes.withUnsafeBufferPointer { buf in
                    guard let base = buf.baseAddress, lineStart < n,
                          let q = memchr(base + lineStart, Int32(UInt8(ascii: "\n")), n - lineStart) else { return n }
                    return UnsafeRawPointer(base).distance(to: UnsafeRawPointer(q))
                }
                f.lineNo += 1
                f.offset = lineEnd + 1
                // The empty remainder after a final newline is not a line.
                let isLine = lineStart < lineEnd || lineEnd < n
                var produced = false
                if isLine {
                    produced = f.bytes.withUnsafeBufferPointer { buf in
                        processLine(buf, lineStart..<lineEnd, frame: f, into: &out)
                    }
                }
                if lineEnd < n {
                    if pendingInclude != nil {
                        stack.append(.file(f))
                    } else {
                        active = f
                    }
                }
                if let inc = pendingInclude {
                    pendingInclude = nil
                    stack.append(.include(inc))
                }
                if produced { return true }
                continue
            }
            guard let top = stack.popLast() else { return false }
            switch top {
            case .file(let f):
                active = f
            case .include(var inc):
                if inc.nextMatch < inc.matches.count {
                    let m = inc.matches[inc.nextMatch]
                    inc.nextMatch += 1
                    let loc = inc.matchLocation, chain = inc.chain
                    stack.append(.include(inc))
                    readFile(m, from: loc, chain: chain)
                } else if inc.nextPattern < inc.patterns.count {
                    let (pattern, loc) = inc.patterns[inc.nextPattern]
                    inc.nextPattern += 1
                    inc.matches = expand(pattern, at: loc, currentFile: inc.currentFile)
                    inc.nextMatch = 0
                    inc.matchLocation = loc
                    stack.append(.include(inc))
                }
            }
        }
    }

    /// Preprocesses and lexes one line; true when it produced tokens for the parser.
    private mutating func processLine(_ buf: UnsafeBufferPointer<UInt8>, _ range: Range<Int>, frame: FileFrame,
                                      into out: inout [Token]) -> Bool {
        let lineNo = frame.lineNo
        var start = range.lowerBound
        let end = range.upperBound
        while start < end && LineLexer.isSpace(buf[start]) { start += 1 }
        if start >= end { return false }
        // Conditional line: @ID or @^ID followed by the rest of the line.
        if buf[start] == UInt8(ascii: "@") {
            var j = start + 1
            var negate = false
            if j < end && buf[j] == UInt8(ascii: "^") { negate = true; j += 1 }
            let idStart = j
            while j < end && !LineLexer.isSpace(buf[j]) { j += 1 }
            let id = String(decoding: UnsafeBufferPointer(rebasing: buf[idStart..<j]), as: UTF8.self)
            let matches = id == configID
            if matches == negate { return false }
            start = j
            while start < end && LineLexer.isSpace(buf[start]) { start += 1 }
            if start >= end { return false }
        }
        let column0 = start - range.lowerBound + 1
        // Definition: $NAME=value
        if buf[start] == UInt8(ascii: "$") {
            var j = start + 1
            while j < end && Self.isNameByte(buf[j]) { j += 1 }
            if j > start + 1 && j < end && buf[j] == UInt8(ascii: "=") {
                let name = String(decoding: UnsafeBufferPointer(rebasing: buf[(start + 1)..<j]), as: UTF8.self)
                var vs = j + 1
                var ve = end
                while vs < ve && LineLexer.isSpace(buf[vs]) { vs += 1 }
                while ve > vs && LineLexer.isSpace(buf[ve - 1]) { ve -= 1 }
                macros[name] = String(decoding: UnsafeBufferPointer(rebasing: buf[vs..<ve]), as: UTF8.self)
                return false
            }
        }
        problems.removeAll(keepingCapacity: true)
        dollars.removeAll(keepingCapacity: true)
        out.removeAll(keepingCapacity: true)
        let line32 = Int32(truncatingIfNeeded: lineNo)
        LineLexer.lex(buf, start..<end, columnBase: column0, file: frame.file, line: line32, lineID: lineCounter &+ 1,
                      into: &out, dollars: &dollars, problems: &problems)
        for p in problems {
            switch p {
            case .unterminatedQuote(let c):
                sink.error(.lexical, SourceLocation(file: frame.path, line: lineNo, column: c),
                           "unterminated quoted string")
            case .controlByte(let c, let b):
                sink.error(.lexical, SourceLocation(file: frame.path, line: lineNo, column: c),
                           "invalid control byte 0x\(String(b, radix: 16)) in configuration text")
            }
        }
        if out.isEmpty { return false }
        lineCounter &+= 1
        if !dollars.isEmpty {
            // `$NAME` substitution; a word may become several words (or none), all at its position.
            var rebuilt: [Token] = []
            rebuilt.reserveCapacity(out.count)
            var d = 0
            for (index, t) in out.enumerated() {
                guard d < dollars.count, dollars[d] == index else {
                    rebuilt.append(t)
                    continue
                }
                d += 1
                let loc = location(t.position)
                let text = substitute(t.text, at: loc)
                let pieces = text.split(whereSeparator: { $0 == " " || $0 == "\t" })
                for p in pieces {
                    rebuilt.append(Token(text: String(p), position: t.position, lineID: t.lineID, kind: .word))
                }
            }
            out = rebuilt
        }
        if let first = out.first, first.kind == .word, first.text.utf8.count == 7, first.text == "include" {
            if out.count < 2 {
                sink.error(.missingValue, location(first.position), "include needs a file name or glob pattern")
                out.removeAll(keepingCapacity: true)
                return false
            }
            let patterns = out.dropFirst().map { (text: $0.text, location: location($0.position)) }
            out.removeAll(keepingCapacity: true)
            pendingInclude = IncludeFrame(patterns: patterns, matchLocation: patterns[0].location,
                                          currentFile: frame.path, chain: frame.chain)
            return false
        }
        return true
    }

    private static func isNameByte(_ b: UInt8) -> Bool {
        (b >= UInt8(ascii: "a") && b <= UInt8(ascii: "z")) || (b >= UInt8(ascii: "A") && b <= UInt8(ascii: "Z"))
            || (b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9")) || b == UInt8(ascii: "_")
    }

    /// Replaces `$NAME` and `${NAME}` in a bare word; an undefined name is a warning and stays literal.
    /// Runs between `$` signs are copied in bulk (a 64 KiB expansion rescanned 16 times stays cheap).
    private mutating func substitute(_ word: String, at loc: SourceLocation, depth: Int = 0) -> String {
        let u = Array(word.utf8)
        var out: [UInt8] = []
        out.reserveCapacity(u.count)
        var i = 0
        var changed = false
        while i < u.count {
            guard let dollar = u[i...].firstIndex(of: UInt8(ascii: "$")) else {
                out.append(contentsOf: u[i...])
                break
            }
            if dollar > i { out.append(contentsOf: u[i..<dollar]) }
            i = dollar
            var j = i + 1
            var braced = false
            if j < u.count && u[j] == UInt8(ascii: "{") { braced = true; j += 1 }
            let ns = j
            while j < u.count && Self.isNameByte(u[j]) { j += 1 }
            var ok = j > ns
            if braced {
                if j < u.count && u[j] == UInt8(ascii: "}") { j += 1 } else { ok = false }
            }
            guard ok else {
                out.append(u[i])
                i += 1
                continue
            }
            let name = String(decoding: u[ns..<(braced ? j - 1 : j)], as: UTF8.self)
            if let value = macros[name] {
                // Self-referencing definitions can grow exponentially; stop at 64 KiB.
                if out.count + value.utf8.count > Self.maxExpansionBytes {
                    sink.error(.invalidValue, loc, "expansion of '$\(name)' exceeds \(Self.maxExpansionBytes) bytes")
                    return word
                }
                out.append(contentsOf: value.utf8)
                changed = true
            } else {
                sink.warning(.undefinedMacro, loc, "'$\(name)' is not defined; left as written")
                out.append(contentsOf: u[i..<j])
            }
            i = j
        }
        let result = String(decoding: out, as: UTF8.self)
        if changed && depth < Self.maxMacroExpansions && out.contains(UInt8(ascii: "$")) {
            return substitute(result, at: loc, depth: depth + 1)
        }
        return result
    }

    /// The files an include pattern names (a warning when a glob matches nothing).
    private mutating func expand(_ pattern: String, at loc: SourceLocation, currentFile: String) -> [String] {
        let resolved: String
        if pattern.hasPrefix("/") {
            resolved = pattern
        } else if let slash = currentFile.lastIndex(of: "/") {
            resolved = String(currentFile[...slash]) + pattern
        } else {
            resolved = pattern
        }
        let isGlob = resolved.contains { $0 == "*" || $0 == "?" || $0 == "[" }
        let matches = isGlob ? fileSystem.glob(resolved) : [resolved]
        if matches.isEmpty {
            sink.warning(.include, loc, "include pattern '\(pattern)' matches no file")
        }
        return matches
    }
}
