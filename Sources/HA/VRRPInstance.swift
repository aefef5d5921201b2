// Theory of operation
// -------------------
// One VRRP virtual router as seen from this node (RFC 3768 §6.4, RFC 5798 §6.4), as a plain value.
//
// States: Initialize (before `start`), Backup, Master, Fault (a tracked interface/script says this node
// must not serve), Stop (after `shutdown`). Events: `start`, `advertisementReceived`, `deadlineReached`,
// `priorityAdjustmentChanged`, `faultChanged`, `shutdown`. Each returns `[VRRPAction]` for the adapter to
// perform in order (send, add/remove VIPs, log the transition, run notify scripts).
//
// Timers live in one table: `advertTimer` (Master), `masterDownTimer` (Backup). `nextDeadline` is the
// earliest armed one; the adapter sleeps until it and calls `deadlineReached(now:)`, which is safe to call
// early or twice.
//
// Receive validation that needs the configuration (TTL, version, VRID, authentication, v2 interval,
// address list) happens here and is counted in `counters`; packet decoding errors are counted through
// `malformedPacketReceived`. The machine does no I/O, reads no clock and does not log.
//
// The address list is checked as keepalived 2.2.7 checks it (vrrp.c): the same count and every configured
// address present, whatever the advert's priority (RFC 3768 §7.1 would let the owner's advert through);
// a mismatch drops the advert. With `skipAddressListCheck` a Backup skips the check for adverts from the
// master it already follows (the source of the last advert it accepted), as `skip_check_adv_addr` does.
// With `checkUnicastSource` a unicast instance then drops adverts from a source that is not one of its
// peers; keepalived does this inside the same skippable check, and so does this machine.

import Vocabulary

/// One VRRP virtual router on this node. See the theory of operation at the top of the file.
public struct VRRPInstance: Sendable {
    private enum State: Sendable, Hashable {
        case initialize
        case backup
        case master
        case fault
        case stop
    }

    private struct Timers: Sendable, Hashable {
        var advertTimer: Instant?
        var masterDownTimer: Instant?
        /// Backup: when the master counts as silent (see `VRRPAction.masterSilence`).
        var silenceTimer: Instant?
    }

    /// The configuration this instance runs with.
    public private(set) var configuration: VRRPInstanceConfiguration
    /// Receive and send counters.
    public private(set) var counters = VRRPCounters()
    /// The last accepted advert of each sender, at most `peerMemory` of them (senders come off the wire: when a new
    /// one arrives and the memory is full, the one heard least recently is forgotten).
    public private(set) var peers: [IPAddress: VRRPPeerSighting] = [:]
    /// How many senders `peers` remembers.
    public static let peerMemory = 8
    private var state: State = .initialize
    private var timers = Timers()
    /// RFC 5798 §6.1: learned from the master's advertisements (v3); the configured interval for v2.
    private var masterAdverIntervalCS: UInt16
    private var lastAdvertAt: Instant?
    private var preemptAllowedAt: Instant = .zero
    private var masterLeft = false
    /// Backup: `.masterSilence(true)` was reported and not yet taken back.
    private var masterSilent = false
    /// Sum of tracker weights currently applied.
    public private(set) var priorityAdjustment = 0
    private var faulted = false
    /// Why `faulted` was last set (the transition reason when `start` finds the instance faulted).
    private var faultReason: VRRPTransitionReason = .fault
    /// Backup: the source of the last advert accepted from a master (keepalived's `master_saddr`).
    private var masterAddress: IPAddress?
    /// Peers already reported by a `.addressListMismatch` action (at most `reportLimit`, then no more warnings).
    private var addressListReported: Set<IPAddress> = []
    /// Sources already reported by an `.unlistedUnicastSource` action (at most `reportLimit`).
    private var unlistedSourcesReported: Set<IPAddress> = []
    /// `vrrp_startup_delay`: until this instant a Backup's master-down timer runs from it, not from now, so the
    /// instance cannot take over before the delay plus a master-down interval (keepalived's `vrrp_init_instance_sands`).
    public var delayedStart: Instant?
    /// The Director's failback hold (`vigil_failback_hold`): while set, a Backup does not preempt a master of lower
    /// priority; it follows it as it follows a higher one (the master-down timer restarts at each of its adverts),
    /// so a master that goes silent or sends priority 0 is still taken over at the protocol's time.
    public private(set) var preemptionHeld = false
    /// `.preemptionHeld` was reported during the current hold.
    private var preemptionHeldReported = false
    /// A planned handover (`handover(now:)`): this node does not preempt until `cancelHandover(now:)` (or a restart).
    public private(set) var yielded = false
    /// Master: priority 0 was sent for a handover and the VIPs stay until another node advertises as Master, or until
    /// the advert timer (set to one Master_Down_Interval) runs out, which resumes mastership.
    public private(set) var handingOver = false
    /// Adverts of the new Master seen during the handover: the VIPs go at the second, one advert interval after its
    /// first, when its gratuitous ARPs / NAs have been sent and heard.
    private var handoverAdvertsSeen = 0
    private static let reportLimit = 64
    /// `auth_type AH`: the anti-replay counter, keepalived's single counter per instance. An accepted advert must
    /// carry a sequence number above it and sets it; each advert sent takes the next number. So a node that takes
    /// over continues the sequence its peers have seen, and a restarted node learns it from the first advert.
    public private(set) var authenticationSequence: UInt32 = 0
    /// `auth_hmac`: the last sequence accepted from each sender.
    private var authHMACVerifier: VRRPAuthHMACVerifier?
    /// (source, failure) pairs already reported by an `.authHMACFailed` action (at most `reportLimit`).
    private var authHMACReported: Set<AuthHMACReport> = []

    /// What an `auth_hmac` warning was given for (once each).
    private enum AuthHMACReport: Hashable, Sendable {
        case failure(IPAddress, VRRPAuthHMACFailure)
        case clockSkew(IPAddress)
    }

    /// Creates an instance in Initialize; call `start(now:)` to run it.
    public init(configuration: VRRPInstanceConfiguration) {
        self.configuration = configuration
        self.masterAdverIntervalCS = configuration.intervalCentiseconds
        self.authHMACVerifier = configuration.authHMAC.map { VRRPAuthHMACVerifier(policy: $0) }
    }

    /// The current state.
    public var currentState: VRRPState {
        switch state {
        case .initialize: return .initialize
        case .backup: return .backup
        case .master: return .master
        case .fault: return .fault
        case .stop: return .stop
        }
    }

    /// Base priority plus tracker weights, clamped to 1…254; 255 stays 255 (address owner).
    public var effectivePriority: UInt8 {
        if configuration.priority == 255 { return 255 }
        return UInt8(max(1, min(254, Int(configuration.priority) + priorityAdjustment)))
    }

    /// The earliest armed protocol timer (advert or master-down).
    public var nextDeadline: Instant? {
        [timers.advertTimer, timers.masterDownTimer].compactMap { $0 }.min()
    }

    /// The earliest armed timer, the silence timer included; the adapter calls `deadlineReached(now:)` at (or after) it.
    public var nextWakeup: Instant? {
        [timers.advertTimer, timers.masterDownTimer, timers.silenceTimer].compactMap { $0 }.min()
    }

    /// A master counts as silent after 1.5 × its advertisement interval without one (one advert missed, with slack
    /// for jitter); always inside Master_Down_Interval (3 × the interval + skew; with `down_timer_adverts 1`, one
    /// interval, so the silence is then one interval).
    private var silenceThreshold: Duration {
        .nanoseconds(Int64(masterAdverIntervalCS) * (downTimerAdverts == 1 ? 10_000_000 : 15_000_000))
    }

    /// keepalived's `down_timer_adverts`, kept inside 1…100 whatever the configuration holds.
    private var downTimerAdverts: Int64 { Int64(min(max(configuration.downTimerAdverts, 1), 100)) }

    /// Skew_Time: RFC 3768 §6.1 `(256 − Priority) / 256` s; RFC 5798 §6.1
    /// `((256 − Priority) × Master_Adver_Interval) / 256`.
    public var skewTime: Duration { skew(priority: effectivePriority, intervalCS: masterAdverIntervalCS) }

    /// The Skew_Time of a node at `priority` with `intervalCS` as (Master_)Adver_Interval.
    private func skew(priority: UInt8, intervalCS: UInt16) -> Duration {
        let p = Int64(256 - Int(priority))
        switch configuration.version {
        case .v2: return .nanoseconds(p * 1_000_000_000 / 256)
        case .v3: return .nanoseconds(p * Int64(intervalCS) * 10_000_000 / 256)
        }
    }

    /// Master_Down_Interval = 3 × (Master_)Adver_Interval + Skew_Time (RFC 3768 §6.1, RFC 5798 §6.1); keepalived's
    /// `down_timer_adverts N` puts N in place of the 3.
    public var masterDownInterval: Duration {
        .nanoseconds(downTimerAdverts * Int64(masterAdverIntervalCS) * 10_000_000) + skewTime
    }

    /// `timer_expired_backup`: how long this Master has sent nothing, when that is longer than the Master_Down_Interval
    /// of another node at the configured priority (keepalived's rule: 3 × advert_int + that node's skew time); nil
    /// otherwise, and without the option or during a handover.
    func lateAsMaster(now: Instant) -> Duration? {
        guard let p = configuration.timerExpiredBackupPriority, state == .master, !handingOver,
              let due = timers.advertTimer else { return nil }
        // keepalived's rule uses this node's own advert_int for the other node's skew.
        let silent = now - (due - advertInterval)
        return silent >= advertInterval * 3 + skew(priority: p, intervalCS: configuration.intervalCentiseconds)
            ? silent : nil
    }

    /// The next advert to send, at our effective priority or at `priority`. With AH it takes the next sequence number.
    private mutating func outgoing(priority: UInt8? = nil) -> VRRPAdvertisement {
        var ad = VRRPAdvertisement(version: configuration.version, vrid: configuration.vrid,
                                   priority: priority ?? effectivePriority,
                                   intervalCentiseconds: configuration.intervalCentiseconds,
                                   addresses: configuration.virtualAddresses,
                                   authentication: configuration.version == .v2 ? configuration.authentication : .none)
        if usesAuthenticationHeader {
            // Saturates instead of wrapping: at one advert a second the counter lasts 136 years; a peer with our
            // key could push it to the top, and then `becomeMaster` starts it again from zero, as keepalived does.
            if authenticationSequence < UInt32.max { authenticationSequence += 1 }
            ad.authenticationSequence = authenticationSequence
        }
        return ad
    }

    /// VRRPv2 with `auth_type AH`.
    private var usesAuthenticationHeader: Bool {
        configuration.version == .v2 && configuration.authentication == .ah
    }

    private var advertInterval: Duration { .nanoseconds(Int64(configuration.intervalCentiseconds) * 10_000_000) }

    // MARK: Events

    /// Starts the instance (RFC 3768 §6.4.1): the address owner becomes Master at once, everyone else
    /// Backup with the master-down timer armed. Does nothing unless in Initialize.
    public mutating func start(now: Instant) -> [VRRPAction] {
        switch state {
        case .initialize:
            preemptAllowedAt = now + configuration.preemptDelay
            if faulted { return enterFault(now: now, from: .initialize, reason: faultReason, priorityZeroAdverts: 0) }
            if configuration.priority == 255 { return becomeMaster(now: now, from: .initialize, reason: .addressOwner) }
            return becomeBackup(now: now, from: .initialize, reason: .startup)
        case .backup, .master, .fault, .stop:
            return []
        }
    }

    /// A decoding error for a packet addressed to this instance; counted.
    public mutating func malformedPacketReceived(_ error: VRRPDecodingError, from: IPAddress) -> [VRRPAction] {
        discard(.malformed(error), from: from)
    }

    private mutating func discard(_ reason: VRRPDiscardReason, from: IPAddress) -> [VRRPAction] {
        counters.discarded[reason, default: 0] += 1
        return [.discarded(reason, from: from)]
    }

    private mutating func peerHeard(_ ad: VRRPAdvertisement, from: IPAddress, now: Instant) {
        if peers[from] == nil, peers.count >= Self.peerMemory,
           let oldest = peers.min(by: { $0.value.lastHeard < $1.value.lastHeard })?.key {
            peers[oldest] = nil
        }
        peers[from] = VRRPPeerSighting(priority: ad.priority, intervalCentiseconds: ad.intervalCentiseconds,
                                       lastHeard: now, adverts: (peers[from]?.adverts ?? 0) + 1)
    }

    /// An advertisement arrived from `from` with IP TTL / hop limit `ttl`.
    /// Validates it (RFC 3768 §7.1, RFC 5798 §7.1) and applies §6.4.2 (Backup) or §6.4.3 (Master).
    /// `authenticationHeader`: the IP Authentication Header the advert came in, if any. `authHMAC`: the PDU as
    /// received, the `auth_hmac` trailer after it if any, and the wall clock (nil: no trailer).
    public mutating func advertisementReceived(_ ad: VRRPAdvertisement, from: IPAddress, ttl: UInt8 = 255,
                                               authenticationHeader: VRRPAuthenticationHeader? = nil,
                                               authHMAC evidence: VRRPAuthHMACEvidence? = nil,
                                               now: Instant) -> [VRRPAction] {
        // keepalived checks this first: an AH datagram for an instance without AH, or a plain one for an AH instance.
        if !from.isIPv6, (authenticationHeader != nil) != usesAuthenticationHeader {
            return discard(.authenticationTypeMismatch, from: from)
        }
        // RFC 3768/5798 §7.1 want 255; keepalived checks it for multicast only (a unicast advert may cross routers,
        // and keepalived's own IPv6 unicast adverts carry the kernel's default hop limit).
        guard ttl == 255 || !configuration.unicastPeers.isEmpty else { return discard(.badTTL(ttl), from: from) }
        guard ad.version == configuration.version else { return discard(.versionMismatch(ad.version), from: from) }
        guard ad.vrid == configuration.vrid else { return discard(.vridMismatch(ad.vrid), from: from) }
        // keepalived 2.4: after the version check, before any field reaches the state machine.
        var skewReport: VRRPAction?
        if authHMACVerifier != nil {
            var skew: Int?
            if let reason = authHMACVerifier?.verify(pdu: evidence?.pdu ?? [], trailer: evidence?.trailer, source: from,
                                                     version: configuration.version, vrid: configuration.vrid,
                                                     unicastPeers: configuration.unicastPeers,
                                                     now: evidence?.wallTime ?? WallTime(seconds: 0), skew: &skew) {
                var actions = discard(reason, from: from)
                if case .authHMAC(let failure) = reason, authHMACReported.count < Self.reportLimit,
                   authHMACReported.insert(.failure(from, failure)).inserted {
                    actions.append(.authHMACFailed(from: from, failure, skew: skew))
                }
                return actions
            }
            // keepalived warns as a sender's clock drifts toward the window's edge: once per source here.
            if let policy = configuration.authHMAC, policy.timeBased, let skew, abs(skew) > policy.timeWindow / 2,
               authHMACReported.count < Self.reportLimit, authHMACReported.insert(.clockSkew(from)).inserted {
                skewReport = .authHMACClockSkew(from: from, skew: skew, window: policy.timeWindow)
            }
        }
        if let mine = configuration.virtualAddresses.first, let theirs = ad.addresses.first,
           mine.isIPv6 != theirs.isIPv6 {
            return discard(.familyMismatch, from: from)
        }
        if ad.version == .v2 {
            if ad.authentication != configuration.authentication { return discard(.authenticationMismatch, from: from) }
            if let header = authenticationHeader {
                guard header.verifies(key: configuration.authenticationHeaderKey,
                                      unicast: !configuration.unicastPeers.isEmpty),
                      case .v4(let source) = from, header.spi == source
                else { return discard(.authenticationHeaderInvalid, from: from) }
                guard header.sequence > authenticationSequence else {
                    // Two Masters in step (started or partitioned at the same moment) send the same numbers at the
                    // same time, and each takes the other's for replays: neither ever hears the other. The Master
                    // skips a number then, so that its next advert is above the other's and the election can
                    // happen. keepalived does not (two keepalived nodes stay Master); skipping costs nothing, a
                    // replayed advert only makes our numbers larger.
                    if state == .master, header.sequence == authenticationSequence,
                       authenticationSequence < UInt32.max {
                        authenticationSequence += 1
                    }
                    return discard(.authenticationSequenceReplayed(header.sequence), from: from)
                }
                authenticationSequence = header.sequence
            }
            if ad.intervalCentiseconds != configuration.intervalCentiseconds {
                return discard(.intervalMismatch(centiseconds: ad.intervalCentiseconds), from: from)
            }
        }
        let followed = state == .backup && configuration.skipAddressListCheck && from == masterAddress
        if !followed, !addressListMatches(ad.addresses) {
            counters.addressListMismatches += 1
            var actions = discard(.addressListMismatch, from: from)
            if addressListReported.count < Self.reportLimit, addressListReported.insert(from).inserted {
                actions.append(.addressListMismatch(from: from, theirs: ad.addresses))
            }
            return actions
        }
        if !followed, configuration.checkUnicastSource, !configuration.unicastPeers.isEmpty,
           !configuration.unicastPeers.contains(from) {
            var actions = discard(.unicastSourceNotPeer, from: from)
            if unlistedSourcesReported.count < Self.reportLimit, unlistedSourcesReported.insert(from).inserted {
                actions.append(.unlistedUnicastSource(from: from))
            }
            return actions
        }
        // keepalived 2.3.3: after the source checks, before the advert is counted as received.
        if configuration.ownerIgnoresAdverts, effectivePriority == 255 { return discard(.addressOwner, from: from) }
        counters.accepted += 1
        peerHeard(ad, from: from, now: now)
        var actions: [VRRPAction] = skewReport.map { [$0] } ?? []
        if ad.priority == 0 { counters.priorityZeroReceived += 1 }
        switch state {
        case .initialize, .fault, .stop:
            return actions
        case .backup:
            if ad.priority == 0 {
                // RFC 3768 §6.4.2: Master_Down_Timer = Skew_Time.
                timers.masterDownTimer = masterDown(now, after: skewTime)
                masterLeft = true
                timers.silenceTimer = nil
                if !masterSilent {
                    masterSilent = true
                    actions.append(.masterSilence(true))
                }
                return actions
            }
            let theyWin = ad.priority >= effectivePriority
            masterAddress = from
            if configuration.preempt, !theyWin, now >= preemptAllowedAt, preemptionHeld || yielded, !preemptionHeldReported {
                preemptionHeldReported = true
                actions.append(.preemptionHeld(priority: ad.priority, from: from))
            }
            if !configuration.preempt || theyWin || now < preemptAllowedAt || preemptionHeld || yielded {
                if configuration.version == .v3 {
                    // RFC 5798 §6.4.2: learn Master_Adver_Interval, then recompute Master_Down_Interval.
                    masterAdverIntervalCS = ad.intervalCentiseconds
                }
                lastAdvertAt = now
                masterLeft = false
                timers.masterDownTimer = masterDown(now, after: masterDownInterval)
                timers.silenceTimer = now + silenceThreshold
                if masterSilent {
                    masterSilent = false
                    actions.append(.masterSilence(false))
                }
            }
            return actions
        case .master:
            // A late Master checks its silence before anything it reads: the queued adverts of a node that took over
            // must not make it answer and take the VIPs back.
            if let silent = lateAsMaster(now: now) {
                return actions + becomeBackup(now: now, from: .master, reason: .timerExpired(silent: silent))
            }
            if handingOver, ad.priority > 0 {
                // Make-before-break: the new Master advertises with its VIPs up and announced; ours go at its second
                // advert, so the neighbours have its announcements before this node stops answering for the VIPs.
                handoverAdvertsSeen += 1
                guard handoverAdvertsSeen >= 2 else { return actions }
                return actions + becomeBackup(now: now, from: .master, reason: .handedOver(to: from))
            }
            if handingOver { return actions }
            if ad.priority == 0 {
                // RFC 3768 §6.4.3: send an advertisement at once and restart the advert timer.
                timers.advertTimer = now + advertInterval
                counters.sent += 1
                return actions + [.send(outgoing())]
            }
            let mine = effectivePriority
            if ad.priority > mine || (ad.priority == mine && from > configuration.primaryAddress) {
                var out = actions
                if configuration.advertisesOnHigherPriority {
                    counters.sent += 1
                    out.append(.send(outgoing()))
                }
                if configuration.version == .v3 { masterAdverIntervalCS = ad.intervalCentiseconds }
                lastAdvertAt = now
                return out + becomeBackup(now: now, from: .master,
                                          reason: .higherPriorityAdvert(priority: ad.priority, from: from))
            }
            // A lower priority (or an equal one from a lower address): another Master, as keepalived answers it.
            guard ad.priority < mine || from < configuration.primaryAddress else { return actions }
            // With AH, keepalived moves its counter past the other Master's, so that its next advert is not a replay
            // there (the counter already holds that sequence number: the answer below takes the next one).
            var out = actions
            if configuration.advertisesOnLowerPriority {
                counters.sent += 1
                out.append(.send(outgoing()))
            }
            return out + [.lowerPriorityAdvert(priority: ad.priority, from: from)]
        }
    }

    /// keepalived's check: as many addresses as ours, and each of ours among them.
    private func addressListMatches(_ theirs: [IPAddress]) -> Bool {
        theirs.count == configuration.virtualAddresses.count && configuration.virtualAddresses.allSatisfy(theirs.contains)
    }

    /// Fires expired timers: the Master advertises; a Backup whose master-down timer expired becomes Master.
    /// Safe to call early (does nothing) or twice.
    public mutating func deadlineReached(now: Instant) -> [VRRPAction] {
        switch state {
        case .initialize, .fault, .stop:
            return []
        case .master:
            guard let due = timers.advertTimer, due <= now else { return [] }
            if let silent = lateAsMaster(now: now) {
                return becomeBackup(now: now, from: .master, reason: .timerExpired(silent: silent))
            }
            timers.advertTimer = now + advertInterval
            counters.sent += 1
            if handingOver {
                // No node took over within a Master_Down_Interval: stay Master, advertise again.
                handingOver = false
                yielded = false
                return [.send(outgoing()), .handoverFailed]
            }
            return [.send(outgoing())]
        case .backup:
            var actions: [VRRPAction] = []
            if let silence = timers.silenceTimer, silence <= now {
                timers.silenceTimer = nil
                // Only while the takeover is still ahead: when both are due, the transition says it all.
                if !masterSilent, let down = timers.masterDownTimer, now < down {
                    masterSilent = true
                    actions.append(.masterSilence(true))
                }
            }
            guard let due = timers.masterDownTimer, due <= now else { return actions }
            let reason: VRRPTransitionReason = masterLeft
                ? .masterLeft : .masterDownTimerExpired(lastAdvertAge: lastAdvertAt.map { now - $0 })
            return actions + becomeMaster(now: now, from: .backup, reason: reason)
        }
    }

    /// Trackers changed the sum of their weights. Updates the effective priority (clamped 1…254);
    /// a Master advertises the new priority at its next advert.
    public mutating func priorityAdjustmentChanged(to adjustment: Int, now: Instant) -> [VRRPAction] {
        priorityAdjustment = adjustment
        return []
    }

    /// The Director holds (`true`) or releases (`false`) this instance's preemption of a lower-priority master (see
    /// `preemptionHeld`). Released, the next advert of that master no longer restarts the master-down timer, so the
    /// takeover follows within one Master_Down_Interval, as any preemption.
    public mutating func preemptionHoldChanged(_ held: Bool, now: Instant) -> [VRRPAction] {
        if held != preemptionHeld { preemptionHeldReported = false }
        preemptionHeld = held
        return []
    }

    /// A planned handover (maintenance): this node stops preempting until `cancelHandover(now:)`, and a Master sends
    /// priority 0 (the Backup with the highest priority takes over after its Skew_Time) but keeps its VIPs, and so
    /// its LVS table, until the new Master advertises: then it becomes Backup (make-before-break, no packet to the
    /// VIP goes nowhere; the VIPs go at its second advert, after its announcements). If no node advertises within a
    /// Master_Down_Interval it stays Master (`.handoverFailed`).
    /// Adverts from another node during the wait are not answered.
    public mutating func handover(now: Instant) -> [VRRPAction] {
        switch state {
        case .master:
            if !yielded { preemptionHeldReported = false }
            yielded = true
            guard !handingOver else { return [] }
            handingOver = true
            handoverAdvertsSeen = 0
            timers.advertTimer = now + masterDownInterval
            counters.sent += 1
            return [.send(outgoing(priority: 0)), .handoverStarted(until: now + masterDownInterval)]
        case .backup, .fault:
            if !yielded { preemptionHeldReported = false }
            yielded = true
            return []
        case .initialize, .stop:
            return []
        }
    }

    /// Ends `handover(now:)`: this node preempts again by its priority; a Master still waiting advertises at once.
    public mutating func cancelHandover(now: Instant) -> [VRRPAction] {
        yielded = false
        guard state == .master, handingOver else { return [] }
        handingOver = false
        timers.advertTimer = now + advertInterval
        counters.sent += 1
        return [.send(outgoing())]
    }

    /// Trackers (the primary interface among them) say this node must not serve (`true`) or may serve again
    /// (`false`); `reason` names the cause for the transition (default `.fault` / `.faultCleared`).
    /// Entering FAULT from MASTER sends two priority-0 adverts, as keepalived 2.2.7 does (`vrrp_state_leave_master`
    /// sends one, and `vrrp_restore_interface` another); on a link that is down they cannot leave, and the adapter
    /// only logs that. Leaving FAULT goes to BACKUP with the master-down timer armed (keepalived's
    /// `try_up_instance`), whatever the priority: the election decides the rest.
    public mutating func faultChanged(_ isFault: Bool, reason: VRRPTransitionReason? = nil,
                                      now: Instant) -> [VRRPAction] {
        faulted = isFault
        if isFault { faultReason = reason ?? .fault }
        switch state {
        case .initialize, .stop:
            return []
        case .backup:
            return isFault ? enterFault(now: now, from: .backup, reason: reason ?? .fault, priorityZeroAdverts: 2) : []
        case .master:
            return isFault ? enterFault(now: now, from: .master, reason: reason ?? .fault, priorityZeroAdverts: 2) : []
        case .fault:
            if isFault { return [] }
            preemptAllowedAt = now + configuration.preemptDelay
            return becomeBackup(now: now, from: .fault, reason: reason ?? .faultCleared)
        }
    }

    /// Leaves the protocol: a Master sends a priority-0 advertisement and removes its addresses
    /// (RFC 3768 §6.4.3 "Shutdown"). The instance ends in Stop.
    public mutating func shutdown(now: Instant, reason: VRRPTransitionReason = .shutdown) -> [VRRPAction] {
        let from = currentState
        switch state {
        case .stop:
            return []
        case .initialize:
            state = .stop
            return []
        case .master:
            state = .stop
            handingOver = false
            timers = Timers()
            counters.sent += 1
            return [.send(outgoing(priority: 0)), .removeVIPs,
                    .transition(from: from, to: .stop, reason: reason)]
        case .backup, .fault:
            state = .stop
            timers = Timers()
            return [.transition(from: from, to: .stop, reason: reason)]
        }
    }

    /// A reload (SIGHUP) gave this instance a new configuration on the same transport. As keepalived 2.2.7 keeps an
    /// instance's state across a reload (`restore_vrrp_state`, `vrrp_init_instance_sands`): a Master stays Master
    /// and advertises the new values at once; a Backup stays Backup with its master-down timer restarted from now;
    /// Fault and the others keep their state. The primary address (the transport's) is kept.
    public mutating func configurationReloaded(_ new: VRRPInstanceConfiguration, now: Instant) -> [VRRPAction] {
        var new = new
        new.primaryAddress = configuration.primaryAddress
        if new.authHMAC != configuration.authHMAC {
            // A key rotation keeps what was accepted from each sender.
            if let policy = new.authHMAC, authHMACVerifier != nil { authHMACVerifier?.policy = policy } else {
                authHMACVerifier = new.authHMAC.map { VRRPAuthHMACVerifier(policy: $0) }
            }
        }
        configuration = new
        masterAdverIntervalCS = new.intervalCentiseconds
        switch state {
        case .master:
            timers.advertTimer = now + advertInterval
            counters.sent += 1
            return [.send(outgoing())]
        case .backup:
            timers.masterDownTimer = masterDown(now, after: masterLeft ? skewTime : masterDownInterval)
            return []
        case .initialize, .fault, .stop:
            return []
        }
    }

    /// Moves the instance to `target` because its sync group did (`group` names it). Only Backup and
    /// Fault are forced this way; Master is reached through the protocol.
    public mutating func syncGroupForced(to target: VRRPState, group: String, now: Instant) -> [VRRPAction] {
        switch (state, target) {
        case (.master, .backup):
            return becomeBackup(now: now, from: .master, reason: .syncGroup(group))
        case (.master, .fault), (.backup, .fault):
            // keepalived's vrrp_sync_fault: a forced MASTER sends one priority-0 advert (`vrrp_state_leave_master`
            // without the second one of `vrrp_restore_interface`).
            return enterFault(now: now, from: currentState, reason: .syncGroup(group), priorityZeroAdverts: 1)
        case (.backup, .master):
            return becomeMaster(now: now, from: .backup, reason: .syncGroup(group))
        case (.fault, .backup) where !faulted:
            return becomeBackup(now: now, from: .fault, reason: .syncGroup(group))
        default:
            return []
        }
    }

    // MARK: Transitions

    /// The master-down deadline `interval` after now, or after the delayed start while it is ahead.
    private func masterDown(_ now: Instant, after interval: Duration) -> Instant {
        if let start = delayedStart, now < start { return start + interval }
        return now + interval
    }

    private mutating func becomeMaster(now: Instant, from: VRRPState, reason: VRRPTransitionReason) -> [VRRPAction] {
        state = .master
        // A counter at its end cannot go on (every peer would take our adverts for replays): start again, as
        // keepalived does when its counter has cycled.
        if authenticationSequence == UInt32.max { authenticationSequence = 0 }
        handingOver = false
        timers = Timers(advertTimer: now + advertInterval, masterDownTimer: nil)
        masterLeft = false
        masterSilent = false
        counters.sent += 1
        return [.send(outgoing()), .addVIPs, .transition(from: from, to: .master, reason: reason)]
    }

    private mutating func becomeBackup(now: Instant, from: VRRPState, reason: VRRPTransitionReason) -> [VRRPAction] {
        state = .backup
        handingOver = false
        timers = Timers(advertTimer: nil, masterDownTimer: masterDown(now, after: masterDownInterval),
                        silenceTimer: now + silenceThreshold)
        masterLeft = false
        masterSilent = false
        var actions: [VRRPAction] = []
        if from == .master { actions.append(.removeVIPs) }
        actions.append(.transition(from: from, to: .backup, reason: reason))
        return actions
    }

    private mutating func enterFault(now: Instant, from: VRRPState, reason: VRRPTransitionReason,
                                     priorityZeroAdverts: Int) -> [VRRPAction] {
        state = .fault
        handingOver = false
        timers = Timers()
        masterSilent = false
        var actions: [VRRPAction] = []
        if from == .master {
            // Not in the RFC (Fault is keepalived's): leave like a shutdown so the backup takes over after skew.
            for _ in 0..<priorityZeroAdverts {
                counters.sent += 1
                actions.append(.send(outgoing(priority: 0)))
            }
            actions.append(.removeVIPs)
        }
        actions.append(.transition(from: from, to: .fault, reason: reason))
        return actions
    }
}
