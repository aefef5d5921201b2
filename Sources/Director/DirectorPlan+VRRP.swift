import Config
import BFD
import HA
import Vocabulary

/// The VRRP side of the plan: the `Config` model as the HA module's input types (HA never imports Config).
extension DirectorPlan {
    /// The VRRP side of `config`: instances, sync groups and the scripts they track.
    static func vrrp(_ config: KeepalivedConfig) throws(PlanError) -> VRRPRuntimeConfiguration {
        var instances: [VRRPInstanceSpec] = []
        // keepalived names the unnamed macvlans in file order, avoiding every name written and those made before.
        var vmacNames = Set((config.vrrpInstances.compactMap { $0.useVMAC } + config.vrrpInstances.compactMap { $0.useIPVLAN?.name })
            .filter { !$0.isEmpty })
        for v in config.vrrpInstances {
            instances.append(try instance(v, config: config, vmacNames: &vmacNames))
        }
        let vmacs = instances.compactMap { i in i.vmac.map { (instance: i.name, vmac: $0) } }
        if let (first, second, why) = VMACPlan.conflicts(vmacs),
           let at = config.vrrpInstances.first(where: { $0.name == second })?.location {
            throw PlanError(location: at, message: "vrrp_instance '\(second)' and '\(first)' cannot both use_vmac here: \(why)")
        }
        let groups = config.vrrpSyncGroups.map {
            VRRPSyncGroupSpec(name: $0.name, members: $0.group.map(\.name),
                              notify: notify(master: $0.notifyMaster, backup: $0.notifyBackup, fault: $0.notifyFault,
                                             stop: $0.notifyStop, generic: $0.notify))
        }
        let scripts = config.vrrpScripts.map {
            VRRPScriptSpec(name: $0.name, command: ScriptCommand(command: $0.script, user: $0.user, group: $0.group),
                           interval: duration($0.interval),
                           timeout: $0.timeout.map(duration), rise: $0.rise, fall: $0.fall, initFail: $0.initFail)
        }
        let files = config.vrrpTrackFiles.map {
            VRRPTrackFileSpec(name: $0.name, path: $0.file, initValue: $0.initFile ?? 0, initialise: $0.initFile != nil,
                              overwrite: $0.initFileOverwrite)
        }
        var runtime = VRRPRuntimeConfiguration(instances: instances, syncGroups: groups, scripts: scripts,
                                               trackFiles: files)
        runtime.trackProcesses = config.vrrpTrackProcesses.map(trackProcess)
        var statics: [VirtualAddress] = []
        for a in config.staticIPAddresses {
            var s = try virtualAddress(a)
            // keepalived: a static address without `dev` goes on the default interface (default_interface, eth0).
            s.device = s.device ?? config.globalDefs.defaultInterface ?? "eth0"
            statics.append(s)
        }
        runtime.staticAddresses = statics
        runtime.staticRoutes = config.staticRoutes.map(route)
        runtime.staticRules = config.staticRules.map(rule)
        let g = config.globalDefs
        runtime.notifyFifos = [(g.notifyFifo, g.notifyFifoScript), (g.vrrpNotifyFifo, g.vrrpNotifyFifoScript)]
            .compactMap { fifo, script in
                fifo.map { NotifyFifoSpec(path: $0.script.command, user: $0.script.user, group: $0.script.group,
                                          script: script?.script) }
            }
        runtime.startupDelay = duration(config.globalDefs.vrrpStartupDelay)
        runtime.delayAfterBoot = duration(config.globalDefs.vrrpDelayAfterBoot)
        runtime.handoverOnStop = config.globalDefs.vigilHandoverOnStop
        runtime.logUnknownVRIDs = config.globalDefs.logUnknownVRIDs
        runtime.fifoWriteStatesOnReload = config.globalDefs.fifoWriteVRRPStatesOnReload
        runtime.garpInterval = duration(config.globalDefs.vrrpGarpInterval)
        runtime.gnaInterval = duration(config.globalDefs.vrrpGNAInterval)
        runtime.garpGroups = config.garpGroups.map {
            GARPGroupSpec(garpInterval: $0.garpInterval.map(duration), gnaInterval: $0.gnaInterval.map(duration),
                          interfaces: $0.interfaces)
        }
        runtime.vipFilter = VIPFilterSettings(table: config.globalDefs.nftablesTable ?? "vigil",
                                              chainPriority: config.globalDefs.nftablesPriority ?? -1)
        return runtime
    }

    /// A `bfd_instance` as a session (nil without a neighbor, which the builder already refused).
    static func bfdSession(_ b: BFDInstanceConfig) -> BFDSessionConfiguration? {
        guard let neighbor = b.neighbor else { return nil }
        let ttl = neighbor.isIPv6 ? b.hoplimit : b.ttl
        return BFDSessionConfiguration(name: b.name, neighbor: neighbor, source: b.source, requiredMinRx: b.minRx,
                                       desiredMinTx: b.minTx, idleTx: b.idleTx, multiplier: UInt8(clamping: b.multiplier),
                                       passive: b.passive, ttl: ttl.map { UInt8(clamping: $0) },
                                       maxHops: UInt8(clamping: b.maxHops))
    }

    /// `track_bfd` references: the entry's weight, else the `bfd_instance`'s (default 0: FAULT while down).
    static func bfdReferences(_ refs: [TrackReference], config: KeepalivedConfig) -> [VRRPTrackReference] {
        refs.compactMap { ref in
            guard let b = config.bfdInstances.first(where: { $0.name == ref.name }), b.reachesVRRP else { return nil }
            return VRRPTrackReference(name: ref.name, weight: ref.weight ?? b.weight,
                                      reverse: ref.weight == nil ? b.weightReverse || ref.reverse : ref.reverse)
        }
    }

    /// A VRRP time of the model, at most one day (the builder accepts up to a year; HA's timers need no more).
    static func duration(_ d: Duration) -> Duration { min(max(d, .zero), .seconds(86_400)) }

    static func notify(master: ConfigScript?, backup: ConfigScript?, fault: ConfigScript?, stop: ConfigScript?,
                       generic: ConfigScript?) -> VRRPNotifyScripts {
        VRRPNotifyScripts(master: master?.script, backup: backup?.script, fault: fault?.script,
                          stop: stop?.script, generic: generic?.script)
    }

    /// A route of the model in rtnetlink's numbers.
    static func route(_ r: RouteConfig) -> IPRoute {
        let types: [RouteConfig.Kind: UInt8] = [.unicast: 1, .local: 2, .broadcast: 3, .anycast: 4, .multicast: 5,
                                                .blackhole: 6, .unreachable: 7, .prohibit: 8, .throw: 9, .nat: 10]
        var route = IPRoute(destination: r.destination.address,
                            prefixLength: UInt8(clamping: r.destination.effectivePrefixLength),
                            type: types[r.kind] ?? 1, gateway: r.gateway, device: r.device,
                            preferredSource: r.preferredSource, table: r.table, metric: r.metric,
                            scope: r.scope ?? 0, routingProtocol: r.routingProtocol ?? 18, tos: r.tos ?? 0,
                            onlink: r.onlink)
        if let p = r.sourcePrefix {
            route.sourceAddress = p.address
            route.sourcePrefixLength = UInt8(clamping: p.effectivePrefixLength)
        }
        return route
    }

    /// A rule of the model in rtnetlink's numbers.
    static func rule(_ r: RuleConfig) -> IPRule {
        let action: UInt8
        var table: UInt32 = 0, target: UInt32 = 0
        switch r.action {
        case .table(let t): action = 1; table = t
        case .goto(let g): action = 2; target = g
        case .nop: action = 3
        case .blackhole: action = 6
        case .unreachable: action = 7
        case .prohibit: action = 8
        }
        var rule = IPRule(isIPv6: r.isIPv6, action: action, priority: r.priority)
        rule.table = table
        rule.gotoTarget = target
        if let f = r.from { rule.from = f.address; rule.fromLength = UInt8(clamping: f.effectivePrefixLength) }
        if let t = r.to { rule.to = t.address; rule.toLength = UInt8(clamping: t.effectivePrefixLength) }
        rule.fwmark = r.fwmark
        rule.fwmask = r.fwmask
        rule.inputInterface = r.inputInterface
        rule.outputInterface = r.outputInterface
        rule.tos = r.tos ?? 0
        rule.invert = r.invert
        rule.suppressPrefixLength = r.suppressPrefixLength
        rule.suppressInterfaceGroup = r.suppressInterfaceGroup
        rule.routingProtocol = r.routingProtocol ?? 18
        return rule
    }

    static func virtualAddress(_ v: VirtualIPAddress) throws(PlanError) -> VirtualAddress {
        return VirtualAddress(address: v.address.address, prefixLength: v.address.prefixLength.map { UInt8(clamping: $0) },
                              broadcast: v.broadcast, device: v.device, scope: v.scope ?? 0,
                              label: v.label)
    }

    /// One instance. `vmacNames` holds the macvlan names taken so far; a `use_vmac` without a name gets the next
    /// free one (`VMACSpec.generatedName`) and adds it.
    static func instance(_ v: VRRPInstanceConfig, config: KeepalivedConfig,
                         vmacNames: inout Set<String>) throws(PlanError) -> VRRPInstanceSpec {
        guard (1...255).contains(v.virtualRouterID) else {
            throw PlanError(location: v.virtualRouterIDLocation, message: "virtual_router_id \(v.virtualRouterID) is outside 1…255")
        }
        guard (1...255).contains(v.priority) else {
            throw PlanError(location: v.priorityLocation, message: "priority \(v.priority) is outside 1…255")
        }
        guard !v.interface.isEmpty else {
            throw PlanError(location: v.location, message: "vrrp_instance '\(v.name)' has no interface")
        }
        var vips: [VirtualAddress] = []
        for a in v.virtualIPAddresses { vips.append(try virtualAddress(a)) }
        var excluded: [VirtualAddress] = []
        for a in v.excludedVirtualIPAddresses { excluded.append(try virtualAddress(a)) }
        let version: VRRPVersion = v.version == 3 ? .v3 : .v2
        let auth: HA.VRRPAuthentication
        switch v.authentication?.type {
        case nil: auth = .none
        case .pass: auth = .password(v.authentication?.effectivePassword ?? "")
        case .ah: auth = .ah
        }
        // keepalived: mcast_src_ip and unicast_src_ip set the same source address, the last one written wins.
        let source = v.sourceIP
        var configuration = VRRPInstanceConfiguration(
            name: v.name, version: version, vrid: UInt8(v.virtualRouterID), priority: UInt8(v.priority),
            advertInterval: duration(v.advertInterval), preempt: !v.nopreempt, preemptDelay: duration(v.preemptDelay),
            virtualAddresses: vips.map(\.address), authentication: version == .v2 ? auth : .none,
            primaryAddress: source ?? .v4(0))
        if version == .v2, v.authentication?.type == .ah {
            // keepalived keys the HMAC with the first 8 bytes of auth_pass.
            configuration.authenticationHeaderKey = Array((v.authentication?.password ?? "").utf8.prefix(8))
        }
        if let h = v.authHMAC, let active = h.activeKey {
            let mode: VRRPAuthHMACPolicy.Mode = switch h.mode {
            case .enforce: .enforce
            case .permissive: .permissive
            case .receiveOnly: .receiveOnly
            }
            configuration.authHMAC = VRRPAuthHMACPolicy(
                keys: Dictionary(h.keys.map { (UInt8(clamping: $0.id), $0.bytes) }, uniquingKeysWith: { a, _ in a }),
                activeKey: UInt8(clamping: active), mode: mode, timeBased: h.antiReplay == .time,
                timeWindow: h.effectiveTimeWindow(advertInterval: v.advertInterval))
        }
        configuration.skipAddressListCheck = v.skipCheckAdvAddr
        // keepalived reads vrrp_check_unicast_src at run time, so it applies to every instance wherever it is written.
        configuration.checkUnicastSource = v.checkUnicastSrc || config.globalDefs.vrrpCheckUnicastSrc
        configuration.advertisesOnLowerPriority = !(v.lowerPrioNoAdvert ?? false)
        configuration.advertisesOnHigherPriority = v.higherPrioSendAdvert ?? false
        configuration.downTimerAdverts = v.downTimerAdverts ?? 3
        configuration.checksum = VRRPChecksumPolicy(
            oldUnicast: v.oldUnicastChecksum.map { $0 == .never ? .never : .always } ?? .detect,
            withoutPseudoHeader: v.v3ChecksumAsV2 ?? config.globalDefs.v3ChecksumAsV2,
            multicastGroup: config.globalDefs.vrrpMcastGroup4 ?? VRRPAdvertisement.multicastV4)
        configuration.ownerIgnoresAdverts = v.ownerIgnoreAdverts ?? false
        configuration.timerExpiredBackupPriority = v.timerExpiredBackup.map { UInt8(clamping: $0) }
        var trackScripts = scriptReferences(v.trackScripts, config: config)
        var trackFiles = fileReferences(v.trackFiles, config: config)
        var interfaces = interfaceReferences(v.trackInterfaces)
        var processes = processReferences(v.trackProcesses, config: config)
        let group = config.vrrpSyncGroups.first { $0.group.contains { $0.name == v.name } }
        if v.priority == 255 || (group.map { !$0.globalTracking } ?? false) {
            // keepalived's man page: weight 0 there (the validator warns at a weighted reference).
            processes = processes.map { VRRPTrackReference(name: $0.name, weight: 0, reverse: $0.reverse) }
        }
        if v.priority == 255 {
            ownerTrackers(scripts: &trackScripts, interfaces: &interfaces, files: &trackFiles)
        } else if let group, !group.globalTracking {
            syncGroupTrackers(scripts: &trackScripts, interfaces: &interfaces, files: &trackFiles)
        }
        if let group {
            // keepalived 2.2.7 (vrrp_complete_init): the group's own trackers are every member's, with their weights,
            // which a member at priority 255 turns to 0.
            let owner = group.group.contains { config.vrrpInstance(named: $0.name)?.priority == 255 }
            let unweighted = { (r: VRRPTrackReference) in
                owner ? VRRPTrackReference(name: r.name, weight: 0, reverse: r.reverse) : r
            }
            trackScripts += scriptReferences(group.trackScripts, config: config).map(unweighted)
            trackFiles += fileReferences(group.trackFiles, config: config).map(unweighted)
            interfaces += interfaceReferences(group.trackInterfaces).map(unweighted)
            processes += processReferences(group.trackProcesses, config: config).map(unweighted)
        }
        var spec = VRRPInstanceSpec(
            configuration: configuration, interface: v.interface, unicastSource: source,
            unicastPeers: v.unicastPeers.map(\.address), unicastTTL: v.unicastTTL.map { UInt8(clamping: $0) },
            multicastGroup: v.multicastDestination ?? (vips.first?.address.isIPv6 == true
                                                           ? config.globalDefs.vrrpMcastGroup6
                                                           : config.globalDefs.vrrpMcastGroup4),
            virtualAddresses: vips, excludedAddresses: excluded,
            garp: GratuitousARPSettings(masterDelay: duration(v.garpMasterDelay), masterRepeat: v.garpMasterRepeat,
                                        masterRefresh: duration(v.garpMasterRefresh),
                                        lowerPriorityRepeat: v.garpLowerPrioRepeat ?? v.garpMasterRepeat,
                                        lowerPriorityDelay: duration(v.garpLowerPrioDelay ?? v.garpMasterDelay),
                                        refreshRepeat: v.garpMasterRefreshRepeat),
            notify: notify(master: v.notifyMaster, backup: v.notifyBackup, fault: v.notifyFault, stop: v.notifyStop,
                           generic: v.notify),
            trackScripts: trackScripts, trackInterfaces: interfaces, trackFiles: trackFiles,
            tracksPrimaryInterface: !v.dontTrackPrimary)
        spec.trackProcesses = processes
        spec.trackBFDs = bfdReferences(v.trackBFDs, config: config)
            + (group.map { bfdReferences($0.trackBFDs, config: config) } ?? [])
        spec.notify.masterReceivedLowerPriority = v.notifyMasterRxLowerPri?.script
        spec.notify.notifiesDeleted = v.notifyDeleted
        spec.notify.deleted = v.notifyDeletedScript?.script
        // keepalived: the instance's own setting, else its sync group's, else the global one.
        spec.notifiesPriorityChanges = v.notifyPriorityChanges ?? group?.notifyPriorityChanges
            ?? config.globalDefs.vrrpNotifyPriorityChanges
        spec.filtersVIPTraffic = v.filtersVIPTraffic
        spec.virtualRoutes = v.virtualRoutes.map(route)
        spec.virtualRules = v.virtualRules.map(rule)
        let vrid = UInt8(v.virtualRouterID), ipv6 = spec.isIPv6
        /// The interface name written, else keepalived's next free `PREFIX.VRID` (taken into `vmacNames`).
        func interfaceName(_ written: String) -> String {
            guard written.isEmpty else { return written }
            let name = VMACSpec.generatedName(prefix: config.globalDefs.vmacPrefix ?? "vrrp", vrid: vrid, ipv6: ipv6,
                                              taken: vmacNames)
            vmacNames.insert(name)
            return name
        }
        if let ipvlan = v.useIPVLAN {
            // keepalived 2.2.7: the adverts go on the ipvlan, which has the base's MAC and its own address (their
            // source); the VIPs stay on the instance's interface (read off keepalived in the VM: they are on the base).
            let flags: UInt16 = switch ipvlan.mode {
            case .bridge: 0
            case .private: 1
            case .vepa: 2
            }
            let address = ipvlan.address.map { p in
                VirtualAddress(address: p.address, prefixLength: UInt8(p.prefixLength ?? (p.address.isIPv6 ? 128 : 32)))
            }
            spec.vmac = VMACSpec(name: interfaceName(ipvlan.name), base: v.interface, mac: [], ipv6: ipv6,
                                 ipvlan: IPVLANSpec(flags: flags, address: address))
        }
        if let written = v.useVMAC {
            // keepalived: the VIPs (those without their own dev) and the announcements go on the macvlan.
            var mac = v.vmacAddress ?? VMACSpec.virtualRouterMAC(vrid: vrid, ipv6: ipv6)
            if mac.count == 5 { mac.append(vrid) }
            let vmac = VMACSpec(name: interfaceName(written), base: v.interface, mac: mac,
                                transmitsOnBase: v.vmacXmitBase, ipv6: ipv6)
            spec.vmac = vmac
            spec.interface = vmac.name
        }
        spec.promotesSecondaries = v.promoteSecondaries
        spec.tracksSourceAddress = v.trackSrcIP && spec.unicastSource != nil
        if v.unicastFaultNoPeer, v.unicastPeers.isEmpty {
            spec.configurationFault = "unicast without any unicast_peer (unicast_fault_no_peer)"
        }
        return spec
    }

    /// `track_script` references with their weights: a reference's own weight wins over the script's; `reverse`
    /// inverts the sense. A reference to no script is dropped (the validator warns).
    static func scriptReferences(_ refs: [TrackReference], config: KeepalivedConfig) -> [VRRPTrackReference] {
        refs.filter { config.vrrpScript(named: $0.name) != nil }.map { ref in
            VRRPTrackReference(name: ref.name, weight: ref.weight ?? config.vrrpScript(named: ref.name)?.weight ?? 0,
                               reverse: ref.reverse)
        }
    }

    /// `track_file` references (default weight: the file's, else 1).
    static func fileReferences(_ refs: [TrackReference], config: KeepalivedConfig) -> [VRRPTrackReference] {
        refs.map { ref in
            VRRPTrackReference(name: ref.name, weight: ref.weight ?? config.vrrpTrackFile(named: ref.name)?.weight ?? 1,
                               reverse: ref.reverse)
        }
    }

    /// `track_process` references (default weight: the process tracker's, 0 unless written); one naming no
    /// `vrrp_track_process` is dropped (the validator warns).
    static func processReferences(_ refs: [TrackReference], config: KeepalivedConfig) -> [VRRPTrackReference] {
        refs.compactMap { ref in
            guard let p = config.vrrpTrackProcess(named: ref.name) else { return nil }
            return VRRPTrackReference(name: ref.name, weight: ref.weight ?? p.weight, reverse: ref.reverse || p.weightReverse)
        }
    }

    /// A `vrrp_track_process` as HA counts it: the name alone is matched against the process name; parameters,
    /// `param_match` or `full_command` match the command line.
    static func trackProcess(_ p: VRRPTrackProcessConfig) -> VRRPTrackProcessSpec {
        let parameters = Array(p.process.dropFirst())
        let match: VRRPTrackProcessSpec.Match
        switch p.paramMatch {
        case nil: match = parameters.isEmpty && !p.fullCommand ? .name : .exact
        case .exact: match = .exact
        case .partial: match = .partial
        case .initial: match = .initial
        }
        return VRRPTrackProcessSpec(name: p.name, process: p.process.first ?? "", parameters: parameters, match: match,
                                    quorum: p.quorum, quorumMax: p.quorumMax, forkDelay: p.forkDelay,
                                    terminateDelay: p.terminateDelay)
    }

    /// `track_interface` references (default weight 0: down is FAULT).
    static func interfaceReferences(_ refs: [TrackReference]) -> [VRRPTrackReference] {
        refs.map { VRRPTrackReference(name: $0.name, weight: $0.weight ?? 0, reverse: $0.reverse) }
    }

    /// keepalived 2.2.7 (`vrrp_complete_instance`) keeps the priorities of a sync group's members fixed unless the
    /// group has `sync_group_tracking_weight` (or `global_tracking`): a member's weighted interfaces count with
    /// weight 0 (down is FAULT, for the whole group), its weighted scripts are not tracked, a track file at the
    /// default weight 1 counts with weight 0 and one with another weight is not tracked. The validator warns.
    static func syncGroupTrackers(scripts: inout [VRRPTrackReference], interfaces: inout [VRRPTrackReference],
                                  files: inout [VRRPTrackReference]) {
        scripts.removeAll { $0.weight != 0 }
        interfaces = interfaces.map { VRRPTrackReference(name: $0.name, weight: 0, reverse: $0.reverse) }
        files = files.compactMap { ref in
            switch ref.weight {
            case 0: return ref
            case 1: return VRRPTrackReference(name: ref.name, weight: 0, reverse: ref.reverse)
            default: return nil
            }
        }
    }

    /// keepalived 2.2.7 (`vrrp_complete_instance`) ignores weights for the address owner (priority 255): weighted
    /// interfaces and scripts are not tracked, a track file at the default weight 1 counts with weight 0 (a non-zero
    /// value is FAULT), one with another weight is not tracked. Unweighted trackers stay. The validator warns.
    static func ownerTrackers(scripts: inout [VRRPTrackReference], interfaces: inout [VRRPTrackReference],
                              files: inout [VRRPTrackReference]) {
        scripts.removeAll { $0.weight != 0 }
        interfaces.removeAll { $0.weight != 0 }
        files = files.compactMap { ref in
            switch ref.weight {
            case 0: return ref
            case 1: return VRRPTrackReference(name: ref.name, weight: 0, reverse: ref.reverse)
            default: return nil
            }
        }
    }
}
