import Foundation

/// What keepalived's dumps show, taken from the status book at one instant (`StatusBook.keepalivedSnapshot`).
public struct KeepalivedSnapshot: Sendable, Equatable {
    /// Vigil's version, for the data dump's header.
    public var version: String
    /// `enable_script_security`.
    public var scriptSecurity: Bool
    /// The VRRP instances, in configuration order.
    public var instances: [KeepalivedInstance]
    /// The rest of the status (virtual servers and their pools).
    public var status: VigilStatus

    /// A snapshot.
    public init(version: String, scriptSecurity: Bool, instances: [KeepalivedInstance], status: VigilStatus) {
        self.version = version
        self.scriptSecurity = scriptSecurity
        self.instances = instances
        self.status = status
    }
}

/// One VRRP instance as keepalived's data, stats and JSON dumps describe it.
public struct KeepalivedInstance: Sendable, Equatable {
    /// A tracked object: a name, a weight, and for scripts the command.
    public struct Tracked: Sendable, Equatable {
        /// Its name.
        public var name: String
        /// Its weight.
        public var weight: Int
        /// For a `track_script`, what keepalived's JSON lists (Vigil lists the script's name).
        public var command: String { name }
    }

    public var name: String
    public var version: Int
    /// `INIT`, `BACKUP`, `MASTER`, `FAULT`, `STOP`.
    public var state: String
    public var lastTransition: Date?
    public var interface: String
    /// `unicast_src_ip`, when configured.
    public var sourceAddress: String?
    public var unicastPeers: [String]
    public var isIPv6: Bool
    public var vrid: Int
    public var priority: Int
    public var effectivePriority: Int
    /// Seconds.
    public var advertInterval: Double
    public var preempt: Bool
    /// Seconds.
    public var preemptDelay: Double
    /// 0 none, 1 password, 2 AH.
    public var authType: Int
    /// keepalived's VIP lines: `10.0.0.1/24 dev eth0 scope global` and ` set` while held.
    public var vips: [String]
    public var excludedVIPs: [String]
    /// Seconds.
    public var garpDelay: Double
    public var garpRepeat: Int
    /// Seconds.
    public var garpRefresh: Double
    public var trackScripts: [Tracked]
    public var trackInterfaces: [Tracked]
    /// (`master`, command) for the data dump, in keepalived's order.
    public var notifyScripts: [(String, String)]
    /// (`script_master`, command) for the JSON dump.
    public var notifyJSONScripts: [(String, String)]
    /// The counters since start or since the last SIGRTMAX-1.
    public var stats: KeepalivedStats

    public static func == (a: KeepalivedInstance, b: KeepalivedInstance) -> Bool {
        a.name == b.name && a.state == b.state && a.stats == b.stats && a.vips == b.vips
            && a.effectivePriority == b.effectivePriority && a.lastTransition == b.lastTransition
    }
}

/// keepalived's per-instance counters (`vrrp_stats`), as Vigil's VRRP core counts them.
public struct KeepalivedStats: Sendable, Equatable {
    public var advertReceived = 0
    public var advertSent = 0
    public var becameMaster = 0
    public var releasedMaster = 0
    /// Truncated packets, length mismatches, no addresses.
    public var packetLengthErrors = 0
    public var ttlErrors = 0
    /// An unknown VRRP packet type.
    public var invalidType = 0
    public var advertIntervalErrors = 0
    /// Adverts whose address list differs from ours (accepted, as keepalived does).
    public var addressListErrors = 0
    /// AH, or an unknown authentication type.
    public var invalidAuthType = 0
    /// Vigil counts a type mismatch as an authentication failure: always 0.
    public var authTypeMismatch = 0
    public var authFailure = 0
    public var priorityZeroReceived = 0
    /// Not counted by Vigil's core (sent on stop only, after the last dump): always 0.
    public var priorityZeroSent = 0

    public init() {}

    /// `self - baseline`, field by field, never below 0 (a reload that restarts a counter).
    public func since(_ baseline: KeepalivedStats) -> KeepalivedStats {
        var out = KeepalivedStats()
        out.advertReceived = max(0, advertReceived - baseline.advertReceived)
        out.advertSent = max(0, advertSent - baseline.advertSent)
        out.becameMaster = max(0, becameMaster - baseline.becameMaster)
        out.releasedMaster = max(0, releasedMaster - baseline.releasedMaster)
        out.packetLengthErrors = max(0, packetLengthErrors - baseline.packetLengthErrors)
        out.ttlErrors = max(0, ttlErrors - baseline.ttlErrors)
        out.invalidType = max(0, invalidType - baseline.invalidType)
        out.advertIntervalErrors = max(0, advertIntervalErrors - baseline.advertIntervalErrors)
        out.addressListErrors = max(0, addressListErrors - baseline.addressListErrors)
        out.invalidAuthType = max(0, invalidAuthType - baseline.invalidAuthType)
        out.authTypeMismatch = max(0, authTypeMismatch - baseline.authTypeMismatch)
        out.authFailure = max(0, authFailure - baseline.authFailure)
        out.priorityZeroReceived = max(0, priorityZeroReceived - baseline.priorityZeroReceived)
        out.priorityZeroSent = max(0, priorityZeroSent - baseline.priorityZeroSent)
        return out
    }
}
