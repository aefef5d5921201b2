import Foundation
import HA

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
    /// The tracked `vrrp_script`s by name, sorted: up (GOOD) and running.
    public var scripts: [(name: String, status: VRRPScriptStatus)] = []

    public static func == (a: KeepalivedSnapshot, b: KeepalivedSnapshot) -> Bool {
        a.version == b.version && a.scriptSecurity == b.scriptSecurity && a.instances == b.instances
            && a.status == b.status && a.scripts.map(\.name) == b.scripts.map(\.name)
            && a.scripts.map(\.status) == b.scripts.map(\.status)
    }

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

    /// A notify script: keepalived's label for it and its command line.
    public struct NamedScript: Sendable, Equatable {
        /// `master` in the data dump, `script_master` in the JSON.
        public var label: String
        /// The command as written.
        public var command: String
    }

    /// `vrrp_instance` name.
    public var name: String
    /// VRRP version, 2 or 3.
    public var version: Int
    /// `INIT`, `BACKUP`, `MASTER`, `FAULT`, `STOP`.
    public var state: String
    /// When the last transition was seen.
    public var lastTransition: Date?
    /// `interface`.
    public var interface: String
    /// `unicast_src_ip`, when configured.
    public var sourceAddress: String?
    /// `unicast_peer`s (empty: multicast).
    public var unicastPeers: [String]
    /// The VIPs are IPv6 (the multicast group is ff02::12).
    public var isIPv6: Bool
    /// `virtual_router_id`.
    public var vrid: Int
    /// Configured priority.
    public var priority: Int
    /// Priority after the trackers (the configured one until the runtime reports).
    public var effectivePriority: Int
    /// `advert_int`, seconds.
    public var advertInterval: Double
    /// Not `nopreempt`.
    public var preempt: Bool
    /// `preempt_delay`, seconds.
    public var preemptDelay: Double
    /// 0 none, 1 password, 2 AH.
    public var authType: Int
    /// keepalived's VIP lines: `10.0.0.1/24 dev eth0 scope global` and ` set` while held.
    public var vips: [String]
    /// `virtual_ipaddress_excluded`, as `vips`.
    public var excludedVIPs: [String]
    /// `garp_master_delay`, seconds.
    public var garpDelay: Double
    /// `garp_master_repeat`.
    public var garpRepeat: Int
    /// `garp_master_refresh`, seconds.
    public var garpRefresh: Double
    /// `track_script` references.
    public var trackScripts: [Tracked]
    /// `track_interface` references.
    public var trackInterfaces: [Tracked]
    /// `notify_backup`, `notify_master`, `notify_fault`, `notify_stop`, `notify`, in keepalived's order, for the data
    /// dump (`master`) and the JSON (`script_master`).
    public var notifyScripts: [NamedScript]
    /// The counters since start or since the last SIGRTMAX-1.
    public var stats: KeepalivedStats
    /// `dont_track_primary`.
    public var dontTrackPrimary = false
    /// `notify_deleted`: a reload that removes the instance notifies DELETED, not FAULT.
    public var notifyDeleted = false
    /// Accept mode is off: the VIPs are filtered while MASTER (`no_accept`, vrrp_strict's default).
    public var noAccept = false
    /// `garp_lower_prio_delay` in seconds and `garp_lower_prio_repeat`.
    public var garpLowerPriorityDelay: Double = 5
    public var garpLowerPriorityRepeat = 5
    /// `garp_master_refresh_repeat`.
    public var garpRefreshRepeat = 1
    /// `lower_prio_no_advert`, `higher_prio_send_advert`.
    public var lowerPriorityNoAdvert = false
    public var higherPrioritySendAdvert = false

    /// The notify scripts as the JSON dump names them (`script_master`; the generic `notify` is `script`).
    public var notifyJSONScripts: [NamedScript] {
        notifyScripts.map { NamedScript(label: $0.label == "generic" ? "script" : "script_\($0.label)", command: $0.command) }
    }
}

/// keepalived's per-instance counters (`vrrp_stats`), as Vigil's VRRP core counts them.
public struct KeepalivedStats: Sendable, Equatable {
    /// Adverts received for this instance (accepted or discarded).
    public var advertReceived = 0
    /// Adverts sent.
    public var advertSent = 0
    /// Transitions to MASTER.
    public var becameMaster = 0
    /// Transitions from MASTER.
    public var releasedMaster = 0
    /// Truncated packets, length mismatches, no addresses.
    public var packetLengthErrors = 0
    /// TTL or hop limit not 255.
    public var ttlErrors = 0
    /// An unknown VRRP packet type.
    public var invalidType = 0
    /// An advert interval other than ours (VRRPv2).
    public var advertIntervalErrors = 0
    /// Adverts whose address list differs from ours (accepted, as keepalived does).
    public var addressListErrors = 0
    /// AH, or an unknown authentication type.
    public var invalidAuthType = 0
    /// Vigil counts a type mismatch as an authentication failure: always 0.
    public var authTypeMismatch = 0
    /// Authentication type or password mismatches.
    public var authFailure = 0
    /// Priority-0 adverts received (the master leaving).
    public var priorityZeroReceived = 0
    /// Not counted by Vigil's core (sent on stop only, after the last dump): always 0.
    public var priorityZeroSent = 0

    /// All zeros.
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
