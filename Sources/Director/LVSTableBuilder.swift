// Theory of operation
//
// The pure function from "what is true now" to "what the kernel's IPVS table should be":
//   - a service is in the table when its owner is active (see `LVSOwner`), or always in checks-only mode;
//   - a real server that is alive gets its health weight (the configured weight, or the misc_dynamic / FILE_CHECK
//     weight the checks computed); a dead one is removed, or kept with weight 0 with `inhibit_on_failure`;
//   - a real server with no health report yet is alive at its configured weight unless a checker has `alpha`;
//   - while a pool's quorum is down and it has a sorry server, the sorry server (weight 1) is the only destination;
//     while quorum is up the sorry server is absent, or present with weight 0 with `sorry_server_inhibit`.
// It is the only pool policy: HealthCheck reports real-server states and quorum transitions, never pools. It does not
// decide quorum (HealthCheck's `QuorumTracker` does, with hysteresis); a pool with no quorum report
// yet has quorum when its initial live weight reaches `quorum` (and never with `alpha`).

import HA
import HealthCheck
import IPVS
import Vocabulary

/// Builds the desired IPVS table.
public enum LVSTableBuilder {
    /// The desired table.
    /// - Parameters:
    ///   - plan: services, owners and pools of the configuration.
    ///   - isActive: whether an owner currently holds its services.
    ///   - health: the last reported state of each real server.
    ///   - quorumUp: the last reported quorum of each pool, by virtual server.
    public static func desiredTable(plan: LoadBalancerPlan, isActive: (LVSOwner) -> Bool,
                                    health: [RealServerID: RealServerState],
                                    quorumUp: [VirtualServerID: Bool]) -> IPVSTable {
        var entries: [IPVSVirtualService] = []
        for planned in plan.services where isActive(planned.owner) {
            let pool = plan.pools[planned.virtualServer] ?? PlannedPool(realServers: [])
            let up = quorumUp[planned.virtualServer] ?? initialQuorum(pool, health: health)
            let dests = destinations(pool, quorumUp: up, health: health)
            entries.append(IPVSVirtualService(service: planned.service,
                                              destinations: kernelPorts(dests, service: planned.service.key),
                                              slotWeights: slotWeights(dests, pool: pool, service: planned.service)))
        }
        return IPVSTable(entries)
    }

    /// For an `mh` service, the configured weight of each destination at weight 0 (a dead `inhibit_on_failure` real
    /// server, an inhibited sorry server), by its kernel key: see `IPVSVirtualService.slotWeights`.
    static func slotWeights(_ dests: [IPVSDestination], pool: PlannedPool,
                            service: IPVSService) -> [IPVSDestinationKey: Int32] {
        guard IPVSPlan.orderMatters(service) else { return [:] }
        var configured: [IPVSDestinationKey: Int32] = [:]
        for rs in pool.realServers where configured[rs.destination.key] == nil {
            configured[rs.destination.key] = rs.destination.weight
        }
        if let sorry = pool.sorryServer, configured[sorry.key] == nil { configured[sorry.key] = max(1, sorry.weight) }
        var out: [IPVSDestinationKey: Int32] = [:]
        for d in dests where d.weight == 0 {
            if let w = configured[d.key], w > 0 { out[kernelKey(d, service: service.key)] = w }
        }
        return out
    }

    /// The key a destination has in the kernel (see `kernelPorts`).
    static func kernelKey(_ d: IPVSDestination, service: IPVSServiceKey) -> IPVSDestinationKey {
        let servicePort: UInt16 = if case .address(_, _, let port) = service { port } else { 0 }
        var key = d.key
        if d.forwarding != .masquerade || key.port == 0 { key.port = servicePort }
        return key
    }

    /// The port each destination gets in the kernel, as keepalived 2.2.7 programs it: a NAT destination keeps its
    /// own port (a real server without one, in a group, takes each address service's port); a DR or TUN destination
    /// takes the service's port (0 for a firewall mark), since those methods cannot change the port. Two real servers
    /// that then share an address and port are one destination: the first one written.
    static func kernelPorts(_ dests: [IPVSDestination], service: IPVSServiceKey) -> [IPVSDestination] {
        var seen = Set<IPVSDestinationKey>()
        var out: [IPVSDestination] = []
        for var d in dests {
            d.key = kernelKey(d, service: service)
            if seen.insert(d.key).inserted { out.append(d) }
        }
        return out
    }

    /// The state a real server has now: its report, else its initial state.
    public static func state(of rs: PlannedRealServer, health: [RealServerID: RealServerState]) -> RealServerState {
        health[rs.key] ?? RealServerState(alive: rs.initiallyAlive, weight: Int(rs.destination.weight),
                                          inhibitOnFailure: rs.inhibitOnFailure)
    }

    /// The IPVS weight of a real server in `state`: its health weight while alive; while dead, 0 when it is inhibited
    /// (`inhibit_on_failure`, in the plan or in the report), else `nil`: it leaves the pool.
    public static func ipvsWeight(_ state: RealServerState, inhibitOnFailure: Bool = false) -> Int? {
        state.alive ? state.weight : (inhibitOnFailure || state.inhibitOnFailure ? 0 : nil)
    }

    /// Quorum of a pool that has no report yet.
    static func initialQuorum(_ pool: PlannedPool, health: [RealServerID: RealServerState]) -> Bool {
        guard !pool.alpha else { return false }
        return QuorumTracker.liveWeight(of: pool.realServers.map { state(of: $0, health: health) }) >= pool.quorum
    }

    /// The destinations of one pool.
    static func destinations(_ pool: PlannedPool, quorumUp: Bool,
                             health: [RealServerID: RealServerState]) -> [IPVSDestination] {
        if !quorumUp, let sorry = pool.sorryServer {
            // keepalived 2.2.7 on a lost quorum: the alive real servers leave (an `inhibit_on_failure` one stays at
            // weight 0, as a dead one with it already is), the sorry server joins.
            var out: [IPVSDestination] = pool.realServers
                .filter { ($0.inhibitOnFailure || state(of: $0, health: health).inhibitOnFailure)
                    && $0.destination.key != sorry.key }
                .map { var d = $0.destination; d.weight = 0; return d }
            out.append(sorry)
            return out
        }
        var out: [IPVSDestination] = []
        for rs in pool.realServers {
            guard let weight = ipvsWeight(state(of: rs, health: health), inhibitOnFailure: rs.inhibitOnFailure) else {
                continue
            }
            var d = rs.destination
            d.weight = Int32(clamping: max(0, weight))
            out.append(d)
        }
        if pool.sorryServerInhibit, var sorry = pool.sorryServer,
           !out.contains(where: { $0.key == sorry.key }) {
            sorry.weight = 0
            out.append(sorry)
        }
        return out
    }
}
