import Foundation
import Testing
@testable import Alerts

@Suite("Alert mail format")
struct AlertMailTests {
    private func text(_ mail: AlertMail) -> String { String(decoding: mail.rendered(), as: UTF8.self) }

    @Test("Date header in RFC 5322 form, with the offset")
    func date() {
        #expect(MailDate(secondsSinceEpoch: 0).rfc5322 == "Thu, 01 Jan 1970 00:00:00 +0000")
        // 2026-12-05 12:34:56 UTC is a Saturday; at +01:00 it is 13:34:56 local.
        #expect(MailDate(secondsSinceEpoch: 1_796_474_096, utcOffsetSeconds: 3600).rfc5322 == "Sat, 05 Dec 2026 13:34:56 +0100")
        #expect(MailDate(secondsSinceEpoch: 951_782_400, utcOffsetSeconds: -16_200).rfc5322 == "Mon, 28 Feb 2000 19:30:00 -0430")
        #expect(MailDate(secondsSinceEpoch: 1_796_474_096).readable == "2026-12-05 12:34:56 +0000")
    }

    @Test("Headers, blank line, body, closing dot; every line ends in CRLF")
    func layout() {
        let mail = AlertMail(from: "root@lb1", to: ["a@x", "b@x"], subject: "[lb1] VRRP instance VI_1: BACKUP -> MASTER",
                             body: "line one\nline two\n", date: MailDate(secondsSinceEpoch: 0))
        #expect(text(mail) == """
            Date: Thu, 01 Jan 1970 00:00:00 +0000\r
            From: root@lb1\r
            To: a@x, b@x\r
            Subject: [lb1] VRRP instance VI_1: BACKUP -> MASTER\r
            X-Mailer: Vigil\r
            MIME-Version: 1.0\r
            Content-Type: text/plain; charset=utf-8\r
            Content-Transfer-Encoding: 8bit\r
            \r
            line one\r
            line two\r
            .\r

            """)
    }

    @Test("Lines starting with a dot are doubled; bare LF and CRLF both become CRLF")
    func dotStuffing() {
        let mail = AlertMail(from: "f@x", to: ["t@x"], subject: "s", body: ".\r\n..two\nthree.\n.", date: MailDate(secondsSinceEpoch: 0))
        let body = text(mail).components(separatedBy: "\r\n\r\n")[1]
        #expect(body == "..\r\n...two\r\nthree.\r\n..\r\n.\r\n")
    }

    @Test("A line break in a header value cannot add a header")
    func headerInjection() {
        let mail = AlertMail(from: "f@x\r\nBcc: evil@x", to: ["t@x"], subject: "s\nBcc: evil@x", body: "", date: MailDate(secondsSinceEpoch: 0))
        let headers = text(mail).components(separatedBy: "\r\n\r\n")[0].components(separatedBy: "\r\n")
        #expect(!headers.contains { $0.hasPrefix("Bcc") })
        #expect(headers.contains("Subject: s Bcc: evil@x"))
        #expect(headers.contains("From: f@x  Bcc: evil@x"))
    }

    @Test("A non-ASCII subject is an RFC 2047 encoded word")
    func encodedSubject() {
        #expect(AlertMail.encodedSubject("état") == "=?utf-8?B?w6l0YXQ=?=")
        #expect(AlertMail.encodedSubject("plain") == "plain")
    }

    @Test("A body line over 998 octets is split")
    func longLine() {
        let mail = AlertMail(from: "f@x", to: ["t@x"], subject: "s", body: String(repeating: "x", count: 2000), date: MailDate(secondsSinceEpoch: 0))
        let lines = text(mail).components(separatedBy: "\r\n")
        #expect(lines.allSatisfy { $0.utf8.count <= 998 })
        #expect(lines.filter { $0.hasPrefix("x") }.map(\.count) == [998, 998, 4])
    }
}

@Suite("Alert outbox")
struct AlertOutboxTests {
    private func mail(_ n: Int) -> AlertMail {
        AlertMail(from: "f", to: ["t"], subject: "\(n)", body: "", date: MailDate(secondsSinceEpoch: 0))
    }

    @Test("First in, first out; a full queue drops and counts the new alert")
    func bounded() {
        var box = AlertOutbox(capacity: 2)
        let accepted = [box.enqueued(mail(1)), box.enqueued(mail(2)), box.enqueued(mail(3))]
        #expect(accepted == [true, true, false])
        #expect(box.counters.dropped == 1)
        let first = box.next()?.subject
        #expect(first == "1")
        let fourth = box.enqueued(mail(4))
        #expect(fourth)
        let rest = [box.next()?.subject, box.next()?.subject, box.next()?.subject]
        #expect(rest == ["2", "4", nil])
    }

    @Test("Outcomes are counted")
    func counted() {
        var box = AlertOutbox(capacity: 1)
        box.delivered(.sent(refused: []))
        box.delivered(.failed(SMTPFailure(step: .data, kind: .timedOut)))
        #expect(box.counters.sent == 1 && box.counters.failed == 1)
    }

    @Test("A long run through the queue keeps its order")
    func longRun() {
        var box = AlertOutbox(capacity: 8)
        var expected = 0
        for n in 0..<1000 {
            let ok = box.enqueued(mail(n))
            #expect(ok)
            if n % 2 == 1 {
                let two = [box.next()?.subject, box.next()?.subject]
                #expect(two == ["\(expected)", "\(expected + 1)"])
                expected += 2
            }
        }
        #expect(box.count == 0)
    }
}
