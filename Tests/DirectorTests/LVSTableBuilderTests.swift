import HA
import HealthCheck
import IPVS
import Testing
import Vocabulary
import TestSupport
@testable import Director

// The pool policy that HealthCheck's `QuorumTracker.destinations` and `RealServerState.ipvsWeight` used to duplicate;
// these tests took over theirs.

private let vs: VirtualServerID = "10.0.0.1:80"
private let k3 = RealServerID(virtualServer: vs, address: "10.0.0.3", port: 80)
private let k4 = RealServerID(virtualServer: vs, address: "10.0.0.4", port: 80)
private let service = tcp("10.0.0.1", 80)

private func dest(_ host: String, _ weight: Int32) -> IPVSDestination {
    IPVSDestination(key: IPVSDestinationKey(address: v4(host), port: 80), forwarding: .masquerade, weight: weight)
}

private func plan(quorum: Int, sorryInhibit: Bool = false) -> LoadBalancerPlan {
    LoadBalancerPlan(
        services: [PlannedService(service: IPVSService(key: service), owner: .always, virtualServer: vs)],
        pools: [vs: PlannedPool(realServers: [PlannedRealServer(key: k3, destination: dest("10.0.0.3", 1), inhibitOnFailure: false, initiallyAlive: true),
                                              PlannedRealServer(key: k4, destination: dest("10.0.0.4", 1), inhibitOnFailure: false, initiallyAlive: true)],
                                quorum: quorum, sorryServer: dest("10.0.9.9", 1), sorryServerInhibit: sorryInhibit)])
}

private func table(_ plan: LoadBalancerPlan, health: [RealServerID: RealServerState], quorumUp: [VirtualServerID: Bool]) -> [IPVSDestination]? {
    LVSTableBuilder.desiredTable(plan: plan, isActive: { _ in true }, health: health, quorumUp: quorumUp)
        .services[service]?.sortedDestinations
}

@Suite("LVSTableBuilder")
struct LVSTableBuilderTests {
    @Test("Without quorum the sorry server replaces the real servers; an inhibited one stays at weight 0 (keepalived 2.2.7)")
    func sorryServerReplacesPool() {
        let health = [k3: RealServerState(alive: true, weight: 1, inhibitOnFailure: false),
                      k4: RealServerState(alive: false, weight: 1, inhibitOnFailure: true)]
        #expect(table(plan(quorum: 2), health: health, quorumUp: [vs: true]) == [dest("10.0.0.3", 1), dest("10.0.0.4", 0)])
        #expect(table(plan(quorum: 2), health: health, quorumUp: [vs: false]) == [dest("10.0.0.4", 0), dest("10.0.9.9", 1)])
        let noneInhibited = [k3: RealServerState(alive: true, weight: 1, inhibitOnFailure: false),
                             k4: RealServerState(alive: false, weight: 1, inhibitOnFailure: false)]
        #expect(table(plan(quorum: 2), health: noneInhibited, quorumUp: [vs: false]) == [dest("10.0.9.9", 1)])
    }

    @Test("sorry_server_inhibit keeps the sorry server with weight 0 while quorum is up, even with no real server alive")
    func sorryServerInhibit() {
        let health = [k3: RealServerState(alive: false, weight: 1, inhibitOnFailure: false),
                      k4: RealServerState(alive: false, weight: 1, inhibitOnFailure: false)]
        #expect(table(plan(quorum: 1, sorryInhibit: true), health: health, quorumUp: [vs: true]) == [dest("10.0.9.9", 0)])
    }

    @Test("The IPVS weight: the health weight while alive, 0 when dead and inhibited, none (removed) when dead")
    func ipvsWeight() {
        #expect(LVSTableBuilder.ipvsWeight(RealServerState(alive: true, weight: 7, inhibitOnFailure: true)) == 7)
        #expect(LVSTableBuilder.ipvsWeight(RealServerState(alive: false, weight: 5, inhibitOnFailure: true)) == 0)
        #expect(LVSTableBuilder.ipvsWeight(RealServerState(alive: false, weight: 5, inhibitOnFailure: false)) == nil)
        #expect(LVSTableBuilder.ipvsWeight(RealServerState(alive: false, weight: 5, inhibitOnFailure: false), inhibitOnFailure: true) == 0)
    }
}

@Suite("LVSTableBuilder: mh slot weights (issue #16)")
struct LVSTableBuilderSlotWeightTests {
    /// A DR `mh` service on port 80 whose real servers are written on port 8080 (DR takes the service's port) at weight
    /// 5, both `inhibit_on_failure`, and an inhibited sorry server.
    private func mhPlan(scheduler: String = "mh") -> LoadBalancerPlan {
        let rs = { (host: String, key: RealServerID) in
            PlannedRealServer(key: key, destination: IPVSDestination(key: IPVSDestinationKey(address: v4(host), port: 8080),
                                                                     forwarding: .directRoute, weight: 5),
                              inhibitOnFailure: true, initiallyAlive: true)
        }
        return LoadBalancerPlan(
            services: [PlannedService(service: IPVSService(key: service, scheduler: scheduler), owner: .always, virtualServer: vs)],
            pools: [vs: PlannedPool(realServers: [rs("10.0.0.3", k3), rs("10.0.0.4", k4)], quorum: 1,
                                    sorryServer: dest("10.0.9.9", 2), sorryServerInhibit: true)])
    }

    private func slots(_ plan: LoadBalancerPlan, down: Bool) -> [IPVSDestinationKey: Int32]? {
        let health = [k4: RealServerState(alive: !down, weight: 5, inhibitOnFailure: true)]
        return LVSTableBuilder.desiredTable(plan: plan, isActive: { _ in true }, health: health, quorumUp: [vs: true])
            .services[service]?.slotWeights
    }

    @Test("A dead inhibited real server and the inhibited sorry server get their configured weights, by kernel key")
    func weights() {
        #expect(slots(mhPlan(), down: true) == [IPVSDestinationKey(address: v4("10.0.0.4"), port: 80): 5,
                                                IPVSDestinationKey(address: v4("10.0.9.9"), port: 80): 2])
        #expect(slots(mhPlan(), down: false) == [IPVSDestinationKey(address: v4("10.0.9.9"), port: 80): 2])
    }

    @Test("Only mh services carry them")
    func onlyMH() {
        #expect(slots(mhPlan(scheduler: "wrr"), down: true) == [:])
    }
}
