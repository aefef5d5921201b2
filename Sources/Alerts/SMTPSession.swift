// Theory of operation
//
// `SMTPSession` is one mail delivery as a pure state machine (RFC 5321 §3, §4.1). The adapter connects, reports
// `connected()`, feeds every byte it reads to `received(_:)`, and reports `closed()` when the server closes and
// `timedOut()` when its deadline passes. Each call returns what to send next and, once, the outcome.
//
// States, in order: greeting (wait for 220) → EHLO (250; a 5xx means an old server: HELO instead, RFC 5321 §4.1.4)
// → MAIL FROM (250) → RCPT TO, once per recipient (250 or 251; a refused recipient is noted and the others are
// still tried) → DATA (354) → the message, dot-stuffed and ended by CRLF.CRLF (250) → QUIT, not awaited: the mail
// is delivered once its 250 has arrived. Any other reply at any step ends the session with a failure naming the
// step and the reply, after a QUIT so the server can close cleanly. If every recipient is refused no DATA is sent.
//
// Not done: no TLS (STARTTLS), no AUTH, no PIPELINING; the message is 7-bit/8-bit text as `AlertMail` renders it.

/// A step of a delivery, named in failures.
public enum SMTPStep: String, Hashable, Sendable {
    /// Connecting to the server (the adapter's part).
    case connect
    /// Waiting for the 220 greeting.
    case greeting
    /// `EHLO name`.
    case ehlo = "EHLO"
    /// `HELO name` (after EHLO was refused).
    case helo = "HELO"
    /// `MAIL FROM:<…>`.
    case mailFrom = "MAIL FROM"
    /// `RCPT TO:<…>`.
    case rcptTo = "RCPT TO"
    /// `DATA`.
    case data = "DATA"
    /// The message after DATA's 354.
    case message = "message"
}

/// Why a delivery failed.
public struct SMTPFailure: Error, Hashable, Sendable, CustomStringConvertible {
    /// What went wrong.
    public enum Kind: Hashable, Sendable {
        /// The server answered with a code the step does not accept.
        case rejected(SMTPReply)
        /// The server's bytes are no SMTP reply.
        case badReply(SMTPReplyError)
        /// The server closed the connection.
        case closed
        /// The adapter's deadline passed.
        case timedOut
        /// The connection could not be made (the adapter's words: address, errno text).
        case connectFailed(String)
        /// Every recipient was refused (each with its reply).
        case noRecipient([String])
    }

    /// At which step.
    public var step: SMTPStep
    /// What went wrong.
    public var kind: Kind

    /// A failure.
    public init(step: SMTPStep, kind: Kind) {
        self.step = step
        self.kind = kind
    }

    /// `at DATA: server replied 554 no thanks`.
    public var description: String {
        let what: String = switch kind {
        case .rejected(let reply): "server replied \(reply)"
        case .badReply(let error): "\(error)"
        case .closed: "server closed the connection"
        case .timedOut: "no reply in time"
        case .connectFailed(let text): text
        case .noRecipient(let refused): "every recipient refused (\(refused.joined(separator: "; ")))"
        }
        return step == .connect ? "cannot connect: \(what)" : "at \(step.rawValue): \(what)"
    }
}

/// How a delivery ended.
public enum SMTPOutcome: Hashable, Sendable {
    /// The server accepted the message (for every recipient but `refused`, each as `address: reply`).
    case sent(refused: [String])
    /// It was not delivered.
    case failed(SMTPFailure)
}

/// What the adapter must do, in order.
public enum SMTPSessionAction: Hashable, Sendable {
    /// Write these bytes.
    case send([UInt8])
    /// The session is over: close the connection after any `send` before this.
    case finish(SMTPOutcome)
}

/// One delivery: envelope and message in, commands out.
public struct SMTPSession: Sendable {
    private enum State: Sendable {
        case connecting
        case greeting
        case ehlo
        case helo
        case mailFrom
        case rcptTo(index: Int)
        case data
        case message
        case finished
    }

    private let heloName: String
    private let sender: String
    private let recipients: [String]
    private let message: [UInt8]
    private var state: State = .connecting
    private var reader = SMTPReplyReader()
    private var refused: [String] = []

    /// A delivery of `message` (already rendered, dot-stuffed and ended by `.CRLF`, as `AlertMail.rendered()`
    /// returns) from `sender` to `recipients`, greeting as `heloName`. Line breaks in the names are removed.
    public init(heloName: String, sender: String, recipients: [String], message: [UInt8]) {
        self.heloName = Self.oneLine(heloName)
        self.sender = Self.oneLine(sender)
        self.recipients = recipients.map(Self.oneLine)
        self.message = message
    }

    /// Whether the outcome is known.
    public var isFinished: Bool {
        if case .finished = state { return true }
        return false
    }

    /// The connection is up: wait for the greeting.
    public mutating func connected() -> [SMTPSessionAction] {
        switch state {
        case .connecting:
            state = .greeting
            return []
        case .greeting, .ehlo, .helo, .mailFrom, .rcptTo, .data, .message, .finished:
            return []
        }
    }

    /// The connection could not be made.
    public mutating func connectFailed(_ reason: String) -> [SMTPSessionAction] {
        fail(SMTPFailure(step: .connect, kind: .connectFailed(reason)), quit: false)
    }

    /// Bytes from the server.
    public mutating func received(_ bytes: some Sequence<UInt8>) -> [SMTPSessionAction] {
        var out: [SMTPSessionAction] = []
        for result in reader.read(bytes) {
            if isFinished { break }
            switch result {
            case .success(let reply): out += replied(reply)
            case .failure(let error): out += fail(SMTPFailure(step: step, kind: .badReply(error)), quit: true)
            }
        }
        return out
    }

    /// The server closed the connection (or reading failed).
    public mutating func closed() -> [SMTPSessionAction] {
        fail(SMTPFailure(step: step, kind: .closed), quit: false)
    }

    /// The adapter's deadline passed.
    public mutating func timedOut() -> [SMTPSessionAction] {
        fail(SMTPFailure(step: step, kind: .timedOut), quit: true)
    }

    /// The step the session waits in.
    public var step: SMTPStep {
        switch state {
        case .connecting, .finished: .connect
        case .greeting: .greeting
        case .ehlo: .ehlo
        case .helo: .helo
        case .mailFrom: .mailFrom
        case .rcptTo: .rcptTo
        case .data: .data
        case .message: .message
        }
    }

    private mutating func replied(_ reply: SMTPReply) -> [SMTPSessionAction] {
        switch state {
        case .connecting, .finished:
            return []
        case .greeting:
            guard reply.code == 220 else { return reject(reply) }
            state = .ehlo
            return [command("EHLO \(heloName)")]
        case .ehlo:
            if reply.code == 250 { return mailFrom() }
            // RFC 5321 §4.1.4: a server that does not know EHLO refuses it with a 5xx; greet it the old way.
            guard (500...599).contains(reply.code) else { return reject(reply) }
            state = .helo
            return [command("HELO \(heloName)")]
        case .helo:
            guard reply.code == 250 else { return reject(reply) }
            return mailFrom()
        case .mailFrom:
            guard reply.code == 250 else { return reject(reply) }
            return rcpt(0)
        case .rcptTo(let index):
            if reply.code != 250 && reply.code != 251 {
                // 4xx and 5xx refuse this recipient only (RFC 5321 §3.3); the others are still tried.
                refused.append("\(recipients[index]): \(reply)")
            }
            return rcpt(index + 1)
        case .data:
            guard reply.code == 354 else { return reject(reply) }
            state = .message
            return [.send(message)]
        case .message:
            guard reply.code == 250 else { return reject(reply) }
            state = .finished
            return [command("QUIT"), .finish(.sent(refused: refused))]
        }
    }

    private mutating func mailFrom() -> [SMTPSessionAction] {
        state = .mailFrom
        return [command("MAIL FROM:<\(sender)>")]
    }

    private mutating func rcpt(_ index: Int) -> [SMTPSessionAction] {
        if index < recipients.count {
            state = .rcptTo(index: index)
            return [command("RCPT TO:<\(recipients[index])>")]
        }
        if refused.count == recipients.count {
            return fail(SMTPFailure(step: .rcptTo, kind: .noRecipient(refused)), quit: true)
        }
        state = .data
        return [command("DATA")]
    }

    private mutating func reject(_ reply: SMTPReply) -> [SMTPSessionAction] {
        fail(SMTPFailure(step: step, kind: .rejected(reply)), quit: reply.code != 421)
    }

    private mutating func fail(_ failure: SMTPFailure, quit: Bool) -> [SMTPSessionAction] {
        if isFinished { return [] }
        let wasConnected: Bool
        switch state {
        case .connecting: wasConnected = false
        case .greeting, .ehlo, .helo, .mailFrom, .rcptTo, .data, .message, .finished: wasConnected = true
        }
        state = .finished
        // Inside the message a QUIT would only be more message text; the adapter just closes.
        let inMessage = failure.step == .message
        var out: [SMTPSessionAction] = []
        if quit && wasConnected && !inMessage { out.append(command("QUIT")) }
        out.append(.finish(.failed(failure)))
        return out
    }

    private func command(_ text: String) -> SMTPSessionAction {
        .send(Array((text + "\r\n").utf8))
    }

    private static func oneLine(_ s: String) -> String {
        // By scalar: "\r\n" is one Character, which a Character filter would not match.
        String(String.UnicodeScalarView(s.unicodeScalars.filter { !"\r\n<>".unicodeScalars.contains($0) }))
    }
}
