import Testing
@testable import HealthCheck

@Suite("HTTP_GET, SMTP_CHECK and DNS_CHECK reply readers (pure, fuzzed by make fuzz-healthcheck)")
struct ReplyReaderTests {
    /// Feeds `text` to an HTTP response reader at once; the error it throws, if any.
    func httpError(_ text: String) -> HTTPResponseError? {
        var parser = HTTPResponseParser()
        do {
            _ = try Array(text.utf8).withUnsafeBytes { try parser.feed($0) { _ in } }
            return nil
        } catch {
            return error as? HTTPResponseError
        }
    }

    @Test("A chunk size with a sign is a bad chunk, not a negative size that trapped the reader", arguments: [
        // The fuzzer's minimised input (Fuzz/HealthCheck/corpus/regression-http-negative-chunk-size.bin).
        "HTTP/1.1 200\nTransfer-Encoding:chunked\n\n-d\n\n",
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n-1\r\nx\r\n0\r\n\r\n",
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n+5\r\nhello\r\n0\r\n\r\n",
    ])
    func signedChunkSize(text: String) {
        #expect(httpError(text) == .badChunk)
    }

    @Test("Continuation lines are skipped; each last line gives its code, in pieces of any size")
    func smtpReplies() {
        let text = Array("220-mail.example\r\n220 ready\r\n250-hello\r\n250 8BITMIME\n".utf8)
        var whole = SMTPCheckReplies()
        #expect(whole.read(text) == [.reply(code: 220), .reply(code: 250)])
        var bytewise = SMTPCheckReplies()
        #expect(text.flatMap { bytewise.read([$0]) } == [.reply(code: 220), .reply(code: 250)])
    }

    @Test("A line without a code is malformed and ends the read; more than 64 KiB waiting is malformed")
    func smtpMalformed() {
        var r = SMTPCheckReplies()
        let out = r.read(Array("220 ok\r\nhello\r\n250 ok\r\n".utf8))
        #expect(out.count == 2 && out[0] == .reply(code: 220))
        if case .malformed = out[1] {} else { Issue.record("expected malformed, got \(out[1])") }
        var long = SMTPCheckReplies()
        #expect(long.read([UInt8](repeating: 0x41, count: SMTPCheckReplies.maxPending + 1))
                == [.malformed("reply longer than 64 KiB")])
    }

    @Test("DNS: the header decides (ID, QR, RCODE); short replies fail the check")
    func dnsJudge() {
        let ok: [UInt8] = [0x12, 0x34, 0x81, 0x80, 0, 1, 0, 2, 0, 0, 0, 0]
        #expect(DNSMessage.judge(ok, id: 0x1234) == .pass("NOERROR, 2 answer(s)"))
        #expect(DNSMessage.judge(ok, id: 0x1235) == .ignore)
        #expect(DNSMessage.judge(Array(ok.prefix(11)), id: 0x1234) == .malformed("DNS reply of 11 bytes"))
        var query = ok
        query[2] = 0x01
        #expect(DNSMessage.judge(query, id: 0x1234) == .malformed("DNS reply without the QR bit"))
    }
}
