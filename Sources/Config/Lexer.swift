/// One lexical token of keepalived.conf after includes, conditionals and `$NAME` substitution.
struct Token: Sendable {
    /// Token kind.
    enum Kind: Sendable, Equatable {
        /// A bare word.
        case word
        /// A double-quoted string (text without the quotes).
        case quoted
        /// `{`
        case open
        /// `}`
        case close
    }

    var kind: Kind
    var text: String
    var location: SourceLocation
    /// A number shared by all tokens of one physical line (across files), to find line ends.
    var line: Int
}

/// Splits one physical line into raw tokens, the way keepalived does: white space separates words,
/// `{` and `}` are tokens of their own even when glued to a word, `#` and `!` start a comment outside
/// quotes, and a double-quoted string is one token with its content intact.
///
/// Linear in the line's length; never traps on any byte sequence.
struct LineLexer {
    enum Problem: Equatable {
        case unterminatedQuote(column: Int)
        case controlByte(column: Int, byte: UInt8)
    }

    struct RawToken {
        var kind: Token.Kind
        var text: String
        var column: Int
    }

    static func isSpace(_ b: UInt8) -> Bool {
        b == 0x20 || b == 0x09 || b == 0x0D || b == 0x0B || b == 0x0C
    }

    /// Lexes `bytes[range]`; `columnBase` is the 1-based column of `range.lowerBound`.
    static func lex(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>, columnBase: Int,
                    problems: inout [Problem]) -> [RawToken] {
        var out: [RawToken] = []
        var i = range.lowerBound
        let end = range.upperBound
        var reportedControl = false
        @inline(__always) func col(_ k: Int) -> Int { columnBase + (k - range.lowerBound) }
        while i < end {
            let b = bytes[i]
            if isSpace(b) { i += 1; continue }
            if b < 0x20 || b == 0x7F {
                if !reportedControl {
                    problems.append(.controlByte(column: col(i), byte: b))
                    reportedControl = true
                }
                i += 1
                continue
            }
            if b == UInt8(ascii: "#") || b == UInt8(ascii: "!") { break }
            if b == UInt8(ascii: "{") { out.append(RawToken(kind: .open, text: "{", column: col(i))); i += 1; continue }
            if b == UInt8(ascii: "}") { out.append(RawToken(kind: .close, text: "}", column: col(i))); i += 1; continue }
            if b == UInt8(ascii: "\"") {
                let start = i + 1
                var j = start
                while j < end && bytes[j] != UInt8(ascii: "\"") { j += 1 }
                let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<j]), as: UTF8.self)
                out.append(RawToken(kind: .quoted, text: text, column: col(i)))
                if j >= end {
                    problems.append(.unterminatedQuote(column: col(i)))
                    i = end
                } else {
                    i = j + 1
                }
                continue
            }
            let start = i
            while i < end {
                let c = bytes[i]
                // `${NAME}` stays inside the word so substitution can see it.
                if c == UInt8(ascii: "$"), i + 1 < end, bytes[i + 1] == UInt8(ascii: "{") {
                    var j = i + 2
                    while j < end && bytes[j] != UInt8(ascii: "}") && !isSpace(bytes[j]) { j += 1 }
                    if j < end && bytes[j] == UInt8(ascii: "}") { i = j + 1; continue }
                }
                if isSpace(c) || c < 0x20 || c == 0x7F || c == UInt8(ascii: "{") || c == UInt8(ascii: "}")
                    || c == UInt8(ascii: "#") || c == UInt8(ascii: "!") { break }
                i += 1
            }
            let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<i]), as: UTF8.self)
            out.append(RawToken(kind: .word, text: text, column: col(start)))
        }
        return out
    }
}
