import Testing
import Vocabulary
import TestSupport
@testable import HealthCheck

@Suite("Probe history (the dashboard's latency picture)")
struct ProbeHistoryTests {
    let vs: VirtualServerID = "10.0.0.1:80"
    var r1: RealServerID { RealServerID(virtualServer: vs, address: "10.0.0.2", port: 80) }
    var r2: RealServerID { RealServerID(virtualServer: vs, address: "10.0.0.3", port: 80) }

    @Test("Samples come back oldest first with millisecond times and 10 µs latencies")
    func roundTrip() {
        var h = ProbeHistory()
        h.record(r1, at: Instant(nanoseconds: 5_000_123_456), latency: .microseconds(1234), up: true)
        h.record(r1, at: Instant(nanoseconds: 6_000_000_000), latency: .seconds(3), up: false)
        #expect(h.samples(r1) == [
            .init(at: Instant(nanoseconds: 5_000_000_000), latency: .microseconds(1230), up: true),
            .init(at: Instant(nanoseconds: 6_000_000_000), latency: .seconds(3), up: false),
        ])
        #expect(h.samples(r2).isEmpty)
    }

    @Test("Only the latest `capacity` are kept, in order; out-of-range latencies are clamped, not wrapped")
    func ring() {
        var h = ProbeHistory()
        for n in 0..<(ProbeHistory.capacity + 7) {
            h.record(r1, at: Instant(nanoseconds: Int64(n) * 1_000_000_000), latency: .milliseconds(Int64(n)), up: n % 2 == 0)
        }
        let s = h.samples(r1)
        #expect(s.count == ProbeHistory.capacity)
        #expect(s.first?.at == Instant(nanoseconds: 7_000_000_000))
        #expect(s.last?.latency == .milliseconds(Int64(ProbeHistory.capacity + 6)))
        #expect(zip(s, s.dropFirst()).allSatisfy { $0.at < $1.at })
        h.record(r2, at: .zero, latency: .seconds(500), up: true)
        h.record(r2, at: .zero, latency: .nanoseconds(-5), up: true)
        #expect(h.samples(r2).map(\.latency) == [.nanoseconds(Int64(1 << 23 - 1) * 10_000), .zero])
    }

    @Test("keep(only:) forgets servers that are no longer checked")
    func keep() {
        var h = ProbeHistory()
        h.record(r1, at: .zero, latency: .zero, up: true)
        h.record(r2, at: .zero, latency: .zero, up: true)
        h.keep(only: [r2])
        #expect(h.servers == [r2])
    }
}
