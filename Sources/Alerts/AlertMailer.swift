import Dispatch
import Logging
import Synchronization

/// Delivers alerts one at a time on its own queue, so no caller ever waits for a mail server: `send(_:)` only
/// queues (a full queue drops the alert and counts it). Each delivery ends in one log line: `info` when sent,
/// `error` with the step and reason when not. New settings (a reload) apply from the next delivery.
public final class AlertMailer: Sendable {
    private struct State: Sendable {
        var outbox: AlertOutbox
        var settings: SMTPSettings?
        var delivering = false
    }

    private let state: Mutex<State>
    private let queue = DispatchQueue(label: "vigil.alerts.smtp")
    private let logger: Logger
    private let deliver: @Sendable ([UInt8], SMTPSettings) -> SMTPOutcome

    /// A mailer with `settings` (nil: alerts are not mailed) and room for `capacity` waiting alerts. `deliver` does one
    /// delivery (default: `SocketSMTPTransport`).
    public init(settings: SMTPSettings?, capacity: Int = 64, logger: Logger,
                deliver: @escaping @Sendable ([UInt8], SMTPSettings) -> SMTPOutcome = {
                    SocketSMTPTransport().deliver($0, settings: $1)
                }) {
        self.state = Mutex(State(outbox: AlertOutbox(capacity: capacity), settings: settings))
        self.logger = logger
        self.deliver = deliver
    }

    /// The settings of the next deliveries (a reload).
    public func settingsChanged(_ settings: SMTPSettings?) {
        state.withLock { $0.settings = settings }
    }

    /// The current settings.
    public var settings: SMTPSettings? { state.withLock { $0.settings } }

    /// What happened so far.
    public var counters: AlertCounters { state.withLock { $0.outbox.counters } }

    /// Queues `mail`; returns at once. Dropped (and counted, with a warning) when the queue is full.
    public func send(_ mail: AlertMail) {
        let (accepted, start, dropped) = state.withLock { s -> (Bool, Bool, Int) in
            let ok = s.outbox.enqueued(mail)
            let start = ok && !s.delivering
            if start { s.delivering = true }
            return (ok, start, s.outbox.counters.dropped)
        }
        if !accepted {
            logger.warning("alert dropped, \(dropped) so far: the queue of unsent alerts is full (subject '\(mail.subject)')")
        }
        if start { queue.async { self.drain() } }
    }

    /// Waits until the queue is empty and no delivery runs, or `limit` passed (tests, shutdown).
    public func waitUntilIdle(limit: Duration) async -> Bool {
        let clock = ContinuousClock()
        let end = clock.now + limit
        while clock.now < end {
            if state.withLock({ !$0.delivering && $0.outbox.count == 0 }) { return true }
            try? await Task.sleep(for: .milliseconds(20))
        }
        return false
    }

    private func drain() {
        while true {
            let next = state.withLock { s -> (AlertMail, SMTPSettings)? in
                while let mail = s.outbox.next() {
                    // Without settings (a reload removed smtp_server) what waits is dropped.
                    if let settings = s.settings { return (mail, settings) }
                }
                s.delivering = false
                return nil
            }
            guard let (mail, settings) = next else { return }
            var addressed = mail
            addressed.from = settings.from
            addressed.to = settings.recipients
            let outcome = deliver(addressed.rendered(), settings)
            state.withLock { $0.outbox.delivered(outcome) }
            switch outcome {
            case .sent(let refused):
                let note = refused.isEmpty ? "" : "; refused: \(refused.joined(separator: "; "))"
                logger.info("alert mailed through \(settings.server) to \(settings.recipients.joined(separator: ", ")): \(mail.subject)\(note)")
            case .failed(let failure):
                logger.error("alert not mailed through \(settings.server) (\(failure)): \(mail.subject)")
            }
        }
    }
}
