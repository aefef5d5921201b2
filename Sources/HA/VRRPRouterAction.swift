import Vocabulary

/// What the runtime must do for a `VRRPRouter`, in the order given. Every action names its instance and carries
/// what the I/O needs, so the runtime looks nothing up and decides nothing.
public enum VRRPRouterAction: Sendable, Hashable {
    /// Send `advertisement` on the instance's transport (multicast group or unicast peers).
    case send(instance: String, VRRPAdvertisement)
    /// Add `addresses` to `interface`, then announce them (gratuitous ARP / unsolicited NA) `announcements` times,
    /// also when adding failed. The announcement comes before any log line: it is on the client-visible path.
    case addVIPs(instance: String, interface: String, addresses: [VirtualAddress], announcements: Int)
    /// A later burst of gratuitous ARPs / unsolicited NAs (`garp_master_delay`, `garp_master_refresh`): announce
    /// `addresses` `count` times, stopping at the first failure.
    case announce(instance: String, interface: String, addresses: [VirtualAddress], count: Int)
    /// A `no_accept` instance's VIPs: from now on the firewall drops packets to and from exactly `addresses` for
    /// `instance` (empty: nothing). Comes before `addVIPs` and after `removeVIPs`, so no packet reaches a VIP that is
    /// up without its rule.
    case filterVIPTraffic(instance: String, addresses: [IPAddress])
    /// Add the instance's `virtual_routes`, then its `virtual_rules` (after its VIPs, as keepalived).
    case addRoutes(instance: String, routes: [IPRoute], rules: [IPRule])
    /// Remove the instance's `virtual_rules`, then its `virtual_routes` (before its VIPs go).
    case removeRoutes(instance: String, routes: [IPRoute], rules: [IPRule])
    /// Remove `addresses` from `interface`.
    case removeVIPs(instance: String, interface: String, addresses: [VirtualAddress])
    /// The instance became MASTER and its VIPs wait for the load balancer's table. The runtime calls the takeover
    /// hook with `reason` (or, when the table is known to be in, at once) and then reports
    /// `takeoverPrepared(ticket:now:)`. The router adds the VIPs then, or at `VRRPRouter.takeoverLimit` at the latest.
    case prepareTakeover(instance: String, reason: String, ticket: UInt64)
    /// The state changed; log one line with the reason and publish it.
    case transition(instance: String, from: VRRPState, to: VRRPState, reason: VRRPTransitionReason)
    /// Write `line` to the notify FIFOs (`notify_fifo`, `vrrp_notify_fifo`), after the notify scripts as keepalived.
    case writeNotifyFifo(String)
    /// Start `command` with `arguments` appended (a notify script) and do not wait for it.
    case runNotifyScript(ScriptCommand, arguments: [String])
    /// A received packet was discarded; log at debug level (already counted).
    case discarded(instance: String, VRRPDiscardReason, from: IPAddress)
    /// `log_unknown_vrids`: an advert for `vrid`, which no instance on `interface` runs, came from `from`; log it
    /// (at most once per interface, VRID and source per `VRRPRuntimeConfiguration.unknownVRIDLogInterval`).
    case unknownVRID(vrid: UInt8, interface: String, from: IPAddress)
    /// See `VRRPAction.addressListMismatch`: the first advert from this peer dropped for its address list.
    case addressListMismatch(instance: String, from: IPAddress, theirs: [IPAddress])
    /// `instance` heard from `from` a unicast advert with keepalived 1.3.6's checksum and uses `rule` from now on:
    /// the runtime sets it on the transport and logs it (as keepalived: "Setting unicast VRRPv3 checksum to old
    /// version").
    case checksumRuleChanged(instance: String, VRRPChecksumRule, from: IPAddress)
    /// See `VRRPAction.unlistedUnicastSource`.
    case unlistedUnicastSource(instance: String, from: IPAddress)
    /// See `VRRPAction.authHMACFailed`.
    case authHMACFailed(instance: String, from: IPAddress, VRRPAuthHMACFailure, skew: Int?)
    /// See `VRRPAction.authHMACClockSkew`.
    case authHMACClockSkew(instance: String, from: IPAddress, skew: Int, window: Int)
    /// A MASTER heard a lower-priority advert from `from`; log it (keepalived logs one line each time), with whether
    /// the instance answered with its own advert.
    case lowerPriorityAdvert(instance: String, priority: UInt8, ours: UInt8, from: IPAddress, answered: Bool)
    /// A BACKUP did not preempt the lower-priority master `from` because its preemption is held (failback hold);
    /// log it (once per hold).
    case preemptionHeld(instance: String, priority: UInt8, ours: UInt8, from: IPAddress)
    /// A stop waits for the handover of these MASTER instances (`vigil_handover_on_stop`): log it.
    case stoppingAfterHandover(instances: [String])
    /// A MASTER began a planned handover (see `VRRPAction.handoverStarted`): log it.
    case handoverStarted(instance: String, within: Duration)
    /// A handover found no new MASTER in time; the instance stays MASTER: log it.
    case handoverFailed(instance: String)
    /// A BACKUP's master went silent (`true`) or advertises again (`false`); see `VRRPAction.masterSilence`.
    case masterSilence(instance: String, silent: Bool)
    /// A tracker reading changed; log it.
    case trackerChanged(VRRPTrackerChange)
    /// The instance left the configuration (or changed) and has stopped: close its transport.
    case closeTransport(instance: String)
    /// Deleted primary interface `interface` exists again; `instances` stay in FAULT until Vigil restarts (their
    /// sockets are bound to the deleted device): warn.
    case primaryInterfaceRecreated(interface: String, instances: [String])
}
