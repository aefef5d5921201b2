import Vocabulary

/// `virtual_rules` and `static_rules` lines: keepalived 2.2.7's subset of `ip rule` (`alloc_rule`). What keepalived
/// refuses is an error at the word and the rule is dropped; a selector Vigil does not install (`uidrange`, `sport`,
/// `dport`, `ipproto`, `l3mdev`) is a warning and the rule is not installed (without it the rule would match more);
/// `realms` and `track_group` are warnings and the rule goes in without them.
extension ModelBuilder {
    static let ruleSelectorsLeftOut: Set<String> = ["uidrange", "sport", "dport", "ipproto", "l3mdev"]

    mutating func rule(_ e: [Token]) -> RuleConfig? {
        guard let first = e.first else { return nil }
        var r = RuleConfig(location: loc(first))
        var family: Bool?
        var action: RuleConfig.Action?
        var priority: UInt32?
        var failed = false
        var k = 0
        func value(_ what: String) -> Token? {
            guard k + 1 < e.count else {
                ruleSkipped(loc(e[k]), "'\(e[k].text)' in a rule needs \(what)")
                failed = true
                return nil
            }
            k += 1
            return e[k]
        }
        func number(_ what: String) -> UInt32? {
            guard let t = value(what) else { return nil }
            if let v = UInt32(t.text) ?? (t.text.hasPrefix("0x") ? UInt32(t.text.dropFirst(2), radix: 16) : nil) { return v }
            ruleSkipped(loc(t), "'\(clip(t.text))' is not a number for '\(e[k - 1].text)' in a rule")
            failed = true
            return nil
        }
        func prefix(_ t: Token) -> IPPrefix? {
            if ["all", "any", "default"].contains(t.text) { return nil }
            guard let p = IPPrefix(t.text) else {
                ruleSkipped(loc(t), "'\(clip(t.text))' is not an address or prefix in a rule")
                failed = true
                return nil
            }
            if let f = family, f != p.address.isIPv6 {
                ruleSkipped(loc(t), "'\(clip(t.text))' mixes IPv4 and IPv6 in one rule")
                failed = true
                return nil
            }
            family = p.address.isIPv6
            return p
        }
        func setAction(_ a: RuleConfig.Action, _ t: Token) {
            if action != nil {
                ruleSkipped(loc(t), "a rule takes one of table, goto, nop, blackhole, unreachable, prohibit")
                failed = true
            }
            action = a
        }
        while k < e.count, !failed {
            let t = e[k], w = t.text
            switch w {
            case "inet", "inet6":
                if let f = family, f != (w == "inet6") {
                    ruleSkipped(loc(t), "'\(w)' in a rule of the other family")
                    failed = true
                }
                family = w == "inet6"
            case "from": if let v = value("a prefix or all") { r.from = prefix(v) }
            case "to": if let v = value("a prefix or all") { r.to = prefix(v) }
            case "table", "lookup":
                if let v = value("a table") {
                    if let n = Self.routeTables[v.text] ?? routeTableNames[v.text] ?? UInt32(v.text) { setAction(.table(n), t) } else {
                        ruleSkipped(loc(v), "routing table '\(clip(v.text))' is not in /etc/iproute2/rt_tables (or rt_tables.d): add it there or write its number")
                        failed = true
                    }
                }
            case "priority", "preference", "order": if let n = number("a number") { priority = n }
            case "fwmark":
                if let v = value("a mark") {
                    let parts = v.text.split(separator: "/", maxSplits: 1).map(String.init)
                    let parse = { (s: String) in UInt32(s) ?? (s.hasPrefix("0x") ? UInt32(s.dropFirst(2), radix: 16) : nil) }
                    if let m = parts.first.flatMap(parse), parts.count == 1 || parse(parts[1]) != nil {
                        r.fwmark = m
                        r.fwmask = parts.count == 2 ? parse(parts[1]) : nil
                    } else {
                        ruleSkipped(loc(v), "fwmark '\(clip(v.text))' is not N or N/MASK")
                        failed = true
                    }
                }
            case "iif", "dev": if let v = value("an interface") { r.inputInterface = v.text }
            case "oif": if let v = value("an interface") { r.outputInterface = v.text }
            case "tos", "dsfield":
                if let v = value("a value") {
                    if let n = Self.byte(v.text) { r.tos = n } else {
                        ruleSkipped(loc(v), "rule tos '\(clip(v.text))' is not a number 0–255")
                        failed = true
                    }
                }
            case "not": r.invert = true
            case "suppress_prefixlength", "sup_pl": if let n = number("a length") { r.suppressPrefixLength = n }
            case "suppress_ifgroup", "sup_group": if let n = number("a group") { r.suppressInterfaceGroup = n }
            case "protocol":
                if let v = value("a protocol") {
                    if let n = Self.routeProtocols[v.text] ?? UInt8(v.text) { r.routingProtocol = n } else {
                        ruleSkipped(loc(v), "rule protocol '\(clip(v.text))' is not known (a name of /etc/iproute2/rt_protos or 0–255)")
                        failed = true
                    }
                }
            case "no_track": break
            case "realms", "track_group":
                sink.warning(.unsupportedKeyword, loc(t), "rule option '\(w)' is not implemented yet: the rule is installed without it")
                k += 1
            case "goto":
                if let n = number("a preference") { setAction(.goto(n), t) }
            case "type", "nop", "blackhole", "unreachable", "prohibit":
                var word = t
                if w == "type", let v = value("an action") { word = v }
                switch word.text {
                case "nop": setAction(.nop, word)
                case "blackhole": setAction(.blackhole, word)
                case "unreachable": setAction(.unreachable, word)
                case "prohibit": setAction(.prohibit, word)
                case "goto": if let n = number("a preference") { setAction(.goto(n), word) }
                default:
                    ruleSkipped(loc(word), "'\(clip(word.text))' is not a rule action")
                    failed = true
                }
            default:
                if Self.ruleSelectorsLeftOut.contains(w) {
                    sink.warning(.unsupportedKeyword, loc(t), "rule selector '\(w)' is not implemented yet: this rule is not installed (without it the rule would match more)")
                    return nil
                }
                ruleSkipped(loc(t), "'\(clip(w))' is not a rule keyword")
                failed = true
            }
            k += 1
        }
        if failed { return nil }
        guard let action else {
            ruleSkipped(loc(first), "a rule needs an action (table, goto, nop, blackhole, unreachable or prohibit); keepalived ignores it")
            return nil
        }
        r.action = action
        r.isIPv6 = family ?? false
        if case .goto(let target) = action, priority.map({ $0 >= target }) ?? true {
            ruleSkipped(loc(first), "a goto rule needs a preference below its target \(target)")
            return nil
        }
        if let priority {
            r.priority = priority
        } else {
            r.priority = r.isIPv6 ? nextRulePriority6 : nextRulePriority4
            if r.isIPv6 { nextRulePriority6 -= 1 } else { nextRulePriority4 -= 1 }
            sink.warning(.missingValue, loc(first), "the rule has no preference: \(r.priority), as keepalived numbers them (from 16384 down, in file order); give one")
        }
        return r
    }

    /// keepalived 2.2.7 reports a bad rule line and skips it (and runs): a warning at the word, the rule left out.
    mutating func ruleSkipped(_ at: SourceLocation, _ message: String) {
        sink.warning(.keepalivedIgnores, at, message + ": this rule is not installed, as keepalived skips it")
    }
}
