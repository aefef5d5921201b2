// Theory of operation
//
// `AlertOutbox` is the queue between the events that raise alerts and the one delivery running at a time. It is
// bounded: when full, a new alert is dropped and counted (the oldest ones are kept, they tell how the trouble
// began). It decides nothing about time and holds no mail once taken: the mailer takes one, delivers it, and
// reports the outcome, which is counted.

/// Counters of the alert path, for logs and status.
public struct AlertCounters: Hashable, Sendable {
    /// Alerts accepted into the queue.
    public var queued = 0
    /// Alerts dropped because the queue was full.
    public var dropped = 0
    /// Deliveries the server accepted.
    public var sent = 0
    /// Deliveries that failed.
    public var failed = 0

    /// Zero.
    public init() {}
}

/// A bounded first-in first-out queue of alerts.
public struct AlertOutbox: Sendable {
    /// How many alerts may wait.
    public let capacity: Int
    private var waiting: [AlertMail] = []
    private var head = 0
    /// What happened so far.
    public private(set) var counters = AlertCounters()

    /// An empty queue of `capacity` (at least 1).
    public init(capacity: Int) {
        self.capacity = max(1, capacity)
    }

    /// How many alerts wait.
    public var count: Int { waiting.count - head }

    /// Adds `mail`; false (and counted as dropped) when the queue is full.
    public mutating func enqueued(_ mail: AlertMail) -> Bool {
        guard count < capacity else {
            counters.dropped += 1
            return false
        }
        waiting.append(mail)
        counters.queued += 1
        return true
    }

    /// The next alert to deliver, removed from the queue.
    public mutating func next() -> AlertMail? {
        guard head < waiting.count else { return nil }
        let mail = waiting[head]
        head += 1
        if head > 64 && head * 2 > waiting.count {
            waiting.removeFirst(head)
            head = 0
        }
        return mail
    }

    /// A delivery ended with `outcome`.
    public mutating func delivered(_ outcome: SMTPOutcome) {
        switch outcome {
        case .sent: counters.sent += 1
        case .failed: counters.failed += 1
        }
    }
}
