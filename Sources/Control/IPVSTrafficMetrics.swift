import IPVS

/// IPVS traffic in `/metrics`: node_exporter's IPVS collector names, so dashboards built on node_exporter read
/// Vigil's `/metrics` unchanged, and Vigil's own per-service and per-real-server counters, which node_exporter does not
/// have.
///
/// - `node_ipvs_connections_total`, `node_ipvs_{incoming,outgoing}_{packets,bytes}_total`: the kernel's totals
///   (`/proc/net/ip_vs_stats`, deleted services included).
/// - `node_ipvs_backend_connections_active`, `…_inactive`, `node_ipvs_backend_weight`, labelled as node_exporter
///   labels them: `local_address`, `local_port`, `remote_address`, `remote_port`, `proto` (`TCP`, `UDP`, `SCTP`,
///   `FWM`) and `local_mark` (a firewall-mark service: the mark as `/proc/net/ip_vs` writes it, 8 hexadecimal digits,
///   with an empty `local_address` and `local_port` 0). Rows with the same labels (an IPv4 and an IPv6 service of
///   one mark) are added up, as node_exporter does.
/// - `vigil_ipvs_service_{connections,incoming_packets,outgoing_packets,incoming_bytes,outgoing_bytes}_total{service}`
///   and `vigil_ipvs_backend_…_total{service,real_server}`: `service` as ipvsadm names it (`TCP 10.0.0.1:80`,
///   `FWM 7`), `real_server` as `10.0.0.2:8080`.
public enum IPVSTrafficMetrics {
    /// The exposition text; `totals` nil (no IPVS module) leaves the totals out, no services leaves the rest out.
    public static func text(totals: IPVSStats?, services: [IPVSServiceStatus]) -> String {
        var out = ""
        if let t = totals {
            let rows: [(String, String, UInt64)] = [
                ("connections_total", "The total number of connections made.", t.connections),
                ("incoming_packets_total", "The total number of incoming packets.", t.packetsIn),
                ("outgoing_packets_total", "The total number of outgoing packets.", t.packetsOut),
                ("incoming_bytes_total", "The total amount of incoming data.", t.bytesIn),
                ("outgoing_bytes_total", "The total amount of outgoing data.", t.bytesOut),
            ]
            for (name, help, value) in rows {
                out += "# HELP node_ipvs_\(name) \(help)\n# TYPE node_ipvs_\(name) counter\nnode_ipvs_\(name) \(value)\n"
            }
        }
        guard !services.isEmpty else { return out }
        out += backends(services)
        out += traffic(services)
        return out
    }

    /// node_exporter's labels of a destination of a service, in its order.
    static func backendLabels(_ service: IPVSServiceKey, _ destination: IPVSDestinationKey) -> String {
        let local: (address: String, port: UInt16, proto: String, mark: String)
        switch service {
        case .address(let p, let a, let port): local = (a.description, port, p.name, "")
        case .firewallMark(let m, _): local = ("", 0, "FWM", hex8(m))
        }
        return "local_address=\"\(local.address)\",local_port=\"\(local.port)\",remote_address=\"\(destination.address)\","
            + "remote_port=\"\(destination.port)\",proto=\"\(local.proto)\",local_mark=\"\(local.mark)\""
    }

    private static func backends(_ services: [IPVSServiceStatus]) -> String {
        var order: [String] = []
        var sums: [String: (active: UInt64, inactive: UInt64, weight: Int64)] = [:]
        for s in services {
            for d in s.destinations {
                let labels = backendLabels(s.service.key, d.destination.key)
                if sums[labels] == nil { order.append(labels) }
                sums[labels, default: (0, 0, 0)].active += UInt64(d.counters.active)
                sums[labels, default: (0, 0, 0)].inactive += UInt64(d.counters.inactive)
                sums[labels, default: (0, 0, 0)].weight += Int64(d.destination.weight)
            }
        }
        guard !order.isEmpty else { return "" }
        var out = ""
        let families: [(String, String, (UInt64, UInt64, Int64) -> String)] = [
            ("connections_active", "The current active connections by local and remote address.", { a, _, _ in "\(a)" }),
            ("connections_inactive", "The current inactive connections by local and remote address.", { _, i, _ in "\(i)" }),
            ("weight", "The current backend weight by local and remote address.", { _, _, w in "\(w)" }),
        ]
        for (name, help, value) in families {
            out += "# HELP node_ipvs_backend_\(name) \(help)\n# TYPE node_ipvs_backend_\(name) gauge\n"
            for labels in order {
                guard let v = sums[labels] else { continue }
                out += "node_ipvs_backend_\(name){\(labels)} \(value(v.active, v.inactive, v.weight))\n"
            }
        }
        return out
    }

    private static let trafficFamilies: [(String, String, @Sendable (IPVSStats) -> UInt64)] = [
        ("connections_total", "connections scheduled", { $0.connections }),
        ("incoming_packets_total", "packets in", { $0.packetsIn }),
        ("outgoing_packets_total", "packets out", { $0.packetsOut }),
        ("incoming_bytes_total", "bytes in", { $0.bytesIn }),
        ("outgoing_bytes_total", "bytes out", { $0.bytesOut }),
    ]

    private static func traffic(_ services: [IPVSServiceStatus]) -> String {
        var out = ""
        for (name, what, value) in trafficFamilies {
            out += "# HELP vigil_ipvs_service_\(name) IPVS \(what) by the virtual service, as the kernel counts them.\n"
            out += "# TYPE vigil_ipvs_service_\(name) counter\n"
            for s in services {
                out += "vigil_ipvs_service_\(name){service=\"\(s.service.key)\"} \(value(s.stats))\n"
            }
        }
        guard services.contains(where: { !$0.destinations.isEmpty }) else { return out }
        for (name, what, value) in trafficFamilies {
            out += "# HELP vigil_ipvs_backend_\(name) IPVS \(what) by the real server of a virtual service, as the kernel counts them.\n"
            out += "# TYPE vigil_ipvs_backend_\(name) counter\n"
            for s in services {
                for d in s.destinations {
                    out += "vigil_ipvs_backend_\(name){service=\"\(s.service.key)\",real_server=\"\(d.destination.key)\"} "
                        + "\(value(d.counters.stats))\n"
                }
            }
        }
        return out
    }

    private static func hex8(_ v: UInt32) -> String {
        let digits = String(v, radix: 16, uppercase: true)
        return String(repeating: "0", count: max(0, 8 - digits.count)) + digits
    }
}

extension ServiceTraffic {
    /// The status of a service as the kernel dumps it.
    init(kernel s: IPVSServiceStatus) {
        self.init(service: "\(s.service.key)", connectionsPerSecond: Double(s.stats.connectionsPerSecond),
                  bytesInPerSecond: Double(s.stats.bytesInPerSecond), bytesOutPerSecond: Double(s.stats.bytesOutPerSecond),
                  activeConnections: s.destinations.reduce(0) { $0 + Int($1.counters.active) },
                  inactiveConnections: s.destinations.reduce(0) { $0 + Int($1.counters.inactive) },
                  realServers: s.destinations.map { d in
                      RealServerTraffic(address: "\(d.destination.key)", weight: Int(d.destination.weight),
                                        activeConnections: Int(d.counters.active), inactiveConnections: Int(d.counters.inactive),
                                        connectionsPerSecond: Double(d.counters.stats.connectionsPerSecond))
                  })
    }
}
