// keepalived's pacing of gratuitous ARPs and unsolicited NAs per interface (`vrrp_garp_interval`,
// `vrrp_gna_interval`, `garp_group`): after a packet goes out on an interface, the next one on it (from any
// instance) waits at least the interval. The interfaces of a `garp_group ... interfaces { … }` share one pacing
// (one switch behind them); an interface in no group is paced by the global intervals on its own. Pure: the
// runtime asks when each packet may go and sends it then.

import Vocabulary

/// One `garp_group`: its intervals (nil: that family is not paced there) and interfaces.
public struct GARPGroupSpec: Sendable, Hashable {
    /// Between two gratuitous ARPs.
    public var garpInterval: Duration?
    /// Between two unsolicited NAs.
    public var gnaInterval: Duration?
    /// The interfaces sharing the pacing.
    public var interfaces: [String]

    /// Creates a group.
    public init(garpInterval: Duration?, gnaInterval: Duration?, interfaces: [String]) {
        self.garpInterval = garpInterval
        self.gnaInterval = gnaInterval
        self.interfaces = interfaces
    }
}

/// When each announcement may go out.
public struct GARPPacer: Sendable, Hashable {
    /// One packet to send: `address` announced on `device`, at `at`.
    public struct Send: Sendable, Hashable {
        public var at: Instant
        public var address: VirtualAddress
        public var device: String
    }

    /// The global intervals (`vrrp_garp_interval`, `vrrp_gna_interval`) for interfaces in no group.
    public var garpInterval: Duration
    public var gnaInterval: Duration
    /// The groups.
    public var groups: [GARPGroupSpec]
    /// The earliest next send per pacing key (a group, or an interface on its own) and family.
    private var nextFree: [String: Instant] = [:]

    /// Creates a pacer that has sent nothing.
    public init(garpInterval: Duration = .zero, gnaInterval: Duration = .zero, groups: [GARPGroupSpec] = []) {
        self.garpInterval = garpInterval
        self.gnaInterval = gnaInterval
        self.groups = groups
    }

    /// New intervals and groups (a reload); what was sent keeps pacing the next packets.
    public mutating func configure(garpInterval: Duration, gnaInterval: Duration, groups: [GARPGroupSpec]) {
        self.garpInterval = garpInterval
        self.gnaInterval = gnaInterval
        self.groups = groups
    }

    /// The pacing key and interval of a packet on `device`.
    func pacing(device: String, ipv6: Bool) -> (key: String, interval: Duration) {
        if let k = groups.firstIndex(where: { $0.interfaces.contains(device) }) {
            let interval = (ipv6 ? groups[k].gnaInterval : groups[k].garpInterval) ?? .zero
            return ("group \(k) \(ipv6 ? 6 : 4)", interval)
        }
        return ("if \(device) \(ipv6 ? 6 : 4)", ipv6 ? gnaInterval : garpInterval)
    }

    /// `rounds` announcements of every address, in order (round by round), each on its device (`address.device`,
    /// else `interface`), at the earliest time its interface's pacing allows from `now`. Unpaced packets go at `now`.
    public mutating func schedule(_ addresses: [VirtualAddress], interface: String, rounds: Int,
                                  now: Instant) -> [Send] {
        var out: [Send] = []
        for _ in 0..<max(0, rounds) {
            for a in addresses {
                let device = a.device ?? interface
                let (key, interval) = pacing(device: device, ipv6: a.address.isIPv6)
                guard interval > .zero else {
                    out.append(Send(at: now, address: a, device: device))
                    continue
                }
                let at = max(now, nextFree[key] ?? now)
                nextFree[key] = at + interval
                out.append(Send(at: at, address: a, device: device))
            }
        }
        return out
    }
}
