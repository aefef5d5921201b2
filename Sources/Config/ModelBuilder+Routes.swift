import Vocabulary

/// `virtual_routes` and `static_routes` lines: keepalived 2.2.7's subset of `ip route` (`alloc_route`), read word by
/// word. What keepalived refuses (an unknown word, mixed families, a missing destination) is an error at the word;
/// options Vigil does not install (route metrics such as `mtu`, `encap`, `expires`, `pref`, `vrf`) are warnings and
/// the route goes in without them; a multipath route (`nexthop`, `or`) is a warning and is not installed.
extension ModelBuilder {
    static let routeTables: [String: UInt32] = ["main": 254, "local": 255, "default": 253, "unspec": 0]
    static let routeScopes: [String: UInt8] = ["global": 0, "universe": 0, "site": 200, "link": 253, "host": 254,
                                               "nowhere": 255]
    static let routeProtocols: [String: UInt8] = ["unspec": 0, "redirect": 1, "kernel": 2, "boot": 3, "static": 4,
                                                  "gated": 8, "ra": 9, "mrt": 10, "zebra": 11, "bird": 12,
                                                  "dnrouted": 13, "xorp": 14, "ntk": 15, "dhcp": 16,
                                                  "keepalived": 18, "babel": 42, "bgp": 186, "isis": 187,
                                                  "ospf": 188, "rip": 189, "eigrp": 192]
    /// Options that take a value and that Vigil leaves out of the route (keepalived sets them as route metrics,
    /// lightweight tunnels or IPv6 preferences).
    static let routeOptionsLeftOut: Set<String> = ["mtu", "advmss", "rtt", "rttvar", "reordering", "window", "cwnd",
                                                   "ssthresh", "realms", "rto_min", "initcwnd", "initrwnd",
                                                   "features", "quickack", "congctl", "fastopen_no_cookie",
                                                   "hoplimit", "expires", "pref", "vrf", "track_group"]

    /// One route line; nil when keepalived would refuse it (after an error) or when it is not installed (after a
    /// warning).
    mutating func route(_ e: [Token]) -> RouteConfig? {
        guard let first = e.first else { return nil }
        var family: Bool?   // true: IPv6
        var r = RouteConfig(destination: IPPrefix(address: .v4(0), prefixLength: 0), location: loc(first))
        var destination: IPPrefix?
        var failed = false
        var k = 0
        func value(_ what: String) -> Token? {
            guard k + 1 < e.count else {
                routeSkipped(loc(e[k]), "'\(e[k].text)' in a route needs \(what)")
                failed = true
                return nil
            }
            k += 1
            return e[k]
        }
        /// Records the family `ipv6` of `t`; false (after an error) when it differs from the route's.
        func sameFamily(_ ipv6: Bool, _ t: Token) -> Bool {
            if let f = family, f != ipv6 {
                routeSkipped(loc(t), "'\(clip(t.text))' mixes IPv4 and IPv6 in one route")
                failed = true
                return false
            }
            family = ipv6
            return true
        }
        while k < e.count, !failed {
            let w = e[k].text
            switch w {
            case "inet", "inet6":
                _ = sameFamily(w == "inet6", e[k])
            case "src":
                if let t = value("an address"), let a = address(t, "route src"), sameFamily(a.isIPv6, t) { r.preferredSource = a }
            case "via", "gw":
                if w == "gw" {
                    sink.warning(.nonCanonicalForm, loc(e[k]), "'gw' in a route is deprecated; write 'via' (keepalived says so too)")
                }
                if var t = value("an address") {
                    if t.text == "inet" || t.text == "inet6", let n = value("an address") { t = n }
                    if let a = address(t, "route via"), sameFamily(a.isIPv6, t) { r.gateway = a }
                }
            case "from":
                if let t = value("a prefix") {
                    if let p = IPPrefix(t.text), p.address.isIPv6 {
                        if sameFamily(true, t) { r.sourcePrefix = p }
                    } else {
                        routeSkipped(loc(t), "route 'from' takes an IPv6 prefix (keepalived supports it for IPv6 only), not '\(clip(t.text))'")
                        failed = true
                    }
                }
            case "tos", "dsfield":
                if let t = value("a value") {
                    if let v = Self.byte(t.text) { r.tos = v } else {
                        routeSkipped(loc(t), "route tos '\(clip(t.text))' is not a number 0–255")
                        failed = true
                    }
                }
            case "table":
                if let t = value("a table") {
                    if let v = Self.routeTables[t.text] ?? routeTableNames[t.text] ?? UInt32(t.text) { r.table = v } else {
                        routeSkipped(loc(t), "routing table '\(clip(t.text))' is not in /etc/iproute2/rt_tables (or rt_tables.d): add it there or write its number")
                        failed = true
                    }
                }
            case "protocol", "proto":
                if let t = value("a protocol") {
                    if let v = Self.routeProtocols[t.text] ?? UInt8(t.text) { r.routingProtocol = v } else {
                        routeSkipped(loc(t), "route protocol '\(clip(t.text))' is not known (a name of /etc/iproute2/rt_protos or 0–255)")
                        failed = true
                    }
                }
            case "scope":
                if let t = value("a scope") {
                    if let v = Self.routeScopes[t.text] ?? UInt8(t.text) { r.scope = v } else {
                        routeSkipped(loc(t), "route scope '\(clip(t.text))' is not known (global, site, link, host, nowhere or 0–255)")
                        failed = true
                    }
                }
            case "metric", "priority", "preference":
                if let t = value("a number") {
                    if let v = UInt32(t.text) { r.metric = v } else {
                        routeSkipped(loc(t), "route metric '\(clip(t.text))' is not a number 0–4294967295")
                        failed = true
                    }
                }
            case "dev", "oif":
                if let t = value("an interface") { r.device = t.text }
            case "onlink":
                r.onlink = true
            case "no_track":
                r.noTrack = true
            case "nexthop", "or":
                sink.warning(.unsupportedKeyword, loc(e[k]), "multipath routes ('\(w)') are not implemented yet: this route is not installed")
                return nil
            case "encap", "as":
                sink.warning(.unsupportedKeyword, loc(e[k]), "'\(w)' routes are not implemented yet: this route is not installed")
                return nil
            case "lock":
                break
            default:
                if Self.routeOptionsLeftOut.contains(w) {
                    sink.warning(.unsupportedKeyword, loc(e[k]), "route option '\(w)' is not implemented yet: the route is installed without it")
                    if k + 1 < e.count, e[k + 1].text == "lock" { k += 1 }
                    k += 1
                    break
                }
                if w == "to" { k += 1 }
                guard k < e.count else {
                    routeSkipped(loc(e[k - 1]), "'to' in a route needs a destination")
                    failed = true
                    break
                }
                if let kind = RouteConfig.Kind(rawValue: e[k].text) {
                    r.kind = kind
                    k += 1
                    guard k < e.count else {
                        routeSkipped(loc(e[k - 1]), "'\(kind.rawValue)' in a route needs a destination")
                        failed = true
                        break
                    }
                }
                let t = e[k]
                if t.text == "default" {
                    destination = IPPrefix(address: .v4(0), prefixLength: 0)
                } else if let p = IPPrefix(t.text) {
                    guard sameFamily(p.address.isIPv6, t) else { break }
                    destination = p
                } else {
                    routeSkipped(loc(t), "'\(clip(t.text))' is neither a route keyword nor a destination prefix")
                    failed = true
                }
            }
            k += 1
        }
        if failed { return nil }
        guard var d = destination else {
            routeSkipped(loc(first), "a route needs a destination")
            return nil
        }
        if d.prefixLength == 0, d.address == .v4(0), family == true { d = IPPrefix(address: .v6(0, 0), prefixLength: 0) }
        if d.prefixLength == nil { d.prefixLength = d.address.maxPrefixLength }
        r.destination = d
        return r
    }

    /// The `NUMBER NAME` lines of the host's routing table files (`#` starts a comment); later files win.
    static func routeTableNames(_ fs: any ConfigFileSystem) -> [String: UInt32] {
        var names: [String: UInt32] = [:]
        for path in ["/usr/share/iproute2/rt_tables", "/etc/iproute2/rt_tables"] + fs.glob("/etc/iproute2/rt_tables.d/*.conf") {
            guard let bytes = fs.read(path) else { continue }
            for line in String(decoding: bytes, as: UTF8.self).split(separator: "\n") {
                let words = line.prefix { $0 != "#" }.split(whereSeparator: { $0 == " " || $0 == "\t" })
                guard words.count >= 2, let n = UInt32(words[0]) ?? UInt32(words[0].dropFirst(2), radix: 16) else { continue }
                names[String(words[1])] = n
            }
        }
        return names
    }

    /// A number 0–255, decimal or 0x hex (as `tos 0x10`).
    static func byte(_ s: String) -> UInt8? {
        if s.hasPrefix("0x") || s.hasPrefix("0X") { return UInt8(s.dropFirst(2), radix: 16) }
        return UInt8(s)
    }

    /// keepalived 2.2.7 reports a bad route line and skips it (and runs): a warning at the word, the route left out.
    mutating func routeSkipped(_ at: SourceLocation, _ message: String) {
        sink.warning(.keepalivedIgnores, at, message + ": this route is not installed, as keepalived skips it")
    }
}
