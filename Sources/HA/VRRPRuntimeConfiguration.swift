import Vocabulary

/// A `vrrp_script`: what to run and how to judge it.
public struct VRRPScriptSpec: Sendable, Hashable {
    /// Script name (`vrrp_script NAME`).
    public var name: String
    /// The command as configured (with its `user`, else `script_user`).
    public var command: ScriptCommand
    /// Time between runs.
    public var interval: Duration
    /// A run longer than this is killed and counts as failed (default: the interval).
    public var timeout: Duration
    /// Consecutive results needed to change state.
    public var rise: Int
    /// Consecutive failures needed to go down.
    public var fall: Int
    /// Start in the failed state (`init_fail`).
    public var initFail: Bool

    /// Creates a script spec; defaults follow keepalived.
    public init(name: String, command: ScriptCommand, interval: Duration = .seconds(1), timeout: Duration? = nil,
                rise: Int = 1, fall: Int = 1, initFail: Bool = false) {
        self.name = name
        self.command = command
        self.interval = interval
        self.timeout = timeout ?? interval
        self.rise = rise
        self.fall = fall
        self.initFail = initFail
    }
}

/// A `vrrp_track_file`: a file holding an integer; its value × the reference's weight adds to the priority
/// (weight 0: a non-zero value means Fault). An unreadable file counts as `initValue` (default 0).
public struct VRRPTrackFileSpec: Sendable, Hashable {
    /// Name (`vrrp_track_file NAME`).
    public var name: String
    /// Path of the file.
    public var path: String
    /// Value assumed while the file is missing or unreadable.
    public var initValue: Int
    /// `init_file [VALUE] [overwrite]`: the file is created holding `initValue` at start when missing (and
    /// written at start, not on reload, when `overwrite`), as keepalived 2.2.7 does.
    public var initialise: Bool
    public var overwrite: Bool

    /// Creates a track file spec.
    public init(name: String, path: String, initValue: Int = 0, initialise: Bool = false, overwrite: Bool = false) {
        self.name = name
        self.path = path
        self.initValue = initValue
        self.initialise = initialise
        self.overwrite = overwrite
    }
}

/// A reference from an instance to a tracked object with its effective weight.
/// Weight 0: failure puts the instance into Fault. Weight > 0: added while up. Weight < 0: added while down.
/// `reverse`, as keepalived 2.2.7 applies it: the weight counts negated in the same state (weight 10 reverse is -10
/// while up), a weight-0 tracker faults while up, a track file's value counts negated (weight 0: FAULT at 0).
public struct VRRPTrackReference: Sendable, Hashable {
    /// Script or interface name.
    public var name: String
    /// Effective weight (the reference's own, else the script's).
    public var weight: Int
    /// `weight … reverse`.
    public var reverse: Bool

    /// Creates a reference.
    public init(name: String, weight: Int, reverse: Bool = false) {
        self.name = name
        self.weight = weight
        self.reverse = reverse
    }
}

/// Notify scripts of an instance or sync group.
public struct VRRPNotifyScripts: Sendable, Hashable {
    /// Run on entering Master.
    public var master: ScriptCommand?
    /// Run on entering Backup.
    public var backup: ScriptCommand?
    /// Run on entering Fault.
    public var fault: ScriptCommand?
    /// Run on entering Stop.
    public var stop: ScriptCommand?
    /// Run on every transition with `TYPE NAME STATE PRIORITY`.
    public var generic: ScriptCommand?
    /// Run, without arguments, each time a MASTER hears a lower-priority advert (`notify_master_rx_lower_pri`).
    public var masterReceivedLowerPriority: ScriptCommand?
    /// `notify_deleted`: an instance a reload removes notifies DELETED (generic script, FIFO) and runs `deleted`;
    /// without it keepalived's older way: the generic script with FAULT, unless the instance was in FAULT.
    public var notifiesDeleted = false
    /// `notify_deleted SCRIPT`: run when a reload removes the instance.
    public var deleted: ScriptCommand?

    /// Creates a set of notify scripts.
    public init(master: ScriptCommand? = nil, backup: ScriptCommand? = nil, fault: ScriptCommand? = nil,
                stop: ScriptCommand? = nil, generic: ScriptCommand? = nil) {
        self.master = master
        self.backup = backup
        self.fault = fault
        self.stop = stop
        self.generic = generic
    }
}

/// Gratuitous ARP / unsolicited NA timing after becoming Master.
public struct GratuitousARPSettings: Sendable, Hashable {
    /// Delay before the second burst (`garp_master_delay`, default 5 s; zero disables it).
    public var masterDelay: Duration
    /// Announcements per burst (`garp_master_repeat`, default 5).
    public var masterRepeat: Int
    /// Period of refresh bursts while Master (`garp_master_refresh`, zero = none).
    public var masterRefresh: Duration
    /// Announcements per `garp_master_refresh` burst (`garp_master_refresh_repeat`, default 1).
    public var refreshRepeat: Int
    /// Announcements a Master sends at once when it hears a lower-priority advert (`garp_lower_prio_repeat`,
    /// keepalived's default 5; 0 = none, as in strict mode): after a partition the other side's MAC is in the
    /// neighbours' caches.
    public var lowerPriorityRepeat: Int
    /// Delay of the second such burst (`garp_lower_prio_delay`, default 5 s; zero = none).
    public var lowerPriorityDelay: Duration

    /// Creates settings; defaults follow keepalived.
    public init(masterDelay: Duration = .seconds(5), masterRepeat: Int = 5, masterRefresh: Duration = .zero,
                lowerPriorityRepeat: Int = 5, lowerPriorityDelay: Duration = .seconds(5), refreshRepeat: Int = 1) {
        self.refreshRepeat = refreshRepeat
        self.masterDelay = masterDelay
        self.masterRepeat = masterRepeat
        self.masterRefresh = masterRefresh
        self.lowerPriorityRepeat = lowerPriorityRepeat
        self.lowerPriorityDelay = lowerPriorityDelay
    }
}

/// Everything the runtime needs for one `vrrp_instance`.
public struct VRRPInstanceSpec: Sendable, Hashable {
    /// The core's configuration; `primaryAddress` is replaced by the transport's source address at start.
    public var configuration: VRRPInstanceConfiguration
    /// The interface adverts use (`interface`).
    public var interface: String
    /// The advert source address (`unicast_src_ip` or `mcast_src_ip`, the last written); nil: the interface's
    /// primary address.
    public var unicastSource: IPAddress?
    /// `unicast_peer`s; empty means multicast (kept in `configuration`, where the core checks sources against them).
    public var unicastPeers: [IPAddress] {
        get { configuration.unicastPeers }
        set { configuration.unicastPeers = newValue }
    }
    /// `unicast_ttl`: TTL / hop limit of unicast adverts (nil: 255).
    public var unicastTTL: UInt8?
    /// `vrrp_mcast_group4` / `vrrp_mcast_group6`: the group joined and sent to (nil: 224.0.0.18 / ff02::12).
    public var multicastGroup: IPAddress?
    /// `virtual_ipaddress` entries (carried in adverts).
    public var virtualAddresses: [VirtualAddress]
    /// `virtual_ipaddress_excluded` entries (added and removed, not advertised).
    public var excludedAddresses: [VirtualAddress]
    /// GARP / NA timing.
    public var garp: GratuitousARPSettings
    /// Notify scripts.
    public var notify: VRRPNotifyScripts
    /// The configuration keeps the instance in FAULT for this reason (`unicast_fault_no_peer` without a peer).
    public var configurationFault: String?
    /// `track_src_ip`: the instance is in FAULT while its configured source address (`unicastSource`) is on no
    /// interface.
    public var tracksSourceAddress = false
    /// `notify_priority_changes`: a change of the effective priority writes `INSTANCE "NAME" MASTER_PRIORITY|
    /// BACKUP_PRIORITY PRIO` on the notify FIFOs, as keepalived does (no script runs).
    public var notifiesPriorityChanges = false
    /// `track_script` references.
    public var trackScripts: [VRRPTrackReference]
    /// `track_interface` references.
    public var trackInterfaces: [VRRPTrackReference]
    /// `track_file` references (weight: multiplier of the file's value).
    public var trackFiles: [VRRPTrackReference]
    /// `track_process` references.
    public var trackProcesses: [VRRPTrackReference] = []
    /// `track_bfd`: `bfd_instance` sessions, up or down (the Director feeds their changes, `VRRPRuntime.bfdChanged`).
    public var trackBFDs: [VRRPTrackReference] = []
    /// The primary `interface` is tracked (its link down or deleted puts the instance in FAULT); false with
    /// `dont_track_primary`.
    public var tracksPrimaryInterface: Bool
    /// `no_accept` (vrrp_strict's default) below priority 255: while MASTER, packets to and from its VIPs are
    /// dropped by the host's firewall (`VIPFilter`), as keepalived drops them.
    public var filtersVIPTraffic = false
    /// `virtual_routes`: added after the VIPs when MASTER, removed before them.
    public var virtualRoutes: [IPRoute] = []
    /// `virtual_rules`: added after the virtual routes, removed before them.
    public var virtualRules: [IPRule] = []
    /// `use_vmac`: the instance's macvlan. `interface` is then the macvlan's name (the VIPs without their own `dev`
    /// and the announcements go there); the adverts use `vmac.advertInterface`.
    public var vmac: VMACSpec?
    /// `promote_secondaries`: the interface's switch is set while Vigil runs (restored at stop), as keepalived does.
    public var promotesSecondaries = false
    /// The interface the transport binds to.
    public var advertInterface: String { vmac?.advertInterface ?? interface }
    /// Where the adverts' default source address is looked up: a macvlan sends from its base's address, an ipvlan
    /// with an address of its own from that one (keepalived); nil: the advert interface.
    public var sourceAddressInterface: String? { vmac?.ipvlan?.address != nil ? nil : vmac?.base }
    /// The link the instance's adverts travel on: a macvlan's base, else `interface`.
    public var link: String { vmac?.base ?? interface }

    /// Creates a spec.
    public init(configuration: VRRPInstanceConfiguration, interface: String, unicastSource: IPAddress? = nil,
                unicastPeers: [IPAddress] = [], unicastTTL: UInt8? = nil, multicastGroup: IPAddress? = nil,
                virtualAddresses: [VirtualAddress], excludedAddresses: [VirtualAddress] = [],
                garp: GratuitousARPSettings = .init(), notify: VRRPNotifyScripts = .init(),
                trackScripts: [VRRPTrackReference] = [], trackInterfaces: [VRRPTrackReference] = [],
                trackFiles: [VRRPTrackReference] = [], tracksPrimaryInterface: Bool = true) {
        self.configuration = configuration
        self.interface = interface
        self.unicastSource = unicastSource
        self.configuration.unicastPeers = unicastPeers
        self.unicastTTL = unicastTTL
        self.multicastGroup = multicastGroup
        self.virtualAddresses = virtualAddresses
        self.excludedAddresses = excludedAddresses
        self.garp = garp
        self.notify = notify
        self.trackScripts = trackScripts
        self.trackInterfaces = trackInterfaces
        self.trackFiles = trackFiles
        self.tracksPrimaryInterface = tracksPrimaryInterface
    }

    /// The instance name.
    public var name: String { configuration.name }
    /// True when the instance advertises IPv6 addresses.
    public var isIPv6: Bool { virtualAddresses.first?.address.isIPv6 ?? false }
    /// The AH key when adverts travel in an IP Authentication Header (IPv4 VRRPv2 with `auth_type AH`), else nil.
    public var authenticationHeaderKey: [UInt8]? {
        guard !isIPv6, configuration.version == .v2, configuration.authentication == .ah else { return nil }
        return configuration.authenticationHeaderKey
    }
}

/// A `vrrp_sync_group`: members move together.
public struct VRRPSyncGroupSpec: Sendable, Hashable {
    /// Group name.
    public var name: String
    /// Member instance names.
    public var members: [String]
    /// Group notify scripts.
    public var notify: VRRPNotifyScripts

    /// Creates a sync group spec.
    public init(name: String, members: [String], notify: VRRPNotifyScripts = .init()) {
        self.name = name
        self.members = members
        self.notify = notify
    }
}

/// The whole VRRP side of a configuration.
public struct VRRPRuntimeConfiguration: Sendable, Hashable {
    /// Instances.
    public var instances: [VRRPInstanceSpec]
    /// Sync groups.
    public var syncGroups: [VRRPSyncGroupSpec]
    /// Scripts referenced by `track_script`.
    public var scripts: [VRRPScriptSpec]
    /// Files referenced by `track_file`.
    public var trackFiles: [VRRPTrackFileSpec]
    /// Processes referenced by `track_process`.
    public var trackProcesses: [VRRPTrackProcessSpec] = []
    /// `enable_script_security` and `script_user`, for tracker and notify scripts alike. Fixed at start.
    public var scriptSecurity: ScriptSecurity
    /// Where `no_accept`'s drop rules live (`nftables`, `nftables_priority`). Fixed at start.
    public var vipFilter = VIPFilterSettings()
    /// `vrrp_startup_delay`: at start (not on reload) no instance takes over before this delay plus its
    /// master-down interval, so links that come up late (bonds at boot) do not make two MASTERs.
    public var startupDelay: Duration = .zero
    /// `vrrp_delay_after_boot` (keepalived 2.4.0): at start, no instance starts before the system has been up this
    /// long; the longer of the two delays applies (`startupDelay(uptime:)`).
    public var delayAfterBoot: Duration = .zero

    /// The start delay for a system up for `uptime`, and the keyword that sets it (nil: no delay): keepalived's rule,
    /// the longer of `vrrp_startup_delay` and what `vrrp_delay_after_boot` still has to run.
    public func startupDelay(uptime: Duration) -> (delay: Duration, keyword: String)? {
        let afterBoot = delayAfterBoot - uptime
        if afterBoot > startupDelay, afterBoot > .zero { return (afterBoot, "vrrp_delay_after_boot") }
        return startupDelay > .zero ? (startupDelay, "vrrp_startup_delay") : nil
    }
    /// `vigil_handover_on_stop` (a Vigil extension): a stop hands each MASTER instance over first (make-before-break,
    /// `VRRPInstance.handover`), waiting at most its master-down interval; keepalived (and the default) sends priority
    /// 0 and removes the VIPs at once.
    public var handoverOnStop = false
    /// `notify_fifo` and `vrrp_notify_fifo`: FIFOs that get one line per state change. Fixed at start.
    public var notifyFifos: [NotifyFifoSpec] = []
    /// `vrrp_garp_interval` / `vrrp_gna_interval`: the least time between two gratuitous ARPs / unsolicited NAs on
    /// an interface in no `garp_group`, all instances together (zero: back to back). See `GARPPacer`.
    public var garpInterval: Duration = .zero
    public var gnaInterval: Duration = .zero
    /// `garp_group` blocks: the pacing of their interfaces.
    public var garpGroups: [GARPGroupSpec] = []
    /// `static_ipaddress` (each with its device): on their interfaces while the runtime runs, whatever the states.
    public var staticAddresses: [VirtualAddress] = []
    /// `static_routes`: in the kernel while the runtime runs.
    public var staticRoutes: [IPRoute] = []
    /// `static_rules`: in the kernel while the runtime runs.
    public var staticRules: [IPRule] = []
    /// `fifo_write_vrrp_states_on_reload`: a reload writes the states that did not change to the notify FIFOs, as
    /// keepalived 2.2.7 does: each sync group's, then each instance's in BACKUP or FAULT (a MASTER that stays MASTER
    /// gets no line in keepalived either).
    public var fifoWriteStatesOnReload = false
    /// `log_unknown_vrids`: adverts for a VRID no instance on the interface (and address family) runs are logged,
    /// once per interface, VRID and source in `unknownVRIDLogInterval`.
    public var logUnknownVRIDs = false
    /// How often one (interface, VRID, source) is logged again while its adverts keep coming.
    public static let unknownVRIDLogInterval: Duration = .seconds(60)

    /// Creates a configuration.
    public init(instances: [VRRPInstanceSpec], syncGroups: [VRRPSyncGroupSpec] = [], scripts: [VRRPScriptSpec] = [],
                trackFiles: [VRRPTrackFileSpec] = [], scriptSecurity: ScriptSecurity = ScriptSecurity()) {
        self.instances = instances
        self.syncGroups = syncGroups
        self.scripts = scripts
        self.trackFiles = trackFiles
        self.scriptSecurity = scriptSecurity
    }
}
