// `garp_group { … }`: per-interface pacing of gratuitous ARPs and unsolicited NAs, read as keepalived 2.2.7 reads it.

extension ModelBuilder {
    /// The block, or nil when it sets no interval (keepalived removes such a group, with an error it runs through:
    /// a warning here). An interface already in an earlier group stays there (keepalived: "garp_group already
    /// specified … ignoring"); an interval of a second or more is warned as keepalived logs it.
    mutating func garpGroup(_ n: Node, earlier: [GARPGroupConfig]) -> GARPGroupConfig? {
        var g = GARPGroupConfig(location: loc(n))
        var taken = Set(earlier.flatMap(\.interfaces))
        var wroteInterface = false, wroteList = false
        func add(_ t: Token, _ b: inout ModelBuilder) {
            if taken.contains(t.text) || g.interfaces.contains(t.text) {
                b.sink.warning(.keepalivedIgnores, b.loc(t), "garp_group already given for \(b.clip(t.text)): keepalived ignores this one, and so does Vigil (the first group's pacing applies)")
            } else {
                g.interfaces.append(t.text)
                taken.insert(t.text)
            }
        }
        for c in n.children {
            let a = args(c)
            switch c.name {
            case "garp_interval", "gna_interval":
                guard let t = a.first, let d = duration(t, "garp_group \(c.name)") else { continue }
                if d >= .seconds(1) {
                    sink.warning(.suspicious, loc(t), "garp_group \(c.name) \(t.text) s is very large (keepalived logs the same): a burst of announcements then takes seconds per address")
                }
                if c.name == "garp_interval" { g.garpInterval = d } else { g.gnaInterval = d }
            case "interface":
                wroteInterface = true
                if let t = a.first { add(t, &self) }
            case "interfaces":
                wroteList = true
                if c.entries.isEmpty { sink.warning(.missingValue, loc(c), "empty garp_group interfaces block") }
                for e in c.entries { for t in e { add(t, &self) } }
            default:
                break
            }
        }
        if wroteInterface && wroteList {
            sink.warning(.suspicious, loc(n), "garp_group has both interface and interfaces: keepalived's man page allows one of them; every interface named shares the group's pacing")
        }
        guard g.garpInterval != nil || g.gnaInterval != nil else {
            sink.warning(.keepalivedIgnores, loc(n), "garp_group sets neither garp_interval nor gna_interval: keepalived removes the group, and so does Vigil")
            return nil
        }
        return g
    }
}
