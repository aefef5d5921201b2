#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Where a token starts, in 12 bytes: an index into the reader's file table (`SourceReader.files`),
/// the 1-based line and the 1-based byte column. Turned into a `SourceLocation` only when a
/// diagnostic or a model value needs one, so tokens never copy the file name.
struct TokenPosition: Sendable, Equatable {
    var file: Int32
    var line: Int32
    var column: Int32
}

/// One lexical token of keepalived.conf after includes, conditionals and `$NAME` substitution.
struct Token: Sendable {
    /// Token kind.
    enum Kind: UInt8, Sendable, Equatable {
        /// A bare word.
        case word
        /// A double-quoted string (text without the quotes).
        case quoted
        /// `{`
        case open
        /// `}`
        case close
    }

    /// The text (without quotes). Words up to 15 bytes are stored inline by `String`.
    var text: String
    /// Where the token starts.
    var position: TokenPosition
    /// A number shared by all tokens of one physical line (across files), to find line ends.
    var lineID: Int32
    /// FNV-1a of the text's bytes for ASCII words, so keyword lookup needs no String hashing; 0 means
    /// "look up by String" (non-ASCII text, where String equality is Unicode-aware: a Kelvin sign
    /// equals `K`).
    var hash: UInt32
    var kind: Kind

    init(text: String, position: TokenPosition, lineID: Int32, kind: Kind, hash: UInt32? = nil) {
        self.text = text
        self.position = position
        self.lineID = lineID
        self.kind = kind
        self.hash = hash ?? Token.hash(text)
    }

    static let hashSeed: UInt32 = 2_166_136_261

    /// FNV-1a over a string's UTF-8 bytes; 0 when it is not all ASCII.
    static func hash(_ s: String) -> UInt32 {
        var h = hashSeed
        for b in s.utf8 {
            if b >= 0x80 { return 0 }
            h = (h ^ UInt32(b)) &* 16_777_619
        }
        return h
    }
}

/// Splits one physical line into raw tokens, the way keepalived does: white space separates words,
/// `{` and `}` are tokens of their own even when glued to a word, `#` and `!` start a comment outside
/// quotes unless escaped as `\#` / `\!`, and a double-quoted string is one token with its content intact (a `"`
/// also ends a word: `a"b c"` is `a` and `b c`). Single quotes and other backslashes are ordinary bytes here, as in
/// keepalived's line reader; `quotedWords` splits a script command the way keepalived then does.
///
/// Works on UTF-8 bytes through a pointer and a 256-entry class table, so it stays linear and cheap
/// even in debug builds (a 10 MB line); never traps on any byte sequence.
enum LineLexer {
    enum Problem: Equatable {
        case unterminatedQuote(column: Int)
        case controlByte(column: Int, byte: UInt8)
    }

    /// Byte classes: 0 is an ordinary word byte.
    static let space: UInt8 = 1, control: UInt8 = 2, brace: UInt8 = 3, comment: UInt8 = 4, dollar: UInt8 = 5,
               quote: UInt8 = 6

    /// The class of every byte value.
    static let classes: [UInt8] = (0..<256).map { (v: Int) -> UInt8 in
        let b = UInt8(v)
        if b == 0x20 || b == 0x09 || b == 0x0D || b == 0x0B || b == 0x0C { return space }
        if b < 0x20 || b == 0x7F { return control }
        if b == UInt8(ascii: "{") || b == UInt8(ascii: "}") { return brace }
        if b == UInt8(ascii: "#") || b == UInt8(ascii: "!") { return comment }
        if b == UInt8(ascii: "$") { return dollar }
        if b == UInt8(ascii: "\"") { return quote }
        return 0
    }

    static func isSpace(_ b: UInt8) -> Bool {
        b == 0x20 || b == 0x09 || b == 0x0D || b == 0x0B || b == 0x0C
    }

    /// Lexes `bytes[range]` into `out` (appended); `columnBase` is the 1-based column of
    /// `range.lowerBound`. The indices in `out` of bare words containing `$` are appended to `dollars`.
    static func lex(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>, columnBase: Int,
                    file: Int32, line: Int32, lineID: Int32,
                    into out: inout [Token], dollars: inout [Int], problems: inout [Problem]) {
        guard let base = bytes.baseAddress, !range.isEmpty else { return }
        precondition(range.lowerBound >= 0 && range.upperBound <= bytes.count)
        classes.withUnsafeBufferPointer { table in
            // Pointer subscripts are transparent: no bounds checks or calls per byte, even at -Onone.
            guard let cls = table.baseAddress, table.count == 256 else { return }
            let p = base
            var i = range.lowerBound
            let end = range.upperBound
            var reportedControl = false
            let col0 = columnBase - range.lowerBound
            @inline(__always) func position(_ k: Int) -> TokenPosition {
                TokenPosition(file: file, line: line, column: Int32(truncatingIfNeeded: col0 + k))
            }
            while i < end {
                let b = p[i]
                switch cls[Int(b)] {
                case space:
                    i += 1
                    continue
                case control:
                    if !reportedControl {
                        problems.append(.controlByte(column: col0 + i, byte: b))
                        reportedControl = true
                    }
                    i += 1
                    continue
                case comment:
                    return
                case brace:
                    let open = b == UInt8(ascii: "{")
                    out.append(Token(text: open ? "{" : "}", position: position(i), lineID: lineID,
                                     kind: open ? .open : .close, hash: 0))
                    i += 1
                    continue
                case quote:
                    let start = i + 1
                    var j = end
                    if start < end, let q = memchr(p + start, Int32(UInt8(ascii: "\"")), end - start) {
                        j = UnsafeRawPointer(p).distance(to: UnsafeRawPointer(q))
                    }
                    let text = String(decoding: UnsafeBufferPointer(start: p + start, count: j - start), as: UTF8.self)
                    out.append(Token(text: text, position: position(i), lineID: lineID, kind: .quoted, hash: 0))
                    if j >= end {
                        problems.append(.unterminatedQuote(column: col0 + i))
                        i = end
                    } else {
                        i = j + 1
                    }
                    continue
                default:
                    break
                }
                let start = i
                var hasDollar = false
                var escaped = false
                var h = Token.hashSeed
                var high: UInt8 = 0
                while i < end {
                    let x = p[i]
                    let c = cls[Int(x)]
                    if c == 0 {
                        // keepalived: `\#` and `\!` outside quotes are a literal `#` / `!`, not a comment.
                        if x == UInt8(ascii: "\\"), i + 1 < end, cls[Int(p[i + 1])] == comment {
                            escaped = true
                            i += 2
                            continue
                        }
                        h = (h ^ UInt32(x)) &* 16_777_619
                        high |= x
                        i += 1
                        continue
                    }
                    if c == dollar {
                        hasDollar = true
                        // `${NAME}` stays inside the word so substitution can see it.
                        if i + 1 < end, p[i + 1] == UInt8(ascii: "{") {
                            var j = i + 2
                            while j < end && p[j] != UInt8(ascii: "}") && cls[Int(p[j])] != space { j += 1 }
                            if j < end && p[j] == UInt8(ascii: "}") { i = j + 1; continue }
                        }
                        i += 1
                        continue
                    }
                    break
                }
                var text = String(decoding: UnsafeBufferPointer(start: p + start, count: i - start), as: UTF8.self)
                if escaped { text = unescapeComments(UnsafeBufferPointer(start: p + start, count: i - start)) }
                if hasDollar { dollars.append(out.count) }
                out.append(Token(text: text, position: position(start), lineID: lineID, kind: .word,
                                 hash: escaped ? nil : high >= 0x80 ? 0 : h))
            }
        }
    }

    /// A word's text with `\#` / `\!` turned into `#` / `!`.
    private static func unescapeComments(_ word: UnsafeBufferPointer<UInt8>) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(word.count)
        var k = 0
        while k < word.count {
            if word[k] == UInt8(ascii: "\\"), k + 1 < word.count,
               word[k + 1] == UInt8(ascii: "#") || word[k + 1] == UInt8(ascii: "!") {
                k += 1
            }
            out.append(word[k])
            k += 1
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Lexes `bytes[range]` and returns the tokens (tests).
    static func lex(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>, columnBase: Int,
                    problems: inout [Problem]) -> [Token] {
        var out: [Token] = []
        var dollars: [Int] = []
        lex(bytes, range, columnBase: columnBase, file: 0, line: 1, lineID: 1, into: &out, dollars: &dollars,
            problems: &problems)
        return out
    }
}

extension LineLexer {
    /// Why `quotedWords` could not split a command.
    enum QuotedWordsError: Error, Equatable {
        /// A `"` or `'` without its closing partner.
        case unterminatedQuote(Character)
        /// A `\` at the very end.
        case trailingBackslash
    }

    /// Splits a script command into arguments the way keepalived does for `script`, `misc_path` and the notify
    /// scripts: blanks separate words outside quotes, `"…"` and `'…'` group (the quotes are removed and may sit
    /// inside a word: `a"b c"d` is `ab cd`), and a backslash escapes the next character. With `escapes` (keepalived
    /// 2.2.7 for every script; 2.3+ only for notify arguments), `\a \b \E \f \n \r \t \v`, `\xHH`, `\cC` and up to
    /// three octal digits are decoded and any other `\C` is `C`; without, the backslash and the character are kept.
    static func quotedWords(_ line: String, escapes: Bool = true) throws(QuotedWordsError) -> [String] {
        let b = Array(line.utf8)
        var words: [String] = []
        var current: [UInt8] = []
        var inWord = false
        var quote: UInt8 = 0
        var k = 0
        func isBlank(_ c: UInt8) -> Bool { c == 0x20 || c == 0x09 || c == 0x0A || c == 0x0D || c == 0x0B || c == 0x0C }
        func hex(_ c: UInt8) -> UInt8? {
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): return c - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): return c - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): return c - UInt8(ascii: "A") + 10
            default: return nil
            }
        }
        while k < b.count {
            let c = b[k]
            if quote == 0 && isBlank(c) {
                if inWord { words.append(String(decoding: current, as: UTF8.self)) }
                current = []
                inWord = false
                k += 1
                continue
            }
            inWord = true
            if c == UInt8(ascii: "\\") {
                k += 1
                guard k < b.count else { throw .trailingBackslash }
                let e = b[k]
                guard escapes else {
                    current.append(c)
                    current.append(e)
                    k += 1
                    continue
                }
                if e == UInt8(ascii: "x"), k + 1 < b.count, let first = hex(b[k + 1]) {
                    var v = first
                    k += 2
                    if k < b.count, let second = hex(b[k]) { v = v << 4 | second; k += 1 }
                    current.append(v)
                } else if e == UInt8(ascii: "c"), k + 1 < b.count {
                    current.append(b[k + 1] & 0x1F)
                    k += 2
                } else if e >= UInt8(ascii: "0") && e <= UInt8(ascii: "7") {
                    var v = e - UInt8(ascii: "0")
                    k += 1
                    for _ in 0..<2 where k < b.count && b[k] >= UInt8(ascii: "0") && b[k] <= UInt8(ascii: "7") {
                        v = v &<< 3 &+ (b[k] - UInt8(ascii: "0"))
                        k += 1
                    }
                    current.append(v)
                } else {
                    switch e {
                    case UInt8(ascii: "a"): current.append(0x07)
                    case UInt8(ascii: "b"): current.append(0x08)
                    case UInt8(ascii: "E"): current.append(0x1B)
                    case UInt8(ascii: "f"): current.append(0x0C)
                    case UInt8(ascii: "n"): current.append(0x0A)
                    case UInt8(ascii: "r"): current.append(0x0D)
                    case UInt8(ascii: "t"): current.append(0x09)
                    case UInt8(ascii: "v"): current.append(0x0B)
                    default: current.append(e)
                    }
                    k += 1
                }
                continue
            }
            if quote != 0 && c == quote {
                quote = 0
            } else if quote == 0 && (c == UInt8(ascii: "\"") || c == UInt8(ascii: "'")) {
                quote = c
            } else {
                current.append(c)
            }
            k += 1
        }
        if quote != 0 { throw .unterminatedQuote(Character(Unicode.Scalar(quote))) }
        if inWord { words.append(String(decoding: current, as: UTF8.self)) }
        return words
    }
}
