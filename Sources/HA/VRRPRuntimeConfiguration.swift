/// A `vrrp_script`: what to run and how to judge it.
public struct VRRPScriptSpec: Sendable, Hashable {
    /// Script name (`vrrp_script NAME`).
    public var name: String
    /// The command string as configured.
    public var command: String
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
    public init(name: String, command: String, interval: Duration = .seconds(1), timeout: Duration? = nil,
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

/// A reference from an instance to a tracked object with its effective weight.
/// Weight 0: failure puts the instance into Fault. Weight > 0: added while up. Weight < 0: added while down.
public struct VRRPTrackReference: Sendable, Hashable {
    /// Script or interface name.
    public var name: String
    /// Effective weight (the reference's own, else the script's).
    public var weight: Int

    /// Creates a reference.
    public init(name: String, weight: Int) {
        self.name = name
        self.weight = weight
    }
}

/// Notify scripts of an instance or sync group.
public struct VRRPNotifyScripts: Sendable, Hashable {
    /// Run on entering Master.
    public var master: String?
    /// Run on entering Backup.
    public var backup: String?
    /// Run on entering Fault.
    public var fault: String?
    /// Run on entering Stop.
    public var stop: String?
    /// Run on every transition with `TYPE NAME STATE PRIORITY`.
    public var generic: String?

    /// Creates a set of notify scripts.
    public init(master: String? = nil, backup: String? = nil, fault: String? = nil, stop: String? = nil,
                generic: String? = nil) {
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

    /// Creates settings; defaults follow keepalived.
    public init(masterDelay: Duration = .seconds(5), masterRepeat: Int = 5, masterRefresh: Duration = .zero) {
        self.masterDelay = masterDelay
        self.masterRepeat = masterRepeat
        self.masterRefresh = masterRefresh
    }
}

/// Everything the runtime needs for one `vrrp_instance`.
public struct VRRPInstanceSpec: Sendable, Hashable {
    /// The core's configuration; `primaryAddress` is replaced by the transport's source address at start.
    public var configuration: VRRPInstanceConfiguration
    /// The interface adverts use (`interface`).
    public var interface: String
    /// `unicast_src_ip`.
    public var unicastSource: IPAddress?
    /// `unicast_peer`s; empty means multicast.
    public var unicastPeers: [IPAddress]
    /// `virtual_ipaddress` entries (carried in adverts).
    public var virtualAddresses: [VirtualAddress]
    /// `virtual_ipaddress_excluded` entries (added and removed, not advertised).
    public var excludedAddresses: [VirtualAddress]
    /// GARP / NA timing.
    public var garp: GratuitousARPSettings
    /// Notify scripts.
    public var notify: VRRPNotifyScripts
    /// `track_script` references.
    public var trackScripts: [VRRPTrackReference]
    /// `track_interface` references.
    public var trackInterfaces: [VRRPTrackReference]

    /// Creates a spec.
    public init(configuration: VRRPInstanceConfiguration, interface: String, unicastSource: IPAddress? = nil,
                unicastPeers: [IPAddress] = [], virtualAddresses: [VirtualAddress], excludedAddresses: [VirtualAddress] = [],
                garp: GratuitousARPSettings = .init(), notify: VRRPNotifyScripts = .init(),
                trackScripts: [VRRPTrackReference] = [], trackInterfaces: [VRRPTrackReference] = []) {
        self.configuration = configuration
        self.interface = interface
        self.unicastSource = unicastSource
        self.unicastPeers = unicastPeers
        self.virtualAddresses = virtualAddresses
        self.excludedAddresses = excludedAddresses
        self.garp = garp
        self.notify = notify
        self.trackScripts = trackScripts
        self.trackInterfaces = trackInterfaces
    }

    /// The instance name.
    public var name: String { configuration.name }
    /// True when the instance advertises IPv6 addresses.
    public var isIPv6: Bool { virtualAddresses.first?.address.isIPv6 ?? false }
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

    /// Creates a configuration.
    public init(instances: [VRRPInstanceSpec], syncGroups: [VRRPSyncGroupSpec] = [], scripts: [VRRPScriptSpec] = []) {
        self.instances = instances
        self.syncGroups = syncGroups
        self.scripts = scripts
    }
}
