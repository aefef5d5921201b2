import Foundation

/// The metrics of the keepalived exporter operators run today (mehdy/keepalived-exporter, which reads keepalived's
/// SIGUSR1/SIGUSR2 dumps): the same names, labels and values, so its Grafana dashboards and alerts read Vigil's
/// `/metrics` unchanged. Written from the keepalived snapshot Vigil's own dumps come from, after `vigil_*`.
public enum KeepalivedExporterMetrics {
    /// The counters, in the exporter's order: name, help, the value in an instance's stats.
    static let counters: [(String, String, @Sendable (KeepalivedStats) -> Int)] = [
        ("keepalived_advertisements_received_total", "Advertisements received", { $0.advertReceived }),
        ("keepalived_advertisements_sent_total", "Advertisements sent", { $0.advertSent }),
        ("keepalived_become_master_total", "Became master", { $0.becameMaster }),
        ("keepalived_release_master_total", "Released master", { $0.releasedMaster }),
        ("keepalived_packet_length_errors_total", "Packet length errors", { $0.packetLengthErrors }),
        ("keepalived_advertisements_interval_errors_total", "Advertisement interval errors", { $0.advertIntervalErrors }),
        ("keepalived_ip_ttl_errors_total", "TTL errors", { $0.ttlErrors }),
        ("keepalived_invalid_type_received_total", "Invalid type errors", { $0.invalidType }),
        ("keepalived_address_list_errors_total", "Address list errors", { $0.addressListErrors }),
        ("keepalived_authentication_invalid_total", "Authentication invalid", { $0.invalidAuthType }),
        ("keepalived_authentication_mismatch_total", "Authentication mismatch", { $0.authTypeMismatch }),
        ("keepalived_authentication_failure_total", "Authentication failure", { $0.authFailure }),
        ("keepalived_priority_zero_received_total", "Priority zero received", { $0.priorityZeroReceived }),
        ("keepalived_priority_zero_sent_total", "Priority zero sent", { $0.priorityZeroSent }),
    ]

    /// The exposition text: `keepalived_up 1`, per instance the counters labelled `iname`, `intf`, `vrid`, the
    /// gratuitous ARP delay, and `keepalived_vrrp_state` (0 INIT, 1 BACKUP, 2 MASTER, 3 FAULT) per virtual address
    /// (`keepalived_vrrp_excluded_state` per excluded one) labelled with `ip_address` and the address's device.
    public static func text(_ instances: [KeepalivedInstance]) -> String {
        var out = "# HELP keepalived_up Status\n# TYPE keepalived_up gauge\nkeepalived_up 1\n"
        func labels(_ i: KeepalivedInstance, intf: String? = nil, ip: String? = nil) -> String {
            var l = "iname=\"\(escape(i.name))\",intf=\"\(escape(intf ?? i.interface))\",vrid=\"\(i.vrid)\""
            if let ip { l += ",ip_address=\"\(escape(ip))\"" }
            return "{\(l)}"
        }
        for (name, help, value) in counters where !instances.isEmpty {
            out += "# HELP \(name) \(help)\n# TYPE \(name) counter\n"
            for i in instances { out += "\(name)\(labels(i)) \(value(i.stats))\n" }
        }
        if !instances.isEmpty {
            out += "# HELP keepalived_gratuitous_arp_delay_total Gratuitous ARP delay\n# TYPE keepalived_gratuitous_arp_delay_total counter\n"
            for i in instances { out += "keepalived_gratuitous_arp_delay_total\(labels(i)) \(Int(i.garpDelay))\n" }
        }
        let states: [(String, String, [(KeepalivedInstance, String)])] = [
            ("keepalived_vrrp_state", "State of vrrp", instances.flatMap { i in i.vips.map { (i, $0) } }),
            ("keepalived_vrrp_excluded_state", "State of vrrp with excluded VIP",
             instances.flatMap { i in i.excludedVIPs.map { (i, $0) } }),
        ]
        for (name, help, rows) in states where !rows.isEmpty {
            out += "# HELP \(name) \(help)\n# TYPE \(name) gauge\n"
            for (i, line) in rows {
                let (ip, intf) = address(line)
                out += "\(name)\(labels(i, intf: intf, ip: ip)) \(KeepalivedDump.stateNumber(i.state))\n"
            }
        }
        return out
    }

    /// `text(_:)` of the snapshot's instances, then per tracked `vrrp_script` the exporter's
    /// `keepalived_script_status{name}` (1 GOOD, 0 BAD) and `keepalived_script_state{name}` (0 idle, 1 running).
    public static func text(_ snapshot: KeepalivedSnapshot) -> String {
        var out = text(snapshot.instances)
        guard !snapshot.scripts.isEmpty else { return out }
        out += "# HELP keepalived_script_status Tracker Script Status\n# TYPE keepalived_script_status gauge\n"
        for s in snapshot.scripts { out += "keepalived_script_status{name=\"\(escape(s.name))\"} \(s.status.up ? 1 : 0)\n" }
        out += "# HELP keepalived_script_state Tracker Script State\n# TYPE keepalived_script_state gauge\n"
        for s in snapshot.scripts { out += "keepalived_script_state{name=\"\(escape(s.name))\"} \(s.status.running ? 1 : 0)\n" }
        return out
    }

    /// The address (without its prefix length) and `dev` of a dump line `10.0.0.100/24 dev eth0 scope global`.
    static func address(_ line: String) -> (String, String?) {
        let words = line.split(separator: " ").map(String.init)
        let ip = words.first.map { String($0.split(separator: "/").first ?? Substring($0)) } ?? ""
        let dev = words.firstIndex(of: "dev").flatMap { $0 + 1 < words.count ? words[$0 + 1] : nil }
        return (ip, dev)
    }

    /// A label value as the text format writes it.
    static func escape(_ s: String) -> String {
        s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            .replacingOccurrences(of: "\n", with: "\\n")
    }
}
