
/// Renders the kernel table the way `ipvsadm -Ln` does, for `vigil ipvs list`.
public enum IPVSListing {
    /// The header and the service/destination lines of `ipvsadm -Ln [--stats]`.
    public static func text(info: IPVSInfo?, services: [IPVSServiceStatus], stats: Bool = false) -> String {
        var out = ""
        if let info {
            out += "IP Virtual Server version \(info.versionString) (size=\(info.connectionTableSize))\n"
        }
        if stats {
            out += pad("Prot LocalAddress:Port", 33) + " " + ["Conns", "InPkts", "OutPkts", "InBytes", "OutBytes"]
                .map { lpad($0, 8) }.joined(separator: " ") + "\n"
            out += "  -> RemoteAddress:Port\n"
        } else {
            out += "Prot LocalAddress:Port Scheduler Flags\n"
            out += "  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn\n"
        }
        for s in services {
            if stats {
                out += pad(serviceName(s.service.key), 33) + " " + counters(s.stats) + "\n"
                for d in s.destinations {
                    out += pad("  -> " + d.destination.key.description, 33) + " " + counters(d.counters.stats) + "\n"
                }
            } else {
                out += serviceLine(s.service) + "\n"
                for d in s.destinations {
                    let x = d.destination
                    out += "  -> " + pad(x.key.description, 28) + " " + pad(x.forwarding.name, 7) + " " + pad("\(x.weight)", 6)
                        + " " + pad("\(d.counters.active)", 10) + " " + pad("\(d.counters.inactive)", 10) + "\n"
                }
            }
        }
        return out
    }

    static func serviceName(_ k: IPVSServiceKey) -> String {
        switch k {
        case .address(let p, let a, let port): pad(p.name, 4) + " " + a.withPort(port)
        case .firewallMark(let m, let f): "FWM  \(m)" + (f == .inet6 ? " IPv6" : "")
        }
    }

    /// `TCP  10.0.0.1:80 wrr persistent 300 mask 255.255.255.0 ops`.
    static func serviceLine(_ s: IPVSService) -> String {
        var line = serviceName(s.key) + " " + s.scheduler
        let f = s.effectiveFlags
        var sf: [String] = []
        let base = s.scheduler == "sh" ? "sh" : s.scheduler == "mh" ? "mh" : ""
        if f.contains(.schedulerFlag1) { sf.append(base.isEmpty ? "flag-1" : "\(base)-fallback") }
        if f.contains(.schedulerFlag2) { sf.append(base.isEmpty ? "flag-2" : "\(base)-port") }
        if f.contains(.schedulerFlag3) { sf.append("flag-3") }
        if !sf.isEmpty { line += " (" + sf.joined(separator: ",") + ")" }
        if s.persistenceTimeout > 0 {
            line += " persistent \(s.persistenceTimeout)"
            if s.key.family == .inet, s.persistencePrefixLength != 32 {
                let bits = UInt32(s.persistencePrefixLength)
                let mask: UInt32 = bits == 0 ? 0 : UInt32.max << (32 - bits)
                line += " mask \(mask >> 24).\(mask >> 16 & 0xff).\(mask >> 8 & 0xff).\(mask & 0xff)"
            } else if s.key.family == .inet6, s.persistencePrefixLength != 128 {
                line += " mask \(s.persistencePrefixLength)"
            }
            if let pe = s.persistenceEngine { line += " pe \(pe)" }
        }
        if f.contains(.onePacket) { line += " ops" }
        return line
    }

    static func counters(_ s: IPVSStats) -> String {
        [s.connections, s.packetsIn, s.packetsOut, s.bytesIn, s.bytesOut].map { lpad("\($0)", 8) }.joined(separator: " ")
    }

    static func pad(_ s: String, _ n: Int) -> String { s.count >= n ? s : s + String(repeating: " ", count: n - s.count) }
    static func lpad(_ s: String, _ n: Int) -> String { s.count >= n ? s : String(repeating: " ", count: n - s.count) + s }
}
