import Vocabulary

/// One real server to check: its identity, weight and checkers.
public struct RealServerTarget: Hashable, Sendable {
    /// Identity.
    public var key: RealServerID
    /// Configured `weight`.
    public var weight: Int
    /// `inhibit_on_failure`: a dead server stays in the table with weight 0.
    public var inhibitOnFailure: Bool
    /// The checkers; all must pass. With none, the server is always up.
    public var checkers: [CheckerSpec]
    /// `notify_up`.
    public var notifyUp: ScriptCommand?
    /// `notify_down`.
    public var notifyDown: ScriptCommand?

    /// A target.
    public init(key: RealServerID, weight: Int = 1, inhibitOnFailure: Bool = false, checkers: [CheckerSpec],
                notifyUp: ScriptCommand? = nil, notifyDown: ScriptCommand? = nil) {
        self.key = key
        self.weight = weight
        self.inhibitOnFailure = inhibitOnFailure
        self.checkers = checkers
        self.notifyUp = notifyUp
        self.notifyDown = notifyDown
    }
}

/// Identifies one checker of one real server.
public struct CheckID: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// The real server.
    public var realServer: RealServerID
    /// Index of the checker in `RealServerTarget.checkers`.
    public var index: Int

    /// An ID.
    public init(realServer: RealServerID, index: Int) {
        self.realServer = realServer
        self.index = index
    }

    public var description: String { "\(realServer)#\(index)" }

    public static func < (a: CheckID, b: CheckID) -> Bool { (a.realServer, a.index) < (b.realServer, b.index) }
}

/// The health-derived state of a real server.
public struct RealServerState: Hashable, Sendable {
    /// Every checker is up.
    public var alive: Bool
    /// Weight while alive: the configured weight adjusted by misc_dynamic / dynamic file checks.
    public var weight: Int
    /// `inhibit_on_failure` of the server.
    public var inhibitOnFailure: Bool

    /// A state.
    public init(alive: Bool, weight: Int, inhibitOnFailure: Bool) {
        self.alive = alive
        self.weight = weight
        self.inhibitOnFailure = inhibitOnFailure
    }
}

/// A change of a real server's state, with the reason that caused it.
public struct RealServerStateChange: Hashable, Sendable, CustomStringConvertible {
    /// The server.
    public var key: RealServerID
    /// The new state.
    public var state: RealServerState
    /// The state before, `nil` when the server was just added.
    public var previous: RealServerState?
    /// Why, e.g. `HTTP_GET http://10.0.0.3:80/health status 503, expected 200 (3rd try)`.
    public var reason: String

    /// A change.
    public init(key: RealServerID, state: RealServerState, previous: RealServerState?, reason: String) {
        self.key = key
        self.state = state
        self.previous = previous
        self.reason = reason
    }

    /// One log line: `10.0.0.3:80 DOWN: HTTP_GET ... (3rd try)`.
    public var description: String {
        let word: String
        if state.alive {
            word = previous?.alive == true ? "WEIGHT \(state.weight)" : "UP"
        } else {
            word = "DOWN"
        }
        return "\(key.realServer) \(word): \(reason)"
    }
}
