// Theory of operation
//
// `LoadBalancerPlan` is the static half of the Director's load-balancing composition: the LVS part of the
// `DirectorPlan`, computed once per configuration (pure, no I/O). It answers two questions.
//   1. Which IPVS services exist and who owns each one. A virtual server whose address (or each address of its
//      `virtual_server_group`) is a VIP (`virtual_ipaddress` or `virtual_ipaddress_excluded`) of a VRRP instance is
//      owned by that instance, or by the instance's sync group when it is in one; it is installed only while its
//      owner is MASTER. A service on no VIP (fwmark services, local addresses) is owned by nobody and always
//      installed.
//   2. What each virtual server's pool looks like when everything is healthy: the real servers as IPVS
//      destinations with their configured weights, and the sorry server.
// The dynamic half (instance states, health, quorum) is `LoadBalancer`; the table itself is built by
// `LVSTableBuilder`.

import HealthCheck
import IPVS
import Vocabulary

/// Who decides whether a service is installed.
public enum LVSOwner: Hashable, Sendable, CustomStringConvertible {
    /// Nobody: the service is on no VIP and is always installed.
    case always
    /// A VRRP instance: installed while it is MASTER.
    case instance(String)
    /// A sync group: installed while every member instance is MASTER.
    case syncGroup(String, members: [String])

    public var description: String {
        switch self {
        case .always: "no VRRP instance"
        case .instance(let name): "vrrp_instance \(name)"
        case .syncGroup(let name, _): "vrrp_sync_group \(name)"
        }
    }
}

/// One IPVS service of the configuration and its owner.
public struct PlannedService: Hashable, Sendable {
    /// The service attributes as IPVS programs them.
    public var service: IPVSService
    /// Who decides whether it is installed.
    public var owner: LVSOwner
    /// The virtual server whose pool it uses.
    public var virtualServer: VirtualServerID

    /// A planned service.
    public init(service: IPVSService, owner: LVSOwner, virtualServer: VirtualServerID) {
        self.service = service
        self.owner = owner
        self.virtualServer = virtualServer
    }
}

/// One real server of a virtual server: its health identity and its destination at the configured weight.
public struct PlannedRealServer: Hashable, Sendable {
    /// The key the health checks report it under.
    public var key: RealServerID
    /// The destination with the configured weight.
    public var destination: IPVSDestination
    /// `inhibit_on_failure`: stays with weight 0 while down.
    public var inhibitOnFailure: Bool
    /// Its state before the first health report: alive unless a checker has `alpha`.
    public var initiallyAlive: Bool

    /// A planned real server.
    public init(key: RealServerID, destination: IPVSDestination, inhibitOnFailure: Bool, initiallyAlive: Bool) {
        self.key = key
        self.destination = destination
        self.inhibitOnFailure = inhibitOnFailure
        self.initiallyAlive = initiallyAlive
    }
}

/// A virtual server's pool policy.
public struct PlannedPool: Hashable, Sendable {
    /// The real servers in configuration order.
    public var realServers: [PlannedRealServer]
    /// `quorum`: the live weight needed for the real servers to serve.
    public var quorum: Int
    /// `alpha` at the virtual-server level: quorum starts down.
    public var alpha: Bool
    /// `sorry_server` as a destination (weight 1), if any.
    public var sorryServer: IPVSDestination?
    /// `sorry_server_inhibit`: keep the sorry server with weight 0 while quorum is up.
    public var sorryServerInhibit: Bool

    /// A pool.
    public init(realServers: [PlannedRealServer], quorum: Int = 1, alpha: Bool = false,
                sorryServer: IPVSDestination? = nil, sorryServerInhibit: Bool = false) {
        self.realServers = realServers
        self.quorum = quorum
        self.alpha = alpha
        self.sorryServer = sorryServer
        self.sorryServerInhibit = sorryServerInhibit
    }
}

/// `lvs_sync_daemon IFNAME [INSTANCE] [id N] [maxlen N] [port N] [ttl N] [group ADDR]`: IPVS connection sync,
/// following one VRRP instance, or without one both daemons all the time.
public struct PlannedSyncDaemon: Hashable, Sendable {
    /// The multicast interface.
    public var interface: String
    /// The instance whose state picks the role: MASTER sends (master daemon), any other state receives (backup).
    /// nil: both daemons run all the time, whatever the VRRP states (keepalived's checker process starts them).
    public var instance: String?
    /// `id` (0–255; keepalived's default is the instance's virtual_router_id).
    public var syncID: UInt32
    /// `maxlen`, `group`, `port`, `ttl` (nil: the kernel's defaults), passed to the kernel as keepalived does.
    public var maxLength: UInt16?
    public var group: IPAddress?
    public var port: UInt16?
    public var ttl: UInt8?
    /// `vigil_failback_hold`: how long at most a BACKUP waits for its synced connection table to settle before it
    /// may preempt (`.zero`: never held). See `FailbackHolds`.
    public var failbackHold: Duration

    /// The default `vigil_failback_hold`.
    public static let defaultFailbackHold: Duration = .seconds(60)

    /// How often the MASTER's kernel re-sends an active connection's state while the failback hold is on
    /// (`sync_refresh_period`): a node that comes back has every connection that sent a packet within this period
    /// plus the kernel's 2 s send delay.
    public static let syncRefreshPeriod = 2

    /// The IPVS switches the failback hold needs in every node's kernel (it works only if the MASTER sends each active
    /// connection again within a bounded time): `sync_refresh_period` seconds and a `sync_threshold` whose period is
    /// 0, since a non-zero period (the kernel's 50 packets) still gates every refresh. None with the hold off.
    public var kernelSettings: [String: String] {
        failbackHold > .zero ? ["sync_refresh_period": "\(Self.syncRefreshPeriod)", "sync_threshold": "3 0"] : [:]
    }

    /// A sync daemon.
    public init(interface: String, instance: String?, syncID: UInt32, maxLength: UInt16? = nil, group: IPAddress? = nil,
                port: UInt16? = nil, ttl: UInt8? = nil, failbackHold: Duration = PlannedSyncDaemon.defaultFailbackHold) {
        self.failbackHold = failbackHold
        self.interface = interface
        self.instance = instance
        self.syncID = syncID
        self.maxLength = maxLength
        self.group = group
        self.port = port
        self.ttl = ttl
    }

    /// The kernel daemon of `role`.
    public func daemon(_ role: IPVSSyncDaemon.Role) -> IPVSSyncDaemon {
        IPVSSyncDaemon(role: role, interface: interface, syncID: syncID, maxLength: maxLength, group: group, port: port,
                       ttl: ttl)
    }
}

/// An IPVS switch (`/proc/sys/net/ipv4/vs/NAME`) this daemon sets over the kernel's value while it runs, and why.
public struct KernelSwitch: Hashable, Sendable {
    public var value: String
    public var reason: String
}

extension LoadBalancerPlan {
    /// Every IPVS switch this plan wants set while the daemon runs in `mode`, by name: `sloppy_tcp`/`sloppy_sctp` while
    /// addresses are announced (ECMP may move a flow mid-connection), and the failback hold's sync switches
    /// (`PlannedSyncDaemon.kernelSettings`) when following VRRP. The Supervisor sets them, restores the kernel's values
    /// of those no longer wanted and all at stop.
    public func kernelSwitches(mode: LoadBalancerMode) -> [String: KernelSwitch] {
        var out: [String: KernelSwitch] = [:]
        if announcement?.wantsSloppyScheduling == true {
            for name in ["sloppy_tcp", "sloppy_sctp"] {
                out[name] = KernelSwitch(value: "1", reason: "vigil_announce: ECMP may move a flow here mid-connection")
            }
        }
        if mode == .followVRRP, let sync = syncDaemon {
            for (name, value) in sync.kernelSettings {
                out[name] = KernelSwitch(value: value, reason: "failback hold: the MASTER sends each active connection again every \(PlannedSyncDaemon.syncRefreshPeriod) s")
            }
        }
        return out
    }
}

/// The LVS side of a `DirectorPlan`: the services and pools of a configuration.
public struct LoadBalancerPlan: Hashable, Sendable {
    /// Every service, in configuration order.
    public var services: [PlannedService]
    /// Pools by virtual server.
    public var pools: [VirtualServerID: PlannedPool]
    /// `lvs_sync_daemon`, if configured.
    public var syncDaemon: PlannedSyncDaemon?
    /// `lvs_flush`: flush the whole IPVS table at start.
    public var flushAtStart: Bool
    /// Virtual servers with `ha_suspend`: their checks run only while one of their services is installed (its VIP is
    /// here).
    public var haSuspend: Set<VirtualServerID>
    /// `lvs_timeouts`: the connection timeouts to set while the daemon runs (0 fields keep the kernel's), nil when
    /// not configured.
    public var timeouts: IPVSTimeouts?
    /// `lvs_flush_on_stop` (without `VS`): the stop flushes the whole table, hand-made services too, instead of
    /// deleting only the services Vigil owns.
    public var flushAtStop: Bool
    /// `vigil_route_table` and its `vigil_announce` addresses, nil without the table.
    public var announcement: AnnouncementPlan?

    /// A plan from parts (tests).
    public init(services: [PlannedService], pools: [VirtualServerID: PlannedPool], syncDaemon: PlannedSyncDaemon? = nil,
                flushAtStart: Bool = false, haSuspend: Set<VirtualServerID> = [], timeouts: IPVSTimeouts? = nil,
                flushAtStop: Bool = false, announcement: AnnouncementPlan? = nil) {
        self.flushAtStop = flushAtStop
        self.announcement = announcement
        self.services = services
        self.pools = pools
        self.syncDaemon = syncDaemon
        self.flushAtStart = flushAtStart
        self.haSuspend = haSuspend
        self.timeouts = timeouts
    }
}
