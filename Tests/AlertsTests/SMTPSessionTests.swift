import Testing
@testable import Alerts

/// Drives a session by hand: each step's bytes out, the server's reply in.
private func bytes(_ s: String) -> [UInt8] { Array(s.utf8) }
private func send(_ s: String) -> SMTPSessionAction { .send(bytes(s)) }
private let message = bytes("Subject: x\r\n\r\nbody\r\n.\r\n")

private func session(_ recipients: [String] = ["ops@example.com"]) -> SMTPSession {
    var s = SMTPSession(heloName: "lb1", sender: "root@lb1", recipients: recipients, message: message)
    #expect(s.connected().isEmpty)
    return s
}

/// A session brought to the step after `replies` (each answered as given).
private func after(_ replies: [String], _ recipients: [String] = ["ops@example.com"]) -> SMTPSession {
    var s = session(recipients)
    for r in replies { _ = s.received(bytes(r)) }
    return s
}

@Suite("SMTP session")
struct SMTPSessionTests {
    @Test("Happy path: greeting, EHLO, MAIL, RCPT, DATA, message, then QUIT and sent")
    func happyPath() {
        var s = session()
        #expect(s.received(bytes("220 mx ESMTP\r\n")) == [send("EHLO lb1\r\n")])
        #expect(s.received(bytes("250-mx\r\n250-SIZE 10\r\n250 8BITMIME\r\n")) == [send("MAIL FROM:<root@lb1>\r\n")])
        #expect(s.received(bytes("250 ok\r\n")) == [send("RCPT TO:<ops@example.com>\r\n")])
        #expect(s.received(bytes("250 ok\r\n")) == [send("DATA\r\n")])
        #expect(s.received(bytes("354 go\r\n")) == [.send(message)])
        #expect(s.received(bytes("250 queued\r\n")) == [send("QUIT\r\n"), .finish(.sent(refused: []))])
        #expect(s.isFinished)
        #expect(s.received(bytes("221 bye\r\n")).isEmpty)
    }

    @Test("A multi-line greeting arriving in pieces is one greeting")
    func multiLineGreeting() {
        var s = session()
        #expect(s.received(bytes("220-mx\r\n220-")).isEmpty)
        #expect(s.received(bytes("welcome\r\n220 go\r\n")) == [send("EHLO lb1\r\n")])
    }

    @Test("An old server refusing EHLO is greeted with HELO")
    func heloFallback() {
        var s = after(["220 mx\r\n"])
        #expect(s.received(bytes("502 unknown\r\n")) == [send("HELO lb1\r\n")])
        #expect(s.received(bytes("250 hi\r\n")) == [send("MAIL FROM:<root@lb1>\r\n")])
    }

    @Test("Every recipient gets a RCPT TO")
    func recipients() {
        var s = after(["220 mx\r\n", "250 hi\r\n"], ["a@x", "b@x"])
        #expect(s.received(bytes("250 ok\r\n")) == [send("RCPT TO:<a@x>\r\n")])
        #expect(s.received(bytes("250 ok\r\n")) == [send("RCPT TO:<b@x>\r\n")])
        #expect(s.received(bytes("251 forwarded\r\n")) == [send("DATA\r\n")])
    }

    @Test("A refused recipient is reported; the others still get the mail")
    func oneRefused() {
        var s = after(["220 mx\r\n", "250 hi\r\n", "250 ok\r\n"], ["a@x", "b@x"])
        #expect(s.received(bytes("550 no such user\r\n")) == [send("RCPT TO:<b@x>\r\n")])
        #expect(s.received(bytes("250 ok\r\n")) == [send("DATA\r\n")])
        _ = s.received(bytes("354 go\r\n"))
        #expect(s.received(bytes("250 ok\r\n")) == [send("QUIT\r\n"), .finish(.sent(refused: ["a@x: 550 no such user"]))])
    }

    @Test("Every recipient refused: no DATA, a failure naming them")
    func allRefused() {
        var s = after(["220 mx\r\n", "250 hi\r\n", "250 ok\r\n"])
        #expect(s.received(bytes("550 nope\r\n")) == [
            send("QUIT\r\n"),
            .finish(.failed(SMTPFailure(step: .rcptTo, kind: .noRecipient(["ops@example.com: 550 nope"])))),
        ])
    }

    @Test("A 4xx or 5xx at each step fails at that step, with a QUIT", arguments: [
        (["554 go away\r\n"], SMTPStep.greeting),
        (["220 mx\r\n", "421 busy\r\n"], SMTPStep.ehlo),
        (["220 mx\r\n", "502 no\r\n", "501 bad\r\n"], SMTPStep.helo),
        (["220 mx\r\n", "250 hi\r\n", "451 later\r\n"], SMTPStep.mailFrom),
        (["220 mx\r\n", "250 hi\r\n", "250 ok\r\n", "250 ok\r\n", "503 bad sequence\r\n"], SMTPStep.data),
        (["220 mx\r\n", "250 hi\r\n", "250 ok\r\n", "250 ok\r\n", "354 go\r\n", "552 too big\r\n"], SMTPStep.message),
    ])
    func rejectedAt(replies: [String], step: SMTPStep) {
        var s = after(Array(replies.dropLast()))
        let last = replies[replies.count - 1]
        let out = s.received(bytes(last))
        guard case .finish(.failed(let failure)) = out.last else {
            Issue.record("no failure: \(out)")
            return
        }
        #expect(failure.step == step)
        guard case .rejected(let reply) = failure.kind else {
            Issue.record("not a rejection: \(failure)")
            return
        }
        #expect("\(reply.code)" == String(last.prefix(3)))
        // QUIT, except after a 421 (the server is closing) and inside the message (it would be message text).
        let quits = out.contains(send("QUIT\r\n"))
        #expect(quits == (reply.code != 421 && step != .message))
    }

    @Test("A hostile reply (not SMTP) fails the step with the reader's error")
    func hostileReply() {
        var s = after(["220 mx\r\n"])
        #expect(s.received(bytes("HTTP/1.1 400 Bad Request\r\n")) == [
            send("QUIT\r\n"),
            .finish(.failed(SMTPFailure(step: .ehlo, kind: .badReply(.malformedLine("HTTP/1.1 400 Bad Request"))))),
        ])
    }

    @Test("An endless line from the server fails without waiting for its end")
    func endlessLine() {
        var s = session()
        let out = s.received([UInt8](repeating: UInt8(ascii: "2"), count: 10_000))
        #expect(out.last == .finish(.failed(SMTPFailure(step: .greeting, kind: .badReply(.lineTooLong)))))
    }

    @Test("A server that closes mid-way fails at that step without a QUIT")
    func closed() {
        var s = after(["220 mx\r\n", "250 hi\r\n"])
        #expect(s.closed() == [.finish(.failed(SMTPFailure(step: .mailFrom, kind: .closed)))])
    }

    @Test("Silence until the deadline fails at the step waited in")
    func timedOut() {
        var s = session()
        #expect(s.timedOut() == [send("QUIT\r\n"), .finish(.failed(SMTPFailure(step: .greeting, kind: .timedOut)))])
        #expect(s.timedOut().isEmpty)
    }

    @Test("A failed connect is a failure at connect, nothing sent")
    func connectFailed() {
        var s = SMTPSession(heloName: "h", sender: "a@b", recipients: ["c@d"], message: message)
        #expect(s.connectFailed("connection refused") == [
            .finish(.failed(SMTPFailure(step: .connect, kind: .connectFailed("connection refused")))),
        ])
    }

    @Test("Line breaks and angle brackets in configured names cannot add a command")
    func injection() {
        var s = SMTPSession(heloName: "h\r\nRSET", sender: "a@b>\r\nRCPT TO:<evil@x", recipients: ["c@d"], message: message)
        _ = s.connected()
        #expect(s.received(bytes("220 mx\r\n")) == [send("EHLO hRSET\r\n")])
        #expect(s.received(bytes("250 ok\r\n")) == [send("MAIL FROM:<a@bRCPT TO:evil@x>\r\n")])
    }
}
