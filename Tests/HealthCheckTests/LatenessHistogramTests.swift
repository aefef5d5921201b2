import Testing
import Vocabulary
@testable import HealthCheck

@Test("An empty histogram reports zero percentiles")
func emptyHistogram() {
    let h = LatenessHistogram()
    #expect(h.count == 0)
    #expect(h.percentile(0.99) == .zero)
}

@Test("Percentiles fall on the right bucket within 3 % and max is exact")
func percentilesAndMax() {
    var h = LatenessHistogram()
    for us in 1...1000 { h.record(.microseconds(us)) }
    h.record(.milliseconds(2500))
    #expect(h.count == 1001)
    #expect(h.max == .milliseconds(2500))
    let p50 = h.percentile(0.5).milliseconds
    #expect(p50 > 0.48 && p50 <= 0.501, "p50 \(p50) ms")
    let p99 = h.percentile(0.99).milliseconds
    #expect(p99 > 0.96 && p99 <= 0.991, "p99 \(p99) ms")
    #expect(h.percentile(1).milliseconds > 2400)
}

@Test("Early starts (negative lateness) count as on time")
func negativeIsZero() {
    var h = LatenessHistogram()
    h.record(.milliseconds(-5))
    #expect(h.percentile(1) == .zero)
    #expect(h.max == .zero)
}

@Test("Bucket lower bounds are within one bucket of every value")
func bucketBounds() {
    for v: UInt64 in [0, 1, 63, 64, 65, 127, 128, 1000, 999_999, 1 << 40] {
        let i = LatenessHistogram.bucket(v)
        let low = LatenessHistogram.lowerBound(i)
        #expect(low <= v && v - low <= max(1, v / 32), "value \(v) bucket \(i) low \(low)")
        #expect(LatenessHistogram.bucket(low) == i)
    }
}

@Test("since() keeps only the samples recorded after the snapshot")
func sinceSnapshot() {
    var h = LatenessHistogram()
    for _ in 0..<100 { h.record(.microseconds(10)) }
    let snapshot = h
    for _ in 0..<10 { h.record(.milliseconds(20)) }
    let window = h.since(snapshot)
    #expect(window.count == 10)
    #expect(window.percentile(0.5).milliseconds > 19)
}

@Test("merge() adds counts and keeps the larger max")
func mergeHistograms() {
    var a = LatenessHistogram()
    var b = LatenessHistogram()
    a.record(.microseconds(5))
    b.record(.milliseconds(7))
    b.record(.milliseconds(7))
    a.merge(b)
    #expect(a.count == 3)
    #expect(a.max == .milliseconds(7))
    #expect(a.percentile(0.5).milliseconds > 6.7)
}
