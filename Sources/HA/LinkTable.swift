// Theory of operation
// -------------------
// The links of the host as rtnetlink reported them, as a plain value: decoded link messages (a dump, then events)
// go in, and the changes of each interface *name* come out, because keepalived's configuration names interfaces.
// A name is up, down or absent. The kernel sends RTM_NEWLINK for many things besides a change of state (addresses,
// MTU, statistics); only a change of up/down/absent is returned. A rename arrives as an RTM_NEWLINK with a known
// index and a new name: the old name becomes absent and the new one appears. The table opens no socket.

/// A link's state as link tracking sees it.
public enum VRRPLinkState: Sendable, Hashable, CustomStringConvertible {
    /// IFF_UP and IFF_RUNNING.
    case up
    /// The link exists but is administratively down or has no carrier.
    case down
    /// No link of that name (deleted, renamed away, or never seen).
    case absent

    public var description: String {
        switch self {
        case .up: return "up"
        case .down: return "down"
        case .absent: return "deleted"
        }
    }
}

/// The host's links by index and name. See the theory of operation above.
public struct LinkTable: Sendable {
    /// A name whose state changed.
    public struct Change: Sendable, Hashable {
        /// The interface name.
        public var name: String
        /// Its new state.
        public var state: VRRPLinkState

        /// Creates a change.
        public init(name: String, state: VRRPLinkState) {
            self.name = name
            self.state = state
        }
    }

    private var byIndex: [Int32: (name: String, up: Bool)] = [:]

    /// An empty table: every name is absent.
    public init() {}

    /// The state of `name` now.
    public func state(of name: String) -> VRRPLinkState {
        guard let entry = byIndex.values.first(where: { $0.name == name }) else { return .absent }
        return entry.up ? .up : .down
    }

    /// Applies one message and returns the names whose state changed (a rename gives two changes).
    public mutating func apply(_ message: LinkMessage) -> [Change] {
        let before = byIndex[message.index]
        switch message.kind {
        case .deleted:
            guard let before else { return [] }
            byIndex[message.index] = nil
            return [Change(name: before.name, state: state(of: before.name))]
        case .new:
            byIndex[message.index] = (message.name, message.isUp)
            var out: [Change] = []
            if let before, before.name != message.name {
                out.append(Change(name: before.name, state: state(of: before.name)))
            }
            if before?.name != message.name || before?.up != message.isUp {
                out.append(Change(name: message.name, state: message.isUp ? .up : .down))
            }
            return out
        }
    }

    /// Replaces the table with a complete dump and returns what changed, names gone from it included.
    public mutating func replaced(by dump: [LinkMessage]) -> [Change] {
        let old = self
        var fresh = LinkTable()
        for m in dump where m.kind == .new { _ = fresh.apply(m) }
        self = fresh
        let names = Set(old.byIndex.values.map(\.name)).union(fresh.byIndex.values.map(\.name))
        return names.sorted().compactMap { name in
            let now = fresh.state(of: name)
            return old.state(of: name) == now ? nil : Change(name: name, state: now)
        }
    }
}
