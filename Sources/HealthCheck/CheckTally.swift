
/// Every finished probe, by checker (`TCP_CHECK`, `HTTP_GET`, …): how many succeeded and failed, and a histogram of
/// their latency with fixed bounds (what `/metrics` exposes as `vigil_checks_total` and
/// `vigil_check_duration_seconds`). Kept by `HealthCheckService`, read through `statistics()`.
public struct CheckTally: Hashable, Sendable {
    /// Upper bounds of the latency buckets (Prometheus `le`), ascending; a last, unbounded bucket follows.
    public static let bounds: [Duration] = [
        .milliseconds(1), .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50),
        .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .milliseconds(2500),
        .seconds(5), .seconds(10),
    ]

    /// The figures of one checker kind.
    public struct Figures: Hashable, Sendable {
        /// Probes that passed.
        public var successes: UInt64 = 0
        /// Probes that failed (refused, timed out, wrong answer, …).
        public var failures: UInt64 = 0
        /// Probes per latency bucket (not cumulative): `bounds.count + 1` counters, the last one above every bound.
        public var buckets = [UInt64](repeating: 0, count: CheckTally.bounds.count + 1)
        /// The sum of all latencies.
        public var latencySum: Duration = .zero

        /// Every probe.
        public var count: UInt64 { successes + failures }
    }

    /// The figures by checker name.
    public private(set) var checkers: [String: Figures] = [:]

    /// An empty tally.
    public init() {}

    /// Counts one finished probe.
    public mutating func record(checker: String, up: Bool, latency: Duration) {
        var bucket = Self.bounds.count
        for (i, bound) in Self.bounds.enumerated() where latency <= bound {
            bucket = i
            break
        }
        checkers[checker, default: Figures()].record(up: up, latency: max(.zero, latency), bucket: bucket)
    }
}

extension CheckTally.Figures {
    fileprivate mutating func record(up: Bool, latency: Duration, bucket: Int) {
        if up { successes += 1 } else { failures += 1 }
        buckets[bucket] += 1
        latencySum += latency
    }
}
