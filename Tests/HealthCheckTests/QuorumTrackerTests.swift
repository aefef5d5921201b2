import Testing
import Vocabulary
import TestSupport
@testable import HealthCheck

@Test("Quorum starts up when the live weight reaches it")
func quorumStartsUp() {
    #expect(QuorumTracker(policy: QuorumPolicy(quorum: 3), liveWeight: 3).isUp)
    #expect(!QuorumTracker(policy: QuorumPolicy(quorum: 3), liveWeight: 2).isUp)
    #expect(!QuorumTracker(policy: QuorumPolicy(quorum: 1), liveWeight: 5, alpha: true).isUp)
}

@Test("Quorum is lost below quorum − hysteresis and regained at quorum + hysteresis")
func hysteresisBand() {
    var q = QuorumTracker(policy: QuorumPolicy(quorum: 5, hysteresis: 1, quorumUp: "/up", quorumDown: "/down"), liveWeight: 6)
    #expect(q.liveWeightChanged(4).isEmpty)
    #expect(q.liveWeightChanged(3) == [.quorumLost(liveWeight: 3, script: "/down")])
    #expect(q.liveWeightChanged(5).isEmpty)
    #expect(q.liveWeightChanged(6) == [.quorumGained(liveWeight: 6, script: "/up")])
}

@Test("Without quorum the sorry server replaces every real server")
func sorryServerReplacesPool() {
    let k1 = RealServerID(virtualServer: "vs", address: "10.0.0.3", port: 80)
    let k2 = RealServerID(virtualServer: "vs", address: "10.0.0.4", port: 80)
    let states = [k1: RealServerState(alive: true, weight: 1, inhibitOnFailure: false),
                  k2: RealServerState(alive: false, weight: 1, inhibitOnFailure: true)]
    var q = QuorumTracker(policy: QuorumPolicy(quorum: 2, sorryServer: SorryServer(address: "10.0.9.9", port: 80)), liveWeight: 2)
    #expect(q.destinations(states: states) == [PoolDestination(address: "10.0.0.3", port: 80, weight: 1),
                                               PoolDestination(address: "10.0.0.4", port: 80, weight: 0)])
    _ = q.liveWeightChanged(QuorumTracker.liveWeight(of: states.values))
    #expect(q.destinations(states: states) == [PoolDestination(address: "10.0.9.9", port: 80, weight: 1, isSorryServer: true)])
}

@Test("sorry_server_inhibit keeps the sorry server with weight 0 while quorum is up")
func sorryServerInhibit() {
    let q = QuorumTracker(policy: QuorumPolicy(quorum: 1, sorryServer: SorryServer(address: "10.0.9.9", port: 80, inhibit: true)), liveWeight: 1)
    #expect(q.destinations(states: [:]) == [PoolDestination(address: "10.0.9.9", port: 80, weight: 0, isSorryServer: true)])
}

@Test("A stricter quorum on reload takes quorum down")
func policyReload() {
    var q = QuorumTracker(policy: QuorumPolicy(quorum: 1), liveWeight: 2)
    #expect(q.policyChanged(QuorumPolicy(quorum: 3)) == [.quorumLost(liveWeight: 2, script: nil)])
}
