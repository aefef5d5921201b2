// Theory of operation
//
// `LoadBalancerPlan` is the static half of the Director's load-balancing composition: it is computed once per
// configuration (pure, no I/O) and answers two questions.
//   1. Which IPVS services exist and who owns each one. A virtual server whose address (or each address of its
//      `virtual_server_group`) is a VIP (`virtual_ipaddress` or `virtual_ipaddress_excluded`) of a VRRP instance is
//      owned by that instance, or by the instance's sync group when it is in one; it is installed only while its
//      owner is MASTER. A service on no VIP (fwmark services, local addresses) is owned by nobody and always
//      installed.
//   2. What each virtual server's pool looks like when everything is healthy: the real servers as IPVS
//      destinations with their configured weights, and the sorry server.
// The dynamic half (instance states, health, quorum) is `LoadBalancer`; the table itself is built by
// `LVSTableBuilder`.

import Config
import HealthCheck
import IPVS

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
    /// The `VirtualServerHealth.name` (`CheckTranslation.name(of:)`) of the virtual server whose pool it uses.
    public var virtualServer: String

    /// A planned service.
    public init(service: IPVSService, owner: LVSOwner, virtualServer: String) {
        self.service = service
        self.owner = owner
        self.virtualServer = virtualServer
    }
}

/// One real server of a virtual server: its health identity and its destination at the configured weight.
public struct PlannedRealServer: Hashable, Sendable {
    /// The key the health checks report it under.
    public var key: RealServerKey
    /// The destination with the configured weight.
    public var destination: IPVSDestination
    /// `inhibit_on_failure`: stays with weight 0 while down.
    public var inhibitOnFailure: Bool
    /// Its state before the first health report: alive unless a checker has `alpha`.
    public var initiallyAlive: Bool

    /// A planned real server.
    public init(key: RealServerKey, destination: IPVSDestination, inhibitOnFailure: Bool, initiallyAlive: Bool) {
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

/// `lvs_sync_daemon IFNAME INSTANCE [id N]`: IPVS connection sync, following one VRRP instance.
public struct PlannedSyncDaemon: Hashable, Sendable {
    /// The multicast interface.
    public var interface: String
    /// The instance whose state picks the role: MASTER sends (master daemon), any other state receives (backup).
    public var instance: String
    /// `id` (0–255; keepalived's default is the instance's virtual_router_id).
    public var syncID: UInt32
    /// Option words Vigil does not apply (`maxlen`, `port`, `ttl`, `group`), for a warning at start.
    public var ignoredOptions: [String]

    /// A sync daemon.
    public init(interface: String, instance: String, syncID: UInt32, ignoredOptions: [String] = []) {
        self.interface = interface
        self.instance = instance
        self.syncID = syncID
        self.ignoredOptions = ignoredOptions
    }
}

/// The services and pools of a configuration.
public struct LoadBalancerPlan: Hashable, Sendable {
    /// Every service, in configuration order.
    public var services: [PlannedService]
    /// Pools by `VirtualServerHealth.name`.
    public var pools: [String: PlannedPool]
    /// `lvs_sync_daemon`, if configured.
    public var syncDaemon: PlannedSyncDaemon?
    /// `lvs_flush`: flush the whole IPVS table at start.
    public var flushAtStart: Bool
    /// Virtual servers with `ha_suspend` (by `VirtualServerHealth.name`): their checks run only while one of their
    /// services is installed (its VIP is here).
    public var haSuspend: Set<String>

    /// A plan from parts (tests).
    public init(services: [PlannedService], pools: [String: PlannedPool], syncDaemon: PlannedSyncDaemon? = nil,
                flushAtStart: Bool = false, haSuspend: Set<String> = []) {
        self.services = services
        self.pools = pools
        self.syncDaemon = syncDaemon
        self.flushAtStart = flushAtStart
        self.haSuspend = haSuspend
    }

    /// The plan of a validated configuration.
    public init(config: KeepalivedConfig) {
        let owners = Self.vipOwners(config)
        var services: [PlannedService] = []
        var pools: [String: PlannedPool] = [:]
        for vs in config.virtualServers {
            let name = Self.name(of: vs)
            let keys = Self.serviceKeys(of: vs, in: config)
            for key in keys {
                let owner: LVSOwner
                switch key {
                case .address(_, let address, _): owner = owners[address] ?? .always
                case .firewallMark: owner = .always
                }
                services.append(PlannedService(service: Self.service(key: key, vs), owner: owner, virtualServer: name))
            }
            pools[name] = Self.pool(of: vs, name: name)
        }
        self.services = services
        self.pools = pools
        self.syncDaemon = Self.syncDaemon(config)
        self.flushAtStart = config.globalDefs.lvsFlush
        self.haSuspend = Set(config.virtualServers.filter(\.haSuspend).map(Self.name(of:)))
    }

    /// `lvs_sync_daemon IFNAME INSTANCE [id N] [maxlen N] [port N] [ttl N] [group ADDR]`; the id defaults to the
    /// instance's virtual_router_id, as keepalived's does.
    static func syncDaemon(_ config: KeepalivedConfig) -> PlannedSyncDaemon? {
        guard let d = config.globalDefs.lvsSyncDaemon else { return nil }
        let vrid = config.vrrpInstances.first { $0.name == d.vrrpInstance }?.virtualRouterID
        var syncID = UInt32(vrid ?? 0)
        var ignored: [String] = []
        var i = 0
        while i < d.options.count {
            let word = d.options[i]
            let value = i + 1 < d.options.count ? d.options[i + 1] : nil
            if word == "id", let value, let id = UInt32(value), id <= 255 {
                syncID = id
            } else {
                ignored.append([word, value].compactMap { $0 }.joined(separator: " "))
            }
            i += 2
        }
        return PlannedSyncDaemon(interface: d.interface, instance: d.vrrpInstance, syncID: syncID, ignoredOptions: ignored)
    }

    /// The owner of every VIP: its instance, or the instance's sync group.
    static func vipOwners(_ config: KeepalivedConfig) -> [IPVSAddress: LVSOwner] {
        var groupOf: [String: VRRPSyncGroupConfig] = [:]
        for g in config.vrrpSyncGroups { for m in g.group where groupOf[m.name] == nil { groupOf[m.name] = g } }
        var owners: [IPVSAddress: LVSOwner] = [:]
        for instance in config.vrrpInstances {
            let owner: LVSOwner = groupOf[instance.name].map { .syncGroup($0.name, members: $0.group.map(\.name)) }
                ?? .instance(instance.name)
            for vip in instance.virtualIPAddresses + instance.excludedVirtualIPAddresses {
                if let a = ipvsAddress(vip.address.address), owners[a] == nil { owners[a] = owner }
            }
        }
        return owners
    }

    /// The name a virtual server's health and pool go by (HealthCheck's): `10.0.0.1:80`, `fwmark 7`, `group web`.
    public static func name(of vs: VirtualServerConfig) -> String { CheckTranslation.name(of: vs.address) }

    static func ipvsAddress(_ a: ConfigIPAddress) -> IPVSAddress? {
        IPVSAddress(family: a.family == .inet ? .inet : .inet6, bytes: a.bytes)
    }

    static func ipvsProtocol(_ p: LVSProtocol) -> IPVSProtocol {
        switch p {
        case .tcp: .tcp
        case .udp: .udp
        case .sctp: .sctp
        }
    }

    static func forwarding(_ kind: LBKind, tunnelOptions: [String] = []) -> IPVSForwarding {
        switch kind {
        case .nat: return .masquerade
        case .dr: return .directRoute
        case .tun:
            var type = IPVSTunnelType.ipip
            var port: UInt16 = 0
            var words = tunnelOptions[...]
            while let w = words.popFirst() {
                switch w {
                case "type":
                    switch words.popFirst() ?? "" {
                    case "gue": type = .gue
                    case "gre": type = .gre
                    default: type = .ipip
                    }
                case "port": port = words.popFirst().flatMap { UInt16($0) } ?? 0
                default: break
                }
            }
            return .tunnel(type, port: port)
        }
    }

    /// The kernel services of one virtual server (several for a group).
    static func serviceKeys(of vs: VirtualServerConfig, in config: KeepalivedConfig) -> [IPVSServiceKey] {
        let proto = ipvsProtocol(vs.protocol)
        switch vs.address {
        case .address(let a, let port):
            return ipvsAddress(a).map { [.address(proto, $0, port: port)] } ?? []
        case .fwmark(let m):
            return [.firewallMark(m, family: fwmarkFamily(vs))]
        case .group(let name):
            guard let group = config.virtualServerGroups.first(where: { $0.name == name }) else { return [] }
            var keys: [IPVSServiceKey] = []
            for entry in group.entries {
                switch entry {
                case .fwmark(let m): keys.append(.firewallMark(m, family: fwmarkFamily(vs)))
                case .range(let first, let last, let port):
                    for a in addressRange(first, last) { keys.append(.address(proto, a, port: port)) }
                }
            }
            return keys
        }
    }

    /// `first` through `last`, varying the last byte (IPv4) or the last 16-bit group (IPv6). At most 65536.
    static func addressRange(_ first: ConfigIPAddress, _ last: ConfigIPAddress) -> [IPVSAddress] {
        guard let start = ipvsAddress(first) else { return [] }
        guard first.bytes.count == last.bytes.count, first != last else { return [start] }
        let n = first.bytes.count
        let width = n == 4 ? 1 : 2
        let prefix = Array(first.bytes[0..<(n - width)])
        func tail(_ b: [UInt8]) -> Int { b[(n - width)...].reduce(0) { $0 << 8 | Int($1) } }
        let lo = tail(first.bytes), hi = tail(last.bytes)
        guard hi >= lo else { return [start] }
        return (lo...hi).compactMap { v in
            let t: [UInt8] = width == 1 ? [UInt8(v & 0xff)] : [UInt8(v >> 8 & 0xff), UInt8(v & 0xff)]
            return IPVSAddress(family: start.family, bytes: prefix + t)
        }
    }

    static func fwmarkFamily(_ vs: VirtualServerConfig) -> IPVSAddress.Family {
        if let f = vs.ipFamily { return f == .inet ? .inet : .inet6 }
        return vs.realServers.first.map { $0.address.family == .inet6 ? .inet6 : .inet } ?? .inet
    }

    static func service(key: IPVSServiceKey, _ vs: VirtualServerConfig) -> IPVSService {
        var flags: IPVSServiceFlags = []
        if vs.ops { flags.insert(.onePacket) }
        for f in vs.schedulerFlags {
            switch f {
            case "flag-1", "sh-fallback", "mh-fallback": flags.insert(.schedulerFlag1)
            case "flag-2", "sh-port", "mh-port": flags.insert(.schedulerFlag2)
            case "flag-3": flags.insert(.schedulerFlag3)
            default: break
            }
        }
        let prefix = vs.persistenceGranularity.map { mask in
            UInt8(mask.bytes.reduce(0) { $0 + $1.nonzeroBitCount })
        }
        return IPVSService(key: key, scheduler: vs.lbAlgo.rawValue, flags: flags,
                           persistenceTimeout: vs.persistenceTimeout ?? 0, persistencePrefixLength: prefix)
    }

    /// The health key of a real server of `vs` (named `name`); nil for an address IPVS cannot carry.
    static func realServerKey(_ rs: RealServerConfig, of vs: VirtualServerConfig, name: String) -> RealServerKey? {
        guard ipvsAddress(rs.address) != nil else { return nil }
        return RealServerKey(virtualServer: name, host: rs.address.description, port: port(of: rs, in: vs))
    }

    /// A real server's port: its own, else the virtual server's, else 0 (fwmark and groups: the service's port).
    static func port(of rs: RealServerConfig, in vs: VirtualServerConfig) -> UInt16 {
        let vsPort: UInt16? = if case .address(_, let p) = vs.address { p } else { nil }
        return rs.port ?? vsPort ?? 0
    }

    static func pool(of vs: VirtualServerConfig, name: String) -> PlannedPool {
        let vsPort: UInt16? = if case .address(_, let p) = vs.address { p } else { nil }
        var realServers: [PlannedRealServer] = []
        for rs in vs.realServers {
            guard let address = ipvsAddress(rs.address), let key = realServerKey(rs, of: vs, name: name) else { continue }
            let destination = IPVSDestination(
                key: IPVSDestinationKey(address: address, port: key.port),
                forwarding: forwarding(rs.lbKind, tunnelOptions: vs.tunnelOptions),
                weight: Int32(clamping: rs.weight),
                upperThreshold: rs.upperThreshold ?? 0, lowerThreshold: rs.lowerThreshold ?? 0)
            realServers.append(PlannedRealServer(
                key: key,
                destination: destination,
                inhibitOnFailure: rs.inhibitOnFailure || vs.inhibitOnFailure,
                initiallyAlive: !rs.checkers.contains { $0.alpha }))
        }
        let sorry = vs.sorryServer.flatMap(ipvsAddress).map { a in
            IPVSDestination(key: IPVSDestinationKey(address: a, port: vs.sorryServerPort ?? vsPort ?? 0),
                            forwarding: forwarding(vs.sorryServerLBKind ?? vs.lbKind, tunnelOptions: vs.tunnelOptions),
                            weight: 1)
        }
        return PlannedPool(realServers: realServers, quorum: vs.quorum, alpha: vs.alpha, sorryServer: sorry,
                           sorryServerInhibit: vs.sorryServerInhibit)
    }
}
