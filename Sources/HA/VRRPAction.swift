import Vocabulary

/// What the adapter must do, in order.
public enum VRRPAction: Sendable, Hashable {
    /// Send this advertisement to the configured destination (multicast group or unicast peers).
    case send(VRRPAdvertisement)
    /// Add the virtual addresses to the interface and announce them (gratuitous ARP / unsolicited NA).
    case addVIPs
    /// Remove the virtual addresses from the interface.
    case removeVIPs
    /// The state changed; log one line with the reason and run the notify scripts.
    case transition(from: VRRPState, to: VRRPState, reason: VRRPTransitionReason)
    /// A received advertisement was discarded; log at debug level (already counted).
    case discarded(VRRPDiscardReason, from: IPAddress)
    /// The first advert from `from` dropped for its address list (`.discarded(.addressListMismatch, …)` precedes
    /// it): log a warning once per peer; later drops are only counted and logged at debug level.
    case addressListMismatch(from: IPAddress, theirs: [IPAddress])
    /// The first unicast advert from `from` dropped because it is not a `unicast_peer` (`check_unicast_src`):
    /// log a warning once per source; later drops are only counted and logged at debug level.
    case unlistedUnicastSource(from: IPAddress)
    /// The first advert from `from` that `auth_hmac` refused for `failure` (`.discarded(.authHMAC(…))` precedes it):
    /// log a warning once per source and failure; later drops are only counted. `skew`: the sender's clock minus
    /// ours in seconds, when the trailer was read that far (time mode).
    case authHMACFailed(from: IPAddress, VRRPAuthHMACFailure, skew: Int?)
    /// An accepted `auth_hmac` advert whose sender's clock is more than half the window from ours (`skew`, seconds):
    /// log a warning once per source, as keepalived warns before adverts turn stale.
    case authHMACClockSkew(from: IPAddress, skew: Int, window: Int)
    /// Backup only, not part of the protocol: `true` when the master looks gone while the master-down timer still
    /// runs (no advertisement for 1.5 × its interval, or it sent priority 0), so a takeover may follow; `false` when
    /// it advertises again. The Director prepares the LVS table on `true` so that a takeover does not wait for it.
    case masterSilence(Bool)
    /// A Master heard a lower-priority advert (another Master, after a partition most often): log it; the router
    /// announces the VIPs again (`garp_lower_prio_repeat`). The Master's own advert, when it answers, precedes this.
    case lowerPriorityAdvert(priority: UInt8, from: IPAddress)
    /// A Backup would have preempted the lower-priority master `from` but its preemption is held (the Director's
    /// failback hold): log it, once per hold.
    case preemptionHeld(priority: UInt8, from: IPAddress)
    /// A Master began a handover: priority 0 was sent, the VIPs stay until the new Master advertises, `until` at most.
    case handoverStarted(until: Instant)
    /// No node took over within a Master_Down_Interval: the Master advertises again and keeps its role.
    case handoverFailed
}
