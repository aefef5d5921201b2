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

@Test("A stricter quorum on reload takes quorum down")
func policyReload() {
    var q = QuorumTracker(policy: QuorumPolicy(quorum: 1), liveWeight: 2)
    #expect(q.policyChanged(QuorumPolicy(quorum: 3)) == [.quorumLost(liveWeight: 2, script: nil)])
}
