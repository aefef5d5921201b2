// Theory of operation
// -------------------
// A VRRP router in RFC 5798 §1.6's sense: this node with every virtual router (`vrrp_instance`) it runs, as a plain
// value. Each instance's protocol is its `VRRPInstance`; the router adds what lies between the instances and
// around them:
//
// - Trackers: `vrrp_script` results, interface and track-file readings go in; an instance whose trackers changed
//   gets their sum (`VRRPTrackers`) as its priority adjustment and fault flag. The primary interface is tracked
//   like a weight-0 `track_interface` unless `dont_track_primary`: down or deleted is FAULT.
// - Sync groups: when a member reaches MASTER, BACKUP or FAULT, the other members are moved there too, and the
//   group's notify scripts run once the whole group is there. A group stays in FAULT while any member's own trackers
//   fault it (keepalived's `num_member_fault`).
// - The VIPs of each instance, a small machine of their own: absent, awaiting the load balancer's table (the
//   takeover is gated: the runtime calls the Director's hook and reports `takeoverPrepared`; at `takeoverLimit`
//   the VIPs go up anyway), or held, with the next gratuitous ARP burst (`garp_master_delay`, then every
//   `garp_master_refresh`).
// - Notify scripts of instances, chosen by the state entered.
// - Reload: unchanged instances keep running; changed ones on the same transport keep their state (keepalived's
//   reload), with their VIPs following the new list; removed ones, and changed ones on another transport, leave as
//   on shutdown and are reopened.
//
// Events: `transportOpened`/`transportFailed` (the runtime opens a transport for each spec in `awaitingTransport`),
// `packetReceived`, `deadlineReached`, `scriptFinished`, `linkStateRead` (rtnetlink: up, down, deleted),
// `trackFileRead`, `takeoverPrepared`, `configurationReloaded`, `shutdown`. Each returns `[VRRPRouterAction]` to
// perform in order.
// `nextDeadline` is the earliest of every instance's timers, the takeover limits and the GARP bursts; calling
// `deadlineReached(now:)` early or twice does nothing.
//
// The router opens no socket, reads no clock or file, runs no script and does not log. Which trackers to watch is
// `watchedScripts`, `watchedInterfaces` and `watchedFiles`; the runtime reads each once when it starts watching.

import Vocabulary

/// Every VRRP instance of this node and what couples them. See the theory of operation above.
public struct VRRPRouter: Sendable {
    /// The longest a takeover waits for the load balancer's table (`takeoverPrepared`) before the VIPs go up anyway.
    public static let takeoverLimit: Duration = .seconds(1)

    /// Where an instance's virtual addresses are.
    private enum VIPs: Sendable, Hashable {
        /// Not held (not MASTER, or removed).
        case absent
        /// MASTER, held back until the takeover with `ticket` is prepared or `limit` passes.
        case awaitingTable(ticket: UInt64, limit: Instant)
        /// Added and announced; the next burst of announcements is due at `nextBurst` (nil: none planned), a
        /// `garp_master_refresh` burst when `refresh`, else the one after `garp_master_delay`.
        case held(nextBurst: Instant?, refresh: Bool)

        var deadline: Instant? {
            switch self {
            case .absent: return nil
            case .awaitingTable(_, let limit): return limit
            case .held(let next, _): return next
            }
        }

        func isAwaiting(ticket: UInt64) -> Bool {
            switch self {
            case .absent, .held: return false
            case .awaitingTable(let t, _): return t == ticket
            }
        }
    }

    private struct Member: Sendable {
        var spec: VRRPInstanceSpec
        var instance: VRRPInstance
        var vips: VIPs = .absent
        /// The second burst of announcements after a lower-priority advert (`garp_lower_prio_delay`).
        var lowerPriorityBurst: Instant?
        /// A unicast advert with keepalived 1.3.6's checksum was heard (`old_unicast_checksum` detection).
        var oldChecksumDetected = false

        var checksumRule: VRRPChecksumRule {
            spec.configuration.checksum.rule(unicast: !spec.unicastPeers.isEmpty, detected: oldChecksumDetected)
        }
    }

    /// The configuration in force.
    public private(set) var configuration: VRRPRuntimeConfiguration
    /// Whether a takeover waits for the load balancer's table (`prepareTakeover`) before adding VIPs.
    public let gatesTakeover: Bool
    /// Configured instances whose transport the runtime has yet to open (then `transportOpened` or `transportFailed`).
    public private(set) var awaitingTransport: [VRRPInstanceSpec]
    private var members: [Member] = []
    /// `log_unknown_vrids`: when each (interface, VRID, source) was last reported, at most `unknownVRIDMemory` of them.
    private var unknownVRIDReported: [UnknownVRIDKey: Instant] = [:]
    static let unknownVRIDMemory = 1024

    private struct UnknownVRIDKey: Hashable, Sendable {
        var interface: String
        var vrid: UInt8
        var source: IPAddress
    }
    private var trackers = VRRPTrackers()
    private var nextTicket: UInt64 = 1
    /// A stop waits for the handovers of `stopRequested(now:)`.
    private var draining = false
    /// `vrrp_startup_delay`: instances started before this instant wait for it before their master-down timer runs.
    public var delayedStart: Instant?

    /// Creates a router for `configuration`; every instance awaits its transport. `gatesTakeover`: see the property.
    public init(configuration: VRRPRuntimeConfiguration, gatesTakeover: Bool = false) {
        self.configuration = configuration
        self.gatesTakeover = gatesTakeover
        self.awaitingTransport = configuration.instances
        trackers.configure(configuration)
    }

    // MARK: Queries

    /// The earliest instant at which `deadlineReached(now:)` has something to do.
    public var nextDeadline: Instant? {
        (members.flatMap { [$0.instance.nextWakeup, $0.vips.deadline, $0.lowerPriorityBurst] } + [trackers.processDeadline])
            .compactMap { $0 }.min()
    }

    /// The state of each running instance, by name.
    public var states: [String: VRRPState] {
        Dictionary(members.map { ($0.spec.name, $0.instance.currentState) }, uniquingKeysWith: { a, _ in a })
    }

    /// The counters of each running instance, by name.
    public var counters: [String: VRRPCounters] {
        Dictionary(members.map { ($0.spec.name, $0.instance.counters) }, uniquingKeysWith: { a, _ in a })
    }

    /// The effective priority of each running instance and the trackers behind it, by name.
    public var priorities: [String: VRRPPriorityReport] {
        Dictionary(members.map { member in
            let sum = trackers.sum(for: member.spec)
            return (member.spec.name, VRRPPriorityReport(effective: member.instance.effectivePriority, fault: sum.fault,
                                                         trackers: sum.lines))
        }, uniquingKeysWith: { a, _ in a })
    }

    /// The peers each running instance has heard, by name.
    public var peers: [String: [IPAddress: VRRPPeerSighting]] {
        Dictionary(members.map { ($0.spec.name, $0.instance.peers) }, uniquingKeysWith: { a, _ in a })
    }

    /// Whether each tracked `vrrp_script` is up now (keepalived's GOOD; rise/fall applied), by name.
    public var scriptsUp: [String: Bool] { trackers.scriptsUp }

    /// The `vrrp_script`s some instance tracks, by name: the runtime runs each every `interval`.
    public var watchedScripts: [String: VRRPScriptSpec] { trackers.watchedScripts }
    /// The interfaces some instance tracks (`track_interface`, primary interfaces): the runtime reports each one's
    /// state when it starts watching it, then every change rtnetlink reports.
    public var watchedInterfaces: Set<String> { trackers.watchedInterfaces }
    /// The track files some instance references, by name: read like the interfaces.
    public var watchedFiles: [String: VRRPTrackFileSpec] { trackers.watchedFiles }

    // MARK: Events

    /// The runtime opened the transport of `instance`; the kernel sends from `primaryAddress` (the equal-priority
    /// tie-break). Starts the instance with its trackers applied.
    public mutating func transportOpened(instance name: String, primaryAddress: IPAddress,
                                         now: Instant) -> [VRRPRouterAction] {
        guard let k = awaitingTransport.firstIndex(where: { $0.name == name }) else { return [] }
        let spec = awaitingTransport.remove(at: k)
        var configuration = spec.configuration
        configuration.primaryAddress = primaryAddress
        var instance = VRRPInstance(configuration: configuration)
        if let until = delayedStart, now < until { instance.delayedStart = until }
        members.append(Member(spec: spec, instance: instance))
        let i = members.count - 1
        var out: [VRRPRouterAction] = []
        out += trackersApplied(member: i, now: now)
        out += process(members[i].instance.start(now: now), member: i, now: now)
        return out
    }

    /// The runtime could not open the transport of `instance`; the instance does not run.
    public mutating func transportFailed(instance name: String) {
        awaitingTransport.removeAll { $0.name == name }
    }

    /// A packet arrived on the transport of `instance`. Adverts of other virtual routers on the link are ignored; the
    /// rest go to the instance (which checks the source against the unicast peers when asked to), undecodable ones
    /// counted as malformed.
    public mutating func packetReceived(_ packet: VRRPReceivedPacket, instance name: String,
                                        now: Instant) -> [VRRPRouterAction] {
        guard let i = members.firstIndex(where: { $0.spec.name == name }) else { return [] }
        let spec = members[i].spec
        let actions: [VRRPAction]
        var out: [VRRPRouterAction] = []
        // auth_hmac: the trailer (28 bytes more than the header describes) is split off; only then is it looked for.
        var pdu = packet.payload
        var evidence: VRRPAuthHMACEvidence?
        if spec.configuration.authHMAC != nil {
            let split = VRRPAdvertisement.splitTrailer(packet.payload, ipv6: packet.source.isIPv6)
            pdu = split.pdu
            evidence = VRRPAuthHMACEvidence(pdu: split.pdu, trailer: split.trailer, wallTime: packet.wallTime)
        }
        do {
            let ad: VRRPAdvertisement
            do {
                ad = try VRRPAdvertisement.decode(pdu, source: packet.source, destination: packet.destination,
                                                  checksum: members[i].checksumRule, trailing: evidence?.trailer ?? [])
            } catch .badChecksum where oldUnicastChecksumDetectable(member: i, packet) {
                // keepalived's detection: a unicast VRRPv3 advert whose checksum verifies with the multicast group
                // in the pseudo-header comes from keepalived 1.3.6 or earlier; from now on we speak as it does.
                let group = spec.configuration.checksum.multicastGroup
                ad = try VRRPAdvertisement.decode(pdu, source: packet.source, destination: packet.destination,
                                                  checksum: .multicastGroup(group), trailing: evidence?.trailer ?? [])
                members[i].oldChecksumDetected = true
                out.append(.checksumRuleChanged(instance: spec.name, members[i].checksumRule, from: packet.source))
            }
            guard ad.vrid == spec.configuration.vrid else {
                return out + unknownVRID(ad.vrid, from: packet.source, member: i, now: now)
            }
            actions = members[i].instance.advertisementReceived(ad, from: packet.source, ttl: packet.ttl,
                                                                authenticationHeader: packet.authenticationHeader,
                                                                authHMAC: evidence, now: now)
        } catch {
            actions = members[i].instance.malformedPacketReceived(error, from: packet.source)
        }
        return out + process(actions, member: i, now: now)
    }

    /// Whether a VRRPv3 IPv4 unicast advert of member `i` that failed its checksum may carry keepalived 1.3.6's
    /// (the instance detects it, has not yet, and the packet was not sent to the multicast group).
    private func oldUnicastChecksumDetectable(member i: Int, _ packet: VRRPReceivedPacket) -> Bool {
        let spec = members[i].spec
        let policy = spec.configuration.checksum
        return spec.configuration.version == .v3 && !packet.source.isIPv6 && !spec.unicastPeers.isEmpty
            && !policy.withoutPseudoHeader && policy.oldUnicast == .detect && !members[i].oldChecksumDetected
            && packet.destination != policy.multicastGroup
    }

    /// The checksum rule member `name`'s transport starts with.
    public func checksumRule(instance name: String) -> VRRPChecksumRule? {
        members.first { $0.spec.name == name }?.checksumRule
    }

    /// An advert for another VRID on member `i`'s transport: with `log_unknown_vrids`, reported when no instance on
    /// that interface and address family runs the VRID, by the first such member only (every instance's transport
    /// sees the packet), and once per interface, VRID and source per `unknownVRIDLogInterval`.
    private mutating func unknownVRID(_ vrid: UInt8, from source: IPAddress, member i: Int,
                                      now: Instant) -> [VRRPRouterAction] {
        guard configuration.logUnknownVRIDs else { return [] }
        let interface = members[i].spec.link
        let family = source.isIPv6
        let sameLink = members.indices.filter {
            members[$0].spec.link == interface && members[$0].spec.configuration.primaryAddress.isIPv6 == family
        }
        guard sameLink.first == i,
              !sameLink.contains(where: { members[$0].spec.configuration.vrid == vrid }) else { return [] }
        let key = UnknownVRIDKey(interface: interface, vrid: vrid, source: source)
        let interval = VRRPRuntimeConfiguration.unknownVRIDLogInterval
        if let last = unknownVRIDReported[key], now - last < interval { return [] }
        // Sources and VRIDs come off the wire (spoofable): the memory of what was logged stays bounded. Expired keys
        // go first; while it is still full, new keys are not logged (their adverts are counted anyway).
        if unknownVRIDReported[key] == nil, unknownVRIDReported.count >= Self.unknownVRIDMemory {
            unknownVRIDReported = unknownVRIDReported.filter { now - $0.value < interval }
            guard unknownVRIDReported.count < Self.unknownVRIDMemory else { return [] }
        }
        unknownVRIDReported[key] = now
        return [.unknownVRID(vrid: vrid, interface: interface, from: source)]
    }

    /// Fires what is due: instance timers, takeover limits (the VIPs go up without the table) and GARP bursts.
    public mutating func deadlineReached(now: Instant) -> [VRRPRouterAction] {
        var out: [VRRPRouterAction] = []
        for i in members.indices {
            if let due = members[i].instance.nextWakeup, due <= now {
                out += process(members[i].instance.deadlineReached(now: now), member: i, now: now)
            }
            switch members[i].vips {
            case .absent:
                break
            case .awaitingTable(_, let limit):
                if limit <= now { out += vipsAdded(member: i, now: now) }
            case .held(let next, _):
                if let next, next <= now, members[i].instance.currentState == .master {
                    out += announcementBurst(member: i, now: now)
                }
            }
            if let due = members[i].lowerPriorityBurst, due <= now {
                members[i].lowerPriorityBurst = nil
                out += lowerPriorityAnnouncement(member: i)
            }
        }
        for change in trackers.processDeadlinesReached(now: now) { out += trackerChanged(change, now: now) }
        return out
    }

    /// Member `i` heard a lower-priority advert: it and the members of its sync group announce their VIPs
    /// `garp_lower_prio_repeat` times now and again after `garp_lower_prio_delay`, as keepalived does (each member
    /// with its own settings; only where the VIPs are up).
    private mutating func lowerPriorityHeard(member i: Int, now: Instant) -> [VRRPRouterAction] {
        let name = members[i].spec.name
        let group = configuration.syncGroups.first { $0.members.contains(name) }
        var out: [VRRPRouterAction] = []
        for j in members.indices where j == i || group?.members.contains(members[j].spec.name) == true {
            let garp = members[j].spec.garp
            guard garp.lowerPriorityRepeat > 0 else { continue }
            let before = out.count
            out += lowerPriorityAnnouncement(member: j)
            if out.count > before, garp.lowerPriorityDelay > .zero {
                members[j].lowerPriorityBurst = now + garp.lowerPriorityDelay
            }
        }
        return out
    }

    /// One burst of `garp_lower_prio_repeat` announcements for member `i`, if it is MASTER with its VIPs up.
    private func lowerPriorityAnnouncement(member i: Int) -> [VRRPRouterAction] {
        let spec = members[i].spec
        guard members[i].instance.currentState == .master, case .held = members[i].vips,
              spec.garp.lowerPriorityRepeat > 0 else { return [] }
        return [.announce(instance: spec.name, interface: spec.interface, addresses: spec.allAddresses,
                          count: spec.garp.lowerPriorityRepeat)]
    }

    /// The load balancer's table for the takeover `ticket` (from `prepareTakeover`) is in: the VIPs go up, unless the
    /// takeover is over (the instance left MASTER, or the limit already added them).
    public mutating func takeoverPrepared(ticket: UInt64, now: Instant) -> [VRRPRouterAction] {
        guard let i = members.firstIndex(where: { $0.vips.isAwaiting(ticket: ticket) }),
              members[i].instance.currentState == .master else { return [] }
        return vipsAdded(member: i, now: now)
    }

    /// The Director holds or releases the preemption of instance `name` (its failback hold); unknown names are
    /// ignored (the instance may have left the configuration meanwhile).
    public mutating func preemptionHoldChanged(instance name: String, held: Bool, now: Instant) -> [VRRPRouterAction] {
        guard let i = members.firstIndex(where: { $0.spec.name == name }) else { return [] }
        return process(members[i].instance.preemptionHoldChanged(held, now: now), member: i, now: now)
    }

    /// A planned handover of `names` (nil: every instance), or its end (`cancel`): see `VRRPInstance.handover(now:)`.
    /// Returns the actions and, per instance asked for, what happens: `handing over` (a MASTER waiting for the new
    /// one), `yielding` (not MASTER: it will not preempt), `resumed` (cancelled), or `unknown instance`.
    public mutating func handover(_ names: [String]?, cancel: Bool, now: Instant) -> (actions: [VRRPRouterAction], outcome: [String: String]) {
        var out: [VRRPRouterAction] = []
        var outcome: [String: String] = [:]
        let wanted = names ?? members.map(\.spec.name)
        for name in wanted {
            guard let i = members.firstIndex(where: { $0.spec.name == name }) else {
                outcome[name] = "unknown instance"
                continue
            }
            let actions = cancel ? members[i].instance.cancelHandover(now: now) : members[i].instance.handover(now: now)
            out += process(actions, member: i, now: now)
            if members[i].instance.handingOver, case .held = members[i].vips {
                // No later announcement of ours (garp_master_delay, _refresh): it would pull the neighbours back to
                // this node while the new MASTER takes the VIPs over.
                members[i].vips = .held(nextBurst: nil, refresh: false)
            }
            if cancel {
                outcome[name] = "resumed"
            } else {
                outcome[name] = members[i].instance.handingOver ? "handing over" : "yielding"
            }
        }
        return (out, outcome)
    }

    /// A stop was asked (SIGTERM). With `vigil_handover_on_stop` (`handoverOnStop`) and a MASTER instance, the MASTERs
    /// are handed over first (`.stoppingAfterHandover`) and the stop completes in `stopIfDrained(now:)` once none waits
    /// for its new MASTER; otherwise, and for a second request, the instances stop now (`shutdown(now:)`).
    public mutating func stopRequested(now: Instant) -> (actions: [VRRPRouterAction], stopped: Bool) {
        let masters = members.filter { $0.instance.currentState == .master }.map(\.spec.name)
        guard configuration.handoverOnStop, !draining, !masters.isEmpty else { return (shutdown(now: now), true) }
        draining = true
        return ([.stoppingAfterHandover(instances: masters)] + handover(masters, cancel: false, now: now).actions, false)
    }

    /// After any event while a stop waits for handovers: the shutdown's actions once no instance waits any more (the
    /// new MASTER advertised, or the wait ran out), else nil (also when no stop waits).
    public mutating func stopIfDrained(now: Instant) -> [VRRPRouterAction]? {
        guard draining, !members.contains(where: { $0.instance.handingOver }) else { return nil }
        draining = false
        return shutdown(now: now)
    }

    /// One run of `vrrp_script` `name` finished.
    public mutating func scriptFinished(_ name: String, succeeded: Bool, now: Instant) -> [VRRPRouterAction] {
        trackerChanged(trackers.scriptFinished(name, succeeded: succeeded), now: now)
    }

    /// The runtime read the state of interface `name`: up (IFF_UP and IFF_RUNNING) or down.
    public mutating func interfaceStateRead(_ name: String, up: Bool, now: Instant) -> [VRRPRouterAction] {
        linkStateRead(name, state: up ? .up : .down, now: now)
    }

    /// The runtime learnt the state of interface `name` from rtnetlink (a dump or an event). Names no instance
    /// tracks are ignored. The first reading of a name is not logged, but applied: an instance whose primary
    /// interface is down goes to FAULT.
    ///
    /// A primary interface that is deleted faults its instances even under `dont_track_primary` (keepalived's
    /// `cleanup_lost_interface`), and they stay in FAULT when a link of that name comes back (reported once by
    /// `primaryInterfaceRecreated`): their sockets are bound to the deleted device.
    public mutating func linkStateRead(_ name: String, state: VRRPLinkState, now: Instant) -> [VRRPRouterAction] {
        let onIt = members.indices.filter { members[$0].spec.interface == name }
        if state != .absent, trackers.deletedPrimaries.contains(name) {
            guard trackers.recreationReported(name) else { return [] }
            return [.primaryInterfaceRecreated(interface: name, instances: onIt.map { members[$0].spec.name })]
        }
        let newlyDeleted = state == .absent && !onIt.isEmpty && trackers.primaryDeleted(name)
        let first = !trackers.hasReading(interface: name)
        let change = trackers.interfaceRead(name, state: state)
        var out: [VRRPRouterAction] = []
        if first, trackers.hasReading(interface: name) {
            for i in affectedMembers(where: { VRRPTrackers.references($0, interface: name) }) {
                out += trackersApplied(member: i, now: now)
            }
        } else {
            out += trackerChanged(change, now: now)
        }
        if newlyDeleted {
            for i in affectedMembers(where: { $0.interface == name }) { out += trackersApplied(member: i, now: now) }
        }
        return out
    }

    /// The runtime read track file `name`.
    /// The process monitor's counts of matching processes, by `vrrp_track_process` name (see `ProcessCensus`).
    public mutating func processesCounted(_ counts: [String: Int], now: Instant) -> [VRRPRouterAction] {
        trackers.processesCounted(counts, now: now).flatMap { trackerChanged($0, now: now) }
    }

    /// The `vrrp_track_process` specs the instances reference (the process monitor counts these).
    public var watchedProcesses: [VRRPTrackProcessSpec] { trackers.watchedProcesses }

    /// `track_src_ip`: whether the source address `address` is on an interface now.
    public mutating func sourceAddressRead(_ address: IPAddress, present: Bool, now: Instant) -> [VRRPRouterAction] {
        trackerChanged(trackers.sourceAddressRead(address, present: present), now: now)
    }

    /// The source addresses the runtime reports with `sourceAddressRead` (instances with `track_src_ip`).
    public var watchedSourceAddresses: Set<IPAddress> { trackers.watchedSourceAddresses }

    /// BFD session `name` (a `bfd_instance`) went Up or left Up.
    public mutating func bfdChanged(_ name: String, up: Bool, now: Instant) -> [VRRPRouterAction] {
        trackerChanged(trackers.bfdChanged(name, up: up), now: now)
    }

    public mutating func trackFileRead(_ name: String, value: Int, now: Instant) -> [VRRPRouterAction] {
        trackerChanged(trackers.fileRead(name, value: value), now: now)
    }

    /// A new configuration (SIGHUP). Instances whose spec is unchanged keep running untouched (no flap). A changed
    /// instance on the same transport (interface, unicast source and peers, family, VRID, version) keeps its state, as
    /// keepalived's does: a MASTER stays MASTER, its removed VIPs go and its new ones are added and announced, and it
    /// advertises the new values at once. Removed instances, and changed ones on another transport, leave as on
    /// shutdown (priority 0 if MASTER) and their transports close; those and new ones then await their transport and
    /// start in BACKUP. Scripts with unchanged specs keep their rise/fall state.
    public mutating func configurationReloaded(_ new: VRRPRuntimeConfiguration, now: Instant) -> [VRRPRouterAction] {
        let wanted = Dictionary(new.instances.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        var out: [VRRPRouterAction] = []
        var leaving: Set<Int> = []
        var kept: [(member: Int, spec: VRRPInstanceSpec)] = []
        for i in members.indices where wanted[members[i].spec.name] != members[i].spec {
            if let spec = wanted[members[i].spec.name], members[i].spec.sameTransport(as: spec) {
                kept.append((i, spec))
                continue
            }
            let removed = wanted[members[i].spec.name] == nil
            out += process(members[i].instance.shutdown(now: now, reason: removed ? .removedByReload : .shutdown),
                           member: i, now: now)
            out.append(.closeTransport(instance: members[i].spec.name))
            leaving.insert(i)
        }
        configuration = new
        trackers.configure(new)
        for (i, spec) in kept { out += stateKept(member: i, spec: spec, now: now) }
        members = members.indices.filter { !leaving.contains($0) }.map { members[$0] }
        awaitingTransport = new.instances.filter { spec in !members.contains { $0.spec.name == spec.name } }
        if new.fifoWriteStatesOnReload { out += statesWrittenOnReload() }
        return out
    }

    /// `fifo_write_vrrp_states_on_reload`: the FIFO lines of the states a reload kept — every sync group whose running
    /// members share one state, then every running instance in BACKUP or FAULT, in configuration order.
    private func statesWrittenOnReload() -> [VRRPRouterAction] {
        var out: [VRRPRouterAction] = []
        for group in configuration.syncGroups {
            let states = group.members.compactMap { name in members.first { $0.spec.name == name }?.instance.currentState }
            guard states.count == group.members.count, let state = states.first,
                  states.allSatisfy({ $0 == state }) else { continue }
            out += fifoLine("GROUP", group.name, state.rawValue, 0)
        }
        for spec in configuration.instances {
            guard let member = members.first(where: { $0.spec.name == spec.name }),
                  [.backup, .fault].contains(member.instance.currentState) else { continue }
            out += fifoLine("INSTANCE", spec.name, member.instance.currentState.rawValue, member.instance.effectivePriority)
        }
        return out
    }

    /// Member `i` runs on with `spec` (see `configurationReloaded`): held VIPs follow the new list (removed first,
    /// then added and announced), then the instance gets its new configuration and trackers.
    private mutating func stateKept(member i: Int, spec: VRRPInstanceSpec, now: Instant) -> [VRRPRouterAction] {
        let old = members[i].spec
        members[i].spec = spec
        var out: [VRRPRouterAction] = []
        switch members[i].vips {
        case .held:
            let gone = old.allAddresses.filter { !spec.allAddresses.contains($0) }
            let added = spec.allAddresses.filter { !old.allAddresses.contains($0) }
            let routesGone = old.virtualRoutes.filter { !spec.virtualRoutes.contains($0) }
            let routesAdded = spec.virtualRoutes.filter { !old.virtualRoutes.contains($0) }
            let rulesGone = old.virtualRules.filter { !spec.virtualRules.contains($0) }
            let rulesAdded = spec.virtualRules.filter { !old.virtualRules.contains($0) }
            if !(routesGone.isEmpty && rulesGone.isEmpty) {
                out.append(.removeRoutes(instance: spec.name, routes: routesGone, rules: rulesGone))
            }
            if !gone.isEmpty { out.append(.removeVIPs(instance: spec.name, interface: old.interface, addresses: gone)) }
            if (old.filtersVIPTraffic || spec.filtersVIPTraffic),
               old.filtersVIPTraffic != spec.filtersVIPTraffic || !gone.isEmpty || !added.isEmpty {
                out.append(Self.filter(spec))
            }
            if !added.isEmpty {
                out.append(.addVIPs(instance: spec.name, interface: spec.interface, addresses: added,
                                    announcements: spec.announcementsPerBurst))
            }
            if !(routesAdded.isEmpty && rulesAdded.isEmpty) {
                out.append(.addRoutes(instance: spec.name, routes: routesAdded, rules: rulesAdded))
            }
        case .absent, .awaitingTable:
            break
        }
        out += process(members[i].instance.configurationReloaded(spec.configuration, now: now), member: i, now: now)
        out += trackersApplied(member: i, now: now)
        return out
    }

    /// Leaves the protocol: every MASTER sends a priority-0 advert and removes its VIPs; every instance ends in STOP.
    public mutating func shutdown(now: Instant) -> [VRRPRouterAction] {
        var out: [VRRPRouterAction] = []
        for i in members.indices {
            out += process(members[i].instance.shutdown(now: now), member: i, now: now)
        }
        return out
    }
}

extension VRRPRouter {
    /// Turns the actions of member `i`'s instance into the router's: VIPs through the takeover gate, notify scripts
    /// and sync-group following on transitions. `followsGroup` is false for a member the sync group is moving (the
    /// member that moved first moves the rest and runs the group's notify scripts once).
    private mutating func process(_ actions: [VRRPAction], member i: Int, now: Instant,
                                  followsGroup: Bool = true) -> [VRRPRouterAction] {
        let spec = members[i].spec
        var out: [VRRPRouterAction] = []
        for action in actions {
            switch action {
            case .send(let ad):
                out.append(.send(instance: spec.name, ad))
            case .addVIPs:
                guard gatesTakeover else {
                    out += vipsAdded(member: i, now: now)
                    continue
                }
                // The table first: the runtime asks the Director to install it, then (or at the limit) the VIPs go up.
                let reason = actions.lazy.compactMap { action -> String? in
                    if case .transition(_, .master, let r) = action { return "\(r)" }
                    return nil
                }.first ?? "MASTER"
                let ticket = nextTicket
                nextTicket &+= 1
                members[i].vips = .awaitingTable(ticket: ticket, limit: now + Self.takeoverLimit)
                out.append(.prepareTakeover(instance: spec.name, reason: reason, ticket: ticket))
            case .removeVIPs:
                let added: Bool
                switch members[i].vips {
                case .awaitingTable: added = false
                case .absent, .held: added = true
                }
                members[i].vips = .absent
                members[i].lowerPriorityBurst = nil
                if added {
                    if !(spec.virtualRoutes.isEmpty && spec.virtualRules.isEmpty) {
                        out.append(.removeRoutes(instance: spec.name, routes: spec.virtualRoutes, rules: spec.virtualRules))
                    }
                    out.append(.removeVIPs(instance: spec.name, interface: spec.interface, addresses: spec.allAddresses))
                    if spec.filtersVIPTraffic { out.append(.filterVIPTraffic(instance: spec.name, addresses: [])) }
                }
            case .transition(let from, let to, let reason):
                out.append(.transition(instance: spec.name, from: from, to: to, reason: reason))
                if reason == .removedByReload {
                    out += deletionNotified(spec, from: from, priority: members[i].instance.effectivePriority)
                    continue
                }
                out += Self.notifyScripts(spec.notify, type: "INSTANCE", name: spec.name, state: to,
                                          priority: members[i].instance.effectivePriority)
                out += fifoLine("INSTANCE", spec.name, to.rawValue, members[i].instance.effectivePriority)
                if followsGroup { out += syncGroupFollowed(member: i, to: to, now: now) }
            case .discarded(let reason, let from):
                out.append(.discarded(instance: spec.name, reason, from: from))
            case .masterSilence(let silent):
                out.append(.masterSilence(instance: spec.name, silent: silent))
            case .handoverStarted(let until):
                out.append(.handoverStarted(instance: spec.name, within: until - now))
            case .handoverFailed:
                out.append(.handoverFailed(instance: spec.name))
            case .preemptionHeld(let priority, let from):
                out.append(.preemptionHeld(instance: spec.name, priority: priority,
                                           ours: members[i].instance.effectivePriority, from: from))
            case .addressListMismatch(let from, let theirs):
                out.append(.addressListMismatch(instance: spec.name, from: from, theirs: theirs))
            case .unlistedUnicastSource(let from):
                out.append(.unlistedUnicastSource(instance: spec.name, from: from))
            case .authHMACFailed(let from, let failure, let skew):
                out.append(.authHMACFailed(instance: spec.name, from: from, failure, skew: skew))
            case .authHMACClockSkew(let from, let skew, let window):
                out.append(.authHMACClockSkew(instance: spec.name, from: from, skew: skew, window: window))
            case .lowerPriorityAdvert(let priority, let from):
                out.append(.lowerPriorityAdvert(instance: spec.name, priority: priority,
                                                ours: members[i].instance.effectivePriority, from: from,
                                                answered: spec.configuration.advertisesOnLowerPriority))
                out += lowerPriorityHeard(member: i, now: now)
                if let script = spec.notify.masterReceivedLowerPriority {
                    out.append(.runNotifyScript(script, arguments: []))
                }
                out += fifoLine("INSTANCE", spec.name, "MASTER_RX_LOWER_PRI", members[i].instance.effectivePriority)
            }
        }
        return out
    }

    /// Member `i` entered `to`: the other members of its sync group follow into MASTER, BACKUP or FAULT, and once the
    /// whole group is there (no member still awaiting its transport) the group's notify scripts run.
    private mutating func syncGroupFollowed(member i: Int, to: VRRPState, now: Instant) -> [VRRPRouterAction] {
        let name = members[i].spec.name
        guard let group = configuration.syncGroups.first(where: { $0.members.contains(name) }) else { return [] }
        switch to {
        case .master, .backup, .fault: break
        case .initialize, .stop: return []
        }
        var out: [VRRPRouterAction] = []
        for j in members.indices where j != i && group.members.contains(members[j].spec.name)
            && members[j].instance.currentState != to {
            let forced = members[j].instance.syncGroupForced(to: to, group: group.name, now: now)
            out += process(forced, member: j, now: now, followsGroup: false)
        }
        let everyone = members.filter { group.members.contains($0.spec.name) }
        if !awaitingTransport.contains(where: { group.members.contains($0.name) }),
           everyone.allSatisfy({ $0.instance.currentState == to }) {
            out += Self.notifyScripts(group.notify, type: "GROUP", name: group.name, state: to, priority: 0)
            out += fifoLine("GROUP", group.name, to.rawValue, 0)
        }
        return out
    }

    /// What an instance that a reload removed notifies, as keepalived 2.2.7 does: with `notify_deleted`, its script,
    /// then the generic one and the FIFO with DELETED; without it (keepalived's older way, kept as its default) the
    /// generic script and the FIFO with FAULT, no state script, and nothing at all from an instance in FAULT.
    /// Never the STOP notifications of a shutdown.
    private func deletionNotified(_ spec: VRRPInstanceSpec, from: VRRPState, priority: UInt8) -> [VRRPRouterAction] {
        let scripts = spec.notify
        guard scripts.notifiesDeleted else {
            guard from != .fault else { return [] }
            return Self.notifyScripts(specific: nil, generic: scripts.generic, type: "INSTANCE", name: spec.name,
                                      state: "FAULT", priority: priority)
                + fifoLine("INSTANCE", spec.name, "FAULT", priority)
        }
        return Self.notifyScripts(specific: scripts.deleted, generic: scripts.generic, type: "INSTANCE",
                                  name: spec.name, state: "DELETED", priority: priority)
            + fifoLine("INSTANCE", spec.name, "DELETED", priority)
    }

    /// keepalived's notify FIFO line, when a FIFO is configured.
    private func fifoLine(_ type: String, _ name: String, _ state: String, _ priority: UInt8) -> [VRRPRouterAction] {
        configuration.notifyFifos.isEmpty ? []
            : [.writeNotifyFifo(NotifyFifoSpec.line(type: type, name: name, state: state, priority: priority))]
    }

    /// The notify scripts for entering `state`: the state's own script, then the generic one with
    /// `TYPE NAME STATE PRIORITY`.
    static func notifyScripts(_ scripts: VRRPNotifyScripts, type: String, name: String, state: VRRPState,
                              priority: UInt8) -> [VRRPRouterAction] {
        let specific: ScriptCommand?
        switch state {
        case .master: specific = scripts.master
        case .backup: specific = scripts.backup
        case .fault: specific = scripts.fault
        case .stop: specific = scripts.stop
        case .initialize: specific = nil
        }
        return notifyScripts(specific: specific, generic: scripts.generic, type: type, name: name,
                             state: state.rawValue, priority: priority)
    }

    /// `specific` (without arguments), then `generic` with `TYPE NAME STATE PRIORITY`.
    static func notifyScripts(specific: ScriptCommand?, generic: ScriptCommand?, type: String, name: String,
                              state: String, priority: UInt8) -> [VRRPRouterAction] {
        var out: [VRRPRouterAction] = []
        if let specific { out.append(.runNotifyScript(specific, arguments: [])) }
        if let generic { out.append(.runNotifyScript(generic, arguments: [type, name, state, String(priority)])) }
        return out
    }

    /// Member `i`'s VIPs go up now and are announced; the next bursts follow `garp_master_delay`, then every
    /// `garp_master_refresh`.
    private mutating func vipsAdded(member i: Int, now: Instant) -> [VRRPRouterAction] {
        let spec = members[i].spec
        let garp = spec.garp
        let next: Instant? = garp.masterDelay > .zero ? now + garp.masterDelay
            : garp.masterRefresh > .zero ? now + garp.masterRefresh : nil
        members[i].vips = .held(nextBurst: next, refresh: garp.masterDelay <= .zero)
        return (spec.filtersVIPTraffic ? [Self.filter(spec)] : [])
            + [.addVIPs(instance: spec.name, interface: spec.interface, addresses: spec.allAddresses,
                        announcements: spec.announcementsPerBurst)]
            + (spec.virtualRoutes.isEmpty && spec.virtualRules.isEmpty ? []
               : [.addRoutes(instance: spec.name, routes: spec.virtualRoutes, rules: spec.virtualRules)])
    }

    /// What `spec`'s VIPs need from the firewall while they are up: all of them dropped under `no_accept`, none
    /// otherwise.
    private static func filter(_ spec: VRRPInstanceSpec) -> VRRPRouterAction {
        .filterVIPTraffic(instance: spec.name,
                          addresses: spec.filtersVIPTraffic ? spec.allAddresses.map(\.address) : [])
    }

    /// A later burst of announcements for member `i`; the next one after `garp_master_refresh`, if set.
    private mutating func announcementBurst(member i: Int, now: Instant) -> [VRRPRouterAction] {
        let spec = members[i].spec
        let refresh = spec.garp.masterRefresh
        guard case .held(_, let isRefresh) = members[i].vips else { return [] }
        members[i].vips = .held(nextBurst: refresh > .zero ? now + refresh : nil, refresh: true)
        // keepalived: the burst after garp_master_delay repeats garp_master_repeat times, a refresh
        // garp_master_refresh_repeat times (default 1).
        let count = isRefresh ? spec.garp.refreshRepeat : spec.announcementsPerBurst
        guard count > 0 else { return [] }
        return [.announce(instance: spec.name, interface: spec.interface, addresses: spec.allAddresses, count: count)]
    }

    /// Applies member `i`'s tracker sum to its instance (priority adjustment, then fault). A member of a sync group
    /// stays in FAULT while another member's own trackers hold that member in FAULT, as keepalived 2.2.7 counts
    /// `num_member_fault`: the group leaves FAULT only when no member is faulted. `cause` is the reading that
    /// changed, for the reason of leaving FAULT.
    private mutating func trackersApplied(member i: Int, now: Instant,
                                          cause: VRRPTrackerChange? = nil) -> [VRRPRouterAction] {
        let sum = trackers.sum(for: members[i].spec)
        let before = members[i].instance.effectivePriority
        var out = process(members[i].instance.priorityAdjustmentChanged(to: sum.adjustment, now: now), member: i,
                          now: now)
        let after = members[i].instance.effectivePriority
        if members[i].spec.notifiesPriorityChanges, after != before {
            // keepalived's send_instance_priority_notifies: MASTER_PRIORITY for a MASTER, BACKUP_PRIORITY otherwise.
            let state = members[i].instance.currentState == .master ? "MASTER_PRIORITY" : "BACKUP_PRIORITY"
            out += fifoLine("INSTANCE", members[i].spec.name, state, after)
        }
        let name = members[i].spec.name
        let group = configuration.syncGroups.first { $0.members.contains(name) }
        let heldBy = group.flatMap { g in
            members.first { $0.spec.name != name && g.members.contains($0.spec.name) && trackers.sum(for: $0.spec).fault }
        }
        let reason: VRRPTransitionReason?
        if sum.fault {
            reason = sum.faultReason
        } else if let group, heldBy != nil || !(cause.map { VRRPTrackers.references(members[i].spec, $0) } ?? true) {
            // Held by another member, or leaving FAULT because the member that held the group recovered.
            reason = .syncGroup(group.name)
        } else if case .interface(let n, up: true) = cause {
            reason = .interfaceUp(n)
        } else {
            reason = nil
        }
        out += process(members[i].instance.faultChanged(sum.fault || heldBy != nil, reason: reason, now: now),
                       member: i, now: now)
        return out
    }

    /// The members matching `predicate`, followed by the other members of their sync groups (each once).
    private func affectedMembers(where predicate: (VRRPInstanceSpec) -> Bool) -> [Int] {
        let direct = members.indices.filter { predicate(members[$0].spec) }
        let names = Set(direct.map { members[$0].spec.name })
        let groups = configuration.syncGroups.filter { !names.isDisjoint(with: $0.members) }
        let mates = members.indices.filter { j in
            !names.contains(members[j].spec.name) && groups.contains { $0.members.contains(members[j].spec.name) }
        }
        return direct + mates
    }

    /// A tracker reading changed (nil: it did not): reported, and applied to every member that references it and
    /// to the other members of their sync groups.
    private mutating func trackerChanged(_ change: VRRPTrackerChange?, now: Instant) -> [VRRPRouterAction] {
        guard let change else { return [] }
        var out: [VRRPRouterAction] = [.trackerChanged(change)]
        for i in affectedMembers(where: { VRRPTrackers.references($0, change) }) {
            out += trackersApplied(member: i, now: now, cause: change)
        }
        return out
    }
}

extension VRRPInstanceSpec {
    /// True when `other` runs on the same transport and virtual router: a reload keeps the instance's state then.
    func sameTransport(as other: VRRPInstanceSpec) -> Bool {
        interface == other.interface && unicastSource == other.unicastSource && unicastPeers == other.unicastPeers
            && isIPv6 == other.isIPv6 && configuration.vrid == other.configuration.vrid
            && configuration.version == other.configuration.version
    }

    /// The addresses added and removed with the instance: `virtual_ipaddress` and `virtual_ipaddress_excluded`.
    var allAddresses: [VirtualAddress] { virtualAddresses + excludedAddresses }
    /// Announcements per burst (`garp_master_repeat`, at least one).
    var announcementsPerBurst: Int { max(1, garp.masterRepeat) }
}
