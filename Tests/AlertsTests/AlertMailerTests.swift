import Dispatch
import Logging
import Synchronization
import Testing
@testable import Alerts

/// A delivery that blocks until released, recording what it was given.
private final class HeldDelivery: Sendable {
    let started = DispatchSemaphore(value: 0)
    let release = DispatchSemaphore(value: 0)
    let subjects = Mutex<[String]>([])

    func deliver(_ message: [UInt8], _ settings: SMTPSettings) -> SMTPOutcome {
        let text = String(decoding: message, as: UTF8.self)
        let subject = text.split(separator: "\r\n").first { $0.hasPrefix("Subject: ") }.map(String.init) ?? ""
        subjects.withLock { $0.append(subject) }
        started.signal()
        // Bounded, so that a mailer that delivers on the caller's thread (the bug the tests look for) fails the
        // test instead of hanging it.
        _ = release.wait(timeout: .now() + .seconds(2))
        return .sent(refused: [])
    }
}

@Suite("Alert mailer")
struct AlertMailerTests {
    private let settings = SMTPSettings(host: "127.0.0.1", heloName: "lb1", from: "root@lb1", recipients: ["ops@x"])

    private func mail(_ n: Int) -> AlertMail {
        AlertMail(from: "ignored", to: ["ignored"], subject: "\(n)", body: "", date: MailDate(secondsSinceEpoch: 0))
    }

    @Test("send() returns while a delivery hangs; one delivery at a time; a full queue drops and counts")
    func neverWaits() {
        let held = HeldDelivery()
        let mailer = AlertMailer(settings: settings, capacity: 2, logger: Logger(label: "test"),
                                 deliver: { held.deliver($0, $1) })
        mailer.send(mail(1))
        held.started.wait()                 // delivery 1 runs and hangs
        mailer.send(mail(2))                // these return at once: queued
        mailer.send(mail(3))
        mailer.send(mail(4))                // the queue holds 2: dropped
        #expect(mailer.counters.dropped == 1)
        #expect(held.subjects.withLock { $0 } == ["Subject: 1"])   // no second delivery while the first runs
        held.release.signal()
        held.started.wait()
        held.release.signal()
        held.started.wait()
        held.release.signal()
        #expect(held.subjects.withLock { $0 } == ["Subject: 1", "Subject: 2", "Subject: 3"])
    }

    @Test("The envelope and headers come from the settings in force at delivery (a reload)")
    func settingsAtDelivery() {
        let held = HeldDelivery()
        let seen = Mutex<[SMTPSettings]>([])
        let mailer = AlertMailer(settings: settings, logger: Logger(label: "test"), deliver: { m, s in
            seen.withLock { $0.append(s) }
            return held.deliver(m, s)
        })
        mailer.send(mail(1))
        held.started.wait()
        var reloaded = settings
        reloaded.recipients = ["new@x"]
        mailer.settingsChanged(reloaded)
        mailer.send(mail(2))
        held.release.signal()
        held.started.wait()
        held.release.signal()
        #expect(seen.withLock { $0.map(\.recipients) } == [["ops@x"], ["new@x"]])
    }
}
