import Testing
import Vocabulary
@testable import HA

/// The failback hold's gate in the VRRP machine (issue #15): a held Backup follows a lower-priority master instead
/// of preempting it, and still takes over a master that goes silent or leaves.
@Suite("VRRP preemption hold (simulated time)")
struct PreemptionHoldTests {
    /// Node 1 (priority 100) is MASTER; node 0 (priority 150) returns at 10 s with its preemption held.
    func returning() -> PairHarness {
        var h = PairHarness(config(priority: 150, primary: addrA), config(priority: 100, primary: addrB))
        h.start(1)
        h.run(until: at(10_000))
        _ = h.nodes[0].preemptionHoldChanged(true, now: h.now)
        h.start(0)
        return h
    }

    @Test("A held BACKUP does not preempt a lower-priority master, reports it once, and preempts once released")
    func heldThenReleased() throws {
        var h = returning()
        h.run(until: at(40_000))
        #expect(h.nodes[0].currentState == .backup)
        #expect(h.vipHolder == [1])
        #expect(h.preemptionsHeld == 1)
        _ = h.nodes[0].preemptionHoldChanged(false, now: h.now)
        h.run(until: at(50_000))
        let took = try #require(h.becameMaster(0, after: at(40_000)))
        // Released, the next advert no longer restarts the master-down timer: one Master_Down_Interval at most.
        #expect(took - at(40_000) <= h.nodes[0].masterDownInterval + .seconds(1))
        #expect(h.vipHolder == [0])
        #expect(h.nodes[1].currentState == .backup)
    }

    @Test("Without the hold the same node preempts within a master-down interval of its start")
    func unheldPreempts() throws {
        var h = PairHarness(config(priority: 150, primary: addrA), config(priority: 100, primary: addrB))
        h.start(1)
        h.run(until: at(10_000))
        h.start(0)
        h.run(until: at(20_000))
        let took = try #require(h.becameMaster(0, after: at(10_000)))
        #expect(took - at(10_000) <= h.nodes[0].masterDownInterval + .milliseconds(10))
        #expect(h.preemptionsHeld == 0)
    }

    @Test("A held BACKUP still takes over a master that crashes, at the protocol's time")
    func heldTakesOverSilentMaster() throws {
        var h = returning()
        h.run(until: at(20_000))
        h.crash(1)
        h.run(until: at(30_000))
        let took = try #require(h.becameMaster(0, after: at(20_000)))
        #expect(took - at(20_000) <= h.nodes[0].masterDownInterval)
        #expect(h.vipHolder == [0])
    }

    @Test("A held BACKUP takes over at skew time when the master leaves (priority 0)")
    func heldTakesOverLeavingMaster() throws {
        var h = returning()
        h.run(until: at(20_000))
        h.shutdown(1)
        h.run(until: at(30_000))
        let took = try #require(h.becameMaster(0, after: at(20_000)))
        #expect(took - at(20_000) <= h.nodes[0].skewTime + .milliseconds(2))
    }

    @Test("The hold does not make a higher-priority master yield: a held MASTER keeps its role")
    func holdOnlyGatesPreemption() {
        var h = PairHarness(config(priority: 150, primary: addrA), config(priority: 100, primary: addrB))
        h.start(0); h.start(1)
        h.run(until: at(10_000))
        _ = h.nodes[0].preemptionHoldChanged(true, now: h.now)
        h.run(until: at(20_000))
        #expect(h.nodes[0].currentState == .master)
        #expect(h.vipHolder == [0])
        #expect(h.preemptionsHeld == 0)
    }
}
