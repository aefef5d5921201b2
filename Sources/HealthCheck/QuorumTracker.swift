// Theory of operation
//
// `QuorumTracker` is the pure per-virtual-server pool evaluation. Its input is the live weight: the sum of the
// weights of the alive real servers. Quorum is up or down:
//   - up → down when live weight < quorum − hysteresis;
//   - down → up when live weight ≥ quorum + hysteresis;
//   - it starts from the live weight with no hysteresis (or down with `alpha`, matching servers that start down).
// A transition returns an action: `quorum_up` / `quorum_down` script to run, and the Director reads
// `destinations(states:)` for the IPVS pool: while quorum is down and a sorry server is configured, every real
// server leaves and the sorry server is the only destination; while quorum is up the sorry server is removed
// (or kept with weight 0 with `sorry_server_inhibit`).

import Vocabulary

/// Per-virtual-server quorum settings.
public struct QuorumPolicy: Hashable, Sendable {
    /// `quorum`: minimum live weight (default 1).
    public var quorum: Int
    /// `hysteresis` (default 0).
    public var hysteresis: Int
    /// `quorum_up`.
    public var quorumUp: ScriptCommand?
    /// `quorum_down`.
    public var quorumDown: ScriptCommand?
    /// `sorry_server`.
    public var sorryServer: SorryServer?

    /// A policy with keepalived's defaults.
    public init(quorum: Int = 1, hysteresis: Int = 0, quorumUp: ScriptCommand? = nil, quorumDown: ScriptCommand? = nil,
                sorryServer: SorryServer? = nil) {
        self.quorum = quorum
        self.hysteresis = max(0, hysteresis)
        self.quorumUp = quorumUp
        self.quorumDown = quorumDown
        self.sorryServer = sorryServer
    }
}

/// `sorry_server` and `sorry_server_inhibit`.
public struct SorryServer: Hashable, Sendable {
    /// Address.
    public var address: IPAddress
    /// Port.
    public var port: UInt16
    /// `sorry_server_inhibit`: keep it with weight 0 while quorum is up instead of removing it.
    public var inhibit: Bool

    /// A sorry server.
    public init(address: IPAddress, port: UInt16, inhibit: Bool = false) {
        self.address = address
        self.port = port
        self.inhibit = inhibit
    }
}

/// One IPVS destination the pool wants.
public struct PoolDestination: Hashable, Sendable {
    /// Address.
    public var address: IPAddress
    /// Port.
    public var port: UInt16
    /// IPVS weight.
    public var weight: Int
    /// This is the sorry server.
    public var isSorryServer: Bool

    /// A destination.
    public init(address: IPAddress, port: UInt16, weight: Int, isSorryServer: Bool = false) {
        self.address = address
        self.port = port
        self.weight = weight
        self.isSorryServer = isSorryServer
    }
}

/// What a quorum transition asks for.
public enum QuorumAction: Hashable, Sendable {
    /// Quorum was gained with this live weight; run `quorum_up` if set.
    case quorumGained(liveWeight: Int, script: ScriptCommand?)
    /// Quorum was lost with this live weight; run `quorum_down` if set.
    case quorumLost(liveWeight: Int, script: ScriptCommand?)
}

/// The quorum state machine of one virtual server.
public struct QuorumTracker: Hashable, Sendable {
    /// The settings.
    public private(set) var policy: QuorumPolicy
    /// Quorum is currently up.
    public private(set) var isUp: Bool
    /// The last live weight seen.
    public private(set) var liveWeight: Int

    /// A tracker starting from `liveWeight` (down if `alpha`).
    public init(policy: QuorumPolicy, liveWeight: Int, alpha: Bool = false) {
        self.policy = policy
        self.liveWeight = liveWeight
        self.isUp = !alpha && liveWeight >= policy.quorum
    }

    /// The live weight of `states`: the sum of the weights of alive servers.
    public static func liveWeight<S: Sequence>(of states: S) -> Int where S.Element == RealServerState {
        states.reduce(0) { $0 + ($1.alive ? $1.weight : 0) }
    }

    /// Feeds a new live weight; returns the transition, if any.
    public mutating func liveWeightChanged(_ weight: Int) -> [QuorumAction] {
        liveWeight = weight
        if isUp, weight < policy.quorum - policy.hysteresis {
            isUp = false
            return [.quorumLost(liveWeight: weight, script: policy.quorumDown)]
        }
        if !isUp, weight >= policy.quorum + policy.hysteresis {
            isUp = true
            return [.quorumGained(liveWeight: weight, script: policy.quorumUp)]
        }
        return []
    }

    /// Replaces the policy on reload, keeping the current up/down state; returns a transition if the new
    /// thresholds demand one.
    public mutating func policyChanged(_ policy: QuorumPolicy) -> [QuorumAction] {
        self.policy = policy
        return liveWeightChanged(liveWeight)
    }

    /// The IPVS destinations this virtual server should have, given its real servers' states.
    public func destinations(states: [RealServerID: RealServerState]) -> [PoolDestination] {
        let sorted = states.sorted { $0.key < $1.key }
        if !isUp, let sorry = policy.sorryServer {
            return [PoolDestination(address: sorry.address, port: sorry.port, weight: 1, isSorryServer: true)]
        }
        var result = sorted.compactMap { key, state in
            state.ipvsWeight.map { PoolDestination(address: key.address, port: key.port, weight: $0) }
        }
        if let sorry = policy.sorryServer, sorry.inhibit {
            result.append(PoolDestination(address: sorry.address, port: sorry.port, weight: 0, isSorryServer: true))
        }
        return result
    }
}
