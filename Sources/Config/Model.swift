// The typed model of a keepalived.conf. Every block is a struct with `public var` fields, documented
// defaults (the ones keepalived 2.2 uses), and the `SourceLocation` of its keyword so later errors
// (from the Director or the daemons) can point back at the configuration. Times are `Duration`s, converted once
// where the builder parses them; messages print them as keepalived.conf writes them (`Duration.configText`), and
// JSON as seconds (`Seconds`).

import RegexMatch
import Vocabulary

/// A whole configuration: what `Config.load` returns when there are no errors.
public struct KeepalivedConfig: Sendable, Equatable, Codable {
    /// `global_defs` (all defaults when absent).
    public var globalDefs = GlobalDefs()
    /// `vrrp_script NAME { … }` blocks in file order.
    public var vrrpScripts: [VRRPScriptConfig] = []
    /// `vrrp_track_file NAME { … }` blocks.
    public var vrrpTrackFiles: [VRRPTrackFileConfig] = []
    /// `vrrp_track_process NAME { … }` blocks.
    public var vrrpTrackProcesses: [VRRPTrackProcessConfig] = []
    /// `bfd_instance NAME { … }` blocks.
    public var bfdInstances: [BFDInstanceConfig] = []
    /// `vrrp_sync_group NAME { … }` blocks.
    public var vrrpSyncGroups: [VRRPSyncGroupConfig] = []
    /// `vrrp_instance NAME { … }` blocks.
    public var vrrpInstances: [VRRPInstanceConfig] = []
    /// `virtual_server_group NAME { … }` blocks.
    public var virtualServerGroups: [VirtualServerGroupConfig] = []
    /// `virtual_server … { … }` blocks.
    public var virtualServers: [VirtualServerConfig] = []
    /// `static_ipaddress { … }` entries: on their interface while Vigil runs.
    public var staticIPAddresses: [VirtualIPAddress] = []
    /// `static_routes { … }` entries: in the kernel while Vigil runs.
    public var staticRoutes: [RouteConfig] = []
    /// `static_rules { … }` entries: in the kernel while Vigil runs.
    public var staticRules: [RuleConfig] = []
    /// `SSL { … }`: the client side of every SSL_GET (nil: none written; a second block replaces the first).
    public var ssl: SSLConfig?
    /// `garp_group { … }` blocks: the pacing of gratuitous ARPs / unsolicited NAs on their interfaces.
    public var garpGroups: [GARPGroupConfig] = []

    /// An empty configuration.
    public init() {}

    /// The vrrp_script with this name.
    public func vrrpScript(named name: String) -> VRRPScriptConfig? { vrrpScripts.first { $0.name == name } }
    /// The vrrp_instance with this name.
    public func vrrpInstance(named name: String) -> VRRPInstanceConfig? { vrrpInstances.first { $0.name == name } }
    /// The vrrp_track_file with this name.
    public func vrrpTrackProcess(named name: String) -> VRRPTrackProcessConfig? {
        vrrpTrackProcesses.first { $0.name == name }
    }
    /// The vrrp_track_file with this name.
    public func vrrpTrackFile(named name: String) -> VRRPTrackFileConfig? {
        vrrpTrackFiles.first { $0.name == name }
    }
}

/// A location used for values built in code rather than parsed.
public let noSourceLocation = SourceLocation(file: "", line: 0, column: 0)

/// A script line of the configuration (`notify_master "/x" USER GROUP`, `quorum_up`, `notify_up` …): the command
/// the runtime runs and where it was written.
public struct ConfigScript: Sendable, Equatable, Codable {
    /// The command, its user and group.
    public var script: ScriptCommand
    /// Where it was written.
    public var location: SourceLocation

    /// Creates a script line.
    public init(command: String, user: String? = nil, group: String? = nil, location: SourceLocation = noSourceLocation) {
        self.script = ScriptCommand(command: command, user: user, group: group)
        self.location = location
    }

    /// The command line as written.
    public var command: String { script.command }
    /// The user to run as, if given.
    public var user: String? { script.user }
    /// The group to run as, if given.
    public var group: String? { script.group }
    /// True when the line needs a shell (`ScriptCommand.needsShell`).
    public var needsShell: Bool { script.needsShell }
}

/// `global_defs { … }`.
public struct GlobalDefs: Sendable, Equatable, Codable {
    /// `notification_email { … }` addresses.
    public var notificationEmail: [String] = []
    /// `notification_email_from`.
    public var notificationEmailFrom: String?
    /// `smtp_server HOST [PORT]` host (address or name).
    public var smtpServer: String?
    /// `smtp_server` port (default 25).
    public var smtpPort: UInt16 = 25
    /// `smtp_connect_timeout` (default 30 s).
    @Seconds public var smtpConnectTimeout: Duration = .seconds(30)
    /// `smtp_helo_name`.
    public var smtpHeloName: String?
    /// `router_id` (keepalived defaults to the host name; nil here means "not written").
    public var routerID: String?
    /// `startup_script SCRIPT [USER [GROUP]]`: run before VRRP and the checkers start; they wait for it.
    public var startupScript: ConfigScript?
    /// `startup_script_timeout` (1–1000 s, default 10 s): then the script's process group is killed.
    @Seconds public var startupScriptTimeout: Duration = .seconds(10)
    /// `shutdown_script SCRIPT [USER [GROUP]]`: run at stop, after VRRP and the checkers have stopped.
    public var shutdownScript: ConfigScript?
    /// `shutdown_script_timeout` (1–1000 s, default 10 s).
    @Seconds public var shutdownScriptTimeout: Duration = .seconds(10)
    /// `vrrp_garp_master_delay` (default 5 s).
    @Seconds public var vrrpGarpMasterDelay: Duration = .seconds(5)
    /// `vrrp_garp_master_repeat` (default 5).
    public var vrrpGarpMasterRepeat: Int = 5
    /// `vrrp_garp_master_refresh` (default 0 = off).
    @Seconds public var vrrpGarpMasterRefresh: Duration = .zero
    /// `vrrp_garp_master_refresh_repeat` (default 1).
    public var vrrpGarpMasterRefreshRepeat: Int = 1
    /// `vrrp_garp_lower_prio_delay`, if set.
    @OptionalSeconds public var vrrpGarpLowerPrioDelay: Duration? = nil
    /// `vrrp_garp_lower_prio_repeat`, if set.
    public var vrrpGarpLowerPrioRepeat: Int?
    /// `vrrp_lower_prio_no_advert [BOOL]`: instances' default for `lower_prio_no_advert` (outside strict mode).
    public var vrrpLowerPrioNoAdvert = false
    /// `vrrp_higher_prio_send_advert [BOOL]`: instances' default for `higher_prio_send_advert` (outside strict mode).
    public var vrrpHigherPrioSendAdvert = false
    /// `vrrp_notify_priority_changes [BOOL]`: the default of instances (and sync groups) without their own
    /// `notify_priority_changes`.
    public var vrrpNotifyPriorityChanges = false
    /// `fifo_write_vrrp_states_on_reload`: a reload writes the unchanged states to the notify FIFOs.
    public var fifoWriteVRRPStatesOnReload = false
    /// `log_unknown_vrids`: log adverts for VRIDs no instance runs on the interface they arrive on.
    public var logUnknownVRIDs = false
    /// `vrrp_down_timer_adverts N` (1…100): instances' default for `down_timer_adverts` (default 3, the RFCs').
    public var vrrpDownTimerAdverts = 3
    /// `vrrp_garp_interval`: the time between gratuitous ARPs (default 0).
    @Seconds public var vrrpGarpInterval: Duration = .zero
    /// `vrrp_gna_interval`: the time between unsolicited NAs (default 0).
    @Seconds public var vrrpGNAInterval: Duration = .zero
    /// `vrrp_startup_delay SECONDS` (default 0).
    @Seconds public var vrrpStartupDelay: Duration = .zero
    /// `vmac_prefix` (default `vrrp`): the prefix of the names made for `use_vmac` without a name.
    public var vmacPrefix: String?
    /// `vrrp_delay_after_boot SECONDS` (keepalived 2.4.0, default 0): at start, the instances wait until the system
    /// has been up this long (the longer of this and `vrrp_startup_delay`).
    @Seconds public var vrrpDelayAfterBoot: Duration = .zero
    /// `vrrp_strict`: every instance without its own `strict_mode` runs in strict mode.
    public var vrrpStrict = false
    /// `notify_fifo PATH [USER [GROUP]]` (`path`, and the FIFO's owner in the script's user/group) with
    /// `notify_fifo_script`; `vrrp_notify_fifo` and `vrrp_notify_fifo_script` likewise.
    public var notifyFifo: ConfigScript?
    public var notifyFifoScript: ConfigScript?
    public var vrrpNotifyFifo: ConfigScript?
    public var vrrpNotifyFifoScript: ConfigScript?
    /// `nftables [TABLE]`: the table (family inet) of `no_accept`'s drop rules (nil: `vigil`).
    public var nftablesTable: String?
    /// `nftables_priority N`: the priority of that table's chains (nil: -1, keepalived's).
    public var nftablesPriority: Int?
    /// `enable_script_security`.
    public var enableScriptSecurity = false
    /// `script_user USER [GROUP]`.
    public var scriptUser: String?
    /// `script_user` group.
    public var scriptGroup: String?
    /// `state_dump_file PATH` (keepalived 2.3.3): where SIGUSR1's data dump goes, as written.
    public var stateDumpFile: String?
    /// `lvs_sync_daemon IFNAME [INSTANCE] [options…]`.
    public var lvsSyncDaemon: LVSSyncDaemon?
    /// `vrrp_version` default for instances (default 2).
    public var vrrpVersion: Int = 2
    /// `vrrp_mcast_group4` (default 224.0.0.18).
    public var vrrpMcastGroup4: IPAddress?
    /// `vrrp_mcast_group6` (default ff02::12).
    public var vrrpMcastGroup6: IPAddress?
    /// `vrrp_skip_check_adv_addr`.
    public var vrrpSkipCheckAdvAddr = false
    /// `vrrp_check_unicast_src`.
    public var vrrpCheckUnicastSrc = false
    /// `v3_checksum_as_v2` in `global_defs` (keepalived 2.2.8): the default of every instance's.
    public var v3ChecksumAsV2 = false
    /// `vrrp_owner_ignore_adverts` (keepalived 2.3.3): the default of `owner_ignore_adverts` for address owners.
    public var vrrpOwnerIgnoreAdverts = false
    /// `smtp_alert` (nil = not written): the default of every `smtp_alert` below it.
    public var smtpAlert: Bool?
    /// `checker_log_all_failures` (nil = not written): every checker logs all its failures, whatever its own
    /// `log_all_failures` says (keepalived ORs the two).
    public var checkerLogAllFailures: Bool?
    /// `smtp_alert_vrrp` (nil = not written): the default of the VRRP instances' and sync groups' `smtp_alert`.
    public var smtpAlertVRRP: Bool?
    /// `smtp_alert_checker` (nil = not written): the default of the virtual and real servers' `smtp_alert`.
    public var smtpAlertChecker: Bool?
    /// `no_email_faults`: no alert for an instance or sync group entering FAULT.
    public var noEmailFaults = false
    /// `default_interface`.
    public var defaultInterface: String?
    /// `dynamic_interfaces`.
    public var dynamicInterfaces = false
    /// `lvs_flush`.
    public var lvsFlush = false
    /// `lvs_timeouts [tcp S] [tcpfin S] [udp S]`: the kernel's IPVS connection timeouts while the daemon runs
    /// (unset or 0: the kernel's value is kept).
    public var lvsTimeouts: LVSTimeouts?
    /// `lvs_flush_on_stop` (`lvs_flush_onstop`): true flushes the whole IPVS table at stop, hand-made services too;
    /// `lvs_flush_on_stop VS` (false) deletes the configured services whole, which is what Vigil does at stop anyway.
    public var lvsFlushOnStop: Bool?
    /// `vigil_route_table TABLE` (a Vigil extension): the kernel routing table where announced virtual servers'
    /// host routes are kept for a BGP engine to learn (nil: not written).
    public var vigilRouteTable: UInt32?
    /// `vigil_failback_hold off|SECONDS` (a Vigil extension): how long at most a BACKUP that runs the backup
    /// connection-sync daemon waits for its connection table to settle before it may preempt (nil: the default,
    /// 60 s when `lvs_sync_daemon` is configured; `.zero`: off).
    public var vigilFailbackHold: Duration?
    /// `vigil_handover_on_stop` (a Vigil extension): a stop hands the MASTER instances over make-before-break first.
    public var vigilHandoverOnStop = false
    /// Where `global_defs` was written (nil location when absent).
    public var location: SourceLocation = noSourceLocation

    /// All defaults.
    public init() {}
}

/// `lvs_sync_daemon IFNAME [INSTANCE] [id N] [maxlen N] [port N] [ttl N] [group ADDR]`.
/// `lvs_timeouts`: seconds, each 0…2678400 (keepalived's LVS_MAX_TIMEOUT, 31 days); nil or 0 leaves the kernel's.
public struct LVSTimeouts: Sendable, Equatable, Codable {
    /// `tcp`: established TCP connections.
    public var tcp: UInt32?
    /// `tcpfin`: TCP connections after a FIN.
    public var tcpFin: UInt32?
    /// `udp`.
    public var udp: UInt32?

    /// Creates the value.
    public init(tcp: UInt32? = nil, tcpFin: UInt32? = nil, udp: UInt32? = nil) {
        self.tcp = tcp
        self.tcpFin = tcpFin
        self.udp = udp
    }
}

public struct LVSSyncDaemon: Sendable, Equatable, Codable {
    /// Interface.
    public var interface: String
    /// The VRRP instance whose state drives the sync daemon; nil: none, both the master and the backup daemon run
    /// all the time (keepalived's checker process does that).
    public var vrrpInstance: String?
    /// `id` (0–255; keepalived's default is the instance's virtual_router_id).
    public var syncID: UInt8?
    /// `maxlen` (1–65507).
    public var maxlen: UInt16?
    /// `port` (1–65535).
    public var port: UInt16?
    /// `ttl` (1–255).
    public var ttl: UInt8?
    /// `group`: the multicast group.
    public var group: IPAddress?
    /// Creates the value.
    public init(interface: String, vrrpInstance: String?, syncID: UInt8? = nil, maxlen: UInt16? = nil,
                port: UInt16? = nil, ttl: UInt8? = nil, group: IPAddress? = nil) {
        self.interface = interface
        self.vrrpInstance = vrrpInstance
        self.syncID = syncID
        self.maxlen = maxlen
        self.port = port
        self.ttl = ttl
        self.group = group
    }
}

/// `vrrp_script NAME { … }`.
public struct VRRPScriptConfig: Sendable, Equatable, Codable {
    /// The script's name (referenced by `track_script`).
    public var name: String
    /// `script` command line (required).
    public var script: String = ""
    /// `interval` (default 1 s).
    @Seconds public var interval: Duration = .seconds(1)
    /// `timeout` (default: the interval).
    @OptionalSeconds public var timeout: Duration? = nil
    /// `weight` (default 0: failure puts tracking instances into FAULT).
    public var weight: Int = 0
    /// `weight … reverse`.
    public var weightReverse = false
    /// `rise` (default 1).
    public var rise: Int = 1
    /// `fall` (default 1).
    public var fall: Int = 1
    /// `user USER [GROUP]`.
    public var user: String?
    /// Group from `user`.
    public var group: String?
    /// `init_fail`.
    public var initFail = false
    /// Where `vrrp_script` was written.
    public var location: SourceLocation = noSourceLocation
    /// Where `script` was written.
    public var scriptLocation: SourceLocation = noSourceLocation
    /// Where `weight` was written (the block's location when defaulted).
    public var weightLocation: SourceLocation = noSourceLocation

    /// Creates a script with defaults.
    public init(name: String) { self.name = name }
}

/// `vrrp_track_file NAME { file PATH; weight N [reverse]; init_file … }`.
public struct VRRPTrackFileConfig: Sendable, Equatable, Codable {
    /// Name (referenced by `track_file`).
    public var name: String
    /// `file` path (required).
    public var file: String = ""
    /// `weight` (default 1: the file's integer value × weight is added to the priority).
    public var weight: Int = 1
    /// `weight … reverse`.
    public var weightReverse = false
    /// `init_file [VALUE] [overwrite]` given.
    public var initFile: Int?
    /// `init_file … overwrite`.
    public var initFileOverwrite = false
    /// Where it was written.
    public var location: SourceLocation = noSourceLocation
    /// Where `weight` was written.
    public var weightLocation: SourceLocation = noSourceLocation
    /// Creates a track file with defaults.
    public init(name: String) { self.name = name }
}

/// `vrrp_track_process NAME { process … }`: how many processes matching a name (and parameters) run.
public struct VRRPTrackProcessConfig: Sendable, Equatable, Codable {
    /// How the parameters after `process NAME` are matched (`param_match`).
    public enum ParamMatch: String, Sendable, Equatable, Codable {
        /// The parameters are exactly those written (the default when parameters are written).
        case exact
        /// The first parameters are those written; more may follow (`param_match partial`).
        case partial
        /// As partial, and the last written parameter may be the start of the process's (`param_match initial`).
        case initial
    }

    /// Name (referenced by `track_process`).
    public var name: String
    /// `process NAME [PARAM…]`: the process name, then its parameters.
    public var process: [String] = []
    /// `param_match` (nil: not written).
    public var paramMatch: ParamMatch?
    /// `weight` (default 0: the instance goes to FAULT while the quorum is not met).
    public var weight: Int = 0
    /// `weight … reverse`.
    public var weightReverse = false
    /// `quorum` (default 1): the fewest matching processes for success.
    public var quorum = 1
    /// `quorum_max` (default: no maximum).
    public var quorumMax: Int?
    /// `fork_delay` (or `delay`): a quorum gained counts after this long.
    @Seconds public var forkDelay: Duration = .zero
    /// `terminate_delay` (or `delay`): a quorum lost counts after this long.
    @Seconds public var terminateDelay: Duration = .zero
    /// `full_command`: the command line is matched, not the process name.
    public var fullCommand = false
    /// Where it was written.
    public var location: SourceLocation = noSourceLocation
    /// Creates a track process with defaults.
    public init(name: String) { self.name = name }
}

/// A reference to a script, interface or file in a `track_*` list, with an optional weight override.
public struct TrackReference: Sendable, Equatable, Codable {
    /// Script name, interface name or track-file name.
    public var name: String
    /// `weight N` written in the list (overrides the object's own weight).
    public var weight: Int?
    /// `reverse`.
    public var reverse = false
    /// Where it was written.
    public var location: SourceLocation
    /// Creates a reference.
    public init(name: String, weight: Int? = nil, reverse: Bool = false, location: SourceLocation = noSourceLocation) {
        self.name = name
        self.weight = weight
        self.reverse = reverse
        self.location = location
    }
}

/// A name in a list, with its position (sync group members).
public struct NamedReference: Sendable, Equatable, Codable {
    /// The name.
    public var name: String
    /// Where it was written.
    public var location: SourceLocation
    /// Creates a reference.
    public init(name: String, location: SourceLocation = noSourceLocation) {
        self.name = name
        self.location = location
    }
}

/// `vrrp_sync_group NAME { group { … } notify… }`.
public struct VRRPSyncGroupConfig: Sendable, Equatable, Codable {
    /// Name.
    public var name: String
    /// Member instance names.
    public var group: [NamedReference] = []
    /// `notify_master`.
    public var notifyMaster: ConfigScript?
    /// `notify_backup`.
    public var notifyBackup: ConfigScript?
    /// `notify_fault`.
    public var notifyFault: ConfigScript?
    /// `notify_stop`.
    public var notifyStop: ConfigScript?
    /// `notify`.
    public var notify: ConfigScript?
    /// `smtp_alert`.
    public var smtpAlert: Bool?
    /// `notify_priority_changes [BOOL]`: the default of member instances without their own.
    public var notifyPriorityChanges: Bool?
    /// `global_tracking`.
    public var globalTracking = false
    /// `track_script` list.
    public var trackScripts: [TrackReference] = []
    /// `track_interface` list.
    public var trackInterfaces: [TrackReference] = []
    /// `track_file` list.
    public var trackFiles: [TrackReference] = []
    /// `track_process` list.
    public var trackProcesses: [TrackReference] = []
    /// `track_bfd { NAME [weight W [reverse]] … }`.
    public var trackBFDs: [TrackReference] = []
    /// Where it was written.
    public var location: SourceLocation = noSourceLocation
    /// Creates a group.
    public init(name: String) { self.name = name }
}

/// `state MASTER|BACKUP`.
public enum VRRPInitialState: String, Sendable, Equatable, Codable {
    /// `MASTER`: start as master (after the first advert interval).
    case master = "MASTER"
    /// `BACKUP` (keepalived's default).
    case backup = "BACKUP"
}

/// `auth_type`.
public enum VRRPAuthType: String, Sendable, Equatable, Codable {
    /// `PASS`: simple text password (VRRPv2 only).
    case pass = "PASS"
    /// `AH`: IPsec AH (VRRPv2 only).
    case ah = "AH"
}

/// `authentication { auth_type …; auth_pass … }`.
public struct VRRPAuthentication: Sendable, Equatable, Codable {
    /// The type.
    public var type: VRRPAuthType
    /// The password as written (keepalived uses the first 8 characters).
    public var password: String
    /// Where the block was written.
    public var location: SourceLocation
    /// Creates the value.
    public init(type: VRRPAuthType, password: String, location: SourceLocation = noSourceLocation) {
        self.type = type
        self.password = password
        self.location = location
    }
    /// The password as it goes on the wire: at most 8 bytes.
    public var effectivePassword: String { String(decoding: password.utf8.prefix(8), as: UTF8.self) }
}

/// `use_ipvlan [[name] NAME] [IPADDR[/LEN]] [bridge|private|vepa] [group GID]`: an L2 ipvlan on the instance's
/// interface (it shares that interface's MAC) carrying the VIPs and the adverts.
public struct IPVLANConfig: Sendable, Equatable, Codable {
    /// The ipvlan's flags (`IFLA_IPVLAN_FLAGS`).
    public enum Mode: String, Sendable, Equatable, Codable {
        /// 0, the default.
        case bridge
        /// IPVLAN_F_PRIVATE.
        case `private`
        /// IPVLAN_F_VEPA.
        case vepa
    }

    /// The interface name; empty for keepalived's generated one (as `use_vmac`'s).
    public var name: String = ""
    /// The address put on the ipvlan and used as the adverts' source (unless `mcast_src_ip`/`unicast_src_ip`).
    public var address: IPPrefix?
    /// The flags (default bridge).
    public var mode: Mode = .bridge
    /// Where the keyword is.
    public var location: SourceLocation = noSourceLocation

    /// Creates the value.
    public init(name: String = "", address: IPPrefix? = nil, mode: Mode = .bridge,
                location: SourceLocation = noSourceLocation) {
        self.name = name
        self.address = address
        self.mode = mode
        self.location = location
    }
}

/// `garp_group { garp_interval …; gna_interval …; interface IF | interfaces { … } }`: the least time between two
/// gratuitous ARPs (IPv4) or unsolicited NAs (IPv6) sent on the group's interfaces, all instances together. With
/// `interfaces` the pacing is shared by the whole list (one switch behind them).
public struct GARPGroupConfig: Sendable, Equatable, Codable {
    /// `garp_interval` (nil: ARPs are not paced on these interfaces).
    public var garpInterval: Duration?
    /// `gna_interval` (nil: NAs are not paced on these interfaces).
    public var gnaInterval: Duration?
    /// `interface` or `interfaces`, in order; an interface already in an earlier group is left out.
    public var interfaces: [String] = []
    /// Where the block is.
    public var location: SourceLocation = noSourceLocation

    /// Creates a group.
    public init(garpInterval: Duration? = nil, gnaInterval: Duration? = nil, interfaces: [String] = [],
                location: SourceLocation = noSourceLocation) {
        self.garpInterval = garpInterval
        self.gnaInterval = gnaInterval
        self.interfaces = interfaces
        self.location = location
    }
}

/// `auth_hmac { mode … }` (keepalived 2.4.0): what a node sends and accepts.
public enum VRRPAuthHMACMode: String, Sendable, Equatable, Codable {
    /// `enforce` (the default): every advert must carry a valid trailer.
    case enforce
    /// `permissive`: adverts are signed; adverts without a trailer are accepted too (a rollout step).
    case permissive
    /// `receive-only`: nothing is signed; a trailer that is present is verified, adverts without one are accepted.
    case receiveOnly = "receive-only"
}

/// `auth_hmac { anti_replay … }`.
public enum VRRPAuthHMACAntiReplay: String, Sendable, Equatable, Codable {
    /// `time` (the default): the sequence carries the sender's clock and must lie within `time_window` of ours.
    case time
    /// `monotonic`: only a strictly growing sequence per sender.
    case monotonic
}

/// One `auth_hmac { key ID VALUE }`: 32 to 64 bytes. The bytes are not in the model's JSON (`vigil check --model`):
/// only the id, the length and where the key came from are.
public struct VRRPAuthHMACKey: Sendable, Equatable, Codable {
    /// The key id, 1–255, carried in each advert's trailer.
    public var id: Int
    /// The key.
    public var bytes: [UInt8]
    /// `file:PATH` when the key was read from a file, nil when written inline.
    public var file: String?
    /// Where the line is.
    public var location: SourceLocation

    /// Creates a key.
    public init(id: Int, bytes: [UInt8], file: String? = nil, location: SourceLocation = noSourceLocation) {
        self.id = id
        self.bytes = bytes
        self.file = file
        self.location = location
    }

    private enum CodingKeys: String, CodingKey { case id, length, file, location }

    /// Encodes the id, the length and the file, never the key.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(bytes.count, forKey: .length)
        try c.encodeIfPresent(file, forKey: .file)
        try c.encode(location, forKey: .location)
    }

    /// Decodes what `encode(to:)` wrote: the key itself is not there, so `bytes` is empty.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.decode(Int.self, forKey: .id)
        file = try c.decodeIfPresent(String.self, forKey: .file)
        location = try c.decode(SourceLocation.self, forKey: .location)
        bytes = []
    }
}

/// `auth_hmac { key …; active_key …; anti_replay …; time_window …; mode … }` (keepalived 2.4.0): an HMAC-SHA256
/// trailer after each advert, with a time-based sequence against replays.
public struct VRRPAuthHMAC: Sendable, Equatable, Codable {
    /// `key` lines, in order.
    public var keys: [VRRPAuthHMACKey] = []
    /// `active_key`: the key id adverts are signed with.
    public var activeKey: Int?
    /// `anti_replay` (default time).
    public var antiReplay: VRRPAuthHMACAntiReplay = .time
    /// `time_window` in seconds, 1–300, as written; nil for keepalived's default (see `effectiveTimeWindow`).
    public var timeWindow: Int?
    /// `mode` (default enforce).
    public var mode: VRRPAuthHMACMode = .enforce
    /// Where the block is.
    public var location: SourceLocation = noSourceLocation

    /// Creates an empty block.
    public init(location: SourceLocation = noSourceLocation) { self.location = location }

    /// The freshness window in force: as written, else three advert intervals in whole seconds, at least 5 and at
    /// most 300, as keepalived derives it.
    public func effectiveTimeWindow(advertInterval: Duration) -> Int {
        if let timeWindow { return timeWindow }
        return min(300, max(5, 3 * Int(advertInterval.components.seconds)))
    }
}

/// One `virtual_ipaddress` entry: `ADDR[/LEN] [brd ADDR] [dev IF] [scope S] [label L] [no_dad] …`.
public struct VirtualIPAddress: Sendable, Equatable, Codable {
    /// Address and prefix length.
    public var address: IPPrefix
    /// `brd`.
    public var broadcast: IPAddress?
    /// `dev` (default: the instance's interface).
    public var device: String?
    /// `scope` as its rtnetlink number (`global` 0, `site` 200, `link` 253, `host` 254, `nowhere` 255, or the number
    /// written); nil when not written (global).
    public var scope: UInt8?
    /// `label`.
    public var label: String?
    /// `peer ADDR`.
    public var peer: IPAddress?
    /// Other option words kept as written (`no_dad`, `home`, `-nodad`, `preferred_lft …`, `track_group …`).
    public var options: [String] = []
    /// Where it was written.
    public var location: SourceLocation
    /// Creates an entry.
    public init(address: IPPrefix, location: SourceLocation = noSourceLocation) {
        self.address = address
        self.location = location
    }
}

/// One `virtual_routes` / `static_routes` line, as keepalived 2.2.7 reads it (its `ip route` subset).
public struct RouteConfig: Sendable, Equatable, Codable {
    /// The route type word before the destination (`blackhole 10.0.0.0/8`); `unicast` by default.
    public enum Kind: String, Sendable, Equatable, Codable, CaseIterable {
        case unicast, local, broadcast, anycast, multicast, blackhole, unreachable, prohibit, `throw`, nat
    }
    /// `[to] PREFIX` (`default` is 0.0.0.0/0 or ::/0).
    public var destination: IPPrefix
    /// The type.
    public var kind: Kind = .unicast
    /// `via` / `gw`.
    public var gateway: IPAddress?
    /// `dev` / `oif`.
    public var device: String?
    /// `src`: the preferred source address.
    public var preferredSource: IPAddress?
    /// `from PREFIX` (IPv6 only).
    public var sourcePrefix: IPPrefix?
    /// `table` (default main, 254).
    public var table: UInt32 = 254
    /// `metric` / `priority` / `preference`.
    public var metric: UInt32?
    /// `scope` (default universe, 0).
    public var scope: UInt8?
    /// `protocol` (default keepalived's, 18).
    public var routingProtocol: UInt8?
    /// `tos` / `dsfield`.
    public var tos: UInt8?
    /// `onlink`.
    public var onlink = false
    /// `no_track`.
    public var noTrack = false
    /// Where it was written.
    public var location: SourceLocation = noSourceLocation

    /// Creates a route to `destination`.
    public init(destination: IPPrefix, location: SourceLocation = noSourceLocation) {
        self.destination = destination
        self.location = location
    }

    /// True for an IPv6 route.
    public var isIPv6: Bool { destination.address.isIPv6 }
}

/// One `virtual_rules` / `static_rules` line, as keepalived 2.2.7 reads it (its `ip rule` subset).
public struct RuleConfig: Sendable, Equatable, Codable {
    /// What the rule does.
    public enum Action: Sendable, Equatable, Codable {
        case table(UInt32), goto(UInt32), nop, blackhole, unreachable, prohibit
    }
    /// IPv6 (`inet6`, or the family of `from`/`to`); IPv4 by default.
    public var isIPv6 = false
    /// `from PREFIX` (`all` leaves it out).
    public var from: IPPrefix?
    /// `to PREFIX`.
    public var to: IPPrefix?
    /// The action (`table`/`lookup`, `goto`, `nop`, `blackhole`, `unreachable`, `prohibit`).
    public var action: Action = .table(254)
    /// `priority` / `preference` / `order`; keepalived numbers rules without one from 16384 down, per family.
    public var priority: UInt32 = 0
    /// `fwmark N[/MASK]`.
    public var fwmark: UInt32?
    public var fwmask: UInt32?
    /// `iif` / `dev`, `oif`.
    public var inputInterface: String?
    public var outputInterface: String?
    /// `tos` / `dsfield`.
    public var tos: UInt8?
    /// `not`.
    public var invert = false
    /// `suppress_prefixlength` / `sup_pl`, `suppress_ifgroup` / `sup_group`.
    public var suppressPrefixLength: UInt32?
    public var suppressInterfaceGroup: UInt32?
    /// `protocol` (default keepalived's, 18).
    public var routingProtocol: UInt8?
    /// Where it was written.
    public var location: SourceLocation = noSourceLocation

    /// Creates a rule.
    public init(location: SourceLocation = noSourceLocation) { self.location = location }
}

/// A line kept as words.
public struct RawEntry: Sendable, Equatable, Codable {
    /// The words of the line.
    public var words: [String]
    /// Where it was written.
    public var location: SourceLocation
    /// Creates an entry.
    public init(words: [String], location: SourceLocation = noSourceLocation) {
        self.words = words
        self.location = location
    }
}

/// One `unicast_peer` entry.
public struct UnicastPeer: Sendable, Equatable, Codable {
    /// The peer's address.
    public var address: IPAddress
    /// `min_ttl`.
    public var minTTL: Int?
    /// `max_ttl`.
    public var maxTTL: Int?
    /// Where it was written.
    public var location: SourceLocation
    /// Creates a peer.
    public init(address: IPAddress, location: SourceLocation = noSourceLocation) {
        self.address = address
        self.location = location
    }
}

/// `vrrp_instance NAME { … }`.
public struct VRRPInstanceConfig: Sendable, Equatable, Codable {
    /// Name.
    public var name: String
    /// `state` (default BACKUP).
    public var state: VRRPInitialState = .backup
    /// `interface` (required).
    public var interface: String = ""
    /// `virtual_router_id` 1–255 (required).
    public var virtualRouterID: Int = 0
    /// `priority` 1–255 (default 100; 255 means address owner).
    public var priority: Int = 100
    /// `advert_int` (default 1 s).
    @Seconds public var advertInterval: Duration = .seconds(1)
    /// `version` 2 or 3 (default: `global_defs vrrp_version`, itself 2). An IPv6 instance is always 3, as in keepalived.
    public var version: Int = 2
    /// `authentication` (VRRPv2 only).
    public var authentication: VRRPAuthentication?
    /// `auth_hmac { … }` (keepalived 2.4.0; VRRPv2 and v3, IPv4 and IPv6).
    public var authHMAC: VRRPAuthHMAC?
    /// `virtual_ipaddress` entries.
    public var virtualIPAddresses: [VirtualIPAddress] = []
    /// `virtual_ipaddress_excluded` entries.
    public var excludedVirtualIPAddresses: [VirtualIPAddress] = []
    /// `virtual_routes` lines: added after the VIPs when MASTER, removed before them.
    public var virtualRoutes: [RouteConfig] = []
    /// `virtual_rules` lines: added with the virtual routes.
    public var virtualRules: [RuleConfig] = []
    /// `track_script` entries.
    public var trackScripts: [TrackReference] = []
    /// `track_interface` entries.
    public var trackInterfaces: [TrackReference] = []
    /// `track_file` entries.
    public var trackFiles: [TrackReference] = []
    /// `track_process` entries.
    public var trackProcesses: [TrackReference] = []
    /// `track_bfd { NAME [weight W [reverse]] … }`.
    public var trackBFDs: [TrackReference] = []
    /// `nopreempt`.
    public var nopreempt = false
    /// `preempt_delay` (default 0).
    @Seconds public var preemptDelay: Duration = .zero
    /// `unicast_src_ip`.
    /// `lvs_sync_daemon_interface` (deprecated): the sync daemon's interface, following this instance.
    public var lvsSyncDaemonInterface: String?
    public var unicastSourceIP: IPAddress?
    /// `unicast_peer` entries (empty = multicast).
    public var unicastPeers: [UnicastPeer] = []
    /// `mcast_src_ip`.
    public var multicastSourceIP: IPAddress?
    /// `mcast_dst_ip`: the group this instance sends to and listens on (nil: `vrrp_mcast_group4`/`6`, else
    /// 224.0.0.18 / ff02::12). Dropped with a warning when the instance is unicast.
    public var multicastDestination: IPAddress?
    /// `unicast_ttl` 0–255: the TTL / hop limit of unicast adverts (nil: 255). Only with `unicast_peer`.
    public var unicastTTL: Int?
    /// The address adverts go out from: the last of `unicast_src_ip` and `mcast_src_ip` written, as keepalived keeps
    /// one source address for both (nil: the interface's primary address).
    public var sourceIP: IPAddress?
    /// `skip_check_adv_addr` (default: `global_defs vrrp_skip_check_adv_addr`): a backup does not check the address
    /// list of adverts from the master it already follows.
    public var skipCheckAdvAddr = false
    /// `check_unicast_src` (or a `min_ttl`/`max_ttl` on a peer, as in keepalived): unicast adverts from a source that
    /// is not a `unicast_peer` are dropped.
    public var checkUnicastSrc = false
    /// `track_src_ip`: FAULT while the configured source address (`sourceIP`) is on no interface.
    public var trackSrcIP = false
    /// `notify_master`.
    public var notifyMaster: ConfigScript?
    /// `notify_backup`.
    public var notifyBackup: ConfigScript?
    /// `notify_fault`.
    public var notifyFault: ConfigScript?
    /// `notify_stop`.
    public var notifyStop: ConfigScript?
    /// `notify` (called with the new state as arguments).
    public var notify: ConfigScript?
    /// `notify_master_rx_lower_pri`: run when the MASTER hears a lower-priority advert.
    public var notifyMasterRxLowerPri: ConfigScript?
    /// `notify_deleted [SCRIPT]`: an instance a reload removes notifies DELETED (and runs SCRIPT) instead of
    /// keepalived's default FAULT.
    public var notifyDeleted = false
    /// The script of `notify_deleted SCRIPT`.
    public var notifyDeletedScript: ConfigScript?
    /// `notify_priority_changes [BOOL]`: a line on the notify FIFOs when the effective priority changes (nil: the
    /// sync group's, else the global `vrrp_notify_priority_changes`).
    public var notifyPriorityChanges: Bool?
    /// `smtp_alert`.
    public var smtpAlert: Bool?
    /// `garp_master_delay` (default: global vrrp_garp_master_delay).
    @Seconds public var garpMasterDelay: Duration = .seconds(5)
    /// `garp_master_repeat` (default: global).
    public var garpMasterRepeat: Int = 5
    /// `garp_master_refresh` (default: global, 0 = off).
    @Seconds public var garpMasterRefresh: Duration = .zero
    /// `garp_master_refresh_repeat` (default: global).
    public var garpMasterRefreshRepeat: Int = 1
    /// `garp_lower_prio_delay`: a MASTER that hears a lower-priority advert announces its VIPs again after this
    /// delay. After loading it holds what keepalived runs with (the global one, else `vrrp_garp_master_delay`;
    /// 0 in strict mode).
    @OptionalSeconds public var garpLowerPrioDelay: Duration? = nil
    /// `garp_lower_prio_repeat`: a MASTER that hears a lower-priority advert announces its VIPs this many times at
    /// once (and again after the delay). After loading: the global one, else `vrrp_garp_master_repeat`; 0 in strict
    /// mode.
    public var garpLowerPrioRepeat: Int?
    /// `lower_prio_no_advert [BOOL]`: a MASTER does not answer a lower-priority advert with its own. After loading:
    /// the global default, true in strict mode.
    public var lowerPrioNoAdvert: Bool?
    /// `higher_prio_send_advert [BOOL]`: a MASTER sends its advert before yielding to a higher priority. After
    /// loading: the global default, false in strict mode.
    public var higherPrioSendAdvert: Bool?
    /// `accept` (true) / `no_accept` (false). After loading it holds what keepalived 2.2.7 runs with: accept at
    /// priority 255 or outside strict mode unless `no_accept`; no accept in strict mode, and never for VRRPv2 in
    /// strict mode below priority 255.
    public var accept: Bool?
    /// `strict_mode [on|off]` as written (nil: `global_defs vrrp_strict` decides).
    public var strictMode: Bool?
    /// `down_timer_adverts N` (1…100): the master-down timer is N advert intervals plus the skew time instead of the
    /// RFCs' 3 (keepalived 2.2.7; every node of the instance must use the same N). After loading: the global
    /// `vrrp_down_timer_adverts` when not written.
    public var downTimerAdverts: Int?
    /// Strict mode as it runs (`strict_mode`, else `vrrp_strict`): no authentication, no unicast, no accept mode by
    /// default; set when the file is loaded.
    public var strict = false
    /// While MASTER, packets to and from the VIPs are dropped (keepalived's strict-mode firewall): no accept mode
    /// and not the address owner.
    public var filtersVIPTraffic: Bool { accept == false && priority != 255 }
    /// `dont_track_primary`.
    public var dontTrackPrimary = false
    /// `no_virtual_ipaddress` (keepalived 2.2.8): the instance has no VIPs on purpose (no warning; VRRPv3 allowed).
    public var noVirtualIPAddress = false
    /// `use_vmac [NAME] [MAC]`: nil = off; empty string = default name (vrrp.VRID).
    public var useVMAC: String?
    /// `use_vmac`'s MAC address: 6 bytes, or 5 to which the VRID is appended; nil = the virtual router MAC.
    public var vmacAddress: [UInt8]?
    /// `vmac_xmit_base`.
    public var vmacXmitBase = false
    /// `use_ipvlan [[name] NAME] [IPADDR[/LEN]] [bridge|private|vepa]`: nil = off.
    public var useIPVLAN: IPVLANConfig?
    /// `old_unicast_checksum [never]` (nil = not written: detect keepalived 1.3.6's unicast VRRPv3 checksum and
    /// switch to it; `.always` = use it from the start; `.never` = never switch).
    public var oldUnicastChecksum: OldUnicastChecksum?
    /// `v3_checksum_as_v2` (nil = not written: `global_defs v3_checksum_as_v2`): the VRRPv3 IPv4 checksum without the
    /// pseudo-header.
    public var v3ChecksumAsV2: Bool?
    /// `timer_expired_backup [P]` (or its old name `thread_timer_expired`): the highest priority of the other nodes
    /// (default 254); nil when not written, or without `nopreempt` (keepalived resets it then).
    public var timerExpiredBackup: Int?
    /// `owner_ignore_adverts` (nil = not written: on for an address owner in strict mode, else
    /// `vrrp_owner_ignore_adverts`); resolved at the end of the file, false unless the priority is 255.
    public var ownerIgnoreAdverts: Bool?
    /// `unicast_fault_no_peer`: with a unicast keyword and no `unicast_peer` the instance stays in FAULT instead of
    /// falling back to multicast.
    public var unicastFaultNoPeer = false
    /// `promote_secondaries`: the interface's promote_secondaries switch is on while the instance runs (a macvlan of
    /// `use_vmac` has it anyway: with `use_vmac` the keyword is cleared, with keepalived's warning).
    public var promoteSecondaries = false
    /// `native_ipv6`.
    public var nativeIPv6 = false
    /// Where it was written.
    public var location: SourceLocation = noSourceLocation
    /// Where `priority` was written (the block's location when defaulted).
    public var priorityLocation: SourceLocation = noSourceLocation
    /// Where `virtual_router_id` was written.
    public var virtualRouterIDLocation: SourceLocation = noSourceLocation

    /// Creates an instance with defaults.
    public init(name: String) { self.name = name }
}

/// `lb_algo` / `lvs_sched`: IPVS schedulers.
public enum LBAlgo: String, Sendable, Equatable, Codable, CaseIterable {
    /// Round robin.
    case rr
    /// Weighted round robin.
    case wrr
    /// Least connection.
    case lc
    /// Weighted least connection (IPVS's default).
    case wlc
    /// Locality-based least connection.
    case lblc
    /// LBLC with replication.
    case lblcr
    /// Source hashing.
    case sh
    /// Maglev hashing.
    case mh
    /// Destination hashing.
    case dh
    /// Weighted failover.
    case fo
    /// Weighted overflow.
    case ovf
    /// Shortest expected delay.
    case sed
    /// Never queue.
    case nq
    /// Weighted random twos choice.
    case twos
}

/// `lb_kind` / `lvs_method`: IPVS forwarding methods.
public enum LBKind: String, Sendable, Equatable, Codable, CaseIterable {
    /// Masquerading (keepalived's default).
    case nat = "NAT"
    /// Direct routing.
    case dr = "DR"
    /// IP tunnelling.
    case tun = "TUN"
}

/// `protocol`.
public enum LVSProtocol: String, Sendable, Equatable, Codable {
    /// TCP (default).
    case tcp = "TCP"
    /// UDP.
    case udp = "UDP"
    /// SCTP.
    case sctp = "SCTP"
}

/// The service a virtual_server describes.
public enum VirtualServerAddress: Sendable, Equatable, Codable {
    /// `virtual_server IP PORT`.
    case address(IPAddress, port: UInt16)
    /// `virtual_server fwmark N`.
    case fwmark(UInt32)
    /// `virtual_server group NAME`.
    case group(String)
}

/// `virtual_server … { … }`.
public struct VirtualServerConfig: Sendable, Equatable, Codable {
    /// The service.
    public var address: VirtualServerAddress
    /// `delay_loop`: the time between checks (default 60 s).
    @Seconds public var delayLoop: Duration = .seconds(60)
    /// `lb_algo` (default wlc, IPVS's default).
    public var lbAlgo: LBAlgo = .wlc
    /// `lb_kind` (default NAT).
    public var lbKind: LBKind = .nat
    /// The tunnel options after `lb_kind TUN`.
    public var tunnel = TunnelSettings()
    /// `persistence_timeout` seconds (nil = no persistence; bare keyword = 360).
    public var persistenceTimeout: UInt32?
    /// `persistence_granularity` netmask.
    public var persistenceGranularity: IPAddress?
    /// `persistence_engine`: the kernel's persistence engine module by name (`sip`).
    public var persistenceEngine: String?
    /// `protocol` (default TCP).
    public var `protocol`: LVSProtocol = .tcp
    /// `sorry_server` address.
    public var sorryServer: IPAddress?
    /// `sorry_server` port (default: the virtual server's port).
    public var sorryServerPort: UInt16?
    /// `sorry_server_inhibit`.
    public var sorryServerInhibit = false
    /// `sorry_server_lvs_method`.
    public var sorryServerLBKind: LBKind?
    /// `virtualhost` (default Host header for HTTP_GET/SSL_GET).
    public var virtualhost: String?
    /// `alpha`.
    public var alpha = false
    /// `omega`.
    public var omega = false
    /// `quorum` (default 1).
    public var quorum: Int = 1
    /// `hysteresis` (default 0).
    public var hysteresis: Int = 0
    /// `quorum_up`.
    public var quorumUp: ConfigScript?
    /// `quorum_down`.
    public var quorumDown: ConfigScript?
    /// `ha_suspend`.
    public var haSuspend = false
    /// `ops` (one-packet scheduling).
    public var ops = false
    /// `inhibit_on_failure` default for real servers.
    public var inhibitOnFailure = false
    /// `smtp_alert`.
    public var smtpAlert: Bool?
    /// `ip_family` (for fwmark services).
    public var ipFamily: IPAddress.Family?
    /// Scheduler flags (`flag-1`, `sh-port`, …).
    public var schedulerFlags: [SchedulerFlag] = []
    /// `real_server` blocks.
    public var realServers: [RealServerConfig] = []
    /// Where `vigil_announce` (a Vigil extension) was written; nil when the service is not announced. An announced
    /// service's address is routed into `vigil_route_table` while its pool has quorum.
    public var vigilAnnounce: SourceLocation?
    /// Where it was written.
    public var location: SourceLocation = noSourceLocation

    /// Creates a virtual server with defaults.
    public init(address: VirtualServerAddress) { self.address = address }
}

/// `real_server IP [PORT] { … }`.
public struct RealServerConfig: Sendable, Equatable, Codable {
    /// Address.
    public var address: IPAddress
    /// Port (default: the virtual server's port; nil for fwmark services without one).
    public var port: UInt16?
    /// `weight` (default 1).
    public var weight: Int = 1
    /// `inhibit_on_failure` (default: the virtual server's).
    public var inhibitOnFailure = false
    /// `notify_up`.
    public var notifyUp: ConfigScript?
    /// `notify_down`.
    public var notifyDown: ConfigScript?
    /// `uthreshold` (upper connection limit).
    public var upperThreshold: UInt32?
    /// `lthreshold`.
    public var lowerThreshold: UInt32?
    /// `lb_kind` override (default: the virtual server's).
    public var lbKind: LBKind
    /// The tunnel options of `lb_kind TUN` (default: the virtual server's).
    public var tunnel = TunnelSettings()
    /// `virtualhost` (default: the virtual server's).
    public var virtualhost: String?
    /// `smtp_alert`.
    public var smtpAlert: Bool?
    /// Health checkers; empty = always up.
    public var checkers: [CheckerConfig] = []
    /// Where it was written.
    public var location: SourceLocation = noSourceLocation

    /// Creates a real server.
    public init(address: IPAddress, port: UInt16?, lbKind: LBKind = .nat) {
        self.address = address
        self.port = port
        self.lbKind = lbKind
    }
}

/// Kind of health checker.
public enum CheckerKind: String, Sendable, Equatable, Codable, CaseIterable {
    /// `TCP_CHECK`: connect.
    case tcp = "TCP_CHECK"
    /// `HTTP_GET`.
    case http = "HTTP_GET"
    /// `SSL_GET`.
    case ssl = "SSL_GET"
    /// `MISC_CHECK`: run a program.
    case misc = "MISC_CHECK"
    /// `SMTP_CHECK`.
    case smtp = "SMTP_CHECK"
    /// `DNS_CHECK`.
    case dns = "DNS_CHECK"
    /// `UDP_CHECK`.
    case udp = "UDP_CHECK"
    /// `PING_CHECK`.
    case ping = "PING_CHECK"
    /// `FILE_CHECK`.
    case file = "FILE_CHECK"
}

/// An inclusive HTTP status range (`200-299`, or `200` as 200…200).
public struct StatusCodeRange: Sendable, Equatable, Codable {
    /// Lowest accepted code.
    public var lower: Int
    /// Highest accepted code.
    public var upper: Int
    /// Creates a range.
    public init(_ lower: Int, _ upper: Int) {
        self.lower = lower
        self.upper = upper
    }
    /// Whether `code` is accepted.
    public func contains(_ code: Int) -> Bool { code >= lower && code <= upper }
}

/// `url { path …; digest …; status_code …; virtualhost …; regex … }` of HTTP_GET / SSL_GET.
public struct URLCheck: Sendable, Equatable, Codable {
    /// `path` (required).
    public var path: String = "/"
    /// `digest`: lowercase MD5 hex of the body.
    public var digest: String?
    /// `status_code` ranges (default 200-299).
    public var statusCodes: [StatusCodeRange] = [StatusCodeRange(200, 299)]
    /// `virtualhost` for this URL.
    public var virtualhost: String?
    /// `regex` and its settings; nil without `regex`.
    public var regex: URLRegex?
    /// `tls_compliant` (SSL_GET only, keepalived 2.2.8): this url's connection ends with a TLS close_notify.
    public var tlsCompliant = false
    /// Where it was written.
    public var location: SourceLocation = noSourceLocation
    /// Creates a URL check.
    public init() {}
}

/// A url's `regex` with `regex_no_match`, `regex_options`, `regex_stack`, `regex_min_offset` and `regex_max_offset`,
/// as written; the parser has compiled it once to report errors, and the Director compiles it for the checker.
public struct URLRegex: Sendable, Equatable, Codable {
    /// `regex`: the PCRE2 pattern the body must match.
    public var pattern: String
    /// `regex_no_match`: a match fails the check instead.
    public var noMatch = false
    /// `regex_options`, in the order written.
    public var options: [RegexOption] = []
    /// `regex_stack START MAX`: JIT stack bytes.
    public var stack: BodyRegex.JITStack?
    /// `regex_min_offset` (default 0).
    public var minOffset = 0
    /// `regex_max_offset` (none: the whole body).
    public var maxOffset: Int?

    /// A regex with the defaults.
    public init(pattern: String) { self.pattern = pattern }
}

/// One checker block inside a real_server, with timers resolved: checker value, else real server's,
/// else virtual server's, else keepalived's default. What only one kind of checker has is in `settings`.
public struct CheckerConfig: Sendable, Equatable, Codable {
    /// What the kind of checker needs: its keyword's own fields.
    public var settings: CheckerSettings
    /// Where it connects to and from, and `connect_timeout` (default 5 s).
    public var connection = CheckerConnection()
    /// `retry` / `nb_get_retry` (default 1; DNS_CHECK 3; MISC_CHECK 0).
    public var retry: Int = 1
    /// `delay_before_retry` (default 1 s; HTTP_GET/SSL_GET 3 s; DNS_CHECK the delay_loop).
    @Seconds public var delayBeforeRetry: Duration = .seconds(1)
    /// `delay_loop` (default: the virtual server's, 60 s).
    @Seconds public var delayLoop: Duration = .seconds(60)
    /// `warmup` (nil = random up to delay_loop, keepalived's default).
    @OptionalSeconds public var warmup: Duration? = nil
    /// `alpha`.
    public var alpha = false
    /// `log_all_failures` (`global_defs checker_log_all_failures` turns it on for every checker).
    public var logAllFailures = false
    /// Where it was written.
    public var location: SourceLocation = noSourceLocation

    /// The kind, from the settings.
    public var kind: CheckerKind { settings.kind }

    /// Creates a checker with these settings and the timer defaults of its kind.
    public init(settings: CheckerSettings) {
        self.settings = settings
        switch settings.kind {
        case .http, .ssl: delayBeforeRetry = .seconds(3)
        case .dns: retry = 3
        case .misc: retry = 0
        case .tcp, .smtp, .udp, .ping, .file: break
        }
    }

    /// Creates a checker of `kind` with all defaults.
    public init(kind: CheckerKind) { self.init(settings: CheckerSettings(defaultsFor: kind)) }
}

/// What one kind of checker block holds beyond the fields every checker has. The cases follow keepalived's
/// keyword table (`Keyword.checkers`): a field is in a case only when that block accepts its keyword.
public enum CheckerSettings: Sendable, Equatable, Codable {
    /// `TCP_CHECK`: connect, nothing more.
    case tcp
    /// `HTTP_GET`.
    case http(HTTPCheckerSettings)
    /// `SSL_GET`: HTTP_GET's fields over TLS, and `enable_sni` (which only SSL_GET accepts).
    case ssl(HTTPCheckerSettings, enableSNI: Bool)
    /// `MISC_CHECK`.
    case misc(MiscCheckerSettings)
    /// `SMTP_CHECK`.
    case smtp(SMTPCheckerSettings)
    /// `DNS_CHECK`.
    case dns(DNSCheckerSettings)
    /// `UDP_CHECK`.
    case udp(UDPCheckerSettings)
    /// `PING_CHECK`: an ICMP echo, nothing more.
    case ping
    /// `FILE_CHECK`.
    case file(FileCheckerSettings)

    /// The settings of a `kind` block that sets none of its own keywords.
    public init(defaultsFor kind: CheckerKind) {
        switch kind {
        case .tcp: self = .tcp
        case .http: self = .http(HTTPCheckerSettings())
        case .ssl: self = .ssl(HTTPCheckerSettings(), enableSNI: false)
        case .misc: self = .misc(MiscCheckerSettings())
        case .smtp: self = .smtp(SMTPCheckerSettings())
        case .dns: self = .dns(DNSCheckerSettings())
        case .udp: self = .udp(UDPCheckerSettings())
        case .ping: self = .ping
        case .file: self = .file(FileCheckerSettings())
        }
    }

    /// The block's keyword.
    public var kind: CheckerKind {
        switch self {
        case .tcp: .tcp
        case .http: .http
        case .ssl: .ssl
        case .misc: .misc
        case .smtp: .smtp
        case .dns: .dns
        case .udp: .udp
        case .ping: .ping
        case .file: .file
        }
    }
}

/// HTTP_GET and SSL_GET: the URLs to fetch and how.
public struct HTTPCheckerSettings: Sendable, Equatable, Codable {
    /// `url` blocks (at least one).
    public var urls: [URLCheck]
    /// `virtualhost` (default: the real server's, then the virtual server's).
    public var virtualhost: String?
    /// `http_protocol` (1.0, 1.0C, 1.1); nil = keepalived's default, 1.0.
    public var httpProtocol: HTTPProtocol?
    /// `fast_recovery`.
    public var fastRecovery: Bool
    /// `tls_compliant` (SSL_GET only, keepalived 2.2.8): every url's connection ends with a TLS close_notify.
    public var tlsCompliant: Bool

    /// Creates the settings.
    public init(urls: [URLCheck] = [], virtualhost: String? = nil, httpProtocol: HTTPProtocol? = nil,
                fastRecovery: Bool = false, tlsCompliant: Bool = false) {
        self.urls = urls
        self.virtualhost = virtualhost
        self.httpProtocol = httpProtocol
        self.fastRecovery = fastRecovery
        self.tlsCompliant = tlsCompliant
    }
}

/// MISC_CHECK: a program whose exit status is the verdict.
public struct MiscCheckerSettings: Sendable, Equatable, Codable {
    /// `misc_path`: the command line (required; empty when missing, which is an error).
    public var path: String
    /// `misc_timeout` (default: the checker's delay_loop, itself 60 s by default).
    @Seconds public var timeout: Duration
    /// `misc_dynamic`: the exit status sets the weight.
    public var dynamic: Bool
    /// `user USER [GROUP]`: the user.
    public var user: String?
    /// `user USER [GROUP]`: the group.
    public var group: String?

    /// Creates the settings.
    public init(path: String = "", timeout: Duration = .seconds(60), dynamic: Bool = false, user: String? = nil,
                group: String? = nil) {
        self.path = path
        self.timeout = timeout
        self.dynamic = dynamic
        self.user = user
        self.group = group
    }
}

/// SMTP_CHECK.
public struct SMTPCheckerSettings: Sendable, Equatable, Codable {
    /// `helo_name` (default: `global_defs smtp_helo_name`, then `localhost`).
    public var heloName: String?
    /// `host` blocks, in order (keepalived 2.2.7 deprecates them: each is checked as an SMTP_CHECK of its own).
    public var hosts: [SMTPHost]
    /// The block itself sets a connection keyword (`connect_ip`, `connect_port`, `bindto`, `bind_port`, `bind_if`,
    /// `fwmark`, `connect_timeout`): with hosts, its own target is checked too; without, only the hosts are.
    public var ownConnection: Bool

    /// Creates the settings.
    public init(heloName: String? = nil, hosts: [SMTPHost] = [], ownConnection: Bool = false) {
        self.heloName = heloName
        self.hosts = hosts
        self.ownConnection = ownConnection
    }
}

/// Where a checker connects to and from, and how long it waits (keepalived's conn_opts): what a checker block and
/// each SMTP_CHECK `host` block say, read by one parser.
public struct CheckerConnection: Sendable, Equatable, Codable {
    /// `connect_ip` (default: the real server's address).
    public var connectIP: IPAddress?
    /// `connect_port` (default: the real server's port).
    public var connectPort: UInt16?
    /// `bindto` source address.
    public var bindTo: IPAddress?
    /// `bind_if`.
    public var bindInterface: String?
    /// `bind_port`.
    public var bindPort: UInt16?
    /// `fwmark` for checker packets.
    public var fwmark: UInt32?
    /// `connect_timeout` (default 5 s). An SMTP_CHECK host's: its own, else the real server's, else the virtual
    /// server's (not the SMTP_CHECK block's own, as in keepalived).
    @Seconds public var connectTimeout: Duration = .seconds(5)

    /// Nothing set: the real server's address and port, 5 s.
    public init() {}
}

/// One `host` block of an SMTP_CHECK: where to connect. Its retry, delay_before_retry, warmup, delay_loop, alpha
/// and log_all_failures belong to the whole SMTP_CHECK, as in keepalived.
public struct SMTPHost: Sendable, Equatable, Codable {
    /// Where it connects (`connect_timeout` inherited from the real server or virtual server, not the block).
    public var connection = CheckerConnection()
    /// Where it was written.
    public var location: SourceLocation = noSourceLocation

    /// A host with the defaults.
    public init() {}
}

/// DNS_CHECK: one query.
public struct DNSCheckerSettings: Sendable, Equatable, Codable {
    /// `type` (default SOA), upper case.
    public var type: String
    /// `name` (default ".").
    public var name: String

    /// Creates the settings.
    public init(type: String = "SOA", name: String = ".") {
        self.type = type
        self.name = name
    }
}

/// UDP_CHECK: a datagram and, optionally, the reply it must get.
public struct UDPCheckerSettings: Sendable, Equatable, Codable {
    /// `payload` (nil = an empty datagram).
    public var payload: HexPattern?
    /// `require_reply` (nil = off; an empty pattern = any reply; `X` nibbles match anything).
    public var requireReply: HexPattern?
    /// `min_reply_length` (0…65535; keepalived's default 0). Checked, as in keepalived, only when
    /// `require_reply` gives the reply's bytes.
    public var minReplyLength: Int?
    /// `max_reply_length` (0…65535; keepalived's default 255), as `minReplyLength`.
    public var maxReplyLength: Int?

    /// Creates the settings.
    public init(payload: HexPattern? = nil, requireReply: HexPattern? = nil, minReplyLength: Int? = nil,
                maxReplyLength: Int? = nil) {
        self.payload = payload
        self.requireReply = requireReply
        self.minReplyLength = minReplyLength
        self.maxReplyLength = maxReplyLength
    }
}

/// FILE_CHECK: a `vrrp_track_file` whose value sets the weight.
public struct FileCheckerSettings: Sendable, Equatable, Codable {
    /// `track_file`: the vrrp_track_file's name (required; empty when missing, which is an error).
    public var trackFile: String
    /// `weight` (default: the vrrp_track_file's).
    public var weight: Int?
    /// `weight … reverse`.
    public var weightReverse: Bool

    /// Creates the settings.
    public init(trackFile: String = "", weight: Int? = nil, weightReverse: Bool = false) {
        self.trackFile = trackFile
        self.weight = weight
        self.weightReverse = weightReverse
    }
}

/// One `virtual_server_group` entry.
public enum VirtualServerGroupEntry: Sendable, Equatable, Codable {
    /// `IP[-LAST] PORT`: an address or a range in the last byte / group, and a port.
    case range(first: IPAddress, last: IPAddress, port: UInt16)
    /// `fwmark N`.
    case fwmark(UInt32)
}

/// `virtual_server_group NAME { … }`.
public struct VirtualServerGroupConfig: Sendable, Equatable, Codable {
    /// Name.
    public var name: String
    /// Entries.
    public var entries: [VirtualServerGroupEntry] = []
    /// Where it was written.
    public var location: SourceLocation = noSourceLocation
    /// Creates a group.
    public init(name: String) { self.name = name }
}

/// `SSL { password ca certificate key }` as keepalived 2.2.7 reads it: SSL_GET checks present `certificate` (a PEM
/// chain) with `key` (PEM, decrypted with `password` when it is encrypted); `ca` is loaded as keepalived loads it,
/// and, as in keepalived, the server's certificate is not verified against it.
public struct SSLConfig: Sendable, Equatable, Codable {
    /// `password STRING`: the key file's passphrase.
    public var password: String?
    /// `ca PATH`.
    public var caFile: String?
    /// `certificate PATH`: the client certificate chain.
    public var certificateFile: String?
    /// `key PATH`: the client private key.
    public var keyFile: String?
    /// The `SSL` keyword.
    public var location: SourceLocation = noSourceLocation

    /// An empty block.
    public init() {}
}

/// `old_unicast_checksum`'s two forms.
public enum OldUnicastChecksum: String, Sendable, Hashable, Codable {
    /// `old_unicast_checksum`: keepalived 1.3.6's unicast VRRPv3 checksum from the start.
    case always
    /// `old_unicast_checksum never`: the RFC checksum, never switching to the old one.
    case never
}

/// A `bfd_instance NAME { … }` block (keepalived's BFD, RFC 5880/5881 single hop).
public struct BFDInstanceConfig: Sendable, Equatable, Codable {
    public var name: String
    /// `neighbor_ip` (or `neighbour_ip`): required.
    public var neighbor: IPAddress?
    /// `source_ip`.
    public var source: IPAddress?
    /// `min_rx` in ms (default 10).
    @Seconds public var minRx: Duration = .milliseconds(10)
    /// `min_tx` in ms (default 10).
    @Seconds public var minTx: Duration = .milliseconds(10)
    /// `idle_tx` in ms (default 1000).
    @Seconds public var idleTx: Duration = .seconds(1)
    /// `multiplier` (default 5).
    public var multiplier = 5
    /// `passive`.
    public var passive = false
    /// `ttl` (IPv4, default 255) and `hoplimit` (IPv6, default 64).
    public var ttl: Int?
    public var hoplimit: Int?
    /// `max_hops` (default 0).
    public var maxHops = 0
    /// `weight W [reverse]`: the default weight of `track_bfd` references (default 0: FAULT while down).
    public var weight = 0
    public var weightReverse = false
    /// `vrrp` / `checker`: where its state goes (neither written: both).
    public var toVRRP = false
    public var toChecker = false
    public var location: SourceLocation = noSourceLocation

    public init(name: String) { self.name = name }

    /// Whether VRRP's `track_bfd` sees it.
    public var reachesVRRP: Bool { toVRRP || !toChecker }
    /// Whether `BFD_CHECK` sees it.
    public var reachesChecker: Bool { toChecker || !toVRRP }
}
