import Foundation
import IPVS

/// `vigil ipvs list --json`: the kernel table with its counters as JSON.
enum IPVSListingJSON {
    static func render(info: IPVSInfo, services: [IPVSServiceStatus]) -> String {
        func stats(_ s: IPVSStats) -> [String: Any] {
            ["connections": s.connections, "packetsIn": s.packetsIn, "packetsOut": s.packetsOut,
             "bytesIn": s.bytesIn, "bytesOut": s.bytesOut, "connectionsPerSecond": s.connectionsPerSecond]
        }
        let list: [[String: Any]] = services.map { s in
            var svc: [String: Any] = ["scheduler": s.service.scheduler, "flags": s.service.effectiveFlags.rawValue,
                                      "persistenceTimeout": s.service.persistenceTimeout,
                                      "persistencePrefixLength": s.service.persistencePrefixLength,
                                      "stats": stats(s.stats)]
            switch s.service.key {
            case .address(let p, let a, let port):
                svc["protocol"] = p.name
                svc["address"] = a.description
                svc["port"] = port
            case .firewallMark(let m, let f):
                svc["firewallMark"] = m
                svc["family"] = f == .inet ? "inet" : "inet6"
            }
            svc["destinations"] = s.destinations.map { d -> [String: Any] in
                var out: [String: Any] = ["address": d.destination.key.address.description, "port": d.destination.key.port,
                                          "forwarding": d.destination.forwarding.name, "weight": d.destination.weight,
                                          "upperThreshold": d.destination.upperThreshold,
                                          "lowerThreshold": d.destination.lowerThreshold,
                                          "activeConnections": d.counters.active, "inactiveConnections": d.counters.inactive,
                                          "stats": stats(d.counters.stats)]
                if case .tunnel(let t, let port, let checksum) = d.destination.forwarding {
                    out["tunnelType"] = t == .ipip ? "ipip" : t == .gue ? "gue" : "gre"
                    out["tunnelPort"] = port
                    out["tunnelChecksum"] = "\(checksum)"
                }
                return out
            }
            return svc
        }
        let root: [String: Any] = ["version": info.versionString, "connectionTableSize": info.connectionTableSize, "services": list]
        guard let data = try? JSONSerialization.data(withJSONObject: root, options: [.prettyPrinted, .sortedKeys]) else { return "{}" }
        return String(decoding: data, as: UTF8.self)
    }
}
