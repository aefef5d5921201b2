import Vocabulary

/// Semantic rules over a built model: cross-references, ranges that depend on other values, and
/// duplicates across blocks. Host facts (interfaces, script paths) are a separate, optional pass whose
/// findings are only warnings, so configs can be checked on a build machine.
struct ConfigValidator {
    var sink: DiagnosticSink

    mutating func validate(_ c: KeepalivedConfig) {
        let scripts = Dictionary(c.vrrpScripts.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        let files = Dictionary(c.vrrpTrackFiles.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        duplicateNames(c.vrrpScripts.map { ($0.name, $0.location) }, "vrrp_script")
        duplicateNames(c.vrrpTrackFiles.map { ($0.name, $0.location) }, "vrrp_track_file")
        duplicateNames(c.vrrpTrackProcesses.map { ($0.name, $0.location) }, "vrrp_track_process")
        processTrackers(c)
        duplicateNames(c.vrrpInstances.map { ($0.name, $0.location) }, "vrrp_instance")
        duplicateNames(c.vrrpSyncGroups.map { ($0.name, $0.location) }, "vrrp_sync_group")
        duplicateNames(c.virtualServerGroups.map { ($0.name, $0.location) }, "virtual_server_group")

        for s in c.vrrpScripts where ScriptCommand.needsShell(s.script) {
            sink.warning(.shellSyntax, s.scriptLocation,
                         "script of vrrp_script '\(s.name)' uses shell syntax; keepalived 2.x runs it without a shell and disables it, Vigil runs it with /bin/bash -c (write \"/bin/bash -c '…'\" to work with both)")
        }

        var vridOwner: [String: VRRPInstanceConfig] = [:]
        var vipOwner: [IPAddress: (String, SourceLocation)] = [:]
        for v in c.vrrpInstances {
            // A priority 255 derived from `state MASTER` (no priority line) is warned at the state by the builder.
            if v.priority == 255 && v.priorityLocation != v.location {
                sink.warning(.suspicious, v.priorityLocation,
                             "priority 255 is reserved for the address owner (the node whose own interface address is the virtual address)")
            }
            let advert = v.advertInterval
            if v.version == 2 {
                if advert < .seconds(1) || advert > .seconds(255) {
                    sink.error(.outOfRange, v.location, "advert_int \(advert.configText) is outside 1…255 seconds for VRRPv2")
                } else if advert.components.attoseconds != 0 {
                    sink.warning(.suspicious, v.location, "VRRPv2 adverts carry whole seconds; advert_int \(advert.configText) will be rounded")
                }
            } else if advert < .milliseconds(10) || advert > .milliseconds(40_950) {
                sink.error(.outOfRange, v.location, "advert_int \(advert.configText) is outside 0.01…40.95 seconds for VRRPv3")
            }
            if v.version == 3, let a = v.authentication {
                sink.warning(.suspicious, a.location, "VRRPv3 has no authentication; this block is ignored")
            }
            if v.virtualIPAddresses.isEmpty, !v.noVirtualIPAddress, !v.strict {
                // keepalived 2.2.7 refuses a VRRPv3 instance without a VIP; 2.2.8 added no_virtual_ipaddress for it.
                if v.version == 3 {
                    sink.error(.missingValue, v.location, "vrrp_instance '\(v.name)' has no virtual_ipaddress: VRRPv3 requires at least one, and keepalived refuses the instance (no_virtual_ipaddress, keepalived 2.2.8, allows none)")
                } else {
                    sink.warning(.suspicious, v.location, "vrrp_instance '\(v.name)' has no virtual_ipaddress (no_virtual_ipaddress says it is on purpose)")
                }
            }
            if v.virtualRouterID != 0 {
                let family = v.virtualIPAddresses.first?.address.address.family ?? .inet
                let key = "\(v.interface)/\(family.rawValue)/\(v.virtualRouterID)"
                if let other = vridOwner[key] {
                    sink.error(.duplicateVRID, v.virtualRouterIDLocation,
                               "virtual_router_id \(v.virtualRouterID) is already used on \(v.interface) by vrrp_instance '\(other.name)'",
                               related: [.init(location: other.virtualRouterIDLocation, message: "'\(other.name)' uses it here")])
                } else {
                    vridOwner[key] = v
                }
            }
            for vip in v.virtualIPAddresses {
                if let (other, loc) = vipOwner[vip.address.address] {
                    // keepalived warns and runs both instances.
                    sink.warning(.duplicateVIP, vip.location,
                               "virtual address \(vip.address.address) is also managed by vrrp_instance '\(other)'",
                               related: [.init(location: loc, message: "also here")])
                } else {
                    vipOwner[vip.address.address] = (v.name, vip.location)
                }
            }
            if v.priority == 255 {
                ownerTrackers(v, scripts: scripts, files: files)
            } else if let g = c.vrrpSyncGroups.first(where: { $0.group.contains { $0.name == v.name } }), !g.globalTracking {
                syncGroupTrackers(v, group: g.name, scripts: scripts, files: files)
            }
            for t in v.trackScripts where scripts[t.name] == nil {
                sink.warning(.undefinedReference, t.location, "track_script names '\(t.name)', but there is no vrrp_script '\(t.name)'; ignored, as keepalived ignores it")
            }
            for t in v.trackFiles where files[t.name] == nil {
                sink.error(.undefinedReference, t.location, "track_file names '\(t.name)', but there is no vrrp_track_file '\(t.name)'")
            }
            if v.unicastSourceIP != nil && v.unicastPeers.isEmpty {
                sink.warning(.suspicious, v.location, "unicast_src_ip is set but there is no unicast_peer; adverts go multicast")
            }
            for cmd in [v.notifyMaster, v.notifyBackup, v.notifyFault, v.notifyStop, v.notify, v.notifyMasterRxLowerPri,
                        v.notifyDeletedScript].compactMap({ $0 })
            where cmd.needsShell {
                sink.warning(.shellSyntax, cmd.location, "notify command uses shell syntax; keepalived 2.x runs it without a shell, Vigil runs it with /bin/bash -c")
            }
        }

        var groupOf: [String: SourceLocation] = [:]
        let instances = Set(c.vrrpInstances.map(\.name))
        for g in c.vrrpSyncGroups {
            for m in g.group {
                if !instances.contains(m.name) {
                    sink.error(.undefinedReference, m.location, "vrrp_sync_group '\(g.name)' names '\(m.name)', but there is no vrrp_instance '\(m.name)'")
                } else if let prev = groupOf[m.name] {
                    sink.error(.duplicate, m.location, "vrrp_instance '\(m.name)' is already in another sync group",
                               related: [.init(location: prev, message: "first here")])
                } else {
                    groupOf[m.name] = m.location
                }
            }
            for t in g.trackScripts where scripts[t.name] == nil {
                sink.warning(.undefinedReference, t.location, "track_script names '\(t.name)', but there is no vrrp_script '\(t.name)'; ignored, as keepalived ignores it")
            }
        }
        if c.globalDefs.lvsSyncDaemon == nil, let hold = c.globalDefs.vigilFailbackHold, hold > .zero {
            sink.warning(.ignoredKeyword, c.globalDefs.location, "vigil_failback_hold has no effect without lvs_sync_daemon: only a node that receives the connection state can wait for it")
        }
        if let d = c.globalDefs.lvsSyncDaemon, let name = d.vrrpInstance, !instances.contains(name) {
            sink.error(.undefinedReference, c.globalDefs.location, "lvs_sync_daemon names vrrp_instance '\(name)', which does not exist")
        }
        let groups = Set(c.virtualServerGroups.map(\.name))
        var services: [ServiceKey: SourceLocation] = [:]
        services.reserveCapacity(c.virtualServers.count)
        var reals: [RealKey: SourceLocation] = [:]
        for vs in c.virtualServers {
            if let checksum = vs.tunnel.checksum {
                sink.warning(.unsupportedKeyword, vs.location, "tunnel option '\(checksum.rawValue)' is not applied yet: the kernel's default (no checksum) is used")
            }
            let key: ServiceKey
            switch vs.address {
            case .address(let a, let p): key = .address(vs.protocol, a, p)
            case .fwmark(let m): key = .fwmark(m)
            case .group(let name):
                key = .group(name)
                if !groups.contains(name) {
                    sink.error(.undefinedReference, vs.location, "virtual_server group '\(name)' has no virtual_server_group '\(name)'")
                }
            }
            if let prev = services[key] {
                sink.error(.duplicate, vs.location, "virtual_server \(key.text) is defined twice",
                           related: [.init(location: prev, message: "first here")])
            } else {
                services[key] = vs.location
            }
            reals.removeAll(keepingCapacity: true)
            for rs in vs.realServers {
                let rkey = RealKey(address: rs.address, port: rs.port)
                if let prev = reals[rkey] {
                    sink.error(.duplicate, rs.location, "real_server \(rkey.text) appears twice in this virtual_server",
                               related: [.init(location: prev, message: "first here")])
                } else {
                    reals[rkey] = rs.location
                }
                if rs.lbKind == .dr, case .address(_, let vport) = vs.address, let p = rs.port, p != vport {
                    sink.warning(.suspicious, rs.location, "DR cannot change ports: real_server port \(p) differs from the virtual_server port \(vport)")
                }
                for ck in rs.checkers {
                    if case .misc(let misc) = ck.settings, ScriptCommand.needsShell(misc.path) {
                        sink.warning(.shellSyntax, ck.location, "misc_path uses shell syntax; keepalived 2.x runs it without a shell, Vigil runs it with /bin/bash -c")
                    }
                }
            }
            if let at = vs.vigilAnnounce { announced(vs, at: at, c) }
            if vs.realServers.isEmpty {
                sink.warning(.suspicious, vs.location,
                             "virtual_server has no real_server: ignored (no IPVS service), as keepalived ignores it")
            }
        }
    }

    /// `vigil_announce`: the service needs an address of its own (not fwmark, not a group), a route table to be
    /// announced in, and an address no VRRP instance moves (an announced service runs on every healthy director).
    private mutating func announced(_ vs: VirtualServerConfig, at: SourceLocation, _ c: KeepalivedConfig) {
        guard case .address(let address, _) = vs.address else {
            sink.error(.invalidValue, at, "vigil_announce needs a virtual_server with an address: a fwmark or group service has no single address to route")
            return
        }
        if c.globalDefs.vigilRouteTable == nil {
            sink.error(.missingValue, at, "vigil_announce needs 'vigil_route_table TABLE' in global_defs: the table the BGP engine learns the route from")
        }
        if let owner = c.vrrpInstances.first(where: { $0.virtualIPAddresses.contains { $0.address.address == address } }) {
            sink.error(.invalidValue, at, "vigil_announce: \(address) is a virtual_ipaddress of vrrp_instance '\(owner.name)': an address is either moved by VRRP or announced by every healthy director, not both",
                       related: [.init(location: owner.location, message: "vrrp_instance '\(owner.name)' here")])
        }
    }

    /// A virtual service's identity (its text only when a duplicate is reported).
    private enum ServiceKey: Hashable {
        case address(LVSProtocol, IPAddress, UInt16)
        case fwmark(UInt32)
        case group(String)

        var text: String {
            switch self {
            case .address(let proto, let a, let p): return "\(proto.rawValue) \(a) \(p)"
            case .fwmark(let m): return "fwmark \(m)"
            case .group(let name): return "group \(name)"
            }
        }
    }

    /// A real server's identity within its virtual server.
    private struct RealKey: Hashable {
        var address: IPAddress
        var port: UInt16?

        var text: String { "\(address) \(port.map(String.init) ?? "-")" }
    }

    /// keepalived 2.2.7 ignores the weights of an address owner's trackers (`vrrp_complete_instance`); the Director
    /// applies the same rule (`DirectorPlan.ownerTrackers`). One warning per tracker at its reference.
    /// `track_process` references: one naming no `vrrp_track_process` is ignored with a warning (keepalived ignores
    /// it); a weight in an address owner or in a sync group without `sync_group_tracking_weight` is ignored (keepalived's
    /// man page: weight 0 must be set there) and the process counts at weight 0.
    mutating func processTrackers(_ c: KeepalivedConfig) {
        let processes = Dictionary(c.vrrpTrackProcesses.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        let refs = c.vrrpInstances.flatMap(\.trackProcesses) + c.vrrpSyncGroups.flatMap(\.trackProcesses)
        for t in refs where processes[t.name] == nil {
            sink.warning(.undefinedReference, t.location, "track_process names '\(t.name)', but there is no vrrp_track_process '\(t.name)'; ignored, as keepalived ignores it")
        }
        for v in c.vrrpInstances {
            let group = c.vrrpSyncGroups.first { $0.group.contains { $0.name == v.name } }
            let because: String
            if v.priority == 255 {
                because = "the address owner (priority 255) cannot use weights"
            } else if let group, !group.globalTracking {
                because = "vrrp_instance '\(v.name)' is in vrrp_sync_group '\(group.name)', whose members' weights keepalived ignores without sync_group_tracking_weight"
            } else {
                continue
            }
            for t in v.trackProcesses {
                guard let p = processes[t.name], (t.weight ?? p.weight) != 0 else { continue }
                sink.warning(.keepalivedIgnores, t.location, "track_process \(t.name) has a weight, but \(because): Vigil tracks it at weight 0 (FAULT while its quorum is not met); write weight 0")
            }
        }
    }

    mutating func ownerTrackers(_ v: VRRPInstanceConfig, scripts: [String: VRRPScriptConfig],
                                files: [String: VRRPTrackFileConfig]) {
        trackerWeights(v, scripts: scripts, files: files, because: "the address owner (priority 255) cannot use weights",
                       interfaceOutcome: "keepalived stops tracking it, and so does Vigil")
    }

    /// keepalived 2.2.7 fixes the priorities of a sync group's members unless `sync_group_tracking_weight`; the
    /// Director applies the same rule (`DirectorPlan.syncGroupTrackers`). One warning per tracker at its reference.
    mutating func syncGroupTrackers(_ v: VRRPInstanceConfig, group: String, scripts: [String: VRRPScriptConfig],
                                    files: [String: VRRPTrackFileConfig]) {
        trackerWeights(v, scripts: scripts, files: files,
                       because: "vrrp_instance '\(v.name)' is in vrrp_sync_group '\(group)', whose members' weights keepalived ignores without sync_group_tracking_weight",
                       interfaceOutcome: "its going down puts the group in FAULT instead, in keepalived and in Vigil")
    }

    /// One warning per weighted tracker of `v` whose weight keepalived ignores `because`.
    private mutating func trackerWeights(_ v: VRRPInstanceConfig, scripts: [String: VRRPScriptConfig],
                                         files: [String: VRRPTrackFileConfig], because: String,
                                         interfaceOutcome: String) {
        for t in v.trackInterfaces where (t.weight ?? 0) != 0 {
            sink.warning(.keepalivedIgnores, t.location, "track_interface \(t.name) has a weight, but \(because): \(interfaceOutcome)")
        }
        for t in v.trackScripts {
            guard let s = scripts[t.name], (t.weight ?? s.weight) != 0 else { continue }
            sink.warning(.keepalivedIgnores, t.location, "track_script \(t.name) has a weight, but \(because): keepalived stops tracking it, and so does Vigil")
        }
        for t in v.trackFiles {
            guard let f = files[t.name] else { continue }
            let w = t.weight ?? f.weight
            let signed = w  // keepalived looks at the weight as written, reverse or not
            if signed == 1 {
                sink.warning(.keepalivedIgnores, t.location, "track_file \(t.name) at weight 1, but \(because): keepalived uses weight 0 (a non-zero value is FAULT), and so does Vigil; write weight 0")
            } else if signed != 0 {
                sink.warning(.keepalivedIgnores, t.location, "track_file \(t.name) has weight \(signed), but \(because): keepalived stops tracking it, and so does Vigil")
            }
        }
    }

    private mutating func duplicateNames(_ items: [(String, SourceLocation)], _ what: String) {
        var seen: [String: SourceLocation] = [:]
        for (name, loc) in items {
            if let prev = seen[name] {
                sink.error(.duplicate, loc, "\(what) '\(name)' is defined twice", related: [.init(location: prev, message: "first here")])
            } else {
                seen[name] = loc
            }
        }
    }

    /// Warnings about the machine this check runs on.
    mutating func hostFacts(_ c: KeepalivedConfig, fileSystem: any ConfigFileSystem) {
        var reported = Set<String>()
        for v in c.vrrpInstances where !v.interface.isEmpty {
            if !fileSystem.exists("/sys/class/net/\(v.interface)") && reported.insert(v.interface).inserted {
                sink.warning(.hostFact, v.location, "interface '\(v.interface)' does not exist on this host")
            }
        }
        for s in c.vrrpScripts {
            guard let first = s.script.split(separator: " ").first, first.hasPrefix("/") else { continue }
            if !fileSystem.exists(String(first)) {
                sink.warning(.hostFact, s.scriptLocation, "script '\(first)' does not exist on this host")
            }
        }
    }
}
