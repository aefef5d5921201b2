import RegexMatch
import Vocabulary

/// Turns the statement tree into the typed model. Each block has its own build function that returns
/// a value; there are no "current block" globals. Value errors are collected with positions.
struct ModelBuilder {
    var sink: DiagnosticSink
    /// The reader's file table (`TokenPosition.file` indexes it); refreshed before each statement.
    var files: [String] = []
    private var sawGlobal = false
    /// Virtual servers on a group written without `protocol`, by index: `finish` gives them keepalived's default
    /// once every group is known.
    private var groupServersWithoutProtocol: [Int] = []
    /// Where each instance wrote what strict mode looks at, by index in `vrrpInstances`: `finish` resolves strict
    /// mode once `vrrp_strict` is known, wherever global_defs is in the file (keepalived resolves it at the end too).
    private var strictLines: [Int: StrictLines] = [:]
    /// Routing table names of the host (`/etc/iproute2/rt_tables` and `rt_tables.d/*.conf`), as keepalived reads
    /// them; main, local and default are always known.
    var routeTableNames: [String: UInt32] = [:]
    /// Where `file:` values (auth_hmac keys) are read from: the loader's file system.
    var fileSystem: any ConfigFileSystem = MemoryFileSystem([:])
    /// The preferences keepalived gives rules written without one, per family.
    var nextRulePriority4: UInt32 = 16384
    var nextRulePriority6: UInt32 = 16384
    private var lastStrictLines = StrictLines()

    struct StrictLines {
        var strictMode: SourceLocation?
        var accept: SourceLocation?
        var state: SourceLocation?
        var unicastPeer: SourceLocation?
        var preemptDelay: SourceLocation?
        var garpLowerPrioDelay: SourceLocation?
        var garpLowerPrioRepeat: SourceLocation?
        var lowerPrioNoAdvert: SourceLocation?
        var higherPrioSendAdvert: SourceLocation?
        var multicastDestination: SourceLocation?
        var ownerIgnoreAdverts: SourceLocation?
    }

    init(sink: DiagnosticSink) { self.sink = sink }

    /// Where a `track_script`, `track_file` or `track_process` entry named a block not defined above it.
    private var notYetDefined: Set<SourceLocation> = []

    /// The entries of `s` (an instance or a sync group) naming a `vrrp_script`, `vrrp_track_file` or
    /// `vrrp_track_process` not defined so far in `c`.
    private mutating func noteForwardReferences(scripts: [TrackReference], files: [TrackReference],
                                                processes: [TrackReference], in c: KeepalivedConfig) {
        notYetDefined.formUnion(scripts.filter { c.vrrpScript(named: $0.name) == nil }.map(\.location))
        notYetDefined.formUnion(files.filter { c.vrrpTrackFile(named: $0.name) == nil }.map(\.location))
        notYetDefined.formUnion(processes.filter { c.vrrpTrackProcess(named: $0.name) == nil }.map(\.location))
    }

    /// keepalived 2.2.7 resolves a `track_script`, `track_file` or `track_process` entry when it reads it: one naming
    /// a block defined further down is ignored ("track script … not found, ignoring", seen with `keepalived -t` and in
    /// the host lab), in instances and sync groups alike. Vigil drops it too, with a warning at the entry (one naming
    /// no block at all is the validator's warning).
    private mutating func forwardReferences(_ c: inout KeepalivedConfig) {
        guard !notYetDefined.isEmpty else { return }
        let scripts = Set(c.vrrpScripts.map(\.name)), files = Set(c.vrrpTrackFiles.map(\.name))
        let processes = Set(c.vrrpTrackProcesses.map(\.name))
        func drop(_ refs: inout [TrackReference], _ defined: Set<String>, _ block: String, _ what: String) {
            refs.removeAll { ref in
                guard notYetDefined.contains(ref.location), defined.contains(ref.name) else { return false }
                sink.warning(.keepalivedIgnores, ref.location, "\(block) '\(ref.name)' is defined below this entry: keepalived 2.2.7 ignores the entry (\"\(what) \(ref.name) not found\"), and so does Vigil; move the \(block) block above")
                return true
            }
        }
        for i in c.vrrpInstances.indices {
            drop(&c.vrrpInstances[i].trackScripts, scripts, "vrrp_script", "track script")
            drop(&c.vrrpInstances[i].trackFiles, files, "vrrp_track_file", "track file")
            drop(&c.vrrpInstances[i].trackProcesses, processes, "vrrp_track_process", "track process")
        }
        for i in c.vrrpSyncGroups.indices {
            drop(&c.vrrpSyncGroups[i].trackScripts, scripts, "vrrp_script", "track script")
            drop(&c.vrrpSyncGroups[i].trackFiles, files, "vrrp_track_file", "track file")
            drop(&c.vrrpSyncGroups[i].trackProcesses, processes, "vrrp_track_process", "track process")
        }
        notYetDefined = []
    }

    /// What needs the whole file: a `virtual_server group NAME` without `protocol` whose group has addresses gets
    /// UDP, as keepalived 2.2.7 does (a group of fwmarks only needs no protocol).
    mutating func finish(_ c: inout KeepalivedConfig) {
        for i in groupServersWithoutProtocol {
            guard case .group(let name) = c.virtualServers[i].address,
                  let group = c.virtualServerGroups.first(where: { $0.name == name }),
                  group.entries.contains(where: { if case .range = $0 { true } else { false } }) else { continue }
            c.virtualServers[i].protocol = .udp
            sink.warning(.missingValue, c.virtualServers[i].location, Self.noProtocol("group \(name)"))
        }
        groupServersWithoutProtocol = []
        for i in c.vrrpInstances.indices {
            strict(&c.vrrpInstances[i], lines: strictLines[i] ?? StrictLines(), globals: c.globalDefs)
            completeAuthHMAC(&c.vrrpInstances[i])
        }
        strictLines = [:]
        forwardReferences(&c)
        unknownBFDs(&c)
        noAcceptServers(c)
        let g = c.globalDefs
        if let f = g.notifyFifo, !c.virtualServers.isEmpty {
            sink.warning(.unsupportedKeyword, f.location, "notify_fifo gets the VRRP lines only: keepalived's checker also writes its virtual and real server lines there, which is not implemented yet")
        }
        for (script, fifo, name) in [(g.notifyFifoScript, g.notifyFifo, "notify_fifo"), (g.vrrpNotifyFifoScript, g.vrrpNotifyFifo, "vrrp_notify_fifo")]
        where script != nil && fifo == nil {
            sink.warning(.keepalivedIgnores, script?.location ?? g.location, "\(name)_script without \(name) is ignored, as keepalived ignores it")
        }
    }

    /// keepalived 2.2.7's strict mode (`vrrp_complete_instance`), in its order: the instance needs a virtual
    /// address and multicast, `state` must agree with being the address owner, authentication and `preempt_delay`
    /// are dropped, and accept mode is off unless this is the address owner (and never for VRRPv2). What keepalived
    /// resets is a warning here; what makes it refuse the instance is an error.
    mutating func strict(_ v: inout VRRPInstanceConfig, lines: StrictLines, globals g: GlobalDefs) {
        let strict = v.strictMode ?? g.vrrpStrict
        v.strict = strict
        let why = v.strictMode != nil ? "strict_mode" : "vrrp_strict"
        if strict {
            if v.noVirtualIPAddress {
                sink.warning(.keepalivedIgnores, v.location, "no_virtual_ipaddress is incompatible with \(why): keepalived clears it, and so does Vigil")
                v.noVirtualIPAddress = false
            }
            if v.virtualIPAddresses.isEmpty {
                sink.error(.missingValue, v.location, "vrrp_instance '\(v.name)' has no virtual_ipaddress: \(why) requires at least one, and keepalived refuses the instance")
            }
            if !v.unicastPeers.isEmpty {
                sink.error(.invalidValue, lines.unicastPeer ?? v.location, "unicast_peer is not allowed with \(why): keepalived refuses the instance on an interface that can multicast (strict VRRP is multicast only), and Vigil refuses it on any interface; remove the peers or the strict mode")
            }
            if let at = lines.state, (v.state == .master) != (v.priority == 255) {
                let now: VRRPInitialState = v.priority == 255 ? .master : .backup
                sink.warning(.keepalivedIgnores, at, "with \(why) the state must match being the address owner (priority 255): keepalived starts vrrp_instance '\(v.name)' as \(now == .master ? "MASTER" : "BACKUP"), and so does Vigil")
                v.state = now
            }
            if let a = v.authentication {
                sink.warning(.keepalivedIgnores, a.location, "\(why) does not allow authentication: keepalived ignores this block, and so does Vigil (adverts carry none)")
                v.authentication = nil
            }
            if let first = v.virtualIPAddresses.first?.address.address, first.isIPv6, !Self.isLinkLocal(first) {
                sink.warning(.suspicious, v.virtualIPAddresses[0].location, "\(why): the first IPv6 virtual address should be link-local (RFC 5798); keepalived reports it and runs on, and so does Vigil")
            }
            if v.preemptDelay > .zero {
                v.preemptDelay = .zero
                sink.warning(.keepalivedIgnores, lines.preemptDelay ?? v.location, "preempt_delay is incompatible with \(why): keepalived resets it to 0, and so does Vigil")
            }
        }
        ownerIgnoreAdverts(&v, line: lines.ownerIgnoreAdverts, globals: g, strict: strict, why: why)
        lowerPriority(&v, lines: lines, globals: g, strict: strict, why: why)
        if v.multicastDestination != nil, !v.unicastPeers.isEmpty {
            sink.warning(.keepalivedIgnores, lines.multicastDestination ?? v.location, "mcast_dst_ip is ignored with unicast_peer, as keepalived ignores it: adverts go to the peers")
            v.multicastDestination = nil
        }
        if v.accept == nil {
            v.accept = v.priority == 255 ? true : !strict
        } else if v.accept == true, v.priority != 255, strict, v.version == 2 {
            sink.warning(.keepalivedIgnores, lines.accept ?? v.location, "accept mode is not allowed for VRRPv2 (RFC 3768) with \(why): keepalived turns it off, and so does Vigil; packets to the virtual addresses are dropped while MASTER (use version 3 for accept mode)")
            v.accept = false
        }
    }

    /// `owner_ignore_adverts` as keepalived 2.4.3 resolves it: only an address owner (priority 255) can have it (set
    /// elsewhere, it is reported and turned off); unset, it is on in strict mode and else `vrrp_owner_ignore_adverts`;
    /// turned off in strict mode, it is reported and turned back on. (keepalived 2.4.3 also turns it back on for an
    /// owner that is not strict, with the same message about strict mode; Vigil honours the off there.)
    mutating func ownerIgnoreAdverts(_ v: inout VRRPInstanceConfig, line: SourceLocation?, globals g: GlobalDefs,
                                     strict: Bool, why: String) {
        switch v.ownerIgnoreAdverts {
        case true? where v.priority != 255:
            sink.warning(.keepalivedIgnores, line ?? v.location, "owner_ignore_adverts applies to an address owner only (priority 255, this one has \(v.priority)): keepalived turns it off, and so does Vigil")
            v.ownerIgnoreAdverts = false
        case nil:
            v.ownerIgnoreAdverts = v.priority == 255 && (strict || g.vrrpOwnerIgnoreAdverts)
        case false? where v.priority == 255 && strict:
            sink.warning(.keepalivedIgnores, line ?? v.location, "\(why) with priority 255 requires owner_ignore_adverts: keepalived turns it on, and so does Vigil")
            v.ownerIgnoreAdverts = true
        default:
            break
        }
    }

    /// What a MASTER does when it hears a lower or higher priority, as keepalived 2.2.7 resolves it at the end of
    /// the file: the instance's own values, else the global ones (`vrrp_garp_lower_prio_*`, themselves defaulting to
    /// `vrrp_garp_master_delay`/`_repeat`), and in strict mode no GARP, no advert on a lower priority and none before
    /// yielding, set values reset with a warning.
    mutating func lowerPriority(_ v: inout VRRPInstanceConfig, lines: StrictLines, globals g: GlobalDefs,
                                strict: Bool, why: String) {
        if strict {
            if let r = v.garpLowerPrioRepeat, r > 0 {
                sink.warning(.keepalivedIgnores, lines.garpLowerPrioRepeat ?? v.location, "\(why) sends no gratuitous ARP on a lower-priority advert: keepalived resets garp_lower_prio_repeat to 0, and so does Vigil")
                v.garpLowerPrioRepeat = 0
            }
            if let d = v.garpLowerPrioDelay, d > .zero {
                sink.warning(.keepalivedIgnores, lines.garpLowerPrioDelay ?? v.location, "\(why) sends no gratuitous ARP on a lower-priority advert: keepalived resets garp_lower_prio_delay to 0, and so does Vigil")
                v.garpLowerPrioDelay = .zero
            }
            if v.lowerPrioNoAdvert == false {
                sink.warning(.keepalivedIgnores, lines.lowerPrioNoAdvert ?? v.location, "\(why) requires lower_prio_no_advert: keepalived turns it back on, and so does Vigil")
                v.lowerPrioNoAdvert = true
            }
            if v.higherPrioSendAdvert == true {
                sink.warning(.keepalivedIgnores, lines.higherPrioSendAdvert ?? v.location, "\(why) requires higher_prio_send_advert off: keepalived turns it off, and so does Vigil")
                v.higherPrioSendAdvert = false
            }
        }
        v.garpLowerPrioRepeat = v.garpLowerPrioRepeat ?? (strict ? 0 : g.vrrpGarpLowerPrioRepeat ?? g.vrrpGarpMasterRepeat)
        v.garpLowerPrioDelay = v.garpLowerPrioDelay ?? (strict ? .zero : g.vrrpGarpLowerPrioDelay ?? g.vrrpGarpMasterDelay)
        v.lowerPrioNoAdvert = v.lowerPrioNoAdvert ?? (strict ? true : g.vrrpLowerPrioNoAdvert)
        v.higherPrioSendAdvert = v.higherPrioSendAdvert ?? (strict ? false : g.vrrpHigherPrioSendAdvert)
        v.downTimerAdverts = v.downTimerAdverts ?? g.vrrpDownTimerAdverts
    }

    /// A virtual server on an address that a `no_accept` MASTER filters gets no packet (the drop rule runs before
    /// IPVS), under keepalived as under Vigil; say so where the virtual server is written.
    mutating func noAcceptServers(_ c: KeepalivedConfig) {
        for vs in c.virtualServers {
            guard case .address(let ip, let port) = vs.address,
                  let v = c.vrrpInstances.first(where: { i in
                      i.filtersVIPTraffic && (i.virtualIPAddresses + i.excludedVirtualIPAddresses)
                          .contains { $0.address.address == ip }
                  }) else { continue }
            let fix = v.version == 3 ? "add 'accept' to the instance" : "add 'version 3' and 'accept' to the instance"
            sink.warning(.suspicious, vs.location, "virtual_server \(ip.isIPv6 ? "[\(ip)]" : "\(ip)"):\(port) is a virtual address of vrrp_instance '\(v.name)', which runs without accept mode\(v.strict ? " (strict mode)" : ""): its packets are dropped before IPVS sees them, as under keepalived; \(fix)")
        }
    }

    /// fe80::/10.
    static func isLinkLocal(_ a: IPAddress) -> Bool {
        if case .v6(let hi, _) = a { return hi >> 54 == 0x3fa }
        return false
    }

    /// keepalived 2.2.7's default for a virtual server by address without `protocol` is UDP (the kernel's reading
    /// of protocol 0), with a configuration error; Vigil does the same with a warning, so a file means what it
    /// meant under keepalived.
    static func noProtocol(_ what: String) -> String {
        "virtual_server \(what) has no 'protocol': keepalived 2.2.7 uses UDP (\"no protocol set - defaulting to UDP\"), and so does Vigil; write 'protocol TCP' for a TCP service"
    }

    // MARK: value helpers

    mutating func int(_ t: Token, _ what: String, _ range: ClosedRange<Int>) -> Int? {
        guard let n = Int(t.text) else {
            sink.error(.invalidValue, loc(t), "\(what) '\(clip(t.text))' is not an integer")
            return nil
        }
        guard range.contains(n) else {
            sink.error(.outOfRange, loc(t), "\(what) \(n) is outside \(range.lowerBound)…\(range.upperBound)")
            return nil
        }
        return n
    }

    mutating func seconds(_ t: Token, _ what: String, max: Double = 31_536_000) -> Double? {
        guard let d = Double(t.text), d.isFinite else {
            sink.error(.invalidValue, loc(t), "\(what) '\(clip(t.text))' is not a number of seconds")
            return nil
        }
        guard d >= 0, d <= max else {
            sink.error(.outOfRange, loc(t), "\(what) \(t.text) is outside 0…\(Int(max)) seconds")
            return nil
        }
        return d
    }

    /// `seconds` as a `Duration`: a time of the model, converted once here.
    mutating func duration(_ t: Token, _ what: String, max: Double = 31_536_000) -> Duration? {
        seconds(t, what, max: max).map(Self.duration)
    }

    /// Seconds as written, to the nanosecond: `0.1` is 100 ms exactly (`Duration.seconds(0.1)` would keep the
    /// binary fraction's error, 5 attoseconds more). The value is finite and within 0…1 year, so nothing is clamped.
    static func duration(_ seconds: Double) -> Duration { .clampedSeconds(seconds) }

    mutating func port(_ t: Token, _ what: String = "port") -> UInt16? {
        guard let n = Int(t.text) else {
            sink.error(.invalidValue, loc(t), "\(what) '\(clip(t.text))' is not a port number")
            return nil
        }
        guard n >= 0, n <= 65535 else {
            sink.error(.outOfRange, loc(t), "\(what) \(n) is outside 0…65535")
            return nil
        }
        return UInt16(n)
    }

    mutating func address(_ t: Token, _ what: String = "address") -> IPAddress? {
        guard let a = IPAddress(t.text) else {
            sink.error(.invalidValue, loc(t), "\(what) '\(clip(t.text))' is not an IPv4 or IPv6 address")
            return nil
        }
        return a
    }

    mutating func bool(_ node: Node) -> Bool {
        guard let t = args(node).first else { return true }
        switch t.text.lowercased() {
        case "on", "true", "yes": return true
        case "off", "false", "no": return false
        default:
            sink.error(.invalidValue, loc(t), "'\(node.name)' expects on/off, true/false or yes/no")
            return true
        }
    }

    func clip(_ s: String) -> String { clipped(s) }

    /// The tokens of the statement being built (`Node.argStart` indexes them); set by the loader.
    var arena: [Token] = []

    /// A statement's arguments.
    func args(_ n: Node) -> TokenList { TokenList(storage: arena, start: Int(n.argStart), count: Int(n.argCount)) }

    /// The location of a token (file names come from the reader's table).
    /// A host address where keepalived also accepts ADDRESS/PREFIX and drops the prefix (unicast_src_ip,
    /// mcast_src_ip, unicast_peer): the prefix is a warning at its column.
    mutating func hostAddress(_ t: Token, _ what: String) -> IPAddress? {
        if let a = IPAddress(t.text) { return a }
        if let p = IPPrefix(t.text), p.prefixLength != nil {
            sink.warning(.nonCanonicalForm, loc(t), "\(what) '\(clip(t.text))': the prefix is ignored, as keepalived ignores it")
            return p.address
        }
        return address(t, what)
    }

    func loc(_ t: Token) -> SourceLocation { loc(t.position) }

    /// The location of a statement's keyword.
    func loc(_ n: Node) -> SourceLocation { loc(n.position) }

    func loc(_ p: TokenPosition) -> SourceLocation {
        SourceLocation(file: files[Int(p.file)], line: Int(p.line), column: Int(p.column))
    }

    mutating func command(_ node: Node) -> ConfigScript? {
        guard let first = args(node).first else { return nil }
        return ConfigScript(command: first.text, user: args(node).count > 1 ? args(node)[1].text : nil,
                             group: args(node).count > 2 ? args(node)[2].text : nil, location: loc(node))
    }

    /// `weight N [reverse]` words in a track list.
    mutating func trackList(_ node: Node, range: ClosedRange<Int>) -> [TrackReference] {
        var out: [TrackReference] = []
        for e in node.entries {
            var ref = TrackReference(name: e[0].text, location: loc(e[0]))
            var k = 1
            while k < e.count {
                switch e[k].text {
                case "weight":
                    if k + 1 < e.count {
                        ref.weight = int(e[k + 1], "weight", range)
                        k += 2
                    } else {
                        sink.error(.missingValue, loc(e[k]), "'weight' needs a value")
                        k += 1
                    }
                case "reverse":
                    ref.reverse = true
                    k += 1
                default:
                    sink.error(.invalidValue, loc(e[k]), "unexpected '\(clip(e[k].text))' in \(node.name) entry")
                    k += 1
                }
            }
            out.append(ref)
        }
        return out
    }

    /// The keywords already given in one block (by grammar entry, which is one per name and its aliases).
    struct SeenKeywords {
        var items: [(keyword: ObjectIdentifier, position: TokenPosition)] = []
    }

    /// Notify scripts of which keepalived keeps the first and ignores later ones ("already specified - ignoring").
    static let firstWins: Set<String> = ["notify_master", "notify_backup", "notify_fault", "notify_stop", "notify",
                                          "notify_deleted"]

    /// Warns about a keyword given twice in one block. Returns false when this statement must be ignored (keepalived
    /// keeps the first of two notify scripts); otherwise the last value wins, as in keepalived.
    @discardableResult
    mutating func duplicateCheck(_ node: Node, _ seen: inout SeenKeywords) -> Bool {
        let id = ObjectIdentifier(node.grammar)
        if let first = seen.items.first(where: { $0.keyword == id }) {
            if Self.firstWins.contains(node.name.text) {
                sink.warning(.keepalivedIgnores, loc(node), "'\(node.name)' given again: keepalived keeps the first and ignores this one, and so does Vigil",
                             related: [.init(location: loc(first.position), message: "first given here")])
                return false
            }
            sink.warning(.duplicate, loc(node), "'\(node.name)' given again; the last value wins",
                         related: [.init(location: loc(first.position), message: "first given here")])
        } else {
            seen.items.append((id, node.position))
        }
        return true
    }

    // MARK: top level

    /// Adds one top-level statement to the model (the loader calls this as statements are parsed).
    mutating func add(_ n: Node, to c: inout KeepalivedConfig) {
        switch n.name {
        case "global_defs":
            if sawGlobal {
                sink.warning(.duplicate, loc(n), "a second global_defs block; its values are merged")
            }
            sawGlobal = true
            globalDefs(n, into: &c.globalDefs)
        case "vrrp_script": if let s = vrrpScript(n) { c.vrrpScripts.append(s) }
        case "vrrp_track_file": if let s = vrrpTrackFile(n) { c.vrrpTrackFiles.append(s) }
        case "vrrp_track_process": if let p = vrrpTrackProcess(n) { c.vrrpTrackProcesses.append(p) }
        case "bfd_instance":
            if let b = bfdInstance(n) {
                if c.bfdInstances.contains(where: { $0.name == b.name }) {
                    sink.error(.duplicate, loc(n), "bfd_instance '\(clip(b.name))' is defined twice: keepalived ignores the second, and so does Vigil")
                } else {
                    c.bfdInstances.append(b)
                }
            }
        case "vrrp_sync_group":
            if let s = syncGroup(n) {
                noteForwardReferences(scripts: s.trackScripts, files: s.trackFiles, processes: s.trackProcesses, in: c)
                c.vrrpSyncGroups.append(s)
            }
        case "vrrp_instance":
            lastStrictLines = StrictLines()
            if let s = vrrpInstance(n, globals: c.globalDefs) {
                noteForwardReferences(scripts: s.trackScripts, files: s.trackFiles, processes: s.trackProcesses, in: c)
                strictLines[c.vrrpInstances.count] = lastStrictLines
                c.vrrpInstances.append(s)
                if let i = s.lvsSyncDaemonInterface, c.globalDefs.lvsSyncDaemon == nil {
                    c.globalDefs.lvsSyncDaemon = LVSSyncDaemon(interface: i, vrrpInstance: s.name)
                }
            }
        case "virtual_server":
            if let s = virtualServer(n) {
                c.virtualServers.append(s)
                if case .group = s.address, !n.children.contains(where: { $0.name == "protocol" }) {
                    groupServersWithoutProtocol.append(c.virtualServers.count - 1)
                }
            }
        case "virtual_server_group": if let s = virtualServerGroup(n) { c.virtualServerGroups.append(s) }
        case "garp_group": if let g = garpGroup(n, earlier: c.garpGroups) { c.garpGroups.append(g) }
        case "static_ipaddress": c.staticIPAddresses += n.entries.compactMap { vip($0) }
        case "static_routes": c.staticRoutes += n.entries.compactMap { route($0) }
        case "static_rules": c.staticRules += n.entries.compactMap { rule($0) }
        case "SSL":
            if let earlier = c.ssl {
                sink.warning(.duplicate, loc(n), "a second SSL block replaces the first (at line \(earlier.location.line)), as in keepalived")
            }
            c.ssl = ssl(n)
        default: break
        }
    }

    /// `SSL { password ca certificate key }`; each keyword takes one word (a missing one is the keyword table's error,
    /// as keepalived's "SSL … missing").
    mutating func ssl(_ node: Node) -> SSLConfig {
        var s = SSLConfig()
        s.location = loc(node)
        var seen = SeenKeywords()
        for n in node.children {
            duplicateCheck(n, &seen)
            guard let value = args(n).first?.text else { continue }  // the keyword table reports it
            switch n.name {
            case "password": s.password = value
            case "ca": s.caFile = value
            case "certificate": s.certificateFile = value
            case "key": s.keyFile = value
            default: break
            }
        }
        if s.keyFile != nil, s.certificateFile == nil {
            sink.warning(.invalidValue, s.location, "SSL has a key but no certificate: SSL_GET checks present no client certificate")
        }
        return s
    }

    mutating func globalDefs(_ node: Node, into g: inout GlobalDefs) {
        g.location = loc(node)
        var seen = SeenKeywords()
        for n in node.children {
            if n.name != "notification_email" { duplicateCheck(n, &seen) }
            let a = args(n)
            switch n.name {
            case "notification_email": g.notificationEmail += n.entries.flatMap { $0.map(\.text) }
            case "notification_email_from": g.notificationEmailFrom = a.first?.text
            case "smtp_server":
                g.smtpServer = a.first?.text
                if a.count > 1, let p = port(a[1], "smtp_server port") { g.smtpPort = p }
            case "smtp_connect_timeout": if let t = a.first, let d = duration(t, "smtp_connect_timeout") { g.smtpConnectTimeout = d }
            case "smtp_helo_name": g.smtpHeloName = a.first?.text
            case "router_id": g.routerID = a.first?.text
            case "startup_script": g.startupScript = command(n)
            case "shutdown_script": g.shutdownScript = command(n)
            case "startup_script_timeout":
                if let t = a.first, let s = int(t, n.name.text, 1...1000) { g.startupScriptTimeout = .seconds(s) }
            case "shutdown_script_timeout":
                if let t = a.first, let s = int(t, n.name.text, 1...1000) { g.shutdownScriptTimeout = .seconds(s) }
            case "vrrp_garp_master_delay": if let t = a.first, let d = duration(t, n.name.text) { g.vrrpGarpMasterDelay = d }
            case "vrrp_garp_master_repeat": if let t = a.first, let d = int(t, n.name.text, 0...65535) { g.vrrpGarpMasterRepeat = d }
            case "vrrp_garp_master_refresh": if let t = a.first, let d = duration(t, n.name.text) { g.vrrpGarpMasterRefresh = d }
            case "vrrp_garp_master_refresh_repeat": if let t = a.first, let d = int(t, n.name.text, 0...65535) { g.vrrpGarpMasterRefreshRepeat = d }
            case "vrrp_garp_lower_prio_delay": if let t = a.first { g.vrrpGarpLowerPrioDelay = duration(t, n.name.text) }
            case "vrrp_garp_lower_prio_repeat": if let t = a.first { g.vrrpGarpLowerPrioRepeat = int(t, n.name.text, 0...65535) }
            case "vrrp_garp_interval": if let t = a.first, let d = duration(t, n.name.text, max: 1) { g.vrrpGarpInterval = d }
            case "vrrp_gna_interval": if let t = a.first, let d = duration(t, n.name.text, max: 1) { g.vrrpGNAInterval = d }
            case "vrrp_strict": g.vrrpStrict = true
            case "log_unknown_vrids": g.logUnknownVRIDs = true
            case "fifo_write_vrrp_states_on_reload": g.fifoWriteVRRPStatesOnReload = true
            case "vrrp_min_garp":
                // keepalived 2.2.7: one GARP/NA at the transition and no second block, for each of these globals still
                // at its default when the keyword is read (values set before are kept, values set after win).
                if bool(n) {
                    if g.vrrpGarpMasterRepeat == 5 { g.vrrpGarpMasterRepeat = 1 }
                    if g.vrrpGarpMasterRefreshRepeat == 1 { g.vrrpGarpMasterRefreshRepeat = 0 }
                    if g.vrrpGarpMasterDelay == .seconds(5) { g.vrrpGarpMasterDelay = .zero }
                }
            case "vrrp_startup_delay": if let t = a.first, let d = duration(t, n.name.text, max: 600) { g.vrrpStartupDelay = d }
            case "vmac_prefix":
                if let t = a.first {
                    if g.vmacPrefix != nil {
                        sink.error(.duplicate, loc(t), "vmac_prefix has already been specified: keepalived ignores '\(clip(t.text))', and so does Vigil")
                    } else {
                        g.vmacPrefix = t.text
                    }
                }
            case "vrrp_delay_after_boot":
                // keepalived 2.4.0 reads milliseconds up to UINT_MAX.
                if let t = a.first, let d = duration(t, n.name.text, max: 4_294_967) { g.vrrpDelayAfterBoot = d }
            case "notify_fifo": g.notifyFifo = command(n)
            case "notify_fifo_script": g.notifyFifoScript = command(n)
            case "vrrp_notify_fifo": g.vrrpNotifyFifo = command(n)
            case "vrrp_notify_fifo_script": g.vrrpNotifyFifoScript = command(n)
            case "vrrp_lower_prio_no_advert": g.vrrpLowerPrioNoAdvert = bool(n)
            case "vrrp_notify_priority_changes": g.vrrpNotifyPriorityChanges = bool(n)
            case "vrrp_higher_prio_send_advert": g.vrrpHigherPrioSendAdvert = bool(n)
            case "vrrp_down_timer_adverts": if let t = a.first, let d = int(t, n.name.text, 1...100) { g.vrrpDownTimerAdverts = d }
            case "nftables":
                if let t = a.first {
                    let u = Array(t.text.utf8)
                    let ok = (1...64).contains(u.count) && u[0].isASCIILetter
                        && u.allSatisfy { $0.isASCIILetter || (0x30...0x39).contains($0) || $0 == 0x5f }
                    if ok {
                        g.nftablesTable = t.text
                    } else {
                        sink.error(.invalidValue, loc(t), "nftables table name '\(clip(t.text))' must be a letter followed by up to 63 letters, digits or '_'")
                    }
                }
            case "nftables_priority":
                if let t = a.first, let p = int(t, n.name.text, -2_147_483_648...2_147_483_647) { g.nftablesPriority = p }
            case "enable_script_security":
                g.enableScriptSecurity = true
                if let t = a.first {
                    sink.warning(.keepalivedIgnores, loc(t), "'enable_script_security' takes no value: keepalived ignores '\(clip(t.text))' and enables script security, and so does Vigil")
                }
            case "script_user":
                g.scriptUser = a.first?.text
                g.scriptGroup = a.count > 1 ? a[1].text : nil
            case "lvs_sync_daemon": g.lvsSyncDaemon = syncDaemon(Array(a))
            case "state_dump_file": g.stateDumpFile = a.first?.text
            case "vrrp_version": if let t = a.first, let d = int(t, n.name.text, 2...3) { g.vrrpVersion = d }
            case "vrrp_mcast_group4", "vrrp_mcast_group6":
                // keepalived 2.2.7 refuses (and skips) an address of the other family or one that is not multicast.
                let ipv6 = n.name.text == "vrrp_mcast_group6"
                if let t = a.first, let group = address(t, n.name.text) {
                    if group.isIPv6 != ipv6 || !Self.isMulticast(group) {
                        sink.error(.invalidValue, loc(t), "\(n.name.text) '\(clip(t.text))' is not an \(ipv6 ? "IPv6" : "IPv4") multicast address")
                    } else if ipv6 {
                        g.vrrpMcastGroup6 = group
                    } else {
                        g.vrrpMcastGroup4 = group
                    }
                }
            case "vrrp_skip_check_adv_addr": g.vrrpSkipCheckAdvAddr = true
            case "vrrp_check_unicast_src": g.vrrpCheckUnicastSrc = true
            case "v3_checksum_as_v2": g.v3ChecksumAsV2 = bool(n)
            case "vrrp_owner_ignore_adverts": g.vrrpOwnerIgnoreAdverts = bool(n)
            case "smtp_alert": g.smtpAlert = bool(n)
            case "smtp_alert_vrrp": g.smtpAlertVRRP = bool(n)
            case "smtp_alert_checker": g.smtpAlertChecker = bool(n)
            case "checker_log_all_failures": g.checkerLogAllFailures = bool(n)
            case "no_email_faults": g.noEmailFaults = true
            case "default_interface": g.defaultInterface = a.first?.text
            case "dynamic_interfaces": g.dynamicInterfaces = true
            case "lvs_flush": g.lvsFlush = true
            case "vigil_route_table": if let t = a.first { g.vigilRouteTable = vigilRouteTable(t) }
            case "vigil_handover_on_stop": g.vigilHandoverOnStop = true
            case "vigil_failback_hold":
                if let t = a.first {
                    g.vigilFailbackHold = t.text == "off" ? .zero : duration(t, n.name.text, max: 3600)
                }
            case "lvs_timeouts": g.lvsTimeouts = lvsTimeouts(n, Array(a))
            case "lvs_flush_on_stop", "lvs_flush_onstop":
                if let t = a.first {
                    if t.text == "VS" { g.lvsFlushOnStop = false } else {
                        sink.error(.invalidValue, loc(t), "lvs_flush_on_stop takes nothing (flush the whole table) or 'VS' (delete the virtual servers), not '\(clip(t.text))'")
                    }
                } else {
                    g.lvsFlushOnStop = true
                }
            default: break  // accepted keywords without a model field (smtp_alert_vrrp, …)
            }
        }
    }

    mutating func vrrpScript(_ node: Node) -> VRRPScriptConfig? {
        guard let name = args(node).first?.text else { return nil }
        var s = VRRPScriptConfig(name: name)
        s.location = loc(node)
        s.weightLocation = loc(node)
        var seen = SeenKeywords()
        var hasScript = false
        for n in node.children {
            duplicateCheck(n, &seen)
            let a = args(n)
            switch n.name {
            case "script":
                if let t = a.first {
                    s.script = a.map(\.text).joined(separator: " ")
                    s.scriptLocation = loc(t)
                    hasScript = true
                }
            case "interval": if let t = a.first, let d = duration(t, "interval") { s.interval = d }
            case "timeout": if let t = a.first { s.timeout = duration(t, "timeout") }
            case "weight":
                if let t = a.first, let w = int(t, "vrrp_script weight", -253...253) {
                    s.weight = w
                    s.weightLocation = loc(n)
                }
                if a.count > 1 {
                    if a[1].text == "reverse" { s.weightReverse = true } else {
                        sink.error(.invalidValue, loc(a[1]), "expected 'reverse' after the weight")
                    }
                }
            case "rise": if let t = a.first, let d = int(t, "rise", 1...Int(Int32.max)) { s.rise = d }
            case "fall": if let t = a.first, let d = int(t, "fall", 1...Int(Int32.max)) { s.fall = d }
            case "user":
                s.user = a.first?.text
                s.group = a.count > 1 ? a[1].text : nil
            case "init_fail": s.initFail = true
            default: break
            }
        }
        if !hasScript {
            // keepalived warns and drops such a script (a conditional `@ID script` line may leave it empty).
            sink.warning(.missingValue, loc(node), "vrrp_script '\(name)' has no 'script'; it is ignored, as keepalived ignores it")
            return nil
        }
        return s
    }

    mutating func vrrpTrackFile(_ node: Node) -> VRRPTrackFileConfig? {
        guard let name = args(node).first?.text else { return nil }
        var f = VRRPTrackFileConfig(name: name)
        f.location = loc(node)
        f.weightLocation = loc(node)
        var hasFile = false
        for n in node.children {
            let a = args(n)
            switch n.name {
            case "file": if let t = a.first { f.file = t.text; hasFile = true }
            case "weight":
                if let t = a.first, let w = int(t, "vrrp_track_file weight", -254...254) {
                    f.weight = w
                    f.weightLocation = loc(n)
                }
                if a.count > 1 { f.weightReverse = a[1].text == "reverse" }
            case "init_file":
                f.initFile = 0
                for t in a {
                    if t.text == "overwrite" { f.initFileOverwrite = true } else { f.initFile = int(t, "init_file", Int(Int32.min)...Int(Int32.max)) }
                }
            default: break
            }
        }
        if !hasFile { sink.error(.missingValue, loc(node), "vrrp_track_file '\(name)' has no 'file'") }
        return f
    }

    /// A `bfd_instance` block; nil without a name or a `neighbor_ip` (keepalived drops such an instance).
    mutating func bfdInstance(_ node: Node) -> BFDInstanceConfig? {
        guard let name = args(node).first?.text else {
            sink.error(.missingValue, loc(node), "bfd_instance needs a name")
            return nil
        }
        var b = BFDInstanceConfig(name: name)
        b.location = loc(node)
        func ms(_ t: Token, _ what: String) -> Duration? {
            // keepalived reads milliseconds with microsecond resolution; 1 µs … 1 hour here.
            guard let v = Double(t.text), v.isFinite, v >= 0.001, v <= 3_600_000 else {
                sink.error(.outOfRange, loc(t), "\(what) '\(clip(t.text))' is not a number of milliseconds within 0.001…3600000")
                return nil
            }
            return .microseconds(Int64((v * 1000).rounded()))
        }
        for n in node.children {
            let a = args(n)
            switch n.name {
            case "neighbor_ip", "neighbour_ip": if let t = a.first { b.neighbor = address(t, "neighbor_ip") }
            case "source_ip": if let t = a.first { b.source = address(t, "source_ip") }
            case "min_rx": if let t = a.first, let d = ms(t, "min_rx") { b.minRx = d }
            case "min_tx": if let t = a.first, let d = ms(t, "min_tx") { b.minTx = d }
            case "idle_tx": if let t = a.first, let d = ms(t, "idle_tx") { b.idleTx = d }
            case "multiplier": if let t = a.first, let m = int(t, "multiplier", 1...255) { b.multiplier = m }
            case "passive": b.passive = true
            case "ttl": if let t = a.first, let v = int(t, "ttl", 1...255) { b.ttl = v }
            case "hoplimit": if let t = a.first, let v = int(t, "hoplimit", 1...255) { b.hoplimit = v }
            case "max_hops": if let t = a.first, let v = int(t, "max_hops", 0...255) { b.maxHops = v }
            case "weight":
                if let t = a.first, let w = int(t, "bfd_instance weight", -253...253) { b.weight = w }
                if a.count > 1 { b.weightReverse = a[1].text == "reverse" }
            case "vrrp": b.toVRRP = true
            case "checker": b.toChecker = true
            default: break
            }
        }
        guard let neighbor = b.neighbor else {
            sink.error(.missingValue, loc(node), "bfd_instance '\(clip(name))' has no neighbor_ip: keepalived drops it, and so does Vigil")
            return nil
        }
        if let s = b.source, s.isIPv6 != neighbor.isIPv6 {
            sink.error(.invalidValue, loc(node), "bfd_instance '\(clip(name))': source_ip \(s) and neighbor_ip \(neighbor) are of different families")
            return nil
        }
        return b
    }

    /// `track_bfd` entries naming no `bfd_instance` (or one that sends to the checkers only) are dropped, warned.
    private mutating func unknownBFDs(_ c: inout KeepalivedConfig) {
        let known = Set(c.bfdInstances.filter(\.reachesVRRP).map(\.name))
        func drop(_ refs: inout [TrackReference]) {
            refs.removeAll { ref in
                guard !known.contains(ref.name) else { return false }
                sink.warning(.undefinedReference, ref.location, "track_bfd '\(clip(ref.name))' names no bfd_instance that reports to VRRP: ignored, as keepalived ignores it")
                return true
            }
        }
        for i in c.vrrpInstances.indices { drop(&c.vrrpInstances[i].trackBFDs) }
        for i in c.vrrpSyncGroups.indices { drop(&c.vrrpSyncGroups[i].trackBFDs) }
    }

    mutating func vrrpTrackProcess(_ node: Node) -> VRRPTrackProcessConfig? {
        guard let name = args(node).first?.text else { return nil }
        var p = VRRPTrackProcessConfig(name: name)
        p.location = loc(node)
        var quorumMaxLocation: SourceLocation?, quorumWritten = false
        for n in node.children {
            let a = args(n)
            switch n.name {
            case "process":
                p.process = a.map(\.text)
                if let t = a.first, t.text.isEmpty { sink.error(.invalidValue, loc(t), "process name is empty") }
            case "param_match":
                if let t = a.first {
                    if let m = VRRPTrackProcessConfig.ParamMatch(rawValue: t.text), m != .exact {
                        p.paramMatch = m
                    } else {
                        sink.error(.invalidValue, loc(t), "param_match '\(clip(t.text))' is not 'initial' or 'partial'")
                    }
                } else {
                    p.paramMatch = .exact   // keepalived: param_match alone means the parameters must be exactly those written
                }
            case "weight":
                if let t = a.first, let w = int(t, "vrrp_track_process weight", -254...254) { p.weight = w }
                if a.count > 1 { p.weightReverse = a[1].text == "reverse" }
            case "quorum":
                if let t = a.first, let q = int(t, "quorum", 0...65535) { p.quorum = q; quorumWritten = true }
            case "quorum_max":
                if let t = a.first, let q = int(t, "quorum_max", 0...65535) { p.quorumMax = q; quorumMaxLocation = loc(n) }
            case "delay":
                if let t = a.first, let d = duration(t, "delay", max: 86_400) { p.forkDelay = d; p.terminateDelay = d }
            case "terminate_delay":
                if let t = a.first, let d = duration(t, "terminate_delay", max: 86_400) { p.terminateDelay = d }
            case "fork_delay":
                if let t = a.first, let d = duration(t, "fork_delay", max: 86_400) { p.forkDelay = d }
            case "full_command": p.fullCommand = true
            default: break
            }
        }
        if p.process.isEmpty {
            sink.error(.missingValue, loc(node), "vrrp_track_process '\(name)' has no 'process'")
        }
        // The man page's `quorum_max 0` (fail while any such process runs) needs no `quorum 0` beside it.
        if p.quorumMax == 0, !quorumWritten { p.quorum = 0 }
        if let max = p.quorumMax, max < p.quorum {
            sink.error(.outOfRange, quorumMaxLocation ?? loc(node), "quorum_max \(max) is below quorum \(p.quorum): the process tracker could never succeed")
        }
        return p
    }

    mutating func syncGroup(_ node: Node) -> VRRPSyncGroupConfig? {
        guard let name = args(node).first?.text else { return nil }
        var g = VRRPSyncGroupConfig(name: name)
        g.location = loc(node)
        var seen = SeenKeywords()
        for n in node.children {
            if Self.firstWins.contains(n.name.text), !duplicateCheck(n, &seen) { continue }
            switch n.name {
            case "group":
                g.group += n.entries.flatMap { $0.map { NamedReference(name: $0.text, location: loc($0)) } }
            case "notify_master": g.notifyMaster = command(n)
            case "notify_backup": g.notifyBackup = command(n)
            case "notify_fault": g.notifyFault = command(n)
            case "notify_stop": g.notifyStop = command(n)
            case "notify": g.notify = command(n)
            case "smtp_alert": g.smtpAlert = bool(n)
            case "global_tracking", "sync_group_tracking_weight": g.globalTracking = true
            case "notify_priority_changes": g.notifyPriorityChanges = bool(n)
            case "track_script": g.trackScripts += trackList(n, range: -254...254)
            case "track_interface": g.trackInterfaces += trackList(n, range: -254...254)
            case "track_file": g.trackFiles += trackList(n, range: -254...254)
            case "track_process": g.trackProcesses += trackList(n, range: -254...254)
            case "track_bfd": g.trackBFDs += trackList(n, range: -253...253)
            default: break
            }
        }
        if g.group.isEmpty {
            sink.warning(.keepalivedIgnores, loc(node), "vrrp_sync_group '\(clip(name))' has no members in 'group { … }': keepalived 2.x drops the group, and so does Vigil")
            return nil
        }
        return g
    }

    /// The broadcast address of an IPv4 prefix with the host bits all set (`brd +`) or all clear (`brd -`).
    static func broadcast(of p: IPPrefix, allOnes: Bool) -> IPAddress? {
        p.address.family == .inet ? network(p, allOnes: allOnes) : nil
    }

    mutating func vip(_ e: [Token]) -> VirtualIPAddress? {
        guard let first = e.first else { return nil }
        guard let p = IPPrefix(first.text) else {
            sink.error(.invalidValue, loc(first), "virtual address '\(clip(first.text))' is not ADDRESS[/PREFIX]")
            return nil
        }
        var v = VirtualIPAddress(address: p, location: loc(first))
        var k = 1
        func next() -> Token? { k + 1 < e.count ? e[k + 1] : nil }
        while k < e.count {
            let w = e[k].text
            switch w {
            case "brd", "broadcast":
                if let t = next() {
                    if t.text == "+" || t.text == "-" {
                        // As `ip addr add … brd +|-`: the host bits all set, or all clear.
                        v.broadcast = Self.broadcast(of: p, allOnes: t.text == "+")
                        if v.broadcast == nil {
                            sink.warning(.keepalivedIgnores, loc(t), "'brd \(t.text)' needs an IPv4 address with a prefix; ignored")
                        }
                    } else {
                        v.broadcast = address(t, "brd")
                    }
                    k += 2
                } else { sink.error(.missingValue, loc(e[k]), "'brd' needs an address"); k += 1 }
            case "dev":
                if let t = next() { v.device = t.text; k += 2 } else { sink.error(.missingValue, loc(e[k]), "'dev' needs an interface"); k += 1 }
            case "scope":
                if let t = next() {
                    let names: [String: UInt8] = ["global": 0, "site": 200, "link": 253, "host": 254, "nowhere": 255]
                    if let n = names[t.text] ?? UInt8(t.text) { v.scope = n } else {
                        sink.error(.invalidValue, loc(t), "unknown scope '\(clip(t.text))' (global, host, link, site, nowhere or 0–255)")
                    }
                    k += 2
                } else { sink.error(.missingValue, loc(e[k]), "'scope' needs a value"); k += 1 }
            case "label":
                if let t = next() {
                    v.label = t.text
                    if t.text.utf8.count > 15 { sink.error(.invalidValue, loc(t), "label '\(clip(t.text))' is longer than 15 characters") }
                    k += 2
                } else { sink.error(.missingValue, loc(e[k]), "'label' needs a value"); k += 1 }
            case "peer":
                sink.warning(.unsupportedKeyword, loc(e[k]), "'peer' is not implemented yet: the address is added without a peer")
                if let t = next() { v.peer = IPPrefix(t.text)?.address; if v.peer == nil { _ = address(t, "peer") }; k += 2 } else { k += 1 }
            case "no_track":
                // keepalived then ignores the VIP's removal by someone else; Vigil never watches its VIPs.
                k += 1
            case "no_dad", "nodad", "-nodad", "home", "noprefixroute", "mngtmpaddr", "autojoin":
                sink.warning(.unsupportedKeyword, loc(e[k]), "'\(w)' is not implemented yet: the address is added without this flag")
                v.options.append(w); k += 1
            case "preferred_lft", "track_group", "use_vmac":
                sink.warning(.unsupportedKeyword, loc(e[k]), "'\(w)' is not implemented yet: the address is added without it")
                v.options.append(w)
                if let t = next() { v.options.append(t.text); k += 2 } else { k += 1 }
            default:
                sink.warning(.keepalivedIgnores, loc(e[k]), "'\(clip(w))' in a virtual address entry is ignored, as keepalived ignores it (expected brd, dev, scope, label, peer, no_track, …)")
                k += 1
            }
        }
        return v
    }

    mutating func vrrpInstance(_ node: Node, globals: GlobalDefs) -> VRRPInstanceConfig? {
        guard let name = args(node).first?.text else { return nil }
        var v = VRRPInstanceConfig(name: name)
        v.location = loc(node)
        v.priorityLocation = loc(node)
        v.virtualRouterIDLocation = loc(node)
        v.version = globals.vrrpVersion
        v.garpMasterDelay = globals.vrrpGarpMasterDelay
        v.garpMasterRepeat = globals.vrrpGarpMasterRepeat
        v.garpMasterRefresh = globals.vrrpGarpMasterRefresh
        v.garpMasterRefreshRepeat = globals.vrrpGarpMasterRefreshRepeat
        // keepalived copies vrrp_skip_check_adv_addr when it creates the instance (like the GARP defaults above).
        v.skipCheckAdvAddr = globals.vrrpSkipCheckAdvAddr
        // `version 2` as written, and whether an IPv6 address came before it in the block.
        var version2: (location: SourceLocation, afterIPv6: Bool)?
        var unicastTTLLocation: SourceLocation?
        var seen = SeenKeywords()
        var hasInterface = false, hasVRID = false
        var vmacLocation: SourceLocation?
        var trackSrcIPLocation: SourceLocation?
        var promoteLocation: SourceLocation?
        /// The first unicast keyword (unicast_src_ip, unicast_peer, check_unicast_src, unicast_fault_no_peer).
        var unicastKeyword: SourceLocation?
        var timerExpiredLocation: SourceLocation?
        var stateToken: Token?, priorityGiven = false
        var nopreemptLocation: SourceLocation?, preemptDelayLocation: SourceLocation?
        for n in node.children {
            let a = args(n)
            if !["virtual_ipaddress", "virtual_ipaddress_excluded", "virtual_routes", "virtual_rules", "track_script",
                 "track_interface", "track_file", "unicast_peer"].contains(n.name.text),
               !duplicateCheck(n, &seen) { continue }
            switch n.name {
            case "state":
                if let t = a.first {
                    stateToken = t
                    lastStrictLines.state = loc(t)
                    switch t.text.uppercased() {
                    case "MASTER": v.state = .master
                    case "BACKUP": v.state = .backup
                    default: sink.error(.invalidValue, loc(t), "state must be MASTER or BACKUP, not '\(clip(t.text))'")
                    }
                }
            case "interface": if let t = a.first { v.interface = t.text; hasInterface = true }
            case "virtual_router_id":
                if let t = a.first {
                    hasVRID = true
                    v.virtualRouterIDLocation = loc(t)
                    if let id = int(t, "virtual_router_id", 1...255) { v.virtualRouterID = id }
                }
            case "priority":
                if let t = a.first {
                    priorityGiven = true
                    v.priorityLocation = loc(t)
                    if let p = int(t, "priority", 1...255) { v.priority = p }
                }
            case "advert_int":
                if let t = a.first, let d = seconds(t, "advert_int", max: 255) {
                    if d <= 0 { sink.error(.outOfRange, loc(t), "advert_int must be greater than 0") } else { v.advertInterval = Self.duration(d) }
                }
            case "version":
                if let t = a.first, let d = int(t, "version", 2...3) {
                    v.version = d
                    version2 = d == 2 ? (loc(n), Self.isIPv6(v) == true) : nil
                }
            case "authentication":
                var type: VRRPAuthType?
                var pass: String?
                for c in n.children {
                    if c.name == "auth_type", let t = args(c).first {
                        switch t.text.uppercased() {
                        case "PASS": type = .pass
                        case "AH": type = .ah
                        default: sink.error(.invalidValue, loc(t), "auth_type must be PASS or AH, not '\(clip(t.text))'")
                        }
                    } else if c.name == "auth_pass", let t = args(c).first {
                        pass = t.text
                        if t.text.utf8.count > 8 {
                            sink.warning(.truncatedPassword, loc(t), "auth_pass is longer than 8 characters; only '\(String(decoding: t.text.utf8.prefix(8), as: UTF8.self))' is used")
                        }
                    }
                }
                if let type {
                    v.authentication = VRRPAuthentication(type: type, password: pass ?? "", location: loc(n))
                    if type == .pass && pass == nil { sink.error(.missingValue, loc(n), "auth_type PASS needs auth_pass") }
                } else if pass != nil {
                    sink.error(.missingValue, loc(n), "authentication has auth_pass but no auth_type")
                }
            case "auth_hmac": v.authHMAC = authHMAC(n, instance: name)
            case "virtual_ipaddress": v.virtualIPAddresses += n.entries.compactMap { vip($0) }
            case "virtual_ipaddress_excluded": v.excludedVirtualIPAddresses += n.entries.compactMap { vip($0) }
            case "virtual_routes": v.virtualRoutes += n.entries.compactMap { route($0) }
            case "virtual_rules": v.virtualRules += n.entries.compactMap { rule($0) }
            case "track_script": v.trackScripts += trackList(n, range: -254...254)
            case "track_interface": v.trackInterfaces += trackList(n, range: -254...254)
            case "track_file": v.trackFiles += trackList(n, range: -254...254)
            case "track_process": v.trackProcesses += trackList(n, range: -254...254)
            case "track_bfd": v.trackBFDs += trackList(n, range: -253...253)
            case "nopreempt":
                v.nopreempt = true
                nopreemptLocation = loc(n)
            case "preempt": v.nopreempt = false
            case "preempt_delay":
                if let t = a.first, let d = duration(t, "preempt_delay", max: 1000) {
                    v.preemptDelay = d
                    preemptDelayLocation = loc(n)
                    lastStrictLines.preemptDelay = loc(n)
                }
            case "unicast_src_ip":
                unicastKeyword = unicastKeyword ?? loc(n)
                if let t = a.first, let s = hostAddress(t, "unicast_src_ip") { v.unicastSourceIP = s; v.sourceIP = s }
            case "lvs_sync_daemon_interface":
                // Deprecated in keepalived 2 but still honoured: `lvs_sync_daemon IFNAME INSTANCE` for this instance.
                if let t = a.first {
                    v.lvsSyncDaemonInterface = t.text
                    sink.warning(.suspicious, loc(n), "lvs_sync_daemon_interface is deprecated; read as 'lvs_sync_daemon \(clip(t.text)) \(clip(v.name))' in global_defs")
                }
            case "mcast_src_ip":
                if let t = a.first, let s = hostAddress(t, "mcast_src_ip") { v.multicastSourceIP = s; v.sourceIP = s }
            case "mcast_dst_ip":
                // keepalived 2.2.7 skips (with a configuration error) a group of the other family, an IPv4 address that
                // is not multicast and an IPv6 one that is not link-local multicast (ff02::/16).
                if let t = a.first, let group = address(t, "mcast_dst_ip") {
                    let family = Self.isIPv6(v)
                    let ok: Bool
                    switch group {
                    case .v4: ok = Self.isMulticast(group)
                    case .v6(let hi, _): ok = hi >> 48 == 0xff02
                    }
                    if let family, family != group.isIPv6 {
                        sink.error(.invalidValue, loc(t), "mcast_dst_ip '\(clip(t.text))' is not of the instance's address family (\(family ? "IPv6" : "IPv4"))")
                    } else if !ok {
                        sink.error(.invalidValue, loc(t), "mcast_dst_ip '\(clip(t.text))' is not \(group.isIPv6 ? "an IPv6 link-local multicast address (ff02::/16)" : "an IPv4 multicast address")")
                    } else {
                        v.multicastDestination = group
                        lastStrictLines.multicastDestination = loc(n)
                    }
                }
            case "unicast_peer":
                unicastKeyword = unicastKeyword ?? loc(n)
                lastStrictLines.unicastPeer = lastStrictLines.unicastPeer ?? loc(n)
                for e in n.entries {
                    guard let ad = hostAddress(e[0], "unicast_peer") else { continue }
                    var p = UnicastPeer(address: ad, location: loc(e[0]))
                    var k = 1
                    while k < e.count {
                        if (e[k].text == "min_ttl" || e[k].text == "max_ttl"), k + 1 < e.count {
                            let ttl = int(e[k + 1], e[k].text, 0...255)
                            if e[k].text == "min_ttl" { p.minTTL = ttl } else { p.maxTTL = ttl }
                            // keepalived: a TTL bound on a peer turns check_unicast_src on.
                            v.checkUnicastSrc = true
                            sink.warning(.unsupportedKeyword, loc(e[k]), "'\(e[k].text)' is not implemented yet: adverts from this peer are accepted whatever their TTL (it turns check_unicast_src on, as in keepalived)")
                            k += 2
                        } else {
                            sink.warning(.keepalivedIgnores, loc(e[k]), "'\(clip(e[k].text))' in a unicast_peer entry is ignored, as keepalived ignores it (it reports it as missing a value)")
                            k += 1
                        }
                    }
                    v.unicastPeers.append(p)
                }
            case "notify_master": v.notifyMaster = command(n)
            case "notify_backup": v.notifyBackup = command(n)
            case "notify_fault": v.notifyFault = command(n)
            case "notify_stop": v.notifyStop = command(n)
            case "notify": v.notify = command(n)
            case "notify_master_rx_lower_pri": v.notifyMasterRxLowerPri = command(n)
            case "notify_deleted":
                v.notifyDeleted = true
                v.notifyDeletedScript = command(n)
            case "notify_priority_changes": v.notifyPriorityChanges = bool(n)
            case "smtp_alert": v.smtpAlert = bool(n)
            case "garp_master_delay": if let t = a.first, let d = duration(t, n.name.text) { v.garpMasterDelay = d }
            case "garp_master_repeat": if let t = a.first, let d = int(t, n.name.text, 0...65535) { v.garpMasterRepeat = d }
            case "garp_master_refresh": if let t = a.first, let d = duration(t, n.name.text) { v.garpMasterRefresh = d }
            case "garp_master_refresh_repeat": if let t = a.first, let d = int(t, n.name.text, 0...65535) { v.garpMasterRefreshRepeat = d }
            case "garp_lower_prio_delay":
                if let t = a.first { v.garpLowerPrioDelay = duration(t, n.name.text); lastStrictLines.garpLowerPrioDelay = loc(n) }
            case "garp_lower_prio_repeat":
                if let t = a.first { v.garpLowerPrioRepeat = int(t, n.name.text, 0...65535); lastStrictLines.garpLowerPrioRepeat = loc(n) }
            case "lower_prio_no_advert": v.lowerPrioNoAdvert = bool(n); lastStrictLines.lowerPrioNoAdvert = loc(n)
            case "higher_prio_send_advert": v.higherPrioSendAdvert = bool(n); lastStrictLines.higherPrioSendAdvert = loc(n)
            case "down_timer_adverts": if let t = a.first, let d = int(t, n.name.text, 1...100) { v.downTimerAdverts = d }
            case "accept": v.accept = true; lastStrictLines.accept = loc(n)
            case "no_accept": v.accept = false; lastStrictLines.accept = loc(n)
            case "strict_mode": v.strictMode = bool(n); lastStrictLines.strictMode = loc(n)
            case "dont_track_primary": v.dontTrackPrimary = true
            case "no_virtual_ipaddress": v.noVirtualIPAddress = true
            case "use_vmac": vmacLocation = loc(n); useVMAC(Array(a), into: &v)
            case "use_ipvlan": useIPVLAN(n, instance: &v)
            case "vmac_xmit_base": v.vmacXmitBase = true
            case "promote_secondaries": v.promoteSecondaries = true; promoteLocation = loc(n)
            case "native_ipv6": v.nativeIPv6 = true
            case "skip_check_adv_addr":
                // keepalived 2.2.7 (and 2.4.3) turn skipping on for any valid value, `off` included.
                if let t = a.first, !bool(n) {
                    sink.warning(.keepalivedIgnores, loc(t), "skip_check_adv_addr '\(clip(t.text))' turns the skipping on all the same, as keepalived reads any on/off value as on; remove the line to check every advert")
                }
                v.skipCheckAdvAddr = true
            case "check_unicast_src": v.checkUnicastSrc = true; unicastKeyword = unicastKeyword ?? loc(n)
            case "track_src_ip": v.trackSrcIP = true; trackSrcIPLocation = loc(n)
            case "unicast_fault_no_peer": v.unicastFaultNoPeer = true; unicastKeyword = unicastKeyword ?? loc(n)
            case "old_unicast_checksum":
                // keepalived: `never`, or nothing; another word is reported and the line ignored.
                unicastKeyword = unicastKeyword ?? loc(n)
                if let t = a.first {
                    if t.text == "never" { v.oldUnicastChecksum = .never } else {
                        sink.error(.invalidValue, loc(t), "old_unicast_checksum '\(clip(t.text))' is not 'never': keepalived reports it and ignores the line, and so does Vigil")
                    }
                } else {
                    v.oldUnicastChecksum = .always
                }
            case "v3_checksum_as_v2": v.v3ChecksumAsV2 = bool(n)
            case "owner_ignore_adverts": v.ownerIgnoreAdverts = bool(n); lastStrictLines.ownerIgnoreAdverts = loc(n)
            case "timer_expired_backup", "thread_timer_expired":
                if n.name.text == "thread_timer_expired" {
                    sink.warning(.nonCanonicalForm, loc(n), "thread_timer_expired is the old name of timer_expired_backup (keepalived asks to replace it); read as timer_expired_backup")
                }
                timerExpiredLocation = loc(n)
                if let t = a.first {
                    if let p = int(t, n.name.text, 1...254) { v.timerExpiredBackup = p }
                } else {
                    v.timerExpiredBackup = 254
                }
            case "unicast_ttl":
                if let t = a.first, let ttl = int(t, "unicast_ttl", 0...255) { v.unicastTTL = ttl; unicastTTLLocation = loc(n) }
            default: break
            }
        }
        if v.timerExpiredBackup != nil, !v.nopreempt, let at = timerExpiredLocation {
            sink.warning(.keepalivedIgnores, at, "timer_expired_backup requires nopreempt: keepalived resets it, and so does Vigil")
            v.timerExpiredBackup = nil
        }
        if !hasInterface {
            sink.error(.missingValue, loc(node), "vrrp_instance '\(name)' has no 'interface'; keepalived 2.2.7 does not run its VRRP without one either (default_interface does not apply to an instance)")
        }
        if let at = trackSrcIPLocation, v.sourceIP == nil {
            sink.warning(.suspicious, at, "track_src_ip without mcast_src_ip or unicast_src_ip has no configured source address to track: it does nothing, in keepalived as in Vigil")
            v.trackSrcIP = false
        }
        if let at = promoteLocation, vmacLocation != nil {
            sink.warning(.keepalivedIgnores, at, "promote_secondaries is set on a use_vmac interface anyway (keepalived ignores the keyword there, and so does Vigil)")
            v.promoteSecondaries = false
        }
        if let at = vmacLocation, !v.unicastPeers.isEmpty, !v.vmacXmitBase {
            sink.warning(.keepalivedIgnores, at, "use_vmac with unicast_peer needs vmac_xmit_base (keepalived's man page): Vigil sends the unicast adverts from \(v.interface), as vmac_xmit_base does")
            v.vmacXmitBase = true
        }
        if let at = unicastKeyword, v.unicastPeers.isEmpty {
            // keepalived 2.2.7 (vrrp_complete_instance): a unicast keyword without a peer falls back to multicast
            // (deprecated since 2.2.4), or, with unicast_fault_no_peer, keeps the instance in FAULT.
            if v.unicastFaultNoPeer {
                sink.warning(.suspicious, at, "no unicast_peer with unicast_fault_no_peer: vrrp_instance '\(clip(v.name))' stays in FAULT, as keepalived keeps it")
            } else {
                sink.warning(.keepalivedIgnores, at, "a unicast keyword without any unicast_peer: vrrp_instance '\(clip(v.name))' uses multicast, as keepalived 2.2.7 does (deprecated there); add the peers, or unicast_fault_no_peer to keep it in FAULT instead")
            }
        }
        if let at = unicastTTLLocation, v.unicastPeers.isEmpty {
            sink.warning(.keepalivedIgnores, at, "unicast_ttl without unicast_peer is ignored (keepalived 2.2.7 resets it too); multicast adverts go out with TTL 255")
            v.unicastTTL = nil
        }
        if Self.isIPv6(v) == true {
            // keepalived 2.2.7 (vrrp_complete_instance): an IPv6 instance without a version runs VRRPv3, whatever
            // vrrp_version says; RFC 3768 (VRRPv2) has no IPv6.
            if let version2 {
                if version2.afterIPv6 {
                    sink.warning(.keepalivedIgnores, version2.location, "version 2 cannot carry the IPv6 addresses above; VRRPv3 is used, as keepalived ignores this line too")
                } else {
                    sink.warning(.keepalivedIgnores, version2.location, "version 2 cannot carry IPv6; Vigil uses VRRPv3 (keepalived 2.2.7 keeps version 2 when this line comes before the first IPv6 address, and sends VRRPv2 over IPv6 that only keepalived reads; move the line or write version 3)")
                }
            }
            v.version = 3
        }
        if v.version == 2, v.advertInterval < .seconds(1), v.advertInterval > .zero {
            sink.warning(.keepalivedIgnores, v.location, "advert_int \(v.advertInterval.configText) is below the 1 second VRRPv2 can carry: keepalived uses 1 second, and so does Vigil")
            v.advertInterval = .seconds(1)
        }
        if !hasVRID { sink.error(.missingValue, loc(node), "vrrp_instance '\(name)' has no 'virtual_router_id'") }
        startUp(&v, stateToken: stateToken, priorityGiven: priorityGiven, nopreempt: nopreemptLocation,
                preemptDelay: preemptDelayLocation)
        return v
    }

    /// What keepalived 2.2.7 derives and clears at start (`vrrp_complete_instance`), in its order, with a warning at
    /// the line for each value it clears; the model then holds what keepalived runs with.
    mutating func startUp(_ v: inout VRRPInstanceConfig, stateToken: Token?, priorityGiven: Bool,
                          nopreempt: SourceLocation?, preemptDelay: SourceLocation?) {
        // No priority: 255 (the address owner) with `state MASTER`, else 100. No state: MASTER at priority 255.
        if !priorityGiven, let t = stateToken, v.state == .master {
            v.priority = 255
            sink.warning(.suspicious, loc(t), "state MASTER without a priority: the priority is 255 (address owner), as keepalived 2.2.7 derives it, so this node takes the virtual addresses at start without waiting for a peer; give a priority below 255 unless this node owns the addresses")
        }
        if stateToken == nil && v.priority == 255 { v.state = .master }
        let ipv6 = v.virtualIPAddresses.first?.address.address.isIPv6 ?? false
        if let t = stateToken, v.state == .master, v.priority != 255, v.version == 2, !ipv6,
           v.authentication?.type == .ah {
            v.state = .backup
            sink.warning(.keepalivedIgnores, loc(t), "state MASTER is incompatible with auth_type AH below priority 255 (the AH sequence number must be learnt from an advert first): keepalived starts the instance as BACKUP, and so does Vigil")
        }
        if v.priority == 255, v.nopreempt {
            v.nopreempt = false
            sink.warning(.keepalivedIgnores, nopreempt ?? v.location, "nopreempt is incompatible with priority 255 (the address owner always preempts): keepalived clears it, and so does Vigil")
        }
        if v.state == .master {
            if v.nopreempt {
                v.nopreempt = false
                sink.warning(.keepalivedIgnores, nopreempt ?? v.location, "nopreempt does not work with state MASTER: keepalived clears it, and so does Vigil (use state BACKUP on every node for nopreempt)")
            }
            if v.preemptDelay > .zero {
                v.preemptDelay = .zero
                sink.warning(.keepalivedIgnores, preemptDelay ?? v.location, "preempt_delay does not work with state MASTER: keepalived clears it, and so does Vigil (use state BACKUP)")
            }
        }
        if v.preemptDelay > .zero, v.nopreempt {
            v.preemptDelay = .zero
            sink.warning(.keepalivedIgnores, preemptDelay ?? v.location, "preempt_delay is incompatible with nopreempt: keepalived resets it to 0, and so does Vigil")
        }
    }

    /// `use_ipvlan [[name] NAME] [IPADDR[/LEN]] [bridge|private|vepa] [group GID]` as keepalived reads it: a second
    /// use_ipvlan, a second type or address, an address of the other family, or a name too long are ignored with a
    /// warning (keepalived reports each and runs on); `group` (keepalived 2.3) is warned and ignored.
    mutating func useIPVLAN(_ n: Node, instance v: inout VRRPInstanceConfig) {
        guard v.useIPVLAN == nil else {
            sink.warning(.keepalivedIgnores, loc(n), "(\(v.name)) use_ipvlan already specified: keepalived ignores this one, and so does Vigil")
            return
        }
        var c = IPVLANConfig(location: loc(n))
        var hadMode = false
        let words = Array(args(n))
        var i = 0
        while i < words.count {
            let t = words[i]
            i += 1
            if let mode = IPVLANConfig.Mode(rawValue: t.text) {
                if hadMode {
                    sink.warning(.keepalivedIgnores, loc(t), "(\(v.name)) ipvlan type already specified: '\(t.text)' is ignored, as keepalived ignores it")
                } else {
                    c.mode = mode
                    hadMode = true
                }
                continue
            }
            if t.text == "group" {
                sink.warning(.unsupportedKeyword, loc(t), "(\(v.name)) use_ipvlan group (keepalived 2.3): the interface group is not set")
                i += 1
                continue
            }
            var name = t.text
            if t.text == "name", i < words.count {
                name = words[i].text
                i += 1
            } else if let p = IPPrefix(t.text) {
                if c.address != nil {
                    sink.warning(.keepalivedIgnores, loc(t), "(\(v.name)) ipvlan address already specified: '\(clip(t.text))' is ignored, as keepalived ignores it")
                } else if let first = v.virtualIPAddresses.first, first.address.address.isIPv6 != p.address.isIPv6 {
                    sink.error(.invalidValue, loc(t), "(\(v.name)) the ipvlan address \(t.text) must be of the instance's family (keepalived skips it)")
                } else {
                    c.address = p
                }
                continue
            }
            if !c.name.isEmpty {
                sink.warning(.keepalivedIgnores, loc(t), "(\(v.name)) ipvlan interface already specified: '\(clip(name))' is ignored, as keepalived ignores it")
            } else if name.utf8.count > 15 || name.contains(where: { $0 == "/" || $0 == ":" || $0 == " " }) {
                sink.warning(.keepalivedIgnores, loc(t), "(\(v.name)) ipvlan interface name '\(clip(name))' is too long (15 bytes at most) or holds '/', ':' or a space: ignored, as keepalived ignores it; the name is vrrp.VRID")
            } else {
                c.name = name
            }
        }
        if v.useVMAC != nil {
            sink.error(.invalidValue, loc(n), "(\(v.name)) use_ipvlan and use_vmac both make the instance's interface: keep one")
            return
        }
        v.useIPVLAN = c
    }

    /// `use_vmac [NAME] [MAC]` as keepalived 2.2.7 reads it: a first word that is a MAC address is the MAC; a name
    /// longer than 15 bytes, or holding '/', ':' or a space, is ignored with a warning (the default name is used), as
    /// is a MAC that is not 5 or 6 hex octets or is multicast.
    mutating func useVMAC(_ a: [Token], into v: inout VRRPInstanceConfig) {
        v.useVMAC = ""
        var words = a[...]
        if let t = words.first, Self.macOctets(t.text) == nil {
            words = words.dropFirst()
            if t.text.utf8.count > 15 || t.text.contains(where: { $0 == "/" || $0 == ":" || $0 == " " }) {
                sink.warning(.keepalivedIgnores, loc(t), "use_vmac interface name '\(clip(t.text))' is too long (15 bytes at most) or holds '/', ':' or a space: ignored, as keepalived ignores it; the name is vrrp.VRID")
            } else {
                v.useVMAC = t.text
            }
        }
        guard let t = words.first else { return }
        guard let mac = Self.macOctets(t.text) else {
            sink.warning(.keepalivedIgnores, loc(t), "use_vmac: '\(clip(t.text))' is no MAC address (5 or 6 hex octets): ignored, as keepalived ignores it; the MAC is 00:00:5e:00:01:VRID")
            return
        }
        guard mac[0] & 1 == 0 else {
            sink.warning(.keepalivedIgnores, loc(t), "use_vmac: \(t.text) is a multicast MAC address: ignored, as keepalived ignores it; the MAC is 00:00:5e:00:01:VRID")
            return
        }
        v.vmacAddress = mac
        if let extra = words.dropFirst().first {
            sink.warning(.keepalivedIgnores, loc(extra), "'\(clip(extra.text))' after use_vmac's MAC address is ignored")
        }
    }

    /// 5 or 6 colon-separated hex octets, else nil.
    static func macOctets(_ text: String) -> [UInt8]? {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 5 || parts.count == 6 else { return nil }
        var out: [UInt8] = []
        for p in parts {
            guard (1...2).contains(p.count), let b = UInt8(p, radix: 16) else { return nil }
            out.append(b)
        }
        return out
    }

    /// 224.0.0.0/4 or ff00::/8.
    static func isMulticast(_ a: IPAddress) -> Bool {
        switch a {
        case .v4(let v): return v >> 28 == 0xe
        case .v6(let hi, _): return hi >> 56 == 0xff
        }
    }

    /// The instance's address family as keepalived deduces it: from its first virtual address, else its source
    /// address, else its first unicast peer (`native_ipv6` says IPv6); nil when nothing says.
    static func isIPv6(_ v: VRRPInstanceConfig) -> Bool? {
        if let a = v.virtualIPAddresses.first { return a.address.address.isIPv6 }
        if let a = v.unicastSourceIP ?? v.multicastSourceIP { return a.isIPv6 }
        if let a = v.unicastPeers.first { return a.address.isIPv6 }
        if let g = v.multicastDestination { return g.isIPv6 }
        return v.nativeIPv6 ? true : nil
    }

    /// keepalived's free-form hex; an error at the first character that is no hex digit (the value then is empty).
    mutating func hex(_ t: Token, _ keyword: String, wildcards: Bool) -> HexPattern {
        switch HexPattern.parse(t.text, wildcards: wildcards) {
        case .success(let p): return p
        case .failure(let e):
            sink.error(.invalidValue, loc(t), "\(keyword): '\(e.character)' is not a hex digit\(wildcards ? " or X" : "") in '\(clip(t.text))'")
            return HexPattern(bytes: [])
        }
    }

    /// The words after `lb_kind TUN`: `type ipip|gue|gre`, `port N`, `nocsum|csum|remcsum`. Words after NAT or DR
    /// are an error, as is an unknown word or a GUE tunnel without a port.
    mutating func tunnel(_ words: [Token], kind: LBKind) -> TunnelSettings {
        var t = TunnelSettings()
        guard kind == .tun else {
            if let w = words.first { sink.error(.invalidValue, loc(w), "unexpected '\(clip(w.text))' after lb_kind \(kind.rawValue)") }
            return t
        }
        var i = 0
        while i < words.count {
            let w = words[i]
            let value = i + 1 < words.count ? words[i + 1] : nil
            switch w.text.lowercased() {
            case "type":
                if let v = value, let k = TunnelSettings.Kind(rawValue: v.text.lowercased()) { t.kind = k } else {
                    sink.error(.invalidValue, value.map(loc) ?? loc(w), "tunnel type must be ipip, gue or gre, not '\(clip(value?.text ?? ""))'")
                }
                i += 2
            case "port":
                if let v = value { if let p = int(v, "tunnel port", 1...65535) { t.port = UInt16(p) } } else {
                    sink.error(.missingValue, loc(w), "tunnel 'port' needs a value")
                }
                i += 2
            case let word where TunnelSettings.Checksum(rawValue: word) != nil:
                t.checksum = TunnelSettings.Checksum(rawValue: word)
                i += 1
            default:
                sink.error(.invalidValue, loc(w), "unexpected '\(clip(w.text))' after lb_kind TUN; expected type, port, nocsum, csum or remcsum")
                i += 1
            }
        }
        if t.kind == .gue && t.port == nil, let first = words.first {
            sink.error(.missingValue, loc(first), "a GUE tunnel needs 'port N'")
        }
        return t
    }

    /// `lvs_sync_daemon IFNAME INSTANCE [id N] [maxlen N] [port N] [ttl N] [group ADDR]`, ranges as keepalived.conf(5).
    /// `lvs_sync_daemon IFNAME [[inst] INSTANCE] [id N] [maxlen N] [port N] [ttl N] [group ADDR]`.
    /// `vigil_route_table TABLE`: a number or a name of rt_tables; never the kernel's own tables (0 unspec, 253
    /// default, 254 main, 255 local), where a host route to a VIP would steer the director's own traffic.
    mutating func vigilRouteTable(_ t: Token) -> UInt32? {
        guard let n = Self.routeTables[t.text] ?? routeTableNames[t.text] ?? UInt32(t.text) else {
            sink.error(.invalidValue, loc(t), "vigil_route_table '\(clip(t.text))' is neither a number 1–4294967295 nor a name of /etc/iproute2/rt_tables")
            return nil
        }
        guard ![0, 253, 254, 255].contains(n) else {
            sink.error(.invalidValue, loc(t), "vigil_route_table \(n) is one of the kernel's own tables (0 unspec, 253 default, 254 main, 255 local): give a table of its own, e.g. 198")
            return nil
        }
        return n
    }

    /// `lvs_timeouts tcp S tcpfin S udp S`, any of the three in any order. keepalived reports an unknown option, a
    /// missing or bad value and ignores that option; in Vigil they are errors at the word.
    mutating func lvsTimeouts(_ keyword: Node, _ a: [Token]) -> LVSTimeouts? {
        guard !a.isEmpty else {
            sink.error(.missingValue, loc(keyword), "lvs_timeouts needs at least one of tcp, tcpfin, udp with a value in seconds")
            return nil
        }
        var t = LVSTimeouts()
        var i = 0
        while i < a.count {
            let w = a[i]
            guard ["tcp", "tcpfin", "udp"].contains(w.text) else {
                sink.error(.invalidValue, loc(w), "lvs_timeouts: unknown option '\(clip(w.text))' (expected tcp, tcpfin or udp)")
                i += 1
                continue
            }
            guard i + 1 < a.count else {
                sink.error(.missingValue, loc(w), "lvs_timeouts '\(w.text)' needs a value in seconds")
                break
            }
            if let n = int(a[i + 1], "lvs_timeouts \(w.text)", 0...2_678_400) {
                switch w.text {
                case "tcp": t.tcp = UInt32(n)
                case "tcpfin": t.tcpFin = UInt32(n)
                default: t.udp = UInt32(n)
                }
            }
            i += 2
        }
        return t == LVSTimeouts() ? nil : t
    }

    mutating func syncDaemon(_ a: [Token]) -> LVSSyncDaemon? {
        guard let interface = a.first else { return nil }
        let options: Set<String> = ["id", "maxlen", "port", "ttl", "group"]
        var i = 1
        var instance: String?
        if i < a.count, a[i].text == "inst" {
            if i + 1 < a.count { instance = a[i + 1].text } else { sink.error(.missingValue, loc(a[i]), "lvs_sync_daemon 'inst' needs an instance name") }
            i += 2
        } else if i < a.count, !options.contains(a[i].text) {
            instance = a[i].text
            i += 1
        }
        var d = LVSSyncDaemon(interface: interface.text, vrrpInstance: instance)
        while i < a.count {
            let w = a[i]
            guard let v = i + 1 < a.count ? a[i + 1] : nil else {
                sink.error(.missingValue, loc(w), "lvs_sync_daemon '\(clip(w.text))' needs a value")
                break
            }
            switch w.text {
            case "id": if let n = int(v, "lvs_sync_daemon id", 0...255) { d.syncID = UInt8(n) }
            case "maxlen": if let n = int(v, "lvs_sync_daemon maxlen", 1...65507) { d.maxlen = UInt16(n) }
            case "port": if let n = int(v, "lvs_sync_daemon port", 1...65535) { d.port = UInt16(n) }
            case "ttl": if let n = int(v, "lvs_sync_daemon ttl", 1...255) { d.ttl = UInt8(n) }
            case "group": d.group = address(v, "lvs_sync_daemon group")
            default:
                sink.error(.invalidValue, loc(w), "lvs_sync_daemon: unknown option '\(clip(w.text))' (expected id, maxlen, port, ttl or group)")
            }
            i += 2
        }
        return d
    }

    mutating func lbKind(_ t: Token) -> LBKind? {
        guard let k = LBKind(rawValue: t.text.uppercased()) else {
            sink.error(.invalidValue, loc(t), "unknown lb_kind '\(clip(t.text))'; expected NAT, DR or TUN")
            return nil
        }
        return k
    }

    mutating func virtualServer(_ node: Node) -> VirtualServerConfig? {
        let a = args(node)
        guard let first = a.first else { return nil }
        let addr: VirtualServerAddress
        switch first.text {
        case "fwmark", "group":
            guard a.count >= 2 else {
                sink.error(.missingValue, loc(first), "'virtual_server \(first.text)' needs \(first.text == "group" ? "a group name" : "a mark")")
                return nil
            }
            if first.text == "group" {
                addr = .group(a[1].text)
            } else {
                guard let m = int(a[1], "fwmark", 1...Int(UInt32.max)) else { return nil }
                addr = .fwmark(UInt32(m))
            }
        default:
            guard let ip = address(first, "virtual_server address") else { return nil }
            if a.count >= 2 {
                guard let p = port(a[1], "virtual_server port") else { return nil }
                addr = .address(ip, port: p)
            } else {
                addr = .address(ip, port: 0)
            }
        }
        if a.count > 2 {
            sink.warning(.nonCanonicalForm, loc(a[2]), "extra word '\(clip(a[2].text))' after 'virtual_server' is ignored, as keepalived ignores it")
        }
        var vs = VirtualServerConfig(address: addr)
        vs.location = loc(node)
        var timers = Timers()
        var seen = SeenKeywords()
        // Virtual-server-wide settings first: real servers inherit them wherever they appear.
        for n in node.children where n.name != "real_server" {
            duplicateCheck(n, &seen)
            let a = args(n)
            switch n.name {
            case "delay_loop": if let t = a.first, let d = seconds(t, "delay_loop"), d > 0 { vs.delayLoop = Self.duration(d); timers.delayLoop = vs.delayLoop }
            case "lb_algo":
                if let t = a.first {
                    if let algo = LBAlgo(rawValue: t.text.lowercased()) { vs.lbAlgo = algo } else {
                        sink.error(.invalidValue, loc(t), "unknown lb_algo '\(clip(t.text))'; expected one of \(LBAlgo.allCases.map(\.rawValue).joined(separator: ", "))")
                    }
                }
            case "lb_kind":
                if let t = a.first, let k = lbKind(t) {
                    vs.lbKind = k
                    vs.tunnel = tunnel(Array(a.dropFirst()), kind: k)
                }
            case "persistence_timeout":
                if let t = a.first {
                    if let v = Int(t.text), (1...2_678_400).contains(v) { vs.persistenceTimeout = UInt32(v) } else {
                        sink.warning(.keepalivedIgnores, loc(t), "persistence_timeout '\(clip(t.text))' is outside 1…2678400 seconds: keepalived ignores it, and so does Vigil")
                    }
                } else { vs.persistenceTimeout = 360 }
            case "persistence_granularity": if let t = a.first { vs.persistenceGranularity = address(t, "persistence_granularity") }
            case "persistence_engine":
                if let t = a.first {
                    // IP_VS_PENAME_MAXLEN is 16 with the terminating NUL.
                    if t.text.utf8.count <= 15 { vs.persistenceEngine = t.text } else {
                        sink.error(.invalidValue, loc(t), "persistence_engine '\(clip(t.text))' is longer than the kernel's 15 characters")
                    }
                }
            case "protocol":
                if let t = a.first {
                    if let p = LVSProtocol(rawValue: t.text.uppercased()) { vs.protocol = p } else {
                        sink.error(.invalidValue, loc(t), "protocol must be TCP, UDP or SCTP, not '\(clip(t.text))'")
                    }
                }
            case "sorry_server":
                if let t = a.first { vs.sorryServer = address(t, "sorry_server") }
                if a.count > 1 { vs.sorryServerPort = port(a[1], "sorry_server port") }
            case "sorry_server_inhibit": vs.sorryServerInhibit = true
            case "sorry_server_lvs_method": if let t = a.first { vs.sorryServerLBKind = lbKind(t) }
            case "virtualhost": vs.virtualhost = a.first?.text
            case "alpha": vs.alpha = bool(n)
            case "omega": vs.omega = bool(n)
            case "quorum": if let t = a.first, let q = int(t, "quorum", 0...Int(Int32.max)) { vs.quorum = q }
            case "hysteresis": if let t = a.first, let q = int(t, "hysteresis", 0...Int(Int32.max)) { vs.hysteresis = q }
            case "quorum_up": vs.quorumUp = command(n)
            case "quorum_down": vs.quorumDown = command(n)
            case "ha_suspend": vs.haSuspend = true
            case "ops": vs.ops = true
            case "vigil_announce": vs.vigilAnnounce = loc(n)
            case "inhibit_on_failure": vs.inhibitOnFailure = bool(n)
            case "smtp_alert": vs.smtpAlert = bool(n)
            case "ip_family":
                if let t = a.first {
                    switch t.text {
                    case "inet": vs.ipFamily = .inet
                    case "inet6": vs.ipFamily = .inet6
                    default: sink.error(.invalidValue, loc(t), "ip_family must be inet or inet6")
                    }
                }
            case "flag-1", "flag-2", "flag-3", "sh-port", "sh-fallback", "mh-port", "mh-fallback":
                if let flag = SchedulerFlag(rawValue: n.name.text) { vs.schedulerFlags.append(flag) }
            default:
                timers.apply(n, &self)
            }
        }
        if case .address(let ip, let port) = addr, !node.children.contains(where: { $0.name == "protocol" }) {
            vs.protocol = .udp
            sink.warning(.missingValue, loc(node), Self.noProtocol("\(ip) \(port)"))
        }
        if case .address(_, let port) = addr, vs.sorryServer != nil, vs.sorryServerPort == nil { vs.sorryServerPort = port }
        if case .address(_, 0) = addr, a.count < 2 {
            // keepalived: "zero port only valid for persistent services - setting" (a port-0 service takes every port).
            if vs.persistenceTimeout == nil { vs.persistenceTimeout = 360 }
            sink.warning(.nonCanonicalForm, loc(first), "virtual_server without a port serves every port; as in keepalived it is persistent (persistence_timeout \(vs.persistenceTimeout ?? 360))")
        }
        for n in node.children where n.name == "real_server" {
            if let rs = realServer(n, vs: vs, timers: timers) { vs.realServers.append(rs) }
        }
        return vs
    }

    /// Timer values with inheritance (virtual server → real server → checker).
    struct Timers {
        var connectTimeout: Duration?
        var retry: Int?
        var delayBeforeRetry: Duration?
        var warmup: Duration?
        var delayLoop: Duration?

        mutating func apply(_ n: Node, _ b: inout ModelBuilder) {
            guard let t = b.args(n).first else { return }
            switch n.name {
            case "connect_timeout": if let d = b.duration(t, "connect_timeout") { connectTimeout = d }
            case "retry": if let d = b.int(t, "retry", 0...Int(Int32.max)) { retry = d }
            case "delay_before_retry": if let d = b.duration(t, "delay_before_retry") { delayBeforeRetry = d }
            case "warmup": if let d = b.duration(t, "warmup") { warmup = d }
            case "delay_loop": if let d = b.duration(t, "delay_loop") { delayLoop = d }
            default: break
            }
        }
    }

    mutating func realServer(_ node: Node, vs: VirtualServerConfig, timers inherited: Timers) -> RealServerConfig? {
        let a = args(node)
        guard let first = a.first, let ip = address(first, "real_server address") else { return nil }
        var port: UInt16?
        if a.count > 1 { guard let p = self.port(a[1], "real_server port") else { return nil }; port = p }
        if port == nil, case .address(_, let vport) = vs.address { port = vport }
        var rs = RealServerConfig(address: ip, port: port, lbKind: vs.lbKind)
        rs.tunnel = vs.tunnel
        rs.location = loc(node)
        rs.inhibitOnFailure = vs.inhibitOnFailure
        rs.virtualhost = vs.virtualhost
        var timers = inherited
        var seen = SeenKeywords()
        for n in node.children where n.grammar.checkerKind == nil {
            duplicateCheck(n, &seen)
            let a = args(n)
            switch n.name {
            case "weight": if let t = a.first, let w = int(t, "real_server weight", 0...65535) { rs.weight = w }
            case "inhibit_on_failure": rs.inhibitOnFailure = bool(n)
            case "notify_up": rs.notifyUp = command(n)
            case "notify_down": rs.notifyDown = command(n)
            case "uthreshold": if let t = a.first, let v = int(t, "uthreshold", 0...Int(UInt32.max)) { rs.upperThreshold = UInt32(v) }
            case "lthreshold": if let t = a.first, let v = int(t, "lthreshold", 0...Int(UInt32.max)) { rs.lowerThreshold = UInt32(v) }
            case "lb_kind":
                if let t = a.first, let k = lbKind(t) {
                    rs.lbKind = k
                    rs.tunnel = tunnel(Array(a.dropFirst()), kind: k)
                }
            case "virtualhost": rs.virtualhost = a.first?.text
            case "smtp_alert": rs.smtpAlert = bool(n)
            default: timers.apply(n, &self)
            }
        }
        for n in node.children where n.grammar.checkerKind != nil {
            if let c = checker(n, rs: rs, timers: timers, vsDelayLoop: vs.delayLoop) { rs.checkers.append(c) }
        }
        return rs
    }

    mutating func checker(_ node: Node, rs: RealServerConfig, timers inherited: Timers, vsDelayLoop: Duration) -> CheckerConfig? {
        guard let kind = node.grammar.checkerKind else { return nil }
        var c = CheckerConfig(kind: kind)
        c.location = loc(node)
        var t = inherited
        // The keyword table lets each keyword below appear only in the blocks whose payload has its field.
        var http = HTTPCheckerSettings()
        var enableSNI = false
        var misc = MiscCheckerSettings()
        var miscPath: String?
        var miscTimeout: Duration?
        var smtp = SMTPCheckerSettings()
        var dns = DNSCheckerSettings()
        var udp = UDPCheckerSettings()
        var file = FileCheckerSettings()
        var trackFile: String?
        for n in node.children {
            if connection(n, into: &c.connection) { continue }
            let a = args(n)
            switch n.name {
            case "alpha": c.alpha = bool(n)
            case "log_all_failures": c.logAllFailures = bool(n)
            case "url": http.urls.append(url(n))
            case "virtualhost": http.virtualhost = a.first?.text
            case "http_protocol":
                if let x = a.first {
                    if let p = HTTPProtocol(rawValue: x.text) ?? HTTPProtocol(rawValue: x.text.uppercased()) {
                        http.httpProtocol = p
                    } else {
                        sink.error(.invalidValue, loc(x), "http_protocol must be 1.0, 1.0C or 1.1")
                    }
                }
            case "fast_recovery": http.fastRecovery = bool(n)
            case "tls_compliant": http.tlsCompliant = bool(n)
            case "enable_sni": enableSNI = true
            case "misc_path": miscPath = a.first?.text
            case "misc_timeout": if let x = a.first { miscTimeout = duration(x, "misc_timeout") }
            case "misc_dynamic": misc.dynamic = true
            case "user":
                misc.user = a.first?.text
                misc.group = a.count > 1 ? a[1].text : nil
            case "helo_name": smtp.heloName = a.first?.text
            case "host": smtp.hosts.append(smtpHost(n, checker: &c, timers: &t, inherited: inherited))
            case "type":
                if let x = a.first {
                    let up = x.text.uppercased()
                    if ["A", "NS", "CNAME", "SOA", "MX", "TXT", "AAAA"].contains(up) { dns.type = up } else {
                        sink.error(.invalidValue, loc(x), "DNS_CHECK type must be A, NS, CNAME, SOA, MX, TXT or AAAA")
                    }
                }
            case "name": if let x = a.first { dns.name = x.text }
            case "payload": if let x = a.first { udp.payload = hex(x, "payload", wildcards: false) }
            case "require_reply":
                udp.requireReply = a.first.map { hex($0, "require_reply", wildcards: true) } ?? HexPattern(bytes: [])
            case "min_reply_length": if let x = a.first { udp.minReplyLength = int(x, "min_reply_length", 0...65535) }
            case "max_reply_length": if let x = a.first { udp.maxReplyLength = int(x, "max_reply_length", 0...65535) }
            case "track_file": trackFile = a.first?.text
            case "weight":
                if let x = a.first { file.weight = int(x, "FILE_CHECK weight", -254...254) }
                if a.count > 1 { file.weightReverse = a[1].text == "reverse" }
            default: t.apply(n, &self)
            }
        }
        if let v = t.connectTimeout { c.connection.connectTimeout = v }
        if let v = t.retry { c.retry = v }
        c.delayLoop = t.delayLoop ?? vsDelayLoop
        if let v = t.delayBeforeRetry { c.delayBeforeRetry = v } else if kind == .dns { c.delayBeforeRetry = c.delayLoop }
        c.warmup = t.warmup
        if http.virtualhost == nil { http.virtualhost = rs.virtualhost }
        switch kind {
        case .tcp: c.settings = .tcp
        case .http, .ssl:
            if http.urls.isEmpty { sink.error(.missingValue, loc(node), "\(kind.rawValue) needs at least one url { path … }") }
            c.settings = kind == .ssl ? .ssl(http, enableSNI: enableSNI) : .http(http)
        case .misc:
            if miscPath == nil { sink.error(.missingValue, loc(node), "MISC_CHECK needs misc_path") }
            misc.path = miscPath ?? ""
            misc.timeout = miscTimeout ?? c.delayLoop
            c.settings = .misc(misc)
        case .smtp:
            smtp.ownConnection = node.children.contains { Self.connectionKeywords.contains($0.name.text) }
            c.settings = .smtp(smtp)
        case .dns: c.settings = .dns(dns)
        case .udp:
            if let low = udp.minReplyLength, low > (udp.maxReplyLength ?? 255) {
                // keepalived 2.2.7 reports the same and loads the checker, which then always fails.
                sink.warning(.suspicious, loc(node), "UDP_CHECK min_reply_length \(low) is above max_reply_length \(udp.maxReplyLength ?? 255): every reply fails the check, as in keepalived")
            }
            c.settings = .udp(udp)
        case .ping: c.settings = .ping
        case .file:
            if trackFile == nil { sink.error(.missingValue, loc(node), "FILE_CHECK needs track_file") }
            file.trackFile = trackFile ?? ""
            c.settings = .file(file)
        }
        return c
    }

    /// Reads `n` into `fields` when it is a connection keyword other than connect_timeout (which checker blocks
    /// resolve with their timers); false for any other keyword.
    mutating func connection(_ n: Node, into fields: inout CheckerConnection) -> Bool {
        let x = args(n).first
        switch n.name {
        case "connect_ip": if let x { fields.connectIP = address(x, "connect_ip") }
        case "connect_port": if let x { fields.connectPort = port(x, "connect_port") }
        case "bindto": if let x { fields.bindTo = address(x, "bindto") }
        case "bind_if": fields.bindInterface = x?.text
        case "bind_port": if let x { fields.bindPort = port(x, "bind_port") }
        case "fwmark": if let x, let v = int(x, "fwmark", 0...Int(UInt32.max)) { fields.fwmark = UInt32(v) }
        default: return false
        }
        return true
    }

    /// The keywords of a checker's connection (keepalived's conn_opts).
    static let connectionKeywords: Set<String> = ["connect_ip", "connect_port", "bindto", "bind_if", "bind_port",
                                                  "fwmark", "connect_timeout"]

    /// An SMTP_CHECK `host` block. Its connection keywords are the host's; the rest (retry, delay_before_retry,
    /// warmup, delay_loop, alpha, log_all_failures) set the enclosing SMTP_CHECK's, as keepalived 2.2.7 does, which
    /// a warning says.
    mutating func smtpHost(_ node: Node, checker c: inout CheckerConfig, timers t: inout Timers,
                           inherited: Timers) -> SMTPHost {
        var h = SMTPHost()
        h.location = loc(node)
        if let timeout = inherited.connectTimeout { h.connection.connectTimeout = timeout }
        for n in node.children {
            if connection(n, into: &h.connection) { continue }
            switch n.name {
            case "connect_timeout": if let x = args(n).first, let d = duration(x, "connect_timeout") { h.connection.connectTimeout = d }
            default:
                switch n.name {
                case "alpha": c.alpha = bool(n)
                case "log_all_failures": c.logAllFailures = bool(n)
                default: t.apply(n, &self)
                }
                sink.warning(.suspicious, loc(n), "\(n.name) in an SMTP_CHECK host block sets the whole SMTP_CHECK's \(n.name), every host's, as in keepalived; write it in the SMTP_CHECK block")
            }
        }
        return h
    }

    mutating func url(_ node: Node) -> URLCheck {
        var u = URLCheck()
        u.location = loc(node)
        var hasPath = false
        var regex = URLRegexLines()
        for n in node.children {
            let a = args(n)
            switch n.name {
            case "path": if let x = a.first { u.path = x.text; hasPath = true }
            case "digest":
                if let x = a.first {
                    let hex = x.text.lowercased()
                    if hex.utf8.count != 32 || !hex.utf8.allSatisfy({ ($0 >= 48 && $0 <= 57) || ($0 >= 97 && $0 <= 102) }) {
                        sink.error(.invalidValue, loc(x), "digest must be 32 hexadecimal digits (an MD5 sum, see `vigil genhash`)")
                    }
                    u.digest = hex
                }
            case "status_code":
                var ranges: [StatusCodeRange] = []
                for x in a {
                    let parts = x.text.split(separator: "-", maxSplits: 1, omittingEmptySubsequences: false)
                    let lo = Int(parts[0])
                    let hi = parts.count == 2 ? Int(parts[1]) : lo
                    if let lo, let hi, lo >= 100, hi <= 599, lo <= hi { ranges.append(StatusCodeRange(lo, hi)) } else {
                        sink.error(.invalidValue, loc(x), "status_code '\(clip(x.text))' is not a code or range within 100–599")
                    }
                }
                if !ranges.isEmpty { u.statusCodes = ranges }
            case "virtualhost": u.virtualhost = a.first?.text
            case "tls_compliant": u.tlsCompliant = bool(n)
            case "regex", "regex_no_match", "regex_options", "regex_stack", "regex_min_offset", "regex_max_offset":
                regex.read(n, a, into: &self)
            default: break
            }
        }
        if !hasPath { sink.error(.missingValue, loc(node), "url needs a path") }
        u.regex = regex.finish(into: &self)
        return u
    }

    /// The `regex…` lines of one url, read in any order and checked together at its end (the options change how
    /// the pattern compiles; `regex_max_offset` needs PCRE2's offset limit).
    struct URLRegexLines {
        var pattern: Token?
        var noMatch = false
        var options: [RegexOption] = []
        var stack: BodyRegex.JITStack?
        var minOffset: (Int, Token)?
        var maxOffset: (Int, Token)?
        /// The first `regex_…` line other than `regex`, for the warning when `regex` is missing.
        var firstSetting: Node?

        mutating func read(_ n: Node, _ a: TokenList, into b: inout ModelBuilder) {
            if n.name != "regex", firstSetting == nil { firstSetting = n }
            switch n.name {
            case "regex": pattern = a.first
            case "regex_no_match": noMatch = true
            case "regex_options":
                for x in a {
                    if let option = RegexOption(rawValue: x.text) {
                        if !options.contains(option) { options.append(option) }
                    } else {
                        let names = RegexOption.allCases.map(\.rawValue)
                        let hint = Suggest.closest(to: x.text, in: names).map { "; did you mean '\($0)'?" }
                            ?? " (the names are PCRE2's options in lower case without PCRE2_, as keepalived.conf(5) lists them)"
                        b.sink.error(.invalidValue, b.loc(x), "regex_options '\(b.clip(x.text))' is not a PCRE2 option keepalived knows\(hint)")
                    }
                }
            case "regex_stack":
                guard a.count == 2 else { return }
                let start = b.int(a[0], "regex_stack START", 1...Int(Int32.max))
                let max = b.int(a[1], "regex_stack MAX", 1...Int(Int32.max))
                guard let start, let max else { return }
                if start > max {
                    b.sink.error(.invalidValue, b.loc(a[0]), "regex_stack START \(start) is above MAX \(max)")
                    return
                }
                stack = BodyRegex.JITStack(start: start, max: max)
            case "regex_min_offset":
                if let x = a.first, let v = b.int(x, "regex_min_offset", 0...Int(Int32.max)) { minOffset = (v, x) }
            case "regex_max_offset":
                if let x = a.first, let v = b.int(x, "regex_max_offset", 0...Int(Int32.max)) { maxOffset = (v, x) }
            default: break
            }
        }

        /// The url's regex, compiled once here so a pattern PCRE2 refuses is an error at its column.
        func finish(into b: inout ModelBuilder) -> URLRegex? {
            guard let pattern else {
                if let n = firstSetting {
                    b.sink.warning(.suspicious, b.loc(n), "\(n.name) without regex in this url has no effect")
                }
                return nil
            }
            if let (low, _) = minOffset, let (high, at) = maxOffset, low > high {
                b.sink.error(.invalidValue, b.loc(at), "regex_max_offset \(high) is below regex_min_offset \(low)")
            }
            do {
                _ = try CompiledRegex(pattern: pattern.text, options: options, offsetLimit: maxOffset != nil)
            } catch {
                var at = b.loc(pattern)
                at.column += error.offset + (pattern.kind == .quoted ? 1 : 0)
                b.sink.error(.invalidValue, at, "regex '\(b.clip(pattern.text))' does not compile: \(error.message) (PCRE2, at offset \(error.offset))")
            }
            var r = URLRegex(pattern: pattern.text)
            r.noMatch = noMatch
            r.options = options
            r.stack = stack
            r.minOffset = minOffset?.0 ?? 0
            r.maxOffset = maxOffset?.0
            return r
        }
    }

    /// A virtual_server_group address: `ADDR`, `ADDR-LAST` (the last byte, or the last 16-bit group of IPv6),
    /// `ADDR-ADDR` (full addresses) or `ADDR/PREFIX`. A range varies only the last byte (group), as the director
    /// expands it; a wider one is an error naming the limit.
    mutating func groupRange(_ t: Token) -> (IPAddress, IPAddress)? {
        let text = t.text
        if let a = IPAddress(text) { return (a, a) }
        var first: IPAddress?, last: IPAddress?
        if text.contains("/"), let p = IPPrefix(text), let len = p.prefixLength {
            first = Self.network(p, allOnes: false)
            last = Self.network(p, allOnes: true)
            if len < (p.address.family == .inet ? 24 : 112) { first = nil }
        } else if let dash = text.lastIndex(of: "-"), let a = IPAddress(String(text[..<dash])) {
            first = a
            let tail = String(text[text.index(after: dash)...])
            if let full = IPAddress(tail), full.family == a.family {
                last = full
            } else if a.family == .inet, let n = UInt8(tail) {
                var b = a.bytes; b[3] = n; last = IPAddress(bytes: b)
            } else if a.family == .inet6, let n = UInt16(tail, radix: 16) {
                var b = a.bytes; b[14] = UInt8(n >> 8); b[15] = UInt8(n & 0xff); last = IPAddress(bytes: b)
            }
        }
        guard let f = first, let l = last else {
            sink.error(.invalidValue, loc(t), "'\(clip(text))' is not an address or a range (ADDRESS-LAST, ADDRESS-ADDRESS, ADDRESS/PREFIX) that varies only the last byte (IPv6: the last 16-bit group)")
            return nil
        }
        let width = f.family == .inet ? 1 : 2
        let n = f.bytes.count
        guard f.bytes[0..<(n - width)] == l.bytes[0..<(n - width)], f.bytes[(n - width)...].lexicographicallyPrecedes(l.bytes[(n - width)...]) || f == l else {
            sink.error(.invalidValue, loc(t), "range '\(clip(text))' must go upwards and vary only the last byte (IPv6: the last 16-bit group)")
            return nil
        }
        return (f, l)
    }

    /// An IPv6 prefix's first (`allOnes` false) or last address.
    static func network(_ p: IPPrefix, allOnes: Bool) -> IPAddress? {
        guard let len = p.prefixLength else { return nil }
        var b = p.address.bytes
        for bit in len..<(b.count * 8) {
            let mask = UInt8(0x80 >> (bit % 8))
            if allOnes { b[bit / 8] |= mask } else { b[bit / 8] &= ~mask }
        }
        return IPAddress(bytes: b)
    }

    mutating func virtualServerGroup(_ node: Node) -> VirtualServerGroupConfig? {
        guard let name = args(node).first?.text else { return nil }
        var g = VirtualServerGroupConfig(name: name)
        g.location = loc(node)
        for e in node.entries {
            if e[0].text == "fwmark" {
                if e.count >= 2, let m = int(e[1], "fwmark", 1...Int(UInt32.max)) { g.entries.append(.fwmark(UInt32(m))) } else if e.count < 2 {
                    sink.error(.missingValue, loc(e[0]), "fwmark needs a number")
                }
                if e.count > 2 {
                    sink.warning(.unsupportedKeyword, loc(e[2]), "the family '\(clip(e[2].text))' of a group's fwmark entry is not implemented yet: the service's family is the virtual_server's ip_family, else its first real server's")
                }
                continue
            }
            var entryPort: UInt16 = 0
            if e.count >= 2 {
                guard let p = port(e[1]) else { continue }
                entryPort = p
            } else {
                sink.warning(.nonCanonicalForm, loc(e[0]), "virtual_server_group entry without a port: port 0, as in keepalived (every port, for a persistent service)")
            }
            if e.count > 2 {
                sink.warning(.nonCanonicalForm, loc(e[2]), "extra word '\(clip(e[2].text))' in a virtual_server_group entry is ignored, as keepalived ignores it")
            }
            guard let (f, l) = groupRange(e[0]) else { continue }
            g.entries.append(.range(first: f, last: l, port: entryPort))
        }
        return g
    }
}

extension CheckerKind {
    static let allNames: Set<String> = Set(CheckerKind.allCases.map(\.rawValue))
}

extension UInt8 {
    /// A-Z or a-z.
    fileprivate var isASCIILetter: Bool { (0x41...0x5a).contains(self) || (0x61...0x7a).contains(self) }
}
