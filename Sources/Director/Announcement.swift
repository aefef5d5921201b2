// Theory of operation
//
// Active-active directors (`vigil_announce`, docs/anycast.md): a virtual server marked `vigil_announce` runs on every
// director at once, and each director tells the routers it can serve the address through a BGP engine (BIRD or FRR)
// that learns a host route Vigil keeps in a kernel routing table of its own (`vigil_route_table`). Vigil never talks
// BGP and never rewrites the engine's configuration: the route is the whole hand-off.
//
// The decisions are pure and live here and in `LoadBalancer`:
//   - an address is announced while every announced virtual server on it has quorum (the same quorum the IPVS table
//     follows: keepalived's live weight against `quorum`, with `alpha` starting down), in every mode;
//   - at start, routes of Vigil's protocol already in the table (an earlier run that crashed) are kept when their
//     address is announced now and deleted otherwise (`AnnouncementPlan.startActions`);
//   - at stop every route goes first, before the services are released.
// The adapter (`Supervisor`) writes the routes and the addresses on the loopback device over rtnetlink.

import Vocabulary

/// The announced addresses of a configuration: where the routes go, and which pools each address needs.
public struct AnnouncementPlan: Hashable, Sendable {
    /// `rtm_protocol` of Vigil's routes (86, no other daemon's number in iproute2's rt_protos): never `kernel`, which
    /// BIRD's `learn` skips, and the mark that tells Vigil's routes from any other in the table.
    public static let routingProtocol: UInt8 = 86

    /// `vigil_route_table`.
    public var table: UInt32
    /// Each announced address and the virtual servers on it, all of which must have quorum.
    public var addresses: [IPAddress: [VirtualServerID]]
    /// By address, how long its pools' checks take at most to reach their first verdict (their real servers start
    /// down): how long a route left by an earlier run is held at start before it is deleted for want of quorum.
    /// Absent: the pools have no checker, their quorum is known at once.
    public var firstVerdict: [IPAddress: Duration]

    /// A plan.
    public init(table: UInt32, addresses: [IPAddress: [VirtualServerID]], firstVerdict: [IPAddress: Duration] = [:]) {
        self.table = table
        self.addresses = addresses
        self.firstVerdict = firstVerdict
    }

    /// IPVS's `sloppy_tcp` and `sloppy_sctp` are turned on while addresses are announced: when the routers' ECMP
    /// moves a flow to this director mid-connection, its first packet is not a SYN, and without them IPVS would not
    /// schedule it (the local stack would answer with a reset). With `mh` the flow then reaches the same real server.
    public var wantsSloppyScheduling: Bool { !addresses.isEmpty }

    /// The addresses in a stable order.
    public var sortedAddresses: [IPAddress] { addresses.keys.sorted() }

    /// What to do at start with the routes of Vigil's protocol found in the table (`leftovers`, from an earlier run)
    /// when `announced` should be announced now:
    ///   - `kept`: leftovers announced now stay as they are (a healthy director that restarts never withdraws);
    ///   - `held`: leftovers this configuration announces whose pools are not yet known healthy (their checks have not
    ///     reached a verdict) stay until `holdFor`, then go unless the pools came up meanwhile;
    ///   - `remove`: the other leftovers go now (no longer announced, or their pools are known down);
    ///   - `add`: the announced addresses that are missing.
    public func startActions(leftovers: Set<IPAddress>, announced: Set<IPAddress>)
        -> (remove: [IPAddress], add: [IPAddress], kept: [IPAddress], held: [IPAddress], holdFor: Duration) {
        let unannounced = leftovers.subtracting(announced)
        let held = unannounced.filter { firstVerdict[$0] != nil }
        return (remove: unannounced.subtracting(held).sorted(),
                add: announced.subtracting(leftovers).sorted(),
                kept: announced.intersection(leftovers).sorted(),
                held: held.sorted(),
                holdFor: held.compactMap { firstVerdict[$0] }.max() ?? .zero)
    }
}
