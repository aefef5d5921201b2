// Theory of operation
//
// `QuorumTracker` is the pure per-virtual-server quorum machine. Its input is the live weight: the sum of the
// weights of the alive real servers. Quorum is up or down:
//   - up → down when live weight < quorum − hysteresis;
//   - down → up when live weight ≥ quorum + hysteresis;
//   - it starts from the live weight with no hysteresis (or down with `alpha`, matching servers that start down).
// A transition returns an action naming the `quorum_up` / `quorum_down` script to run. It does not build the IPVS
// pool: what a pool holds while quorum is up or down (the sorry server) is the Director's `LVSTableBuilder`.

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

    /// A policy with keepalived's defaults.
    public init(quorum: Int = 1, hysteresis: Int = 0, quorumUp: ScriptCommand? = nil, quorumDown: ScriptCommand? = nil) {
        self.quorum = quorum
        self.hysteresis = max(0, hysteresis)
        self.quorumUp = quorumUp
        self.quorumDown = quorumDown
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
}
