import Foundation

/// keepalived's signal dumps, rendered from a `KeepalivedSnapshot`: `/tmp/keepalived.data` (SIGUSR1),
/// `/tmp/keepalived.stats` (SIGUSR2, and SIGRTMAX-1 which clears the counters after writing) and
/// `/tmp/keepalived.json` (SIGRTMIN+2, what Prometheus keepalived exporters read). The layouts follow keepalived
/// 2.2.7's as observed on Debian's build: the same section rules, field labels and JSON keys where Vigil has the
/// fact; fields Vigil has no value for (file descriptors, netlink buffers, SNMP, nftables) are left out rather than
/// invented. Pure: `KeepalivedDumpWriter` in `StatusService` does the I/O.
public enum KeepalivedDump {
    /// The default paths, keepalived's.
    public static let dataPath = "/tmp/keepalived.data"
    /// SIGUSR2 / SIGRTMAX-1.
    public static let statsPath = "/tmp/keepalived.stats"
    /// SIGRTMIN+2.
    public static let jsonPath = "/tmp/keepalived.json"

    /// keepalived's numbers for the states in the JSON dump (`state`, `wantstate`).
    public static func stateNumber(_ state: String) -> Int {
        switch state {
        case "BACKUP": 1
        case "MASTER": 2
        case "FAULT": 3
        default: 0  // INIT, and STOP (keepalived writes no dump once stopped)
        }
    }

    // MARK: - Data (SIGUSR1)

    /// The data dump.
    public static func data(_ s: KeepalivedSnapshot) -> String {
        var out = "------< Global definitions >------\n"
        out += " Vigil version = \(s.version) (pid \(s.status.pid), started \(clock(s.status.startedAt)))\n"
        out += " Script security \(s.scriptSecurity ? "enabled" : "disabled")\n"
        out += "------< VRRP Topology >------\n"
        for i in s.instances { out += instanceData(i) }
        out += "------< LVS Topology >------\n"
        for vs in s.status.virtualServers { out += virtualServerData(vs) }
        return out
    }

    static func instanceData(_ i: KeepalivedInstance) -> String {
        var out = " VRRP Instance = \(i.name)\n"
        out += "   VRRP Version = \(i.version)\n"
        out += "   State = \(i.state)\n"
        out += "   Wantstate = \(i.state)\n"
        if let t = i.lastTransition {
            out += "   Last transition = \(epoch(t)) (\(clock(t)))\n"
        }
        out += "   Interface = \(i.interface)\n"
        if let src = i.sourceAddress { out += "   Using src_ip = \(src)\n" }
        if i.unicastPeers.isEmpty {
            out += "   Multicast address \(i.isIPv6 ? "ff02::12" : "224.0.0.18")\n"
        } else {
            out += "   Unicast Peer = \(i.unicastPeers.joined(separator: ", "))\n"
        }
        out += "   Gratuitous ARP delay = \(number(i.garpDelay))\n"
        out += "   Gratuitous ARP repeat = \(i.garpRepeat)\n"
        out += "   Gratuitous ARP refresh = \(number(i.garpRefresh))\n"
        out += "   Virtual Router ID = \(i.vrid)\n"
        out += "   Priority = \(i.priority)\n"
        out += "   Effective priority = \(i.effectivePriority)\n"
        out += "   Advert interval = \(number(i.advertInterval)) sec\n"
        out += "   Preempt = \(i.preempt ? "enabled" : "disabled")\n"
        if i.preemptDelay > 0 { out += "   Preempt delay = \(number(i.preemptDelay)) secs\n" }
        out += "   Authentication type = \(["none", "SIMPLE_PASSWORD", "IPSEC_AH"][min(i.authType, 2)])\n"
        out += "   Virtual IP (\(i.vips.count)):\n"
        for v in i.vips { out += "     \(v)\n" }
        if !i.excludedVIPs.isEmpty {
            out += "   Virtual IP Excluded (\(i.excludedVIPs.count)):\n"
            for v in i.excludedVIPs { out += "     \(v)\n" }
        }
        if !i.trackScripts.isEmpty {
            out += "   Tracked scripts :\n"
            for t in i.trackScripts { out += "     \(t.name) weight \(t.weight)\n" }
        }
        if !i.trackInterfaces.isEmpty {
            out += "   Tracked interfaces :\n"
            for t in i.trackInterfaces { out += "     \(t.name) weight \(t.weight)\n" }
        }
        out += "   Notify deleted = \(i.notifyDeleted ? "Deleted" : "Fault")\n"
        for script in i.notifyScripts { out += "   \(script.label) state transition script = \(script.command)\n" }
        return out
    }

    static func virtualServerData(_ vs: VirtualServerStatus) -> String {
        var out = " ------< Virtual server >------\n"
        if vs.name.hasPrefix("fwmark ") {
            out += " VS FWMARK = \(vs.name.dropFirst(7))\n"
        } else if vs.name.hasPrefix("group ") {
            out += " VS GROUP = \(vs.name.dropFirst(6))\n"
        } else {
            let (host, port) = split(vs.name)
            out += " VS VIP = \(host), VPORT = \(port)\n"
        }
        out += "   Quorum status = \(vs.quorumUp ? "UP" : "DOWN")\n"
        for r in vs.realServers {
            let (host, port) = split(r.address)
            out += "   ------< Real server >------\n"
            out += "   RIP = \(host), RPORT = \(port), WEIGHT = \(r.weight)\n"
            out += "   alive = \(r.health == .up ? 1 : 0)\n"
            out += "   effective weight = \(r.ipvsWeight ?? 0)\n"
            if let reason = r.reason { out += "   last check = \(reason)\n" }
        }
        return out
    }

    // MARK: - Stats (SIGUSR2, SIGRTMAX-1)

    /// The statistics dump.
    public static func stats(_ s: KeepalivedSnapshot) -> String {
        var out = ""
        for i in s.instances {
            let c = i.stats
            out += "VRRP Instance: \(i.name)\n"
            out += "  Advertisements:\n"
            out += "    Received: \(c.advertReceived)\n"
            out += "    Sent: \(c.advertSent)\n"
            out += "  Became master: \(c.becameMaster)\n"
            out += "  Released master: \(c.releasedMaster)\n"
            out += "  Packet Errors:\n"
            out += "    Length: \(c.packetLengthErrors)\n"
            out += "    TTL: \(c.ttlErrors)\n"
            out += "    Invalid Type: \(c.invalidType)\n"
            out += "    Advertisement Interval: \(c.advertIntervalErrors)\n"
            out += "    Address List: \(c.addressListErrors)\n"
            out += "  Authentication Errors:\n"
            out += "    Invalid Type: \(c.invalidAuthType)\n"
            out += "    Type Mismatch: \(c.authTypeMismatch)\n"
            out += "    Failure: \(c.authFailure)\n"
            out += "  Priority Zero:\n"
            out += "    Received: \(c.priorityZeroReceived)\n"
            out += "    Sent: \(c.priorityZeroSent)\n"
        }
        return out
    }

    // MARK: - JSON (SIGRTMIN+2)

    /// The JSON dump: an array with one `{"data": …, "stats": …}` object per instance, keys in keepalived's order,
    /// empty lists and absent scripts left out as keepalived leaves them out.
    public static func json(_ s: KeepalivedSnapshot) -> String {
        var items: [String] = []
        for i in s.instances {
            var d = JSONObject()
            d.add("iname", string: i.name)
            d.add("dont_track_primary", raw: i.dontTrackPrimary ? "1" : "0")
            d.add("skip_check_adv_addr", raw: "0")
            d.add("strict_mode", raw: "0")
            d.add("vmac_ifname", string: "")
            d.add("ifp_ifname", string: i.interface)
            d.add("master_priority", raw: "0")  // the priority of the master last heard: not kept by Vigil's status
            d.add("last_transition", raw: i.lastTransition.map(epoch) ?? "0.000000")
            d.add("garp_delay", raw: number(i.garpDelay))
            d.add("garp_refresh", raw: "\(Int(i.garpRefresh))")
            d.add("garp_rep", raw: "\(i.garpRepeat)")
            d.add("garp_refresh_rep", raw: "\(i.garpRefreshRepeat)")
            d.add("garp_lower_prio_delay", raw: "\(Int(i.garpLowerPriorityDelay))")
            d.add("garp_lower_prio_rep", raw: "\(i.garpLowerPriorityRepeat)")
            d.add("lower_prio_no_advert", raw: i.lowerPriorityNoAdvert ? "1" : "0")
            d.add("higher_prio_send_advert", raw: i.higherPrioritySendAdvert ? "1" : "0")
            d.add("vrid", raw: "\(i.vrid)")
            d.add("base_priority", raw: "\(i.priority)")
            d.add("effective_priority", raw: "\(i.effectivePriority)")
            d.add("vipset", raw: i.state == "MASTER" ? "true" : "false")
            d.add("promote_secondaries", raw: "false")
            d.add("adver_int", raw: number(i.advertInterval))
            d.add("master_adver_int", raw: number(i.advertInterval))
            d.add("accept", raw: i.noAccept ? "0" : "1")
            d.add("nopreempt", raw: i.preempt ? "false" : "true")
            d.add("preempt_delay", raw: "\(Int(i.preemptDelay))")
            d.add("state", raw: "\(stateNumber(i.state))")
            d.add("wantstate", raw: "\(stateNumber(i.state))")
            d.add("version", raw: "\(i.version)")
            d.add("smtp_alert", raw: "false")
            d.add("notify_deleted", raw: i.notifyDeleted ? "true" : "false")
            for script in i.notifyJSONScripts { d.add(script.label, string: script.command) }
            if !i.vips.isEmpty { d.add("vips", strings: i.vips) }
            if !i.excludedVIPs.isEmpty { d.add("evips", strings: i.excludedVIPs) }
            if !i.trackInterfaces.isEmpty { d.add("track_ifp", strings: i.trackInterfaces.map(\.name)) }
            if !i.trackScripts.isEmpty { d.add("track_script", strings: i.trackScripts.map(\.command)) }
            d.add("auth_type", raw: "\(i.authType)")
            let c = i.stats
            var st = JSONObject()
            st.add("advert_rcvd", raw: "\(c.advertReceived)")
            st.add("advert_sent", raw: "\(c.advertSent)")
            st.add("become_master", raw: "\(c.becameMaster)")
            st.add("release_master", raw: "\(c.releasedMaster)")
            st.add("packet_len_err", raw: "\(c.packetLengthErrors)")
            st.add("advert_interval_err", raw: "\(c.advertIntervalErrors)")
            st.add("ip_ttl_err", raw: "\(c.ttlErrors)")
            st.add("invalid_type_rcvd", raw: "\(c.invalidType)")
            st.add("addr_list_err", raw: "\(c.addressListErrors)")
            st.add("invalid_authtype", raw: "\(c.invalidAuthType)")
            st.add("authtype_mismatch", raw: "\(c.authTypeMismatch)")
            st.add("auth_failure", raw: "\(c.authFailure)")
            st.add("pri_zero_rcvd", raw: "\(c.priorityZeroReceived)")
            st.add("pri_zero_sent", raw: "\(c.priorityZeroSent)")
            items.append("{\"data\":\(d.text),\"stats\":\(st.text)}")
        }
        return "[" + items.joined(separator: ",") + "]"
    }

    /// A JSON object written in insertion order (JSONEncoder does not keep keepalived's key order).
    struct JSONObject {
        private var fields: [String] = []

        mutating func add(_ key: String, raw: String) { fields.append("\(quote(key)):\(raw)") }
        mutating func add(_ key: String, string: String) { fields.append("\(quote(key)):\(quote(string))") }
        mutating func add(_ key: String, strings: [String]) {
            fields.append("\(quote(key)):[" + strings.map(quote).joined(separator: ",") + "]")
        }

        var text: String { "{" + fields.joined(separator: ",") + "}" }
    }

    /// A JSON string; `/` is escaped as keepalived's writer escapes it.
    static func quote(_ s: String) -> String {
        var out = "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "/": out += "\\/"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if u.value < 0x20 {
                    out += String(format: "\\u%04x", u.value)
                } else {
                    out.unicodeScalars.append(u)
                }
            }
        }
        return out + "\""
    }

    // MARK: - Formatting

    /// `1`, `0.5`: as C's `%g` prints a duration in seconds.
    static func number(_ seconds: Double) -> String {
        seconds == seconds.rounded() && abs(seconds) < 1e15 ? "\(Int(seconds))" : String(format: "%g", seconds)
    }

    /// Whole seconds and microseconds, rounded once so that both renderings of an instant agree.
    static func parts(_ date: Date) -> (seconds: Int, micros: Int) {
        let total = Int((date.timeIntervalSince1970 * 1_000_000).rounded())
        let seconds = total >= 0 ? total / 1_000_000 : (total - 999_999) / 1_000_000
        return (seconds, total - seconds * 1_000_000)
    }

    /// `1796447539.736779`.
    static func epoch(_ date: Date) -> String {
        let p = parts(date)
        return "\(p.seconds)." + String(format: "%06d", p.micros)
    }

    /// `Sat Dec  5 05:12:19.736779 2026` in local time, as keepalived prints a transition.
    static func clock(_ date: Date) -> String {
        let p = parts(date)
        var seconds = time_t(p.seconds)
        var fields = tm()
        localtime_r(&seconds, &fields)
        var buffer = [CChar](repeating: 0, count: 64)
        let n = strftime(&buffer, buffer.count, "%a %b %e %H:%M:%S", &fields)
        let head = String(decoding: buffer.prefix(n).map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return head + String(format: ".%06d %d", p.micros, Int(fields.tm_year) + 1900)
    }

    /// `10.0.0.1:80` → (`10.0.0.1`, `80`); `[2001:db8::1]:80` → (`2001:db8::1`, `80`).
    static func split(_ address: String) -> (String, String) {
        guard let colon = address.lastIndex(of: ":") else { return (address, "0") }
        var host = String(address[..<colon])
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        return (host, String(address[address.index(after: colon)...]))
    }
}
