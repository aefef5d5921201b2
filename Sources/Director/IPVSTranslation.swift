import Config
import HealthCheck
import IPVS

/// The configuration's `virtual_server` blocks as one IPVS table, for the one-shot commands (`vigil ipvs plan`,
/// `vigil ipvs apply`, like `ipvsadm -R`). Pure; the result goes to `IPVSReconciler.apply(desired:)`.
///
/// keepalived semantics (see `LoadBalancerPlan` and `LVSTableBuilder`): a real server without a port uses the
/// virtual server's; a real server that is down is removed, or kept at weight 0 with `inhibit_on_failure`; when the
/// live weight is below `quorum` (by default: every real server down, or none) the `sorry_server` takes their place;
/// `virtual_server group NAME` expands to one IPVS service per address (ranges in the last byte) or fwmark.
public enum IPVSTranslation {
    /// Identifies a real server in the configuration: indices into `virtualServers` and
    /// that virtual server's `realServers`.
    public struct RealServerID: Hashable, Sendable {
        /// Index in `KeepalivedConfig.virtualServers`.
        public var virtualServer: Int
        /// Index in that virtual server's `realServers`.
        public var realServer: Int

        /// An id.
        public init(virtualServer: Int, realServer: Int) {
            self.virtualServer = virtualServer
            self.realServer = realServer
        }
    }

    /// A virtual server that cannot be expressed in IPVS, with the reason.
    public struct Problem: Hashable, Sendable, CustomStringConvertible {
        /// Index in `KeepalivedConfig.virtualServers`.
        public var virtualServer: Int
        /// What is wrong.
        public var reason: String

        public var description: String { "virtual_server #\(virtualServer + 1): \(reason)" }
    }

    /// The desired IPVS table for `config` as `vigil ipvs plan/apply` install it: every service, whatever VRRP says,
    /// every real server at its configured weight except those in `down` (removed, or at weight 0 with
    /// `inhibit_on_failure`). It is `LVSTableBuilder` over `LoadBalancerPlan` — the same translation `vigil run`
    /// uses — so the one-shot commands and the daemon can never disagree.
    public static func desiredTable(
        _ config: KeepalivedConfig, down: Set<RealServerID> = []
    ) -> (table: IPVSTable, problems: [Problem]) {
        let plan = LoadBalancerPlan(config: config)
        var health: [RealServerKey: RealServerState] = [:]
        var problems: [Problem] = []
        for (i, vs) in config.virtualServers.enumerated() {
            if LoadBalancerPlan.serviceKeys(of: vs, in: config).isEmpty {
                problems.append(Problem(virtualServer: i, reason: "\(LoadBalancerPlan.name(of: vs)) stands for no IPVS service (undefined group or empty range)"))
            }
            let name = LoadBalancerPlan.name(of: vs)
            for (j, rs) in vs.realServers.enumerated() {
                guard let key = LoadBalancerPlan.realServerKey(rs, of: vs, name: name) else { continue }
                health[key] = RealServerState(alive: !down.contains(RealServerID(virtualServer: i, realServer: j)),
                                              weight: rs.weight,
                                              inhibitOnFailure: rs.inhibitOnFailure || vs.inhibitOnFailure)
            }
        }
        let table = LVSTableBuilder.desiredTable(plan: plan, isActive: { _ in true }, health: health, quorumUp: [:])
        return (table, problems)
    }
}
