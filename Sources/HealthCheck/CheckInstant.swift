/// A point on a monotonic clock, in nanoseconds from an arbitrary origin.
///
/// HealthCheck owns its own instant type (it imports neither HA nor Config), so the
/// scheduler can run on simulated time starting at zero. Only adapters read the real clock.
public struct CheckInstant: Comparable, Hashable, Sendable, CustomStringConvertible {
    /// Nanoseconds since the clock's origin.
    public var nanoseconds: Int64

    /// An instant `nanoseconds` after the origin.
    public init(nanoseconds: Int64) { self.nanoseconds = nanoseconds }

    /// The origin of the clock (useful in tests).
    public static let zero = CheckInstant(nanoseconds: 0)

    /// An instant `milliseconds` after the origin.
    public static func milliseconds(_ ms: Int64) -> CheckInstant { CheckInstant(nanoseconds: ms * 1_000_000) }

    /// An instant `seconds` after the origin.
    public static func seconds(_ s: Int64) -> CheckInstant { CheckInstant(nanoseconds: s * 1_000_000_000) }

    public static func < (lhs: CheckInstant, rhs: CheckInstant) -> Bool { lhs.nanoseconds < rhs.nanoseconds }

    /// The instant `duration` later (saturating).
    public static func + (lhs: CheckInstant, rhs: Duration) -> CheckInstant {
        let (sum, overflow) = lhs.nanoseconds.addingReportingOverflow(rhs.nanosecondsClamped)
        return CheckInstant(nanoseconds: overflow ? Int64.max : sum)
    }

    /// The duration from `rhs` to `lhs`.
    public static func - (lhs: CheckInstant, rhs: CheckInstant) -> Duration {
        .nanoseconds(lhs.nanoseconds &- rhs.nanoseconds)
    }

    public var description: String { "t+\(Double(nanoseconds) / 1e9)s" }

    /// The current instant of the process's monotonic clock (adapters only).
    public static func now() -> CheckInstant {
        let d = ContinuousClock.now - Self.origin
        return CheckInstant(nanoseconds: d.nanosecondsClamped)
    }

    private static let origin = ContinuousClock.now
}

extension Duration {
    /// This duration in whole nanoseconds, clamped to `Int64`.
    public var nanosecondsClamped: Int64 {
        let (s, a) = components
        let (ns, o) = s.multipliedReportingOverflow(by: 1_000_000_000)
        if o { return s < 0 ? Int64.min : Int64.max }
        return ns &+ a / 1_000_000_000
    }

    /// This duration in (fractional) milliseconds.
    public var milliseconds: Double { Double(nanosecondsClamped) / 1e6 }
}
