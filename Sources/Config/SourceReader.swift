/// Reads a configuration file and everything it includes into one token stream, applying keepalived's
/// line-level preprocessing: `@ID` / `@^ID` conditional lines, `$NAME=value` definitions,
/// `$NAME` / `${NAME}` substitution (outside quotes) and `include PATTERN...` (globs relative to the
/// including file). Include loops and unreadable files become diagnostics; nothing traps.
struct SourceReader {
    let fileSystem: any ConfigFileSystem
    let configID: String
    var macros: [String: String] = [:]
    var tokens: [Token] = []
    var lineCounter = 0
    /// Every file read, by path, for rendering source excerpts.
    var sources: [String: [UInt8]] = [:]
    var sink: DiagnosticSink

    static let maxIncludeDepth = 32
    static let maxMacroExpansions = 16
    static let maxExpansionBytes = 65536

    init(fileSystem: any ConfigFileSystem, configID: String, sink: DiagnosticSink) {
        self.fileSystem = fileSystem
        self.configID = configID
        self.sink = sink
    }

    /// Reads a top-level file.
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

    /// Reads text that came from `path`.
    mutating func readText(_ bytes: [UInt8], path: String, chain: [String]) {
        bytes.withUnsafeBufferPointer { buf in
            var lineStart = 0
            var lineNo = 0
            let n = buf.count
            while lineStart <= n {
                var lineEnd = lineStart
                while lineEnd < n && buf[lineEnd] != UInt8(ascii: "\n") { lineEnd += 1 }
                lineNo += 1
                if lineStart < lineEnd || lineEnd < n {
                    processLine(buf, lineStart..<lineEnd, path: path, lineNo: lineNo, chain: chain)
                }
                if lineEnd >= n { break }
                lineStart = lineEnd + 1
            }
        }
    }

    private mutating func processLine(_ buf: UnsafeBufferPointer<UInt8>, _ range: Range<Int>, path: String,
                                      lineNo: Int, chain: [String]) {
        var start = range.lowerBound
        let end = range.upperBound
        while start < end && LineLexer.isSpace(buf[start]) { start += 1 }
        if start >= end { return }
        // Conditional line: @ID or @^ID followed by the rest of the line.
        if buf[start] == UInt8(ascii: "@") {
            var j = start + 1
            var negate = false
            if j < end && buf[j] == UInt8(ascii: "^") { negate = true; j += 1 }
            let idStart = j
            while j < end && !LineLexer.isSpace(buf[j]) { j += 1 }
            let id = String(decoding: UnsafeBufferPointer(rebasing: buf[idStart..<j]), as: UTF8.self)
            let matches = id == configID
            if matches == negate { return }
            start = j
            while start < end && LineLexer.isSpace(buf[start]) { start += 1 }
            if start >= end { return }
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
                return
            }
        }
        var problems: [LineLexer.Problem] = []
        let raw = LineLexer.lex(buf, start..<end, columnBase: column0, problems: &problems)
        for p in problems {
            switch p {
            case .unterminatedQuote(let c):
                sink.error(.lexical, SourceLocation(file: path, line: lineNo, column: c),
                           "unterminated quoted string")
            case .controlByte(let c, let b):
                sink.error(.lexical, SourceLocation(file: path, line: lineNo, column: c),
                           "invalid control byte 0x\(String(b, radix: 16)) in configuration text")
            }
        }
        if raw.isEmpty { return }
        lineCounter += 1
        let lineID = lineCounter
        var expanded: [Token] = []
        expanded.reserveCapacity(raw.count)
        for r in raw {
            let loc = SourceLocation(file: path, line: lineNo, column: r.column)
            if r.kind == .word && r.text.utf8.contains(UInt8(ascii: "$")) {
                let text = substitute(r.text, at: loc)
                let pieces = text.split(whereSeparator: { $0 == " " || $0 == "\t" })
                for p in pieces { expanded.append(Token(kind: .word, text: String(p), location: loc, line: lineID)) }
            } else {
                expanded.append(Token(kind: r.kind, text: r.text, location: loc, line: lineID))
            }
        }
        if let first = expanded.first, first.kind == .word, first.text == "include" {
            if expanded.count < 2 {
                sink.error(.missingValue, first.location, "include needs a file name or glob pattern")
                return
            }
            for t in expanded.dropFirst() {
                include(t.text, at: t.location, currentFile: path, chain: chain)
            }
            return
        }
        tokens.append(contentsOf: expanded)
    }

    private static func isNameByte(_ b: UInt8) -> Bool {
        (b >= UInt8(ascii: "a") && b <= UInt8(ascii: "z")) || (b >= UInt8(ascii: "A") && b <= UInt8(ascii: "Z"))
            || (b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9")) || b == UInt8(ascii: "_")
    }

    /// Replaces `$NAME` and `${NAME}` in a bare word; an undefined name is a warning and stays literal.
    private mutating func substitute(_ word: String, at loc: SourceLocation, depth: Int = 0) -> String {
        let u = Array(word.utf8)
        var out: [UInt8] = []
        out.reserveCapacity(u.count)
        var i = 0
        var changed = false
        while i < u.count {
            if u[i] == UInt8(ascii: "$") {
                var j = i + 1
                var braced = false
                if j < u.count && u[j] == UInt8(ascii: "{") { braced = true; j += 1 }
                let ns = j
                while j < u.count && Self.isNameByte(u[j]) { j += 1 }
                let name = String(decoding: u[ns..<j], as: UTF8.self)
                var ok = !name.isEmpty
                if braced {
                    if j < u.count && u[j] == UInt8(ascii: "}") { j += 1 } else { ok = false }
                }
                if ok {
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
                    continue
                }
            }
            out.append(u[i])
            i += 1
        }
        let result = String(decoding: out, as: UTF8.self)
        if changed && depth < Self.maxMacroExpansions && result.utf8.contains(UInt8(ascii: "$")) {
            return substitute(result, at: loc, depth: depth + 1)
        }
        return result
    }

    private mutating func include(_ pattern: String, at loc: SourceLocation, currentFile: String, chain: [String]) {
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
            return
        }
        for m in matches {
            readFile(m, from: loc, chain: chain)
        }
    }
}
