import Config
import Vocabulary

/// `vigil bgp render`: the BGP engine's side of the `vigil_announce` hand-off, for the configured addresses. The
/// engine learns Vigil's host routes from `vigil_route_table` and exports exactly the announced addresses to its
/// peers; nothing in it changes when a pool's health does (docs/anycast.md).
public enum BGPTool {
    /// Which engine.
    public enum Engine: String, Sendable, CaseIterable {
        case bird
        case frr
    }

    /// The session parameters the snippet needs (the rest comes from the configuration).
    public struct Session: Sendable, Equatable {
        /// This director's AS.
        public var localAS: UInt32
        /// The router(s) to announce to.
        public var peers: [IPAddress]
        /// Their AS.
        public var peerAS: UInt32
        /// BFD on the sessions, so a dead director leaves the routers' ECMP set within BFD's detection time.
        public var bfd: Bool

        /// Parameters.
        public init(localAS: UInt32, peers: [IPAddress], peerAS: UInt32, bfd: Bool) {
            self.localAS = localAS
            self.peers = peers
            self.peerAS = peerAS
            self.bfd = bfd
        }

        /// Parameters with the peers as text (the command line; `invalidPeer` has checked them).
        public init(localAS: UInt32, peerTexts: [String], peerAS: UInt32, bfd: Bool) {
            self.init(localAS: localAS, peers: peerTexts.compactMap(IPAddress.init), peerAS: peerAS, bfd: bfd)
        }

        /// The first peer that is not an IP address.
        public static func invalidPeer(_ peers: [String]) -> String? { peers.first { IPAddress($0) == nil } }
    }

    /// Reads FILE and renders its announced addresses for `engine`.
    public static func render(file: String, engine: Engine, session: Session) throws(ToolFailure) -> String {
        let result = ConfigLoader.load(path: file)
        guard result.isValid else { throw ToolFailure(result.rendered(), exitCode: 65) }
        let plan: DirectorPlan
        do { plan = try DirectorPlan(config: result.config) } catch { throw ToolFailure("\(error)\n", exitCode: 64) }
        guard let announcement = plan.lvs.announcement else {
            throw ToolFailure("\(file): no 'vigil_route_table' in global_defs: nothing is announced, there is nothing to render\n",
                              exitCode: 64)
        }
        if announcement.addresses.isEmpty {
            throw ToolFailure("\(file): no virtual_server has 'vigil_announce' (with real servers): nothing to render\n",
                              exitCode: 64)
        }
        return text(announcement, engine: engine, session: session, source: file)
    }

    /// The snippet (pure).
    public static func text(_ plan: AnnouncementPlan, engine: Engine, session: Session, source: String) -> String {
        switch engine {
        case .bird: bird(plan, session: session, source: source)
        case .frr: frr(plan, session: session, source: source)
        }
    }

    static func bird(_ plan: AnnouncementPlan, session: Session, source: String) -> String {
        let families: [(name: String, addresses: [IPAddress])] = [
            ("ipv4", plan.sortedAddresses.filter { !$0.isIPv6 }), ("ipv6", plan.sortedAddresses.filter(\.isIPv6)),
        ].filter { !$0.addresses.isEmpty }
        var out = """
        # BIRD 2 side of Vigil's vigil_announce hand-off, rendered by `vigil bgp render --bird` from \(source).
        # Vigil keeps a host route (dev lo, proto \(AnnouncementPlan.routingProtocol)) in kernel table \(plan.table) for each
        # announced address while its pools have quorum; BIRD learns the table and exports those routes only.
        # Include it from bird.conf; nothing here changes when a pool's health does.

        """
        for f in families {
            let suffix = f.name == "ipv4" ? "4" : "6"
            let length = f.name == "ipv4" ? 32 : 128
            out += """

            \(f.name) table vigil\(suffix);

            protocol kernel vigil_learn\(suffix) {
                kernel table \(plan.table);
                learn;                  # routes other programs write (not proto kernel)
                scan time 10;           # changes arrive by netlink at once; the scan is a safety net
                \(f.name) { table vigil\(suffix); import all; export none; };
            }

            filter vigil_announced\(suffix) {
                if net ~ [ \(f.addresses.map { "\($0)/\(length)" }.joined(separator: ", ")) ] then accept;
                reject;
            }

            """
        }
        if session.bfd { out += "\nprotocol bfd vigil_bfd {\n}\n" }
        for (n, peer) in session.peers.enumerated() {
            out += """

            protocol bgp vigil_peer\(n + 1) {
                local as \(session.localAS);
                neighbor \(peer) as \(session.peerAS);

            """
            if session.bfd { out += "    bfd on;\n" }
            for f in families {
                let suffix = f.name == "ipv4" ? "4" : "6"
                out += "    \(f.name) { table vigil\(suffix); import none; export filter vigil_announced\(suffix); };\n"
            }
            out += "}\n"
        }
        if session.peers.isEmpty {
            out += "\n# No --peer given: add a `protocol bgp` per router, exporting `filter vigil_announced4` (and 6).\n"
        }
        return out
    }

    static func frr(_ plan: AnnouncementPlan, session: Session, source: String) -> String {
        let v4 = plan.sortedAddresses.filter { !$0.isIPv6 }, v6 = plan.sortedAddresses.filter(\.isIPv6)
        var out = """
        ! FRR side of Vigil's vigil_announce hand-off, rendered by `vigil bgp render --frr` from \(source).
        ! Vigil keeps a host route (dev lo, proto \(AnnouncementPlan.routingProtocol)) in kernel table \(plan.table) for each
        ! announced address while its pools have quorum; zebra imports the table and bgpd redistributes it.

        """
        if !v4.isEmpty { out += "ip import-table \(plan.table)\n" }
        if !v6.isEmpty { out += "ipv6 import-table \(plan.table)\n" }
        for (n, a) in v4.enumerated() { out += "ip prefix-list VIGIL-ANNOUNCED seq \((n + 1) * 5) permit \(a)/32\n" }
        for (n, a) in v6.enumerated() { out += "ipv6 prefix-list VIGIL-ANNOUNCED6 seq \((n + 1) * 5) permit \(a)/128\n" }
        if !v4.isEmpty { out += "route-map VIGIL-ANNOUNCED permit 10\n match ip address prefix-list VIGIL-ANNOUNCED\n" }
        if !v6.isEmpty { out += "route-map VIGIL-ANNOUNCED6 permit 10\n match ipv6 address prefix-list VIGIL-ANNOUNCED6\n" }
        out += "router bgp \(session.localAS)\n"
        for peer in session.peers {
            out += " neighbor \(peer) remote-as \(session.peerAS)\n"
            if session.bfd { out += " neighbor \(peer) bfd\n" }
        }
        for (family, list, map) in [("ipv4", v4, "VIGIL-ANNOUNCED"), ("ipv6", v6, "VIGIL-ANNOUNCED6")] where !list.isEmpty {
            out += " address-family \(family) unicast\n"
            out += "  redistribute table \(plan.table) route-map \(map)\n"
            for peer in session.peers {
                if family == "ipv6" { out += "  neighbor \(peer) activate\n" }
                out += "  neighbor \(peer) route-map \(map) out\n"
            }
            out += " exit-address-family\n"
        }
        if session.peers.isEmpty { out += "! No --peer given: add a neighbor per router with `route-map VIGIL-ANNOUNCED out`.\n" }
        return out
    }
}
