/// The reply lines of an `SMTP_CHECK` conversation, read as bytes arrive in pieces of any size. Pure (no NIO), so
/// any byte string can be fed to it by the fuzzer (`make fuzz-healthcheck`); `SMTPHandler` decides what each reply
/// means for the check. A line ends at LF (a CR before it is dropped); `NNN-text` continues a reply and is skipped,
/// any other line that starts with a number ends a reply with that code. More than 64 KiB waiting is malformed.
struct SMTPCheckReplies: Sendable {
    /// The most bytes kept while waiting for line ends.
    static let maxPending = 64 * 1024

    /// What a read produced, in order.
    enum Event: Hashable, Sendable {
        /// The last line of a reply, with its code.
        case reply(code: Int)
        /// Bytes that are no SMTP reply; nothing after them is read in the same call.
        case malformed(String)
    }

    private var pending: [UInt8] = []

    /// A reader at the start of a connection.
    init() {}

    /// Reads `bytes`: the replies they complete, or a malformed line (last).
    mutating func read(_ bytes: some Sequence<UInt8>) -> [Event] {
        pending += bytes
        if pending.count > Self.maxPending { return [.malformed("reply longer than 64 KiB")] }
        var out: [Event] = []
        while let newline = pending.firstIndex(of: UInt8(ascii: "\n")) {
            let line = String(decoding: pending[..<newline], as: UTF8.self).trimmingSuffixCR()
            pending.removeSubrange(...newline)
            let bytes = Array(line.utf8)
            guard bytes.count >= 3, let code = Int(String(decoding: bytes[0..<3], as: UTF8.self)) else {
                out.append(.malformed("not an SMTP reply: \(line.prefix(60))"))
                return out
            }
            if bytes.count > 3 && bytes[3] == UInt8(ascii: "-") { continue }
            out.append(.reply(code: code))
        }
        return out
    }
}

extension String {
    func trimmingSuffixCR() -> String { hasSuffix("\r") ? String(dropLast()) : self }
}
