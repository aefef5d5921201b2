
/// Namespace marker for the IPVS module.
public enum IPVSModule {
    /// The module's name, used in diagnostics.
    public static let name = "IPVS"
}

/// One change to the kernel's IPVS state: what `IPVSPlan.diff` returns, what
/// `IPVSMessage.encode` turns into a generic netlink request, and what
/// `NetlinkIPVSClient.execute` performs.
public enum IPVSCommand: Hashable, Sendable, CustomStringConvertible {
    /// Create a virtual service (`ipvsadm -A`).
    case addService(IPVSService)
    /// Change a service's scheduler, flags or persistence (`ipvsadm -E`).
    case editService(IPVSService)
    /// Remove a service and its destinations (`ipvsadm -D`).
    case deleteService(IPVSServiceKey)
    /// Add a real server (`ipvsadm -a`).
    case addDestination(IPVSServiceKey, IPVSDestination)
    /// Change a real server's weight, thresholds or forwarding (`ipvsadm -e`).
    case editDestination(IPVSServiceKey, IPVSDestination)
    /// Remove a real server (`ipvsadm -d`).
    case deleteDestination(IPVSServiceKey, IPVSDestinationKey)
    /// Remove every service (`ipvsadm -C`). `IPVSPlan` never emits it.
    case flush
    /// Set connection timeouts (`ipvsadm --set`).
    case setTimeouts(IPVSTimeouts)
    /// Start a sync daemon (`ipvsadm --start-daemon`).
    case startSyncDaemon(IPVSSyncDaemon)
    /// Stop the sync daemon of a role (`ipvsadm --stop-daemon`).
    case stopSyncDaemon(IPVSSyncDaemon.Role)

    /// The operation, for errors and reports.
    public var operation: IPVSOperation {
        switch self {
        case .addService: .addService
        case .editService: .editService
        case .deleteService: .deleteService
        case .addDestination: .addDestination
        case .editDestination: .editDestination
        case .deleteDestination: .deleteDestination
        case .flush: .flush
        case .setTimeouts: .setTimeouts
        case .startSyncDaemon: .startSyncDaemon
        case .stopSyncDaemon: .stopSyncDaemon
        }
    }

    /// The object the command acts on, e.g. `TCP 10.0.0.1:80 -> 10.0.1.1:80`.
    public var object: String {
        switch self {
        case .addService(let s), .editService(let s): s.key.description
        case .deleteService(let k): k.description
        case .addDestination(let k, let d), .editDestination(let k, let d): "\(k) -> \(d.key)"
        case .deleteDestination(let k, let d): "\(k) -> \(d)"
        case .flush: "all services"
        case .setTimeouts(let t): "timeouts \(t.tcp) \(t.tcpFin) \(t.udp)"
        case .startSyncDaemon(let d): "sync daemon \(d.role) on \(d.interface) id \(d.syncID)"
        case .stopSyncDaemon(let r): "sync daemon \(r)"
        }
    }

    /// One line in the style of an `ipvsadm` command, for `vigil ipvs plan`.
    public var description: String {
        func svc(_ k: IPVSServiceKey) -> String {
            switch k {
            case .address(let p, let a, let port):
                let flag = p == .tcp ? "-t" : p == .udp ? "-u" : "--sctp-service"
                return "\(flag) \(a.withPort(port))"
            case .firewallMark(let m, let f): return f == .inet ? "-f \(m)" : "-f \(m) -6"
            }
        }
        func svcArgs(_ s: IPVSService) -> String {
            var out = "\(svc(s.key)) -s \(s.scheduler)"
            let f = s.effectiveFlags
            var names: [String] = []
            if f.contains(.schedulerFlag1) { names.append("flag-1") }
            if f.contains(.schedulerFlag2) { names.append("flag-2") }
            if f.contains(.schedulerFlag3) { names.append("flag-3") }
            if !names.isEmpty { out += " -b \(names.joined(separator: ","))" }
            if s.persistenceTimeout > 0 { out += " -p \(s.persistenceTimeout)" }
            if f.contains(.onePacket) { out += " -o" }
            if let pe = s.persistenceEngine { out += " --pe \(pe)" }
            return out
        }
        func destArgs(_ d: IPVSDestination) -> String {
            var out = "-r \(d.key) "
            switch d.forwarding {
            case .masquerade: out += "-m"
            case .directRoute, .local: out += "-g"
            case .tunnel(let t, let port, let checksum):
                out += "-i"
                if t != .ipip { out += " --tun-type \(t == .gue ? "gue" : "gre")" }
                if port != 0 { out += " --tun-port \(port)" }
                switch checksum {
                case .nocsum: break
                case .csum: out += " --tun-csum"
                case .remcsum: out += " --tun-remcsum"
                }
            }
            out += " -w \(d.weight)"
            if d.upperThreshold > 0 { out += " -x \(d.upperThreshold)" }
            if d.lowerThreshold > 0 { out += " -y \(d.lowerThreshold)" }
            return out
        }
        switch self {
        case .addService(let s): return "-A \(svcArgs(s))"
        case .editService(let s): return "-E \(svcArgs(s))"
        case .deleteService(let k): return "-D \(svc(k))"
        case .addDestination(let k, let d): return "-a \(svc(k)) \(destArgs(d))"
        case .editDestination(let k, let d): return "-e \(svc(k)) \(destArgs(d))"
        case .deleteDestination(let k, let d): return "-d \(svc(k)) -r \(d)"
        case .flush: return "-C"
        case .setTimeouts(let t): return "--set \(t.tcp) \(t.tcpFin) \(t.udp)"
        case .startSyncDaemon(let d):
            var out = "--start-daemon \(d.role) --mcast-interface \(d.interface) --syncid \(d.syncID)"
            if let v = d.maxLength { out += " --sync-maxlen \(v)" }
            if let v = d.group { out += " --mcast-group \(v)" }
            if let v = d.port { out += " --mcast-port \(v)" }
            if let v = d.ttl { out += " --mcast-ttl \(v)" }
            return out
        case .stopSyncDaemon(let r): return "--stop-daemon \(r)"
        }
    }
}

/// The IPVS operations Vigil performs, named in errors.
public enum IPVSOperation: String, Hashable, Sendable {
    case resolveFamily, getInfo, listServices, listDestinations
    case addService, editService, deleteService
    case addDestination, editDestination, deleteDestination
    case flush, getTimeouts, setTimeouts
    case startSyncDaemon, stopSyncDaemon, listSyncDaemons
}
