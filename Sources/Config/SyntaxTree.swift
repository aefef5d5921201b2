/// One parsed statement: a known keyword, its arguments, and its block (children or list entries).
struct Node: Sendable {
    /// The grammar entry (canonical name in `keyword.name`).
    var keyword: Keyword
    /// The keyword as spelled (may be an alias).
    var spelled: String
    var location: SourceLocation
    var args: [Token]
    var children: [Node] = []
    var entries: [[Token]] = []
    var hasBlock = false

    var name: String { keyword.name }
}

/// Builds the statement tree from tokens, guided by the keyword grammar.
///
/// A statement is a keyword, its arguments on the same line (at most the keyword's maximum; extra words
/// start the next statement, so `auth_type PASS auth_pass x` works on one line), then a `{ … }` block if
/// the keyword has one. Unknown words are errors with a did-you-mean; keepalived keywords Vigil does not
/// implement are warnings, and their arguments and block are skipped. Every error is collected.
struct TreeParser {
    let tokens: [Token]
    var i = 0
    var sink: DiagnosticSink
    var unknownCount = 0

    init(tokens: [Token], sink: DiagnosticSink) {
        self.tokens = tokens
        self.sink = sink
    }

    mutating func parseTop() -> [Node] {
        parseStatements(GrammarNode.root, closer: nil)
    }

    /// Parses statements until `}` (when `closer` is set) or end of input.
    private mutating func parseStatements(_ grammar: GrammarNode, closer: SourceLocation?) -> [Node] {
        let index = grammar.children
        var nodes: [Node] = []
        while i < tokens.count {
            let t = tokens[i]
            switch t.kind {
            case .close:
                i += 1
                if closer != nil { return nodes }
                sink.error(.syntax, t.location, "unexpected '}' with no open block")
                continue
            case .open:
                sink.error(.syntax, t.location, "unexpected '{' without a keyword")
                i += 1
                skipBlockBody()
                continue
            case .quoted:
                sink.error(.syntax, t.location, "expected a keyword, found a quoted string")
                i += 1
                continue
            case .word:
                break
            }
            guard let g = index[t.text] else {
                reportUnknown(t, siblings: grammar.spellings)
                i += 1
                skipRestOfStatement(line: t.line)
                continue
            }
            i += 1
            let kw = g.keyword
            if !kw.supported {
                sink.warning(.unsupportedKeyword, t.location,
                             "'\(t.text)' is a keepalived keyword that Vigil does not implement; ignored")
                skipRestOfStatement(line: t.line)
                continue
            }
            if let node = parseStatement(g, token: t, siblings: index) { nodes.append(node) }
        }
        if let closer {
            sink.error(.syntax, closer, "block opened here is never closed")
        }
        return nodes
    }

    private mutating func parseStatement(_ g: GrammarNode, token t: Token, siblings: [String: GrammarNode]) -> Node? {
        let kw = g.keyword
        var node = Node(keyword: kw, spelled: t.text, location: t.location, args: [])
        let max = kw.maxArguments ?? Int.max
        while i < tokens.count, tokens[i].line == t.line, tokens[i].kind == .word || tokens[i].kind == .quoted,
              node.args.count < max {
            node.args.append(tokens[i])
            i += 1
        }
        if node.args.count < kw.minArguments {
            let missing = kw.arguments.filter { !$0.optional }.dropFirst(node.args.count).map(\.name)
            sink.error(.missingValue, t.location, "'\(kw.name)' needs \(missing.joined(separator: " "))")
        }
        switch kw.body {
        case .none:
            if i < tokens.count, tokens[i].kind == .open, tokens[i].line == t.line {
                sink.error(.syntax, tokens[i].location, "'\(kw.name)' does not take a block")
                i += 1
                skipBlockBody()
            } else if kw.maxArguments != nil, i < tokens.count, tokens[i].line == t.line,
                      tokens[i].kind == .quoted || (tokens[i].kind == .word && siblings[tokens[i].text] == nil) {
                sink.error(.syntax, tokens[i].location, "too many arguments for '\(kw.name)'")
                skipRestOfStatement(line: t.line)
            }
            return node
        case .block:
            guard i < tokens.count, tokens[i].kind == .open else {
                if !kw.bodyOptional {
                    sink.error(.missingValue, t.location, "'\(kw.name)' needs a { … } block")
                }
                return node
            }
            let open = tokens[i].location
            i += 1
            node.hasBlock = true
            node.children = parseStatements(g, closer: open)
            return node
        case .list:
            guard i < tokens.count, tokens[i].kind == .open else {
                sink.error(.missingValue, t.location, "'\(kw.name)' needs a { … } list")
                return node
            }
            let open = tokens[i].location
            i += 1
            node.hasBlock = true
            var current: [Token] = []
            var currentLine = -1
            while i < tokens.count {
                let x = tokens[i]
                if x.kind == .close {
                    i += 1
                    if !current.isEmpty { node.entries.append(current) }
                    return node
                }
                if x.kind == .open {
                    sink.error(.syntax, x.location, "unexpected '{' inside the '\(kw.name)' list")
                    i += 1
                    skipBlockBody()
                    continue
                }
                if x.line != currentLine {
                    if !current.isEmpty { node.entries.append(current) }
                    current = []
                    currentLine = x.line
                }
                current.append(x)
                i += 1
            }
            if !current.isEmpty { node.entries.append(current) }
            sink.error(.syntax, open, "list opened here is never closed")
            return node
        }
    }

    /// Skips the arguments of a statement on its line and a following `{ … }` block if any.
    private mutating func skipRestOfStatement(line: Int) {
        while i < tokens.count, tokens[i].line == line, tokens[i].kind != .open, tokens[i].kind != .close {
            i += 1
        }
        if i < tokens.count, tokens[i].kind == .open {
            i += 1
            skipBlockBody()
        }
    }

    /// Skips to the `}` matching an already consumed `{` (iteratively, so nesting depth cannot overflow).
    private mutating func skipBlockBody() {
        var depth = 1
        while i < tokens.count {
            switch tokens[i].kind {
            case .open: depth += 1
            case .close: depth -= 1
            default: break
            }
            i += 1
            if depth == 0 { return }
        }
    }

    private mutating func reportUnknown(_ t: Token, siblings: [String]) {
        unknownCount += 1
        let shown = t.text.count > 64 ? String(t.text.prefix(64)) + "…" : t.text
        var message = "unknown keyword '\(shown)'"
        // Suggestions cost an edit distance per candidate; hostile input gets them only for the first few words.
        let suggestion = unknownCount <= 20 ? Suggest.closest(to: t.text, in: siblings) : nil
        if let s = suggestion ?? (unknownCount <= 5 ? Suggest.closest(to: t.text, in: Keyword.allSpellings) : nil) {
            message += "; did you mean '\(s)'?"
        }
        sink.error(.unknownKeyword, t.location, message)
    }
}

/// Did-you-mean suggestions by edit distance.
enum Suggest {
    /// The closest candidate within a small edit distance, or nil.
    static func closest(to word: String, in candidates: [String]) -> String? {
        let w = Array(word.utf8)
        guard !w.isEmpty, w.count <= 64 else { return nil }
        let limit = max(1, min(3, w.count / 3))
        var best: (String, Int)?
        for c in candidates {
            if abs(c.utf8.count - w.count) > limit { continue }
            let d = distance(w, Array(c.utf8))
            if d <= limit, d < (best?.1 ?? Int.max) { best = (c, d) }
        }
        return best?.0
    }

    /// Damerau-Levenshtein (optimal string alignment) distance, three rows in one buffer.
    static func distance(_ a: [UInt8], _ b: [UInt8]) -> Int {
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        let w = b.count + 1
        var rows = [Int](repeating: 0, count: 3 * w)
        return rows.withUnsafeMutableBufferPointer { r -> Int in
            var p2 = 0, p1 = w, c = 2 * w
            for y in 0...b.count { r[p1 + y] = y }
            for x in 1...a.count {
                r[c] = x
                for y in 1...b.count {
                    let cost = a[x - 1] == b[y - 1] ? 0 : 1
                    var v = min(r[p1 + y] + 1, r[c + y - 1] + 1, r[p1 + y - 1] + cost)
                    if x > 1, y > 1, a[x - 1] == b[y - 2], a[x - 2] == b[y - 1] { v = min(v, r[p2 + y - 2] + 1) }
                    r[c + y] = v
                }
                (p2, p1, c) = (p1, c, p2)
            }
            return r[p1 + b.count]
        }
    }
}

/// The grammar with a name-or-alias index at every level, built once.
struct GrammarNode: Sendable {
    let keyword: Keyword
    let children: [String: GrammarNode]
    let spellings: [String]

    init(keyword: Keyword, childKeywords: [Keyword]) {
        self.keyword = keyword
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
    }

    static let root = GrammarNode(keyword: Keyword(name: "", body: .block(Keyword.grammar)),
                                  childKeywords: Keyword.grammar)
}
