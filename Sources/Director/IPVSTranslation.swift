import Config
import IPVS

/// Translates the configuration's `virtual_server` blocks into the IPVS module's desired
/// table. Pure: the Director feeds it the config and which real servers the health checks
/// hold down; the result goes to `IPVSReconciler.apply(desired:)`.
///
/// keepalived semantics kept here: a real server without a port uses the virtual server's;
/// a real server that is down is removed, or kept at weight 0 with `inhibit_on_failure`;
/// when every real server of a virtual server is down (or it has none), the
/// `sorry_server` takes their place; `virtual_server group NAME` expands to one IPVS
/// service per address (ranges in the last byte) or fwmark of the group.
public enum IPVSTranslation {
    /// Identifies a real server in the configuration: indices into `virtualServers` and
    /// that virtual server's `realServers`.
    public struct RealServerID: Hashable, Sendable {
        /// Index in `KeepalivedConfig.virtualServers`.
        public var virtualServer: Int
        /// Index in that virtual server's `realServers`.
        public var realServer: Int

        /// An id.
        public init(virtualServer: Int, realServer: Int) {
            self.virtualServer = virtualServer
            self.realServer = realServer
        }
    }

    /// A virtual server that cannot be expressed in IPVS, with the reason.
    public struct Problem: Hashable, Sendable, CustomStringConvertible {
        /// Index in `KeepalivedConfig.virtualServers`.
        public var virtualServer: Int
        /// What is wrong.
        public var reason: String

        public var description: String { "virtual_server #\(virtualServer + 1): \(reason)" }
    }

    /// The desired IPVS table for `config`, with every real server in `down` removed (or
    /// at weight 0 with `inhibit_on_failure`).
    public static func desiredTable(
        _ config: KeepalivedConfig, down: Set<RealServerID> = []
    ) -> (table: IPVSTable, problems: [Problem]) {
        var entries: [IPVSVirtualService] = []
        var problems: [Problem] = []
        for (i, vs) in config.virtualServers.enumerated() {
            let keys: [(IPVSServiceKey, UInt16)]
            switch serviceKeys(vs, config) {
            case .success(let k): keys = k
            case .failure(let p): problems.append(Problem(virtualServer: i, reason: p.reason)); continue
            }
            var dests: [IPVSDestination] = []
            var anyUp = false
            for (j, rs) in vs.realServers.enumerated() {
                let isDown = down.contains(RealServerID(virtualServer: i, realServer: j))
                if isDown && !rs.inhibitOnFailure { continue }
                guard let a = IPVSAddress(family: rs.address.family == .inet ? .inet : .inet6, bytes: rs.address.bytes) else { continue }
                if !isDown { anyUp = true }
                var d = IPVSDestination(
                    key: IPVSDestinationKey(address: a, port: rs.port ?? 0),
                    forwarding: forwarding(rs.lbKind, vs.tunnelOptions),
                    weight: isDown ? 0 : Int32(clamping: rs.weight),
                    upperThreshold: rs.upperThreshold ?? 0, lowerThreshold: rs.lowerThreshold ?? 0)
                if isDown { d.weight = 0 }
                dests.append(d)
            }
            if !anyUp, let sorry = vs.sorryServer,
               let a = IPVSAddress(family: sorry.family == .inet ? .inet : .inet6, bytes: sorry.bytes) {
                dests = [IPVSDestination(
                    key: IPVSDestinationKey(address: a, port: vs.sorryServerPort ?? 0),
                    forwarding: forwarding(vs.sorryServerLBKind ?? vs.lbKind, vs.tunnelOptions), weight: 1)]
            }
            for (key, port) in keys {
                let svc = service(vs, key: key)
                let fixed = dests.map { d -> IPVSDestination in
                    var d = d
                    if d.key.port == 0 { d.key.port = port }
                    return d
                }
                entries.append(IPVSVirtualService(service: svc, destinations: fixed))
            }
        }
        return (IPVSTable(entries), problems)
    }

    struct Failure: Error { var reason: String }

    static func proto(_ p: LVSProtocol) -> IPVSProtocol {
        switch p {
        case .tcp: .tcp
        case .udp: .udp
        case .sctp: .sctp
        }
    }

    static func address(_ a: ConfigIPAddress) -> IPVSAddress? {
        IPVSAddress(family: a.family == .inet ? .inet : .inet6, bytes: a.bytes)
    }

    /// The IPVS services (with the port real servers inherit) a virtual server stands for.
    static func serviceKeys(_ vs: VirtualServerConfig, _ config: KeepalivedConfig) -> Result<[(IPVSServiceKey, UInt16)], Failure> {
        func fwmarkFamily() -> IPVSAddress.Family {
            if let f = vs.ipFamily { return f == .inet ? .inet : .inet6 }
            if let rs = vs.realServers.first { return rs.address.family == .inet ? .inet : .inet6 }
            return .inet
        }
        switch vs.address {
        case .address(let ip, let port):
            guard let a = address(ip) else { return .failure(Failure(reason: "bad address \(ip)")) }
            return .success([(.address(proto(vs.protocol), a, port: port), port)])
        case .fwmark(let m):
            return .success([(.firewallMark(m, family: fwmarkFamily()), 0)])
        case .group(let name):
            guard let g = config.virtualServerGroups.first(where: { $0.name == name }) else {
                return .failure(Failure(reason: "virtual_server_group \(name) is not defined"))
            }
            var out: [(IPVSServiceKey, UInt16)] = []
            for e in g.entries {
                switch e {
                case .fwmark(let m):
                    out.append((.firewallMark(m, family: fwmarkFamily()), 0))
                case .range(let first, let last, let port):
                    guard let a = address(first), let b = address(last), a.family == b.family,
                          a.bytes.dropLast() == b.bytes.dropLast(),
                          let lo = a.bytes.last, let hi = b.bytes.last, lo <= hi else {
                        return .failure(Failure(reason: "bad range \(first)-\(last) in group \(name)"))
                    }
                    for x in lo...hi {
                        if let addr = IPVSAddress(family: a.family, bytes: a.bytes.dropLast() + [x]) {
                            out.append((.address(proto(vs.protocol), addr, port: port), port))
                        }
                    }
                }
            }
            return .success(out)
        }
    }

    static func service(_ vs: VirtualServerConfig, key: IPVSServiceKey) -> IPVSService {
        var flags: IPVSServiceFlags = []
        for f in vs.schedulerFlags {
            switch f {
            case "flag-1", "sh-fallback", "mh-fallback": flags.insert(.schedulerFlag1)
            case "flag-2", "sh-port", "mh-port": flags.insert(.schedulerFlag2)
            case "flag-3": flags.insert(.schedulerFlag3)
            default: break
            }
        }
        if vs.ops { flags.insert(.onePacket) }
        var prefix: UInt8?
        if let g = vs.persistenceGranularity {
            if key.family == .inet, g.bytes.count == 4 {
                let mask = g.bytes.reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
                prefix = UInt8((~mask).leadingZeroBitCount)
            } else if key.family == .inet6, g.bytes.count == 16 {
                prefix = UInt8(g.bytes.reduce(0) { $0 + $1.nonzeroBitCount })
            }
        }
        return IPVSService(key: key, scheduler: vs.lbAlgo.rawValue, flags: flags,
                           persistenceTimeout: vs.persistenceTimeout ?? 0, persistencePrefixLength: prefix)
    }

    /// `lb_kind` plus keepalived's tunnel words (`tun_type gue|gre|ipip`, `tun_port N`).
    static func forwarding(_ kind: LBKind, _ tunnelOptions: [String]) -> IPVSForwarding {
        switch kind {
        case .nat: return .masquerade
        case .dr: return .directRoute
        case .tun:
            var type = IPVSTunnelType.ipip
            var port: UInt16 = 0
            var i = 0
            while i < tunnelOptions.count {
                let w = tunnelOptions[i]
                let next = i + 1 < tunnelOptions.count ? tunnelOptions[i + 1] : ""
                if w == "tun_type" { type = next == "gue" ? .gue : next == "gre" ? .gre : .ipip; i += 1 }
                if w == "tun_port" { port = UInt16(next) ?? 0; i += 1 }
                i += 1
            }
            return .tunnel(type, port: port)
        }
    }
}
