import Testing
@testable import Alerts

@Suite("SMTP reply reader")
struct SMTPReplyReaderTests {
    @Test("A one-line reply is read")
    func oneLine() {
        var r = SMTPReplyReader()
        #expect(r.read(Array("220 mx ready\r\n".utf8)) == [.success(SMTPReply(code: 220, lines: ["mx ready"]))])
    }

    @Test("A multi-line EHLO reply is one reply with every line")
    func multiLine() {
        var r = SMTPReplyReader()
        let text = "250-mx.example\r\n250-PIPELINING\r\n250-SIZE 1000\r\n250 8BITMIME\r\n"
        #expect(r.read(Array(text.utf8)) == [.success(SMTPReply(code: 250, lines: ["mx.example", "PIPELINING", "SIZE 1000", "8BITMIME"]))])
    }

    @Test("Bytes split anywhere, one at a time, give the same reply")
    func byteByByte() {
        var r = SMTPReplyReader()
        var out: [Result<SMTPReply, SMTPReplyError>] = []
        for b in Array("250-a\r\n250 b\r\n".utf8) { out += r.read([b]) }
        #expect(out == [.success(SMTPReply(code: 250, lines: ["a", "b"]))])
    }

    @Test("A bare code line and a bare LF are accepted")
    func bareCode() {
        var r = SMTPReplyReader()
        #expect(r.read(Array("354\n".utf8)) == [.success(SMTPReply(code: 354, lines: [""]))])
    }

    @Test("A line without a code is a malformed line")
    func noCode() {
        var r = SMTPReplyReader()
        #expect(r.read(Array("hello there\r\n".utf8)) == [.failure(.malformedLine("hello there"))])
    }

    @Test("A code outside 200…599 or a wrong separator is malformed")
    func badCodes() {
        for text in ["199 no\r\n", "600 no\r\n", "25 short\r\n", "250_x\r\n", "2x0 x\r\n", "\r\n"] {
            var r = SMTPReplyReader()
            let out = r.read(Array(text.utf8))
            #expect(out.count == 1)
            if case .failure(.malformedLine) = out.first {} else { Issue.record("\(text.debugDescription) gave \(out)") }
        }
    }

    @Test("A multi-line reply that changes its code is refused")
    func codeChange() {
        var r = SMTPReplyReader()
        #expect(r.read(Array("250-a\r\n550 b\r\n".utf8)) == [.failure(.codeChanged(from: 250, to: 550))])
    }

    @Test("An oversize line is refused without waiting for its end, and nothing follows")
    func oversize() {
        var r = SMTPReplyReader()
        let out = r.read([UInt8](repeating: UInt8(ascii: "2"), count: 5000))
        #expect(out == [.failure(.lineTooLong)])
        #expect(r.read(Array("250 ok\r\n".utf8)).isEmpty)
    }

    @Test("An endless multi-line reply is refused")
    func tooManyLines() {
        var r = SMTPReplyReader()
        let text = String(repeating: "250-x\r\n", count: SMTPReplyReader.maxLines + 1)
        #expect(r.read(Array(text.utf8)) == [.failure(.tooManyLines)])
    }

    @Test("Two replies in one read are both returned in order")
    func twoReplies() {
        var r = SMTPReplyReader()
        #expect(r.read(Array("250 a\r\n354 b\r\n".utf8)) == [.success(SMTPReply(code: 250, lines: ["a"])),
                                                            .success(SMTPReply(code: 354, lines: ["b"]))])
    }

    @Test("Binary garbage never traps")
    func garbage() {
        var r = SMTPReplyReader()
        var seed: UInt64 = 42
        for _ in 0..<2000 {
            seed = seed &* 6364136223846793005 &+ 1442695040888963407
            _ = r.read([UInt8(truncatingIfNeeded: seed >> 33)])
        }
    }
}
