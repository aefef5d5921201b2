// Theory of operation
//
// `SMTPReplyReader` turns the bytes an SMTP server sends into replies (RFC 5321 §4.2): lines of a three-digit code,
// then `-` (more lines follow) or a space or nothing (the last line), then text, each ended by CRLF. It is
// incremental (bytes arrive in any pieces) and total: every input ends in a reply, a `SMTPReplyError`, or more bytes
// wanted. A bare LF is accepted as a line end, as most clients do. It does not judge codes: which code a step wants
// is `SMTPSession`'s decision.

/// One complete reply: its code and the text of each line (without the code and separator).
public struct SMTPReply: Hashable, Sendable, CustomStringConvertible {
    /// The three-digit reply code, 200…599.
    public var code: Int
    /// The text of each line, in order.
    public var lines: [String]

    /// A reply.
    public init(code: Int, lines: [String]) {
        self.code = code
        self.lines = lines
    }

    /// `250 first line` (the first line only: enough for a log line).
    public var description: String {
        let first = lines.first ?? ""
        return first.isEmpty ? "\(code)" : "\(code) \(first)"
    }
}

/// A reply the reader refuses. After one, the reader yields nothing more: the session is over.
public enum SMTPReplyError: Error, Hashable, Sendable, CustomStringConvertible {
    /// A line that does not start with a three-digit code 200…599 followed by `-`, a space or the line end.
    case malformedLine(String)
    /// A multi-line reply whose lines carry different codes.
    case codeChanged(from: Int, to: Int)
    /// A line longer than `SMTPReplyReader.maxLineLength`.
    case lineTooLong
    /// A reply of more than `SMTPReplyReader.maxLines` lines.
    case tooManyLines

    public var description: String {
        switch self {
        case .malformedLine(let line): "malformed reply line '\(line)'"
        case .codeChanged(let a, let b): "multi-line reply changed its code from \(a) to \(b)"
        case .lineTooLong: "reply line longer than \(SMTPReplyReader.maxLineLength) bytes"
        case .tooManyLines: "reply of more than \(SMTPReplyReader.maxLines) lines"
        }
    }
}

/// Reads replies from the bytes of a connection, in pieces.
public struct SMTPReplyReader: Sendable {
    /// The longest line accepted, CRLF included. RFC 5321 §4.5.3.1.5 says 512; servers send longer EHLO lines, so
    /// the limit is generous while still bounding memory.
    public static let maxLineLength = 2048
    /// The most lines one reply may have.
    public static let maxLines = 200

    private var line: [UInt8] = []
    private var pending: (code: Int, lines: [String])?
    private var failed = false

    /// A reader at the start of a connection.
    public init() {}

    /// Reads `bytes`; returns the replies completed by them, in order, or ends with an error.
    public mutating func read(_ bytes: some Sequence<UInt8>) -> [Result<SMTPReply, SMTPReplyError>] {
        guard !failed else { return [] }
        var out: [Result<SMTPReply, SMTPReplyError>] = []
        for byte in bytes {
            if byte == UInt8(ascii: "\n") {
                var text = line
                line.removeAll(keepingCapacity: true)
                if text.last == UInt8(ascii: "\r") { text.removeLast() }
                switch lineRead(text) {
                case .none: break
                case .some(.success(let reply)): out.append(.success(reply))
                case .some(.failure(let error)):
                    failed = true
                    out.append(.failure(error))
                    return out
                }
            } else {
                line.append(byte)
                if line.count >= Self.maxLineLength {
                    failed = true
                    out.append(.failure(.lineTooLong))
                    return out
                }
            }
        }
        return out
    }

    private mutating func lineRead(_ bytes: [UInt8]) -> Result<SMTPReply, SMTPReplyError>? {
        let shown = String(decoding: bytes.prefix(80), as: UTF8.self)
        guard bytes.count >= 3, let code = Self.code(bytes[0], bytes[1], bytes[2]) else {
            return .failure(.malformedLine(shown))
        }
        let last: Bool
        if bytes.count == 3 {
            last = true
        } else if bytes[3] == UInt8(ascii: " ") {
            last = true
        } else if bytes[3] == UInt8(ascii: "-") {
            last = false
        } else {
            return .failure(.malformedLine(shown))
        }
        let text = bytes.count > 4 ? String(decoding: bytes[4...], as: UTF8.self) : ""
        var reply = pending ?? (code: code, lines: [])
        guard reply.code == code else { return .failure(.codeChanged(from: reply.code, to: code)) }
        reply.lines.append(text)
        guard reply.lines.count <= Self.maxLines else { return .failure(.tooManyLines) }
        if last {
            pending = nil
            return .success(SMTPReply(code: reply.code, lines: reply.lines))
        }
        pending = reply
        return nil
    }

    private static func code(_ a: UInt8, _ b: UInt8, _ c: UInt8) -> Int? {
        let digits = [a, b, c].map { Int($0) - Int(UInt8(ascii: "0")) }
        guard digits.allSatisfy({ (0...9).contains($0) }), (2...5).contains(digits[0]) else { return nil }
        return digits[0] * 100 + digits[1] * 10 + digits[2]
    }
}
