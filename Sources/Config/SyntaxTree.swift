#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One parsed statement: a known keyword, its arguments, and its block (children or list entries).
struct Node: Sendable {
    /// The grammar entry (canonical name in `grammar.name`).
    var grammar: GrammarNode
    /// Where the keyword is written.
    var position: TokenPosition
    /// The arguments: `argCount` tokens from `argStart` in the parser's statement arena.
    var argStart: Int32
    var argCount: Int32
    var children: [Node] = []
    var entries: [[Token]] = []
    var hasBlock = false

    /// The canonical keyword name (compares against string literals in `switch` without String
    /// comparison; see `KeywordName`).
    var name: KeywordName { KeywordName(grammar: grammar) }
    /// The grammar entry.
    var keyword: Keyword { grammar.keyword }
}

/// Builds the statement tree from tokens, guided by the keyword grammar.
///
/// A statement is a keyword, its arguments on the same line (at most the keyword's maximum; extra words
/// start the next statement, so `auth_type PASS auth_pass x` works on one line), then a `{ … }` block if
/// the keyword has one. Unknown words are errors with a did-you-mean; keepalived keywords Vigil does not
/// implement are warnings, and their arguments and block are skipped. Every error is collected.
///
/// Tokens are pulled from the `SourceReader` one line at a time, and `nextTopLevel()` returns one
/// top-level statement at a time, so the loader can build the model while reading and only one
/// top-level block's tree exists at once.
struct TreeParser {
    var reader: SourceReader
    /// The tokens of the current line and the next one to look at.
    private var line: [Token] = []
    private var k = 0
    private var atEnd = false
    var sink: DiagnosticSink
    var unknownCount = 0
    /// How many enclosing blocks are not implemented (and were warned about as a whole).
    private var quietDepth = 0
    /// Did-you-mean answers already computed in this parse (same word, same block kind).
    private var siblingSuggestions: [SuggestionKey: String?] = [:]
    private var globalSuggestions: [[UInt8]: String?] = [:]

    init(reader: SourceReader, sink: DiagnosticSink) {
        self.reader = reader
        self.sink = sink
    }

    /// Whether a token is available at `line[k]` (pulling the next line when needed).
    @inline(__always)
    private mutating func more() -> Bool {
        // A line can come back without tokens (a macro that expands to nothing): read on until one has some.
        while k >= line.count {
            if !refill() { return false }
        }
        return true
    }

    private mutating func refill() -> Bool {
        if atEnd { return false }
        k = 0
        reader.errorsElsewhere = sink.errorCount
        if reader.nextLine(into: &line) { return true }
        atEnd = true
        return false
    }

    /// The token at the cursor; only after `more()` returned true.
    private var current: Token { line[k] }

    private func location(_ t: Token) -> SourceLocation { reader.location(t.position) }

    /// The arguments of the statement last returned by `nextTopLevel` and of everything inside it.
    private(set) var arena: [Token] = []

    /// The next top-level statement, or nil at the end of input. Stray tokens in between are reported.
    /// Its arguments are in `arena` until the next call.
    mutating func nextTopLevel() -> Node? {
        arena.removeAll(keepingCapacity: true)
        var one: [Node] = []
        while more() {
            if step(GrammarNode.root, closer: nil, into: &one) == .node, let n = one.popLast() { return n }
        }
        return nil
    }

    private enum Step {
        /// A statement was appended.
        case node
        case skipped
        /// The block's `}` was consumed.
        case closed
    }

    /// Handles the token at the cursor inside a block of `grammar` (only after `more()` returned true);
    /// a parsed statement is appended to `nodes`.
    private mutating func step(_ grammar: GrammarNode, closer: TokenPosition?, into nodes: inout [Node]) -> Step {
        let t = current
        switch t.kind {
        case .close:
            k += 1
            if closer != nil { return .closed }
            sink.error(.syntax, location(t), "unexpected '}' with no open block")
            return .skipped
        case .open:
            sink.error(.syntax, location(t), "unexpected '{' without a keyword")
            k += 1
            skipBlockBody()
            return .skipped
        case .quoted:
            sink.error(.syntax, location(t), "expected a keyword, found a quoted string")
            k += 1
            return .skipped
        case .word:
            break
        }
        guard let g = grammar.child(t) else {
            // A sync group's member written bare, without `group { … }`: keepalived 2.x reports it unknown and
            // ignores it (and then drops a group left without members). Vigil does the same, saying so.
            if grammar.keyword.name == "vrrp_sync_group", t.text.utf8.count <= 64 {
                sink.warning(.keepalivedIgnores, location(t), "'\(t.text)' is ignored, as keepalived 2.x ignores it: a sync group's members go inside 'group { … }'")
                k += 1
                skipRestOfStatement(line: t.lineID)
                return .skipped
            }
            reportUnknown(t, in: grammar)
            k += 1
            skipRestOfStatement(line: t.lineID)
            return .skipped
        }
        k += 1
        if let warning = g.status.warning(for: t.text) {
            // Inside a block that was warned about as a whole, its keywords say nothing more.
            if quietDepth == 0 { sink.warning(g.status.diagnosticKind, location(t), warning) }
            if g.skipped {
                skipRestOfStatement(line: t.lineID)
                return .skipped
            }
        } else if quietDepth == 0, let canonical = Keyword.deprecatedSpellings[t.text] {
            sink.warning(.nonCanonicalForm, location(t), "'\(t.text)' is a deprecated spelling of '\(canonical)'; read as '\(canonical)', as keepalived reads it")
        }
        nodes.append(parseStatement(g, token: t, siblings: grammar))
        return .node
    }

    /// Parses statements until `}` (when `closer` is set) or end of input.
    private mutating func parseStatements(_ grammar: GrammarNode, closer: TokenPosition?) -> [Node] {
        var nodes: [Node] = []
        while more() {
            if step(grammar, closer: closer, into: &nodes) == .closed { return nodes }
        }
        if let closer {
            sink.error(.syntax, reader.location(closer), "block opened here is never closed")
        }
        return nodes
    }

    private mutating func parseStatement(_ g: GrammarNode, token t: Token, siblings: GrammarNode) -> Node {
        let kw = g.keyword
        var node = Node(grammar: g, position: t.position, argStart: Int32(truncatingIfNeeded: arena.count), argCount: 0)
        let max = g.maxArguments
        var count = 0
        while more(), current.lineID == t.lineID, current.kind == .word || current.kind == .quoted, count < max {
            arena.append(current)
            count += 1
            k += 1
        }
        node.argCount = Int32(truncatingIfNeeded: count)
        if count < g.minArguments {
            let missing = kw.arguments.filter { !$0.optional }.dropFirst(count).map(\.name)
            sink.error(.missingValue, location(t), "'\(kw.name)' needs \(missing.joined(separator: " "))")
        }
        switch g.bodyKind {
        case .none:
            if more(), current.kind == .open, current.lineID == t.lineID {
                sink.error(.syntax, location(current), "'\(kw.name)' does not take a block")
                k += 1
                skipBlockBody()
            } else if g.hasMaxArguments, more(), current.lineID == t.lineID,
                      current.kind == .quoted || (current.kind == .word && siblings.child(current) == nil) {
                sink.warning(.nonCanonicalForm, location(current),
                             "extra word '\(clipped(current.text))' after '\(kw.name)' is ignored, as keepalived ignores it")
                skipRestOfStatement(line: t.lineID)
            }
            return node
        case .block:
            guard more(), current.kind == .open else {
                if !g.bodyOptional {
                    sink.error(.missingValue, location(t), "'\(kw.name)' needs a { … } block")
                }
                return node
            }
            let open = current.position
            k += 1
            node.hasBlock = true
            let quiet = g.status != .implemented
            if quiet { quietDepth += 1 }
            node.children = parseStatements(g, closer: open)
            if quiet { quietDepth -= 1 }
            return node
        case .list:
            guard more(), current.kind == .open else {
                sink.error(.missingValue, location(t), "'\(kw.name)' needs a { … } list")
                return node
            }
            let open = current.position
            k += 1
            node.hasBlock = true
            var entry: [Token] = []
            var entryLine: Int32 = -1
            while more() {
                let x = current
                if x.kind == .close {
                    k += 1
                    if !entry.isEmpty { node.entries.append(entry) }
                    return node
                }
                if x.kind == .open {
                    sink.error(.syntax, location(x), "unexpected '{' inside the '\(kw.name)' list")
                    k += 1
                    skipBlockBody()
                    continue
                }
                if x.lineID != entryLine {
                    if !entry.isEmpty { node.entries.append(entry) }
                    entry = []
                    entryLine = x.lineID
                }
                entry.append(x)
                k += 1
            }
            if !entry.isEmpty { node.entries.append(entry) }
            sink.error(.syntax, reader.location(open), "list opened here is never closed")
            return node
        }
    }

    /// Skips the arguments of a statement on its line and a following `{ … }` block if any.
    private mutating func skipRestOfStatement(line id: Int32) {
        while more(), current.lineID == id, current.kind != .open, current.kind != .close {
            k += 1
        }
        if more(), current.kind == .open {
            k += 1
            skipBlockBody()
        }
    }

    /// Skips to the `}` matching an already consumed `{` (iteratively, so nesting depth cannot overflow).
    private mutating func skipBlockBody() {
        var depth = 1
        while more() {
            switch current.kind {
            case .open: depth += 1
            case .close: depth -= 1
            case .word, .quoted: break
            }
            k += 1
            if depth == 0 { return }
        }
    }

    private mutating func reportUnknown(_ t: Token, in grammar: GrammarNode) {
        unknownCount += 1
        if let homes = Keyword.homes[t.text] {
            // A keyword of another block: say where it belongs rather than suggesting the word itself.
            let here = grammar.name.isEmpty ? "at the top level" : "in '\(grammar.name)'"
            let there = homes.prefix(4).map { $0.isEmpty ? "the top level" : "'\($0)'" }.joined(separator: ", ")
            sink.error(.unknownKeyword, location(t), "'\(t.text)' is not a keyword \(here); it belongs in \(there)")
            return
        }
        var message = "unknown keyword '\(clipped(t.text))'"
        // Suggestions cost an edit distance per candidate; hostile input gets them only for the first few
        // words, and a word seen before in the same block kind reuses its answer.
        var suggestion: String?
        // Words longer than 64 bytes get no suggestion (and are not worth a cache key).
        let suggestible = t.text.utf8.count <= 64
        if suggestible, unknownCount <= 20 {
            let key = SuggestionKey(word: Array(t.text.utf8), grammar: ObjectIdentifier(grammar))
            if let cached = siblingSuggestions[key] {
                suggestion = cached
            } else {
                suggestion = Suggest.closest(to: t.text, in: grammar.spellings)
                siblingSuggestions[key] = .some(suggestion)
            }
        }
        if suggestible, suggestion == nil, unknownCount <= 5 {
            // Keyed by bytes: String keys would merge canonically equal spellings with different bytes.
            let bytes = Array(t.text.utf8)
            if let cached = globalSuggestions[bytes] {
                suggestion = cached
            } else {
                suggestion = Suggest.closest(to: t.text, in: Keyword.allSpellings)
                globalSuggestions[bytes] = .some(suggestion)
            }
        }
        if let s = suggestion, s != t.text {
            message += "; did you mean '\(s)'?"
        }
        sink.error(.unknownKeyword, location(t), message)
    }

    private struct SuggestionKey: Hashable {
        var word: [UInt8]
        var grammar: ObjectIdentifier
    }
}

/// A statement's arguments: a zero-based view of a range of the parser's token arena.
struct TokenList: RandomAccessCollection {
    let storage: [Token]
    let start: Int
    let count: Int

    var startIndex: Int { 0 }
    var endIndex: Int { count }
    subscript(i: Int) -> Token { storage[start + i] }
}

/// A keyword's canonical name as the model builder sees it. `switch node.name { case "weight": … }`
/// compares byte counts and bytes (`~=` below) instead of going through String's Unicode-aware
/// comparison, which showed up as a tenth of the model builder's time.
struct KeywordName: Equatable, CustomStringConvertible {
    let grammar: GrammarNode

    /// The name as a String.
    var text: String { grammar.name }
    var description: String { grammar.name }

    static func == (a: KeywordName, b: KeywordName) -> Bool { a.grammar.name == b.grammar.name }

    /// Matches a string literal pattern.
    static func ~= (pattern: StaticString, value: KeywordName) -> Bool {
        let bytes = value.grammar.nameBytes
        guard pattern.hasPointerRepresentation, pattern.utf8CodeUnitCount == bytes.count else { return false }
        return bytes.withUnsafeBufferPointer { b in
            guard let base = b.baseAddress else { return true }
            return memcmp(base, pattern.utf8Start, b.count) == 0
        }
    }

    static func == (a: KeywordName, b: StaticString) -> Bool { b ~= a }
    static func != (a: KeywordName, b: StaticString) -> Bool { !(b ~= a) }
}

/// `s`, or its first 64 characters and an ellipsis when it is longer (O(64), whatever the length).
func clipped(_ s: String) -> String {
    let p = s.prefix(64)
    return p.endIndex == s.endIndex ? s : String(p) + "…"
}

/// Did-you-mean suggestions by edit distance.
///
/// Cheap pruning keeps hostile input fast without changing any suggestion: candidates whose length
/// differs by more than the limit are skipped, and a distance computation stops as soon as every
/// later row must exceed the best distance still worth finding.
enum Suggest {
    /// The closest candidate within a small edit distance, or nil.
    static func closest(to word: String, in candidates: [String]) -> String? {
        let n = word.utf8.count
        guard n > 0, n <= 64 else { return nil }
        let w = Array(word.utf8)
        let limit = max(1, min(3, w.count / 3))
        var best: (String, Int)?
        var rows = [Int](repeating: 0, count: 3 * 66)
        for c in candidates {
            if abs(c.utf8.count - w.count) > limit { continue }
            // Only a distance below the best so far (and within the limit) can change the answer.
            let bound = min(limit, (best?.1 ?? Int.max) - 1)
            if bound < 0 { break }
            var cu = c
            let d = cu.withUTF8 { cb in
                w.withUnsafeBufferPointer { wb in boundedDistance(wb, cb, bound: bound, rows: &rows) }
            }
            if d <= bound { best = (c, d) }
        }
        return best?.0
    }

    /// Damerau-Levenshtein (optimal string alignment) distance, three rows in one buffer.
    static func distance(_ a: [UInt8], _ b: [UInt8]) -> Int {
        var rows = [Int](repeating: 0, count: 3 * (b.count + 1))
        return a.withUnsafeBufferPointer { ab in
            b.withUnsafeBufferPointer { bb in boundedDistance(ab, bb, bound: Int.max - 1, rows: &rows) }
        }
    }

    /// The optimal-string-alignment distance when it is at most `bound`; otherwise some value above
    /// `bound`. A row's minimum can only be undercut two rows later by one transposition, so once
    /// `min(thisRowMin, previousRowMin + 1)` exceeds the bound, the result must too.
    /// `rows` must hold at least `3 * (b.count + 1)` entries (it is grown when shorter).
    static func boundedDistance(_ a: UnsafeBufferPointer<UInt8>, _ b: UnsafeBufferPointer<UInt8>, bound: Int,
                                rows: inout [Int]) -> Int {
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        let w = b.count + 1
        if rows.count < 3 * w { rows = [Int](repeating: 0, count: 3 * w) }
        return rows.withUnsafeMutableBufferPointer { r -> Int in
            var p2 = 0, p1 = w, c = 2 * w
            for y in 0...b.count { r[p1 + y] = y }
            var previousMin = 0
            for x in 1...a.count {
                r[c] = x
                var rowMin = x
                for y in 1...b.count {
                    let cost = a[x - 1] == b[y - 1] ? 0 : 1
                    var v = min(r[p1 + y] + 1, r[c + y - 1] + 1, r[p1 + y - 1] + cost)
                    if x > 1, y > 1, a[x - 1] == b[y - 2], a[x - 2] == b[y - 1] { v = min(v, r[p2 + y - 2] + 1) }
                    r[c + y] = v
                    if v < rowMin { rowMin = v }
                }
                if min(rowMin, previousMin + 1) > bound { return bound + 1 }
                previousMin = rowMin
                (p2, p1, c) = (p1, c, p2)
            }
            return r[p1 + b.count]
        }
    }
}

/// The grammar with a name-or-alias index at every level, built once. A class, so a parsed node
/// refers to its grammar entry with one pointer instead of copying the keyword's data.
final class GrammarNode: Sendable {
    /// What follows a keyword's arguments.
    enum BodyKind: Sendable {
        case none, block, list
    }

    let keyword: Keyword
    /// `keyword.name`.
    let name: String
    /// `keyword.name` in UTF-8.
    let nameBytes: [UInt8]
    /// `keyword.status`.
    let status: KeywordStatus
    /// `keyword.skipped`.
    let skipped: Bool
    let bodyKind: BodyKind
    let bodyOptional: Bool
    let minArguments: Int
    /// `Int.max` when unbounded.
    let maxArguments: Int
    let hasMaxArguments: Bool
    /// The checker this keyword starts (`TCP_CHECK` …), if any.
    let checkerKind: CheckerKind?
    let children: [String: GrammarNode]
    /// Child names and aliases, in grammar order (did-you-mean candidates).
    let spellings: [String]

    init(keyword: Keyword, childKeywords: [Keyword]) {
        self.keyword = keyword
        name = keyword.name
        nameBytes = Array(keyword.name.utf8)
        status = keyword.status
        skipped = keyword.skipped
        switch keyword.body {
        case .none: bodyKind = .none
        case .block: bodyKind = .block
        case .list: bodyKind = .list
        }
        bodyOptional = keyword.bodyOptional
        minArguments = keyword.minArguments
        maxArguments = keyword.maxArguments ?? Int.max
        hasMaxArguments = keyword.maxArguments != nil
        checkerKind = CheckerKind(rawValue: keyword.name)
        var d: [String: GrammarNode] = [:]
        var names: [String] = []
        for k in childKeywords {
            let n = GrammarNode(keyword: k, childKeywords: k.children)
            d[k.name] = n
            names.append(k.name)
            for a in k.aliases {
                d[a] = n
                names.append(a)
            }
        }
        children = d
        spellings = names
        // Open addressing over the spellings' FNV-1a hashes, at most half full.
        var size = 8
        while size < 2 * d.count { size *= 2 }
        var slots = [Int32](repeating: -1, count: size)
        var entries: [(hash: UInt32, text: String, node: GrammarNode)] = []
        for (text, node) in d.sorted(by: { $0.key < $1.key }) {
            let h = Token.hash(text)
            var i = Int(h) & (size - 1)
            while slots[i] >= 0 { i = (i + 1) & (size - 1) }
            slots[i] = Int32(entries.count)
            entries.append((h, text, node))
        }
        self.slots = slots
        self.entries = entries
    }

    private let slots: [Int32]
    private let entries: [(hash: UInt32, text: String, node: GrammarNode)]

    /// The child keyword spelled `text` (name or alias).
    func child(_ text: String) -> GrammarNode? { children[text] }

    /// The child keyword a word token spells, found by the hash the lexer computed.
    @inline(__always)
    func child(_ t: Token) -> GrammarNode? {
        if t.hash == 0 { return children[t.text] }
        let mask = slots.count - 1
        var i = Int(t.hash) & mask
        while true {
            let e = Int(slots[i])
            if e < 0 { return nil }
            let entry = entries[e]
            if entry.hash == t.hash, entry.text == t.text { return entry.node }
            i = (i + 1) & mask
        }
    }

    static let root = GrammarNode(keyword: Keyword(name: "", body: .block(Keyword.grammar)),
                                  childKeywords: Keyword.grammar)
}
