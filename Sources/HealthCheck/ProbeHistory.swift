import Vocabulary

/// The latest probes of each real server (every checker of it, in the order they finished): when, how long, passed
/// or not, for the dashboard's latency picture. At most `capacity` per server, 8 bytes each (a 10,000-server pool
/// keeps under 5 MB); a server no longer checked is dropped with `keep(only:)`.
public struct ProbeHistory: Sendable {
    /// Probes kept per real server (a minute at `delay_loop 1`, six at keepalived's default 6 s… per checker).
    public static let capacity = 60

    /// One probe.
    public struct Sample: Sendable, Hashable {
        /// When it finished (millisecond resolution).
        public var at: Instant
        /// Connect to verdict (10 µs resolution, at most about 83 s).
        public var latency: Duration
        /// Whether it passed.
        public var up: Bool
    }

    /// Milliseconds of `at` (40 bits) | latency in 10 µs units (23 bits) | up (1 bit).
    private struct Ring: Sendable {
        var packed: [UInt64] = []
        var next = 0
    }

    private var rings: [RealServerID: Ring] = [:]

    public init() {}

    /// Records a finished probe of `server`.
    public mutating func record(_ server: RealServerID, at: Instant, latency: Duration, up: Bool) {
        let ms = UInt64(max(0, at.nanoseconds / 1_000_000)) & (1 << 40 - 1)
        let units = UInt64(min(max(0, latency.nanoseconds / 10_000), Int64(1 << 23 - 1)))
        let value = ms << 24 | units << 1 | (up ? 1 : 0)
        var ring = rings[server] ?? Ring()
        if ring.packed.count < Self.capacity {
            ring.packed.append(value)
        } else {
            ring.packed[ring.next] = value
            ring.next = (ring.next + 1) % Self.capacity
        }
        rings[server] = ring
    }

    /// Forgets every server not in `servers`.
    public mutating func keep(only servers: Set<RealServerID>) {
        rings = rings.filter { servers.contains($0.key) }
    }

    /// The probes of `server`, oldest first.
    public func samples(_ server: RealServerID) -> [Sample] {
        guard let ring = rings[server] else { return [] }
        let ordered = ring.packed[ring.next...] + ring.packed[..<ring.next]
        return ordered.map { v in
            Sample(at: Instant(nanoseconds: Int64(v >> 24) * 1_000_000),
                   latency: .nanoseconds(Int64(v >> 1 & (1 << 23 - 1)) * 10_000), up: v & 1 == 1)
        }
    }

    /// The servers with at least one probe.
    public var servers: [RealServerID] { Array(rings.keys) }
}
