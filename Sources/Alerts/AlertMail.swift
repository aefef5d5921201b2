// Theory of operation
//
// `AlertMail` is one alert as an Internet message (RFC 5322): the header fields Date, From, To, Subject, X-Mailer
// and the MIME fields of a UTF-8 text body, then the body. `rendered()` returns the bytes DATA sends: every line
// ended by CRLF (whatever ends the body's lines), lines longer than 998 octets split (§2.1.1), a line starting with
// `.` doubled (RFC 5321 §4.5.2, dot-stuffing), and the closing `.` line. Header values lose their line breaks, so
// no configured name can add a header; a Subject that is not ASCII is an RFC 2047 encoded word. The time is an
// argument (`MailDate`): nothing here reads a clock.

/// A time for the Date header: seconds since the epoch and the local offset from UTC.
public struct MailDate: Hashable, Sendable {
    /// Seconds since 1970-01-01T00:00:00Z.
    public var secondsSinceEpoch: Int64
    /// The local time's offset from UTC in seconds (east positive).
    public var utcOffsetSeconds: Int

    /// A time.
    public init(secondsSinceEpoch: Int64, utcOffsetSeconds: Int = 0) {
        self.secondsSinceEpoch = secondsSinceEpoch
        self.utcOffsetSeconds = utcOffsetSeconds
    }

    /// RFC 5322 §3.3: `Sat, 05 Dec 2026 12:34:56 +0000`.
    public var rfc5322: String {
        let (y, mo, d, h, mi, s, wd) = fields
        let days = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"]
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        return "\(days[wd]), \(pad(d)) \(months[mo - 1]) \(y) \(pad(h)):\(pad(mi)):\(pad(s)) \(offset)"
    }

    /// ISO 8601 with the offset: `2026-12-05 12:34:56 +0000`, for the body.
    public var readable: String {
        let (y, mo, d, h, mi, s, _) = fields
        return "\(y)-\(pad(mo))-\(pad(d)) \(pad(h)):\(pad(mi)):\(pad(s)) \(offset)"
    }

    private var offset: String {
        let sign = utcOffsetSeconds < 0 ? "-" : "+"
        let minutes = abs(utcOffsetSeconds) / 60
        return "\(sign)\(pad(minutes / 60))\(pad(minutes % 60))"
    }

    /// Civil date and time of the local time (Howard Hinnant's days-from-civil inverse); weekday 0 = Thursday.
    private var fields: (Int64, Int, Int, Int, Int, Int, Int) {
        let local = secondsSinceEpoch + Int64(utcOffsetSeconds)
        let days = local >= 0 ? local / 86_400 : (local - 86_399) / 86_400
        let secs = Int(local - days * 86_400)
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = Int(doy - (153 * mp + 2) / 5 + 1)
        let m = Int(mp < 10 ? mp + 3 : mp - 9)
        let y = yoe + era * 400 + (m <= 2 ? 1 : 0)
        let wd = Int(((days % 7) + 7) % 7)
        return (y, m, d, secs / 3600, secs % 3600 / 60, secs % 60, wd)
    }

    private func pad(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
}

/// One alert, ready to render.
public struct AlertMail: Hashable, Sendable {
    /// The From header and the envelope sender.
    public var from: String
    /// The To header and the envelope recipients.
    public var to: [String]
    /// The Subject header.
    public var subject: String
    /// The body, lines separated by `\n` (or CRLF).
    public var body: String
    /// The Date header.
    public var date: MailDate

    /// A mail.
    public init(from: String, to: [String], subject: String, body: String, date: MailDate) {
        self.from = from
        self.to = to
        self.subject = subject
        self.body = body
        self.date = date
    }

    /// The longest line, without its CRLF (RFC 5322 §2.1.1).
    public static let maxLineLength = 998

    /// The bytes to send after DATA's 354: headers, body, the closing `.` line; CRLF line ends, dot-stuffed.
    public func rendered() -> [UInt8] {
        var lines: [String] = [
            "Date: \(date.rfc5322)",
            "From: \(Self.headerValue(from))",
            "To: \(to.map(Self.headerValue).joined(separator: ", "))",
            "Subject: \(Self.encodedSubject(Self.headerValue(subject)))",
            "X-Mailer: Vigil",
            "MIME-Version: 1.0",
            "Content-Type: text/plain; charset=utf-8",
            "Content-Transfer-Encoding: 8bit",
            "",
        ]
        // Split by bytes: "\r\n" is one Character, so a Character split would miss it.
        var bodyLines = Array(body.utf8).split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).map {
            String(decoding: $0.last == UInt8(ascii: "\r") ? $0.dropLast() : $0, as: UTF8.self)
        }
        if bodyLines.last == "" { bodyLines.removeLast() }
        lines += bodyLines
        var out: [UInt8] = []
        for line in lines {
            for piece in Self.split(Array(line.utf8)) {
                if piece.first == UInt8(ascii: ".") { out.append(UInt8(ascii: ".")) }
                out += piece
                out += [13, 10]
            }
        }
        out += Array(".\r\n".utf8)
        return out
    }

    /// A header value on one line.
    static func headerValue(_ s: String) -> String {
        String(String.UnicodeScalarView(s.unicodeScalars.map { $0 == "\r" || $0 == "\n" ? " " : $0 }))
    }

    /// RFC 2047 `=?utf-8?B?…?=` words when the subject is not plain ASCII.
    static func encodedSubject(_ s: String) -> String {
        guard s.utf8.contains(where: { $0 >= 0x80 || $0 < 0x20 }) else { return s }
        // Encoded words of at most 45 input octets (60 base64 characters) each, cut between characters.
        var words: [String] = []
        var chunk: [UInt8] = []
        for ch in s {
            let bytes = Array(String(ch).utf8)
            if chunk.count + bytes.count > 45 {
                words.append("=?utf-8?B?\(base64(chunk))?=")
                chunk = []
            }
            chunk += bytes
        }
        if !chunk.isEmpty { words.append("=?utf-8?B?\(base64(chunk))?=") }
        return words.joined(separator: "\r\n ")
    }

    static func base64(_ bytes: [UInt8]) -> String {
        let table = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
        var out: [UInt8] = []
        var i = 0
        while i < bytes.count {
            let b0 = Int(bytes[i])
            let b1 = i + 1 < bytes.count ? Int(bytes[i + 1]) : 0
            let b2 = i + 2 < bytes.count ? Int(bytes[i + 2]) : 0
            out.append(table[b0 >> 2])
            out.append(table[((b0 & 3) << 4) | (b1 >> 4)])
            out.append(i + 1 < bytes.count ? table[((b1 & 15) << 2) | (b2 >> 6)] : UInt8(ascii: "="))
            out.append(i + 2 < bytes.count ? table[b2 & 63] : UInt8(ascii: "="))
            i += 3
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// A line cut into pieces of at most `maxLineLength` octets.
    private static func split(_ line: [UInt8]) -> [[UInt8]] {
        guard line.count > maxLineLength else { return [line] }
        return stride(from: 0, to: line.count, by: maxLineLength).map {
            Array(line[$0..<min($0 + maxLineLength, line.count)])
        }
    }
}
