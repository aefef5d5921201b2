/// A point on Vigil's monotonic timeline, in nanoseconds from an arbitrary origin: the one instant every core uses.
///
/// Cores take `Instant`s as arguments and never read a clock; tests start at `.zero`. Only adapters read the real
/// clock, through `Instant.now()`.
public struct Instant: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// Nanoseconds since the origin.
    public var nanoseconds: Int64

    /// Creates an instant `nanoseconds` after the origin.
    public init(nanoseconds: Int64) { self.nanoseconds = nanoseconds }

    /// The origin.
    public static let zero = Instant(nanoseconds: 0)

    /// An instant `ms` milliseconds after the origin (tests).
    public static func milliseconds(_ ms: Int64) -> Instant { Instant(nanoseconds: ms &* 1_000_000) }

    /// An instant `s` seconds after the origin (tests).
    public static func seconds(_ s: Int64) -> Instant { Instant(nanoseconds: s &* 1_000_000_000) }

    /// The instant `rhs` after `lhs` (saturating).
    public static func + (lhs: Instant, rhs: Duration) -> Instant {
        let (sum, overflow) = lhs.nanoseconds.addingReportingOverflow(rhs.nanoseconds)
        return Instant(nanoseconds: overflow ? (rhs < .zero ? Int64.min : Int64.max) : sum)
    }

    /// The instant `rhs` before `lhs` (saturating).
    public static func - (lhs: Instant, rhs: Duration) -> Instant {
        let (diff, overflow) = lhs.nanoseconds.subtractingReportingOverflow(rhs.nanoseconds)
        return Instant(nanoseconds: overflow ? (rhs < .zero ? Int64.max : Int64.min) : diff)
    }

    /// The time from `rhs` to `lhs`.
    public static func - (lhs: Instant, rhs: Instant) -> Duration {
        .nanoseconds(lhs.nanoseconds &- rhs.nanoseconds)
    }

    public static func < (lhs: Instant, rhs: Instant) -> Bool { lhs.nanoseconds < rhs.nanoseconds }

    public var description: String { "t+\(Double(nanoseconds) / 1e9)s" }

    /// The current instant of the process's monotonic clock (adapters only; cores take instants as arguments).
    public static func now() -> Instant {
        Instant(nanoseconds: (ContinuousClock.now - origin).nanoseconds)
    }

    private static let origin = ContinuousClock.now
}

extension Duration {
    /// The duration in whole nanoseconds, clamped to `Int64`.
    public var nanoseconds: Int64 {
        let (s, atto) = components
        let (ns, overflow) = s.multipliedReportingOverflow(by: 1_000_000_000)
        if overflow { return s < 0 ? Int64.min : Int64.max }
        return ns &+ atto / 1_000_000_000
    }

    /// The duration in seconds as a floating-point value, for log lines.
    public var seconds: Double { Double(nanoseconds) / 1e9 }

    /// The duration in (fractional) milliseconds.
    public var milliseconds: Double { Double(nanoseconds) / 1e6 }

    /// A duration of `seconds` as configurations write them, clamped to 0 … `limit` (non-finite values are 0).
    public static func clampedSeconds(_ seconds: Double, limit: Double = 1e9) -> Duration {
        guard seconds.isFinite, seconds > 0 else { return .zero }
        return .nanoseconds(Int64((min(seconds, limit) * 1e9).rounded()))
    }
}
