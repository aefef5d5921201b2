
/// The outcome of one probe attempt.
public struct ProbeResult: Hashable, Sendable {
    /// The check passed.
    public var up: Bool
    /// What happened, e.g. `HTTP_GET http://10.0.0.3:80/health status 503, expected 200`.
    public var reason: String
    /// Time from start to result.
    public var latency: Duration
    /// A weight requested by misc_dynamic (exit code − 2) or a dynamic FILE_CHECK.
    public var dynamicWeight: Int?

    /// A result.
    public init(up: Bool, reason: String, latency: Duration = .zero, dynamicWeight: Int? = nil) {
        self.up = up
        self.reason = reason
        self.latency = latency
        self.dynamicWeight = dynamicWeight
    }

    /// A passed check.
    public static func success(_ reason: String, latency: Duration = .zero, dynamicWeight: Int? = nil) -> ProbeResult {
        ProbeResult(up: true, reason: reason, latency: latency, dynamicWeight: dynamicWeight)
    }

    /// A failed check.
    public static func failure(_ reason: String, latency: Duration = .zero) -> ProbeResult {
        ProbeResult(up: false, reason: reason, latency: latency)
    }
}
