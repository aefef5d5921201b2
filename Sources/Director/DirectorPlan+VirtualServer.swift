import Config
import HealthCheck
import IPVS
import Vocabulary

/// One `virtual_server` block, expanded once.
struct ExpandedVirtualServer {
    /// Its ID, shared by health, pool and status.
    var id: VirtualServerID
    /// Its kernel services (several for a group) with their owners.
    var services: [PlannedService]
    /// Its pool policy.
    var pool: PlannedPool
    /// Its health-check input.
    var health: VirtualServerHealth
}

extension DirectorPlan {
    /// The ID of a `virtual_server` block.
    public static func id(of vs: VirtualServerConfig) -> VirtualServerID {
        let address: VirtualServerID.Address = switch vs.address {
        case .address(let ip, let port): .ip(ip, port: port)
        case .fwmark(let mark): .fwmark(mark)
        case .group(let name): .group(name)
        }
        return VirtualServerID(address, transport: transport(vs.protocol))
    }

    static func transport(_ p: LVSProtocol) -> TransportProtocol {
        switch p {
        case .tcp: .tcp
        case .udp: .udp
        case .sctp: .sctp
        }
    }

    /// Expands one block: every real server's port, weight, `inhibit_on_failure` and ID are computed here once and
    /// used by both the pool entry and the health target.
    static func expand(_ vs: VirtualServerConfig, in config: KeepalivedConfig,
                       owners: [IPAddress: LVSOwner]) -> ExpandedVirtualServer {
        // vigil_announce: every real server with a checker starts down and comes up on its first passing check (as
        // with `alpha` on each checker), so a director announces no pool it has not checked.
        var vs = vs
        if vs.vigilAnnounce != nil {
            for i in vs.realServers.indices {
                for j in vs.realServers[i].checkers.indices { vs.realServers[i].checkers[j].alpha = true }
            }
        }
        let id = id(of: vs)
        let vsPort = id.port
        var services: [PlannedService] = []
        for key in serviceKeys(of: vs, in: config) {
            let owner: LVSOwner = switch key {
            case .address(_, let address, _): owners[address] ?? .always
            case .firewallMark: .always
            }
            services.append(PlannedService(service: service(key: key, vs), owner: owner, virtualServer: id))
        }
        var pooled: [PlannedRealServer] = []
        var targets: [RealServerTarget] = []
        for rs in vs.realServers {
            // A real server without a port uses the virtual server's; fwmark and group services: the service's own
            // port (0 here, filled per service by `LVSTableBuilder`).
            let port = rs.port ?? vsPort ?? 0
            let key = RealServerID(virtualServer: id, address: rs.address, port: port)
            // An announced `mh` pool keeps a dead real server at weight 0 rather than deleting it: IPVS fills the mh
            // lookup table in the order of its destination list (each new one goes first), so deleting and re-adding
            // would leave each director with its own order, and ECMP moving a flow between directors would move it
            // to another real server (docs/anycast.md, "Consistent hashing").
            let stableMH = vs.vigilAnnounce != nil && vs.lbAlgo == .mh
            let inhibit = rs.inhibitOnFailure || vs.inhibitOnFailure || stableMH
            pooled.append(PlannedRealServer(
                key: key,
                destination: IPVSDestination(
                    key: IPVSDestinationKey(address: rs.address, port: port),
                    forwarding: forwarding(rs.lbKind, tunnel: rs.tunnel),
                    weight: Int32(clamping: rs.weight),
                    upperThreshold: rs.upperThreshold ?? 0, lowerThreshold: rs.lowerThreshold ?? 0),
                inhibitOnFailure: inhibit,
                initiallyAlive: !rs.checkers.contains { $0.alpha }))
            let checkers = rs.checkers.flatMap { Self.checkers(for: $0, realServer: rs, port: port, virtualServer: vs, config: config) }
            targets.append(RealServerTarget(key: key, weight: rs.weight, inhibitOnFailure: inhibit, checkers: checkers,
                                            notifyUp: rs.notifyUp?.script, notifyDown: rs.notifyDown?.script))
        }
        let sorryPort = vs.sorryServerPort ?? vsPort ?? 0
        let sorry = vs.sorryServer.map { a in
            IPVSDestination(key: IPVSDestinationKey(address: a, port: sorryPort),
                            forwarding: forwarding(vs.sorryServerLBKind ?? vs.lbKind, tunnel: vs.tunnel),
                            weight: 1)
        }
        let pool = PlannedPool(realServers: pooled, quorum: vs.quorum, alpha: vs.alpha, sorryServer: sorry,
                               sorryServerInhibit: vs.sorryServerInhibit)
        // The sorry server is pool policy: only the pool (for LVSTableBuilder) carries it.
        let policy = QuorumPolicy(
            quorum: vs.quorum, hysteresis: vs.hysteresis, quorumUp: vs.quorumUp?.script, quorumDown: vs.quorumDown?.script)
        let health = VirtualServerHealth(id: id, quorum: policy, alpha: vs.alpha, omega: vs.omega, realServers: targets)
        return ExpandedVirtualServer(id: id, services: services, pool: pool, health: health)
    }

    /// The owner of every VIP: its instance, or the instance's sync group.
    static func vipOwners(_ config: KeepalivedConfig) -> [IPAddress: LVSOwner] {
        var groupOf: [String: VRRPSyncGroupConfig] = [:]
        for g in config.vrrpSyncGroups { for m in g.group where groupOf[m.name] == nil { groupOf[m.name] = g } }
        var owners: [IPAddress: LVSOwner] = [:]
        for instance in config.vrrpInstances {
            let owner: LVSOwner = groupOf[instance.name].map { .syncGroup($0.name, members: $0.group.map(\.name)) }
                ?? .instance(instance.name)
            for vip in instance.virtualIPAddresses + instance.excludedVirtualIPAddresses where owners[vip.address.address] == nil {
                owners[vip.address.address] = owner
            }
        }
        return owners
    }

    /// `lvs_sync_daemon IFNAME [INSTANCE] [id N] [maxlen N] [port N] [ttl N] [group ADDR]`; the id defaults to the
    /// instance's virtual_router_id (0 without an instance), as keepalived's does; the options go to the kernel as
    /// written.
    static func syncDaemon(_ config: KeepalivedConfig) -> PlannedSyncDaemon? {
        guard let d = config.globalDefs.lvsSyncDaemon else { return nil }
        let vrid = config.vrrpInstances.first { $0.name == d.vrrpInstance }?.virtualRouterID
        let syncID = d.syncID.map(UInt32.init) ?? UInt32(vrid ?? 0)
        return PlannedSyncDaemon(interface: d.interface, instance: d.vrrpInstance, syncID: syncID, maxLength: d.maxlen,
                                 group: d.group, port: d.port, ttl: d.ttl,
                                 failbackHold: config.globalDefs.vigilFailbackHold ?? PlannedSyncDaemon.defaultFailbackHold)
    }

    static func ipvsProtocol(_ p: LVSProtocol) -> IPVSProtocol {
        switch p {
        case .tcp: .tcp
        case .udp: .udp
        case .sctp: .sctp
        }
    }

    static func forwarding(_ kind: LBKind, tunnel: TunnelSettings = TunnelSettings()) -> IPVSForwarding {
        switch kind {
        case .nat: return .masquerade
        case .dr: return .directRoute
        case .tun:
            let type: IPVSTunnelType = switch tunnel.kind {
            case .ipip: .ipip
            case .gue: .gue
            case .gre: .gre
            }
            let checksum: IPVSTunnelChecksum = switch tunnel.checksum {
            case nil, .nocsum: .nocsum
            case .csum: .csum
            case .remcsum: .remcsum
            }
            return .tunnel(type, port: tunnel.port ?? 0, checksum: checksum)
        }
    }

    /// The kernel services of one virtual server (several for a group).
    static func serviceKeys(of vs: VirtualServerConfig, in config: KeepalivedConfig) -> [IPVSServiceKey] {
        let proto = ipvsProtocol(vs.protocol)
        switch vs.address {
        case .address(let a, let port):
            return [.address(proto, a, port: port)]
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
    static func addressRange(_ first: IPAddress, _ last: IPAddress) -> [IPAddress] {
        guard first.family == last.family, first != last else { return [first] }
        let n = first.bytes.count
        let width = n == 4 ? 1 : 2
        let prefix = Array(first.bytes[0..<(n - width)])
        func tail(_ b: [UInt8]) -> Int { b[(n - width)...].reduce(0) { $0 << 8 | Int($1) } }
        let lo = tail(first.bytes), hi = tail(last.bytes)
        guard hi >= lo else { return [first] }
        return (lo...hi).compactMap { v in
            let t: [UInt8] = width == 1 ? [UInt8(v & 0xff)] : [UInt8(v >> 8 & 0xff), UInt8(v & 0xff)]
            return IPAddress(family: first.family, bytes: prefix + t)
        }
    }

    static func fwmarkFamily(_ vs: VirtualServerConfig) -> IPAddress.Family {
        if let f = vs.ipFamily { return f }
        return vs.realServers.first?.address.family ?? .inet
    }

    static func service(key: IPVSServiceKey, _ vs: VirtualServerConfig) -> IPVSService {
        var flags: IPVSServiceFlags = []
        if vs.ops { flags.insert(.onePacket) }
        for f in vs.schedulerFlags {
            switch f.ipvsFlag {
            case 1: flags.insert(.schedulerFlag1)
            case 2: flags.insert(.schedulerFlag2)
            default: flags.insert(.schedulerFlag3)
            }
        }
        let prefix = vs.persistenceGranularity.map { mask in
            UInt8(mask.bytes.reduce(0) { $0 + $1.nonzeroBitCount })
        }
        return IPVSService(key: key, scheduler: vs.lbAlgo.rawValue, flags: flags,
                           persistenceTimeout: vs.persistenceTimeout ?? 0, persistencePrefixLength: prefix,
                           persistenceEngine: vs.persistenceEngine)
    }
}
