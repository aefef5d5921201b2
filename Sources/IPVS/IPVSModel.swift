#if canImport(Glibc)
import Glibc
import Vocabulary
#endif

/// The transport protocol of an address-based virtual service.
public enum IPVSProtocol: UInt16, Hashable, Sendable, Comparable, CaseIterable {
    /// TCP (`-t` in ipvsadm).
    case tcp = 6
    /// UDP (`-u`).
    case udp = 17
    /// SCTP (`--sctp-service`).
    case sctp = 132

    /// The name ipvsadm prints (`TCP`, `UDP`, `SCTP`).
    public var name: String {
        switch self {
        case .tcp: "TCP"
        case .udp: "UDP"
        case .sctp: "SCTP"
        }
    }

    public static func < (a: IPVSProtocol, b: IPVSProtocol) -> Bool { a.rawValue < b.rawValue }
}

/// What identifies a virtual service in the kernel: protocol + address + port, or a
/// firewall mark (per address family).
public enum IPVSServiceKey: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// An address-based service, e.g. TCP 10.0.0.1:80.
    case address(IPVSProtocol, IPAddress, port: UInt16)
    /// A firewall-mark service for one address family.
    case firewallMark(UInt32, family: IPAddress.Family)

    /// The service's address family.
    public var family: IPAddress.Family {
        switch self {
        case .address(_, let a, _): a.family
        case .firewallMark(_, let f): f
        }
    }

    /// `TCP 10.0.0.1:80` or `FWM 7` (IPv6 marks: `FWM 7 IPv6`).
    public var description: String {
        switch self {
        case .address(let p, let a, let port): "\(p.name) \(a.withPort(port))"
        case .firewallMark(let m, let f): f == .inet ? "FWM \(m)" : "FWM \(m) IPv6"
        }
    }

    private var sortKey: (Int, UInt32, UInt16, IPAddress?, UInt16) {
        switch self {
        case .address(let p, let a, let port): (0, 0, p.rawValue, a, port)
        case .firewallMark(let m, let f): (1, m, f.rawValue, nil, 0)
        }
    }

    public static func < (a: IPVSServiceKey, b: IPVSServiceKey) -> Bool {
        let x = a.sortKey, y = b.sortKey
        if x.0 != y.0 { return x.0 < y.0 }
        if x.1 != y.1 { return x.1 < y.1 }
        if x.2 != y.2 { return x.2 < y.2 }
        if let p = x.3, let q = y.3, p != q { return p < q }
        return x.4 < y.4
    }
}

/// Virtual-service flags (`IP_VS_SVC_F_*` in linux/ip_vs.h), without the kernel-internal
/// "hashed" bit.
public struct IPVSServiceFlags: OptionSet, Hashable, Sendable {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    /// Persistent service (`-p`): set automatically when a persistence timeout is given.
    public static let persistent = IPVSServiceFlags(rawValue: 0x0001)
    /// One-packet scheduling (`-o`, `ops`): every UDP datagram is scheduled on its own.
    public static let onePacket = IPVSServiceFlags(rawValue: 0x0004)
    /// Scheduler flag 1: `sh-fallback` for sh, `mh-fallback` for mh.
    public static let schedulerFlag1 = IPVSServiceFlags(rawValue: 0x0008)
    /// Scheduler flag 2: `sh-port` for sh, `mh-port` for mh.
    public static let schedulerFlag2 = IPVSServiceFlags(rawValue: 0x0010)
    /// Scheduler flag 3 (unused by the stock schedulers).
    public static let schedulerFlag3 = IPVSServiceFlags(rawValue: 0x0020)
    /// `sh-fallback`: use another server when the hashed one is unavailable.
    public static let shFallback = schedulerFlag1
    /// `sh-port`: include the source port in the hash.
    public static let shPort = schedulerFlag2
    /// `mh-fallback`: as `sh-fallback`, for the maglev scheduler.
    public static let mhFallback = schedulerFlag1
    /// `mh-port`: as `sh-port`, for the maglev scheduler.
    public static let mhPort = schedulerFlag2

    /// The bits Vigil manages; everything else the kernel reports is ignored.
    public static let known: IPVSServiceFlags = [.persistent, .onePacket, .schedulerFlag1, .schedulerFlag2, .schedulerFlag3]
}

/// The schedulers of a stock Linux kernel (`-s` in ipvsadm, `lb_algo` in keepalived).
public enum IPVSScheduler {
    /// Scheduler names the kernel ships; the kernel itself is the final judge.
    public static let known: Set<String> = [
        "rr", "wrr", "lc", "wlc", "lblc", "lblcr", "dh", "sh", "sed", "nq", "fo", "ovf", "mh", "twos",
    ]
}

/// A virtual service's attributes (`ipvsadm -A`).
public struct IPVSService: Hashable, Sendable {
    /// What identifies the service.
    public var key: IPVSServiceKey
    /// Scheduler name (`rr`, `wrr`, `sh`, ...), at most 15 bytes.
    public var scheduler: String
    /// Service flags; `.persistent` is derived from `persistenceTimeout` when encoding.
    public var flags: IPVSServiceFlags
    /// Persistence timeout in seconds; 0 means not persistent.
    public var persistenceTimeout: UInt32
    /// Persistence granularity as a prefix length (32/128 = per client address).
    public var persistencePrefixLength: UInt8
    /// Persistence engine name (`sip`), or nil.
    public var persistenceEngine: String?

    /// A service; persistence defaults to off, granularity to a single address.
    public init(
        key: IPVSServiceKey, scheduler: String = "wlc", flags: IPVSServiceFlags = [],
        persistenceTimeout: UInt32 = 0, persistencePrefixLength: UInt8? = nil, persistenceEngine: String? = nil
    ) {
        self.key = key
        self.scheduler = scheduler
        self.flags = flags.intersection(.known)
        self.persistenceTimeout = persistenceTimeout
        self.persistencePrefixLength = persistencePrefixLength ?? (key.family == .inet ? 32 : 128)
        self.persistenceEngine = persistenceEngine
    }

    /// The flags as the kernel stores them: `.persistent` exactly when there is a timeout.
    public var effectiveFlags: IPVSServiceFlags {
        var f = flags.intersection(.known)
        if persistenceTimeout > 0 { f.insert(.persistent) } else { f.remove(.persistent) }
        return f
    }

    /// The service with derived fields normalised, for comparing desired with actual.
    public var normalized: IPVSService {
        var s = self
        s.flags = effectiveFlags
        return s
    }
}

/// The tunnel encapsulation of a tunnelling destination (`--tun-type`).
public enum IPVSTunnelType: UInt8, Hashable, Sendable {
    /// IP-in-IP (the default).
    case ipip = 0
    /// Generic UDP Encapsulation (needs a port).
    case gue = 1
    /// GRE.
    case gre = 2
}

/// The checksum option of a GUE or GRE tunnel (`IP_VS_TUNNEL_ENCAP_FLAG_*`, `--tun-nocsum|csum|remcsum`).
public enum IPVSTunnelChecksum: UInt16, Hashable, Sendable {
    /// No checksum (the kernel's default).
    case nocsum = 0
    /// A checksum in the encapsulation.
    case csum = 1
    /// Remote checksum offload.
    case remcsum = 2
}

/// How the director forwards packets to a destination.
public enum IPVSForwarding: Hashable, Sendable {
    /// NAT (`-m`, `lb_kind NAT`).
    case masquerade
    /// Direct routing (`-g`, `lb_kind DR`).
    case directRoute
    /// IP tunnelling (`-i`, `lb_kind TUN`) with its encapsulation, for GUE its UDP port, and for GUE and GRE the
    /// checksum option.
    case tunnel(IPVSTunnelType, port: UInt16, checksum: IPVSTunnelChecksum = .nocsum)
    /// Local node (the kernel reports this for destinations on the director itself).
    case local

    /// The `IP_VS_CONN_F_*` forwarding method number.
    public var method: UInt32 {
        switch self {
        case .masquerade: 0
        case .local: 1
        case .tunnel: 2
        case .directRoute: 3
        }
    }

    /// `Masq`, `Route`, `Tunnel`, `Local` as ipvsadm prints it.
    public var name: String {
        switch self {
        case .masquerade: "Masq"
        case .directRoute: "Route"
        case .tunnel: "Tunnel"
        case .local: "Local"
        }
    }
}

/// What identifies a destination within its service.
public struct IPVSDestinationKey: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// Real server address.
    public var address: IPAddress
    /// Real server port (0 for fwmark services that keep the client's port).
    public var port: UInt16

    /// A destination key.
    public init(address: IPAddress, port: UInt16) {
        self.address = address
        self.port = port
    }

    public var description: String { address.withPort(port) }

    public static func < (a: IPVSDestinationKey, b: IPVSDestinationKey) -> Bool {
        a.address != b.address ? a.address < b.address : a.port < b.port
    }
}

/// A real server of a virtual service (`ipvsadm -a`).
public struct IPVSDestination: Hashable, Sendable {
    /// Address and port.
    public var key: IPVSDestinationKey
    /// Forwarding method.
    public var forwarding: IPVSForwarding
    /// Weight; 0 takes the server out of scheduling without dropping its connections.
    public var weight: Int32
    /// Upper connection threshold (0 = none).
    public var upperThreshold: UInt32
    /// Lower connection threshold (0 = none).
    public var lowerThreshold: UInt32

    /// A destination.
    public init(
        key: IPVSDestinationKey, forwarding: IPVSForwarding = .masquerade, weight: Int32 = 1,
        upperThreshold: UInt32 = 0, lowerThreshold: UInt32 = 0
    ) {
        self.key = key
        self.forwarding = forwarding
        self.weight = weight
        self.upperThreshold = upperThreshold
        self.lowerThreshold = lowerThreshold
    }
}

/// A virtual service with its destinations: one entry of the table.
public struct IPVSVirtualService: Hashable, Sendable {
    /// The service.
    public var service: IPVSService
    /// Its destinations, keyed by address and port.
    public var destinations: [IPVSDestinationKey: IPVSDestination]
    /// Desired side only: for a destination wanted at weight 0 in an order-sensitive (`mh`) service, the weight it
    /// would have when up (its configured weight). The kernel gives a destination its `mh` slots by the last non-zero
    /// weight it was set to, or by the weight it was added with; so such a destination is added at this weight and
    /// set to 0 at once, and it has the slots it has on a director where it went down later (`IPVSPlan.addCommands`).
    /// The kernel does not report that weight: a table read from it has none.
    public var slotWeights: [IPVSDestinationKey: Int32]

    /// An entry; later destinations with the same key replace earlier ones.
    public init(service: IPVSService, destinations: [IPVSDestination] = [],
                slotWeights: [IPVSDestinationKey: Int32] = [:]) {
        self.service = service
        var d: [IPVSDestinationKey: IPVSDestination] = [:]
        for x in destinations { d[x.key] = x }
        self.destinations = d
        self.slotWeights = slotWeights
    }

    /// Destinations in a stable order.
    public var sortedDestinations: [IPVSDestination] { destinations.values.sorted { $0.key < $1.key } }
}

/// A whole IPVS table (desired or read from the kernel), keyed by service.
public struct IPVSTable: Hashable, Sendable {
    /// Entries by service key.
    public var services: [IPVSServiceKey: IPVSVirtualService]

    /// A table; later entries with the same key replace earlier ones.
    public init(_ entries: [IPVSVirtualService] = []) {
        var s: [IPVSServiceKey: IPVSVirtualService] = [:]
        for e in entries { s[e.service.key] = e }
        self.services = s
    }

    /// Entries in a stable order.
    public var sorted: [IPVSVirtualService] { services.values.sorted { $0.service.key < $1.service.key } }

    /// Number of services plus destinations.
    public var objectCount: Int { services.values.reduce(services.count) { $0 + $1.destinations.count } }
}

/// Traffic counters of a service or destination (64-bit variant of the kernel's stats).
public struct IPVSStats: Hashable, Sendable, Codable {
    /// Connections scheduled.
    public var connections: UInt64 = 0
    /// Packets in.
    public var packetsIn: UInt64 = 0
    /// Packets out.
    public var packetsOut: UInt64 = 0
    /// Bytes in.
    public var bytesIn: UInt64 = 0
    /// Bytes out.
    public var bytesOut: UInt64 = 0
    /// Connections per second (estimator).
    public var connectionsPerSecond: UInt64 = 0
    /// Packets in per second.
    public var packetsInPerSecond: UInt64 = 0
    /// Packets out per second.
    public var packetsOutPerSecond: UInt64 = 0
    /// Bytes in per second.
    public var bytesInPerSecond: UInt64 = 0
    /// Bytes out per second.
    public var bytesOutPerSecond: UInt64 = 0

    /// Zero counters.
    public init() {}
}

/// Connection counts of a destination.
public struct IPVSDestinationCounters: Hashable, Sendable {
    /// Active connections.
    public var active: UInt32 = 0
    /// Inactive connections.
    public var inactive: UInt32 = 0
    /// Persistence templates.
    public var persistent: UInt32 = 0
    /// Traffic.
    public var stats = IPVSStats()

    /// Zero counters.
    public init() {}
}

/// A destination as dumped from the kernel, with its counters.
public struct IPVSDestinationStatus: Hashable, Sendable {
    /// The destination.
    public var destination: IPVSDestination
    /// Its connection counts and traffic.
    public var counters: IPVSDestinationCounters
}

/// A service as dumped from the kernel, with its statistics.
public struct IPVSServiceStatus: Hashable, Sendable {
    /// The service.
    public var service: IPVSService
    /// Its traffic.
    public var stats: IPVSStats
    /// Its destinations with their counters, sorted by key.
    public var destinations: [IPVSDestinationStatus]
}

/// `ipvsadm --version`-style facts about the kernel's IPVS.
public struct IPVSInfo: Hashable, Sendable {
    /// Version as `major.minor.patch` packed 0x00MMmmpp.
    public var version: UInt32
    /// Size of the connection hash table.
    public var connectionTableSize: UInt32

    /// `1.2.1`.
    public var versionString: String { "\(version >> 16 & 0xff).\(version >> 8 & 0xff).\(version & 0xff)" }
}

/// IPVS connection timeouts in seconds (`ipvsadm --set tcp tcpfin udp`); 0 leaves one unchanged when setting.
public struct IPVSTimeouts: Hashable, Sendable {
    /// Established TCP.
    public var tcp: UInt32
    /// TCP after FIN.
    public var tcpFin: UInt32
    /// UDP.
    public var udp: UInt32

    /// Timeouts.
    public init(tcp: UInt32, tcpFin: UInt32, udp: UInt32) {
        self.tcp = tcp
        self.tcpFin = tcpFin
        self.udp = udp
    }

    /// True when no field is set (0 is "leave the kernel's value", as in the kernel's SET_CONFIG).
    public var isEmpty: Bool { tcp == 0 && tcpFin == 0 && udp == 0 }

    /// What to set for `lvs_timeouts` (keepalived's rule): the wanted fields over `saved`, the kernel's values
    /// before the first change, so a field dropped by a reload goes back to the kernel's value; with nothing
    /// wanted, `saved` itself (a restore), and nil when nothing was ever changed.
    public static func target(wanted: IPVSTimeouts?, saved: IPVSTimeouts?) -> IPVSTimeouts? {
        guard let saved else { return nil }
        guard let wanted, !wanted.isEmpty else { return saved }
        return IPVSTimeouts(tcp: wanted.tcp != 0 ? wanted.tcp : saved.tcp,
                            tcpFin: wanted.tcpFin != 0 ? wanted.tcpFin : saved.tcpFin,
                            udp: wanted.udp != 0 ? wanted.udp : saved.udp)
    }
}

/// A connection-synchronisation daemon (`lvs_sync_daemon`).
public struct IPVSSyncDaemon: Hashable, Sendable {
    /// The daemon's role.
    public enum Role: UInt32, Hashable, Sendable, CaseIterable {
        /// Sends connection state.
        case master = 1
        /// Receives connection state.
        case backup = 2
    }

    /// Master or backup.
    public var role: Role
    /// Multicast interface name.
    public var interface: String
    /// Sync ID (0–255).
    public var syncID: UInt32
    /// The largest sync message, UDP payload bytes (`--sync-maxlen`; nil: the kernel's default from the MTU).
    public var maxLength: UInt16?
    /// The multicast group (`--mcast-group`; nil: 224.0.0.81).
    public var group: IPAddress?
    /// The UDP port (`--mcast-port`; nil: 8848).
    public var port: UInt16?
    /// The multicast TTL (`--mcast-ttl`; nil: 1).
    public var ttl: UInt8?

    /// A daemon description.
    public init(role: Role, interface: String, syncID: UInt32 = 0, maxLength: UInt16? = nil, group: IPAddress? = nil,
                port: UInt16? = nil, ttl: UInt8? = nil) {
        self.role = role
        self.interface = interface
        self.syncID = syncID
        self.maxLength = maxLength
        self.group = group
        self.port = port
        self.ttl = ttl
    }
}
