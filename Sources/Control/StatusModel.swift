import Foundation

// The status model: plain `Codable` values that `/status`, `/events`, `vigil status`, the dashboard and the
// SIGUSR1/SIGUSR2 dumps all render. Field names are the JSON keys, so renaming one is a breaking change for
// scripts that read `/status`; add fields rather than rename them. Times are wall-clock instants (ISO 8601 in
// JSON), durations are seconds as `Double`.

/// Everything `vigil run` can tell about itself at one instant (`GET /status`).
public struct VigilStatus: Codable, Sendable, Equatable {
    /// Version of this JSON layout; bumped when a field changes meaning.
    public var schema: Int = 1
    /// The daemon's process id.
    public var pid: Int32
    /// When the daemon started.
    public var startedAt: Date
    /// When this snapshot was taken.
    public var generatedAt: Date
    /// Every VRRP instance, in configuration order.
    public var instances: [InstanceStatus]
    /// Every virtual server, in configuration order.
    public var virtualServers: [VirtualServerStatus]
    /// What the IPVS reconciler did so far.
    public var ipvs: IPVSActivity
    /// The announced addresses (`vigil_announce`), in address order; nil when nothing is announced.
    public var announcements: [AnnouncementStatus]?
    /// Connection sync (`lvs_sync_daemon`) and failback holds; nil without a sync daemon.
    public var connectionSync: ConnectionSyncStatus?
    /// IPVS traffic per virtual service now, as the kernel's rate estimators give it; nil when no IPVS is read here.
    public var traffic: [ServiceTraffic]?

    /// A snapshot.
    public init(pid: Int32, startedAt: Date, generatedAt: Date, instances: [InstanceStatus],
                virtualServers: [VirtualServerStatus], ipvs: IPVSActivity, announcements: [AnnouncementStatus]? = nil,
                connectionSync: ConnectionSyncStatus? = nil) {
        self.announcements = announcements
        self.connectionSync = connectionSync
        self.pid = pid
        self.startedAt = startedAt
        self.generatedAt = generatedAt
        self.instances = instances
        self.virtualServers = virtualServers
        self.ipvs = ipvs
    }
}

/// One `vrrp_instance`.
public struct InstanceStatus: Codable, Sendable, Equatable {
    /// `vrrp_instance` name.
    public var name: String
    /// The interface it advertises on.
    public var interface: String
    /// Virtual router id.
    public var vrid: Int
    /// VRRP version (2 or 3).
    public var version: Int
    /// `INIT`, `BACKUP`, `MASTER`, `FAULT` or `STOP`.
    public var state: String
    /// Configured priority.
    public var priority: Int
    /// Priority after tracker weights, when the runtime reports it; nil when it does not (yet).
    public var effectivePriority: Int?
    /// Why the effective priority is what it is: the base and each tracker that can move it.
    public var priorityReason: String
    /// Virtual addresses (`virtual_ipaddress` then `virtual_ipaddress_excluded`), as written.
    public var vips: [String]
    /// Advertisement counters.
    public var adverts: AdvertCounters
    /// Number of transitions since start.
    public var transitionCount: Int
    /// The most recent transitions, oldest first (bounded).
    public var transitions: [TransitionRecord]
    /// The other routers this instance has heard (their last accepted advert), most recently heard first; nil
    /// when the runtime was not asked.
    public var peers: [PeerStatus]?

    /// An instance.
    public init(name: String, interface: String, vrid: Int, version: Int, state: String, priority: Int,
                effectivePriority: Int?, priorityReason: String, vips: [String], adverts: AdvertCounters = .init(),
                transitionCount: Int = 0, transitions: [TransitionRecord] = [], peers: [PeerStatus]? = nil) {
        self.peers = peers
        self.name = name
        self.interface = interface
        self.vrid = vrid
        self.version = version
        self.state = state
        self.priority = priority
        self.effectivePriority = effectivePriority
        self.priorityReason = priorityReason
        self.vips = vips
        self.adverts = adverts
        self.transitionCount = transitionCount
        self.transitions = transitions
    }
}

/// Advertisements of one instance, as counted by the VRRP core.
public struct AdvertCounters: Codable, Sendable, Equatable {
    /// Sent.
    public var sent: Int
    /// Received and accepted.
    public var received: Int
    /// Received and discarded, by reason (`bad_ttl`, `auth_mismatch`, …).
    public var rejected: [String: Int]
    /// Priority-0 adverts received (the master leaving).
    public var priorityZeroReceived: Int

    /// Counters.
    public init(sent: Int = 0, received: Int = 0, rejected: [String: Int] = [:], priorityZeroReceived: Int = 0) {
        self.sent = sent
        self.received = received
        self.rejected = rejected
        self.priorityZeroReceived = priorityZeroReceived
    }
}

/// Another router of a VRRP instance, as its adverts show it: only a MASTER advertises, so a peer heard within
/// three of its intervals is the MASTER (or leaving, at priority 0), and one not heard since is `silent`.
public struct PeerStatus: Codable, Sendable, Equatable {
    /// Its address (the adverts' source).
    public var address: String
    /// The priority it advertised last.
    public var priority: Int
    /// `MASTER`, `leaving` (its last advert had priority 0) or `silent`.
    public var role: String
    /// When its last advert arrived.
    public var lastHeard: Date
    /// Its advertisement interval in seconds.
    public var advertIntervalSeconds: Double
    /// Adverts accepted from it.
    public var adverts: Int

    public init(address: String, priority: Int, role: String, lastHeard: Date, advertIntervalSeconds: Double, adverts: Int) {
        self.address = address
        self.priority = priority
        self.role = role
        self.lastHeard = lastHeard
        self.advertIntervalSeconds = advertIntervalSeconds
        self.adverts = adverts
    }
}

/// The traffic of one IPVS virtual service (`ipvsadm -Ln --rate`) and its real servers.
public struct ServiceTraffic: Codable, Sendable, Equatable {
    /// The service as ipvsadm names it (`TCP 10.0.0.1:80`, `FWM 7`).
    public var service: String
    /// Connections per second (the kernel's estimator, about a 2 s average).
    public var connectionsPerSecond: Double
    /// Bytes per second from clients (in) and to them (out: LVS-NAT only; DR and TUN replies bypass the director).
    public var bytesInPerSecond: Double
    public var bytesOutPerSecond: Double
    /// Active and inactive connections over its real servers.
    public var activeConnections: Int
    public var inactiveConnections: Int
    /// Its real servers.
    public var realServers: [RealServerTraffic]

    public init(service: String, connectionsPerSecond: Double, bytesInPerSecond: Double, bytesOutPerSecond: Double,
                activeConnections: Int, inactiveConnections: Int, realServers: [RealServerTraffic]) {
        self.service = service
        self.connectionsPerSecond = connectionsPerSecond
        self.bytesInPerSecond = bytesInPerSecond
        self.bytesOutPerSecond = bytesOutPerSecond
        self.activeConnections = activeConnections
        self.inactiveConnections = inactiveConnections
        self.realServers = realServers
    }
}

/// One real server of a `ServiceTraffic`.
public struct RealServerTraffic: Codable, Sendable, Equatable {
    /// `10.0.0.2:8080`.
    public var address: String
    /// Its weight in the kernel.
    public var weight: Int
    public var activeConnections: Int
    public var inactiveConnections: Int
    public var connectionsPerSecond: Double

    public init(address: String, weight: Int, activeConnections: Int, inactiveConnections: Int, connectionsPerSecond: Double) {
        self.address = address
        self.weight = weight
        self.activeConnections = activeConnections
        self.inactiveConnections = inactiveConnections
        self.connectionsPerSecond = connectionsPerSecond
    }
}

/// The latest probes of every checked real server (`GET /probes`): the dashboard's latency picture.
public struct ProbeHistoryStatus: Codable, Sendable, Equatable {
    /// When it was read.
    public var generatedAt: Date
    /// One entry per real server with probes, in pool order.
    public var realServers: [RealServerProbes]

    public init(generatedAt: Date, realServers: [RealServerProbes]) {
        self.generatedAt = generatedAt
        self.realServers = realServers
    }
}

/// The probes of one real server, oldest first: `[secondsBeforeGeneratedAt, latencyMilliseconds, 1 passed / 0 failed]`
/// each (arrays, not objects: a large pool's history stays a few bytes per probe).
public struct RealServerProbes: Codable, Sendable, Equatable {
    public var virtualServer: String
    public var realServer: String
    public var probes: [[Double]]

    public init(virtualServer: String, realServer: String, probes: [[Double]]) {
        self.virtualServer = virtualServer
        self.realServer = realServer
        self.probes = probes
    }
}

/// One state change of a VRRP instance.
public struct TransitionRecord: Codable, Sendable, Equatable {
    /// When it was seen.
    public var at: Date
    /// State before.
    public var from: String
    /// State after.
    public var to: String
    /// Why, as the log line says it.
    public var reason: String

    /// A transition.
    public init(at: Date, from: String, to: String, reason: String) {
        self.at = at
        self.from = from
        self.to = to
        self.reason = reason
    }
}

/// One `virtual_server` and its pool.
public struct VirtualServerStatus: Codable, Sendable, Equatable {
    /// As an operator writes it: `10.0.0.1:80`, `fwmark 7`, `group web`.
    public var name: String
    /// Whether quorum is up (true when no quorum is configured and nothing said otherwise).
    public var quorumUp: Bool
    /// The real servers, in configuration order.
    public var realServers: [RealServerStatus]

    /// A virtual server.
    public init(name: String, quorumUp: Bool = true, realServers: [RealServerStatus]) {
        self.name = name
        self.quorumUp = quorumUp
        self.realServers = realServers
    }
}

/// Health of a real server as the checkers last reported it.
public enum RealServerHealth: String, Codable, Sendable, Equatable {
    /// No report yet.
    case unknown = "UNKNOWN"
    /// Every checker is up.
    case up = "UP"
    /// A checker failed.
    case down = "DOWN"
}

/// One `real_server`.
public struct RealServerStatus: Codable, Sendable, Equatable {
    /// `host:port`.
    public var address: String
    /// Current health.
    public var health: RealServerHealth
    /// Configured weight.
    public var weight: Int
    /// The IPVS weight its health asks for: nil when it is removed from the pool.
    public var ipvsWeight: Int?
    /// When the health last changed.
    public var since: Date?
    /// The check result that caused the last change.
    public var reason: String?

    /// A real server.
    public init(address: String, health: RealServerHealth = .unknown, weight: Int, ipvsWeight: Int?,
                since: Date? = nil, reason: String? = nil) {
        self.address = address
        self.health = health
        self.weight = weight
        self.ipvsWeight = ipvsWeight
        self.since = since
        self.reason = reason
    }
}

/// What the IPVS reconciler did since start.
public struct IPVSActivity: Codable, Sendable, Equatable {
    /// Reconciles run (including those that found nothing to do).
    public var reconciles: Int
    /// Commands issued, by operation (`addService`, `deleteDestination`, …).
    public var operations: [String: Int]
    /// Commands the kernel refused, and reconciles that failed as a whole, by operation (`reconcile` for the latter).
    public var errors: [String: Int]
    /// Duration of the last reconcile, seconds.
    public var lastDurationSeconds: Double?
    /// When the last reconcile finished.
    public var lastReconcileAt: Date?
    /// The last error, as logged.
    public var lastError: String?

    /// Activity.
    public init(reconciles: Int = 0, operations: [String: Int] = [:], errors: [String: Int] = [:],
                lastDurationSeconds: Double? = nil, lastReconcileAt: Date? = nil, lastError: String? = nil) {
        self.reconciles = reconciles
        self.operations = operations
        self.errors = errors
        self.lastDurationSeconds = lastDurationSeconds
        self.lastReconcileAt = lastReconcileAt
        self.lastError = lastError
    }
}

/// One address of a `vigil_announce` service: whether its host route is in `vigil_route_table` now, and why.
public struct AnnouncementStatus: Codable, Sendable, Equatable {
    /// The address.
    public var address: String
    /// The routing table the route goes in.
    public var table: UInt32
    /// Whether the route is in the table.
    public var announced: Bool
    /// Why (the pools without quorum, or that every pool has it; a kernel error when the route was refused).
    public var reason: String
    /// When it last changed.
    public var since: Date

    /// A status.
    public init(address: String, table: UInt32, announced: Bool, reason: String, since: Date) {
        self.address = address
        self.table = table
        self.announced = announced
        self.reason = reason
        self.since = since
    }
}

/// Connection sync (`lvs_sync_daemon`): the kernel daemons running, the connections in the local table, and the
/// failback holds in progress.
public struct ConnectionSyncStatus: Codable, Sendable, Equatable {
    /// The sync daemons running now: `master`, `backup`, both or none.
    public var daemons: [String]
    /// Connections in the kernel's table (`/proc/net/ip_vs_conn`) when the status was read; nil when unreadable.
    public var connections: Int?
    /// When this node's table last grew while it ran the backup daemon (the last sync seen); nil before one.
    public var lastSyncSeen: Date?
    /// Failback holds in progress, by instance name.
    public var holds: [FailbackHoldStatus]

    public init(daemons: [String], connections: Int? = nil, lastSyncSeen: Date? = nil, holds: [FailbackHoldStatus] = []) {
        self.daemons = daemons
        self.connections = connections
        self.lastSyncSeen = lastSyncSeen
        self.holds = holds
    }
}

/// A BACKUP whose preemption is held until its synced connection table settles (`vigil_failback_hold`).
public struct FailbackHoldStatus: Codable, Sendable, Equatable {
    public var instance: String
    /// When the hold started.
    public var since: Date
    /// When it ends at the latest.
    public var until: Date
    /// Why: what the hold waits for.
    public var reason: String

    public init(instance: String, since: Date, until: Date, reason: String) {
        self.instance = instance
        self.since = since
        self.until = until
        self.reason = reason
    }
}

/// What kind of thing happened (`/events`).
public enum StatusEventKind: String, Codable, Sendable, Equatable {
    /// A VRRP instance changed state.
    case vrrp
    /// A VRRP I/O error.
    case vrrpError = "vrrp_error"
    /// A real server changed health or weight.
    case realServer = "real_server"
    /// A virtual server's quorum changed.
    case quorum
    /// A reconcile changed the kernel table.
    case ipvs
    /// A reconcile or an IPVS command failed.
    case ipvsError = "ipvs_error"
    /// An announced address's route was added or deleted (`vigil_announce`).
    case route
    /// A failback hold started or ended, or the sync daemons changed (`lvs_sync_daemon`).
    case sync
}

/// One entry of the bounded event history (`GET /events`).
public struct StatusEvent: Codable, Sendable, Equatable {
    /// Increasing number, so a poller can ask only for newer entries.
    public var seq: Int
    /// When it happened.
    public var at: Date
    /// What kind.
    public var kind: StatusEventKind
    /// What it is about: an instance, a real server (`VS → RS`), a virtual server.
    public var subject: String
    /// One line, as logged.
    public var message: String

    /// An event.
    public init(seq: Int, at: Date, kind: StatusEventKind, subject: String, message: String) {
        self.seq = seq
        self.at = at
        self.kind = kind
        self.subject = subject
        self.message = message
    }
}

extension StatusEvent {
    /// What `GET /events?after=SEQ&limit=N` returns from `history` (oldest first): the events after `after`, at most
    /// the newest `limit` (none for a negative limit). Hummingbird parses the request and its query into the two
    /// integers; this is Vigil's part of the request, pure so the fuzzer can feed it any values (`make fuzz-control`).
    public static func window(_ history: [StatusEvent], after: Int?, limit: Int?) -> [StatusEvent] {
        var out = history
        if let after { out = out.filter { $0.seq > after } }
        if let limit, out.count > limit { out = Array(out.suffix(max(0, limit))) }
        return out
    }
}

/// The JSON form of the status values: sorted keys, ISO 8601 times, so output is stable and diffable.
public enum StatusJSON {
    /// The encoder used by `/status`, `/events` and the `.json` dumps.
    public static func encoder(pretty: Bool = true) -> JSONEncoder {
        let e = JSONEncoder()
        e.outputFormatting = pretty ? [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes] : [.sortedKeys, .withoutEscapingSlashes]
        e.dateEncodingStrategy = .iso8601
        return e
    }

    /// The matching decoder (`vigil status`).
    public static func decoder() -> JSONDecoder {
        let d = JSONDecoder()
        d.dateDecodingStrategy = .iso8601
        return d
    }

    /// Encodes a value as UTF-8 JSON. The status types hold only encodable values, so this cannot fail for them;
    /// a failure (a bug) yields `{}` rather than a trap in the daemon.
    public static func encode<T: Encodable>(_ value: T, pretty: Bool = true) -> Data {
        (try? encoder(pretty: pretty).encode(value)) ?? Data("{}".utf8)
    }
}
