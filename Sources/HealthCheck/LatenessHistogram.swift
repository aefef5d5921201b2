import Vocabulary

/// A histogram of non-negative durations (how late probes start against their due instant), with about 3 %
/// relative resolution from 1 µs to hours in a fixed ~2,000 counters, so a benchmark can report p50/p99/max of
/// millions of samples without keeping them.
///
/// Buckets: values below 64 µs have one bucket per microsecond; above, each power of two is split into 32 buckets.
/// Percentiles report the lower bound of their bucket; `max` is exact.
public struct LatenessHistogram: Hashable, Sendable {
    private var counts: [UInt64] = []
    /// Number of samples.
    public private(set) var count: UInt64 = 0
    /// The largest sample (exact).
    public private(set) var max: Duration = .zero
    /// The sum of all samples.
    public private(set) var total: Duration = .zero

    /// An empty histogram.
    public init() {}

    /// Records one sample; negative durations (early) count as zero.
    public mutating func record(_ lateness: Duration) {
        let ns = lateness.nanoseconds
        let micros = UInt64(Swift.max(0, ns) / 1000)
        let index = Self.bucket(micros)
        if index >= counts.count { counts.append(contentsOf: repeatElement(0, count: index + 1 - counts.count)) }
        counts[index] += 1
        count += 1
        if lateness > max { max = lateness }
        total += .nanoseconds(Swift.max(0, ns))
    }

    /// Adds every sample of `other`.
    public mutating func merge(_ other: LatenessHistogram) {
        if other.counts.count > counts.count {
            counts.append(contentsOf: repeatElement(0, count: other.counts.count - counts.count))
        }
        for (i, c) in other.counts.enumerated() { counts[i] += c }
        count += other.count
        if other.max > max { max = other.max }
        total += other.total
    }

    /// The samples recorded after `earlier` was copied from this histogram (`max` becomes the upper bucket's
    /// lower bound, since exact maxima cannot be subtracted).
    public func since(_ earlier: LatenessHistogram) -> LatenessHistogram {
        var result = LatenessHistogram()
        result.counts = counts
        for (i, c) in earlier.counts.enumerated() where i < result.counts.count { result.counts[i] -= Swift.min(c, result.counts[i]) }
        result.count = count - Swift.min(count, earlier.count)
        result.total = total - earlier.total
        if let top = result.counts.lastIndex(where: { $0 > 0 }) { result.max = .microseconds(Int64(clamping: Self.lowerBound(top))) }
        return result
    }

    /// The smallest recorded bucket value at or below which `fraction` (0…1) of the samples lie; zero when empty.
    public func percentile(_ fraction: Double) -> Duration {
        guard count > 0 else { return .zero }
        let rank = UInt64((Double(count) * Swift.min(1, Swift.max(0, fraction))).rounded(.up))
        var seen: UInt64 = 0
        for (i, c) in counts.enumerated() {
            seen += c
            if seen >= Swift.max(1, rank) { return .microseconds(Int64(clamping: Self.lowerBound(i))) }
        }
        return max
    }

    static func bucket(_ micros: UInt64) -> Int {
        if micros < 64 { return Int(micros) }
        let msb = 63 - micros.leadingZeroBitCount      // ≥ 6
        let shift = msb - 5                               // keep the top 6 bits: 32…63
        return 64 + (shift - 1) * 32 + Int(micros >> UInt64(shift)) - 32
    }

    static func lowerBound(_ index: Int) -> UInt64 {
        if index < 64 { return UInt64(index) }
        let shift = (index - 64) / 32 + 1
        let top = UInt64((index - 64) % 32 + 32)
        return top << UInt64(shift)
    }
}
