import Control
import HA
import HealthCheck

extension StatusRecorder {
    /// A recorder for what `plan` declares (its VRRP instances and virtual servers), showing the IPVS weights of
    /// the Director's pool policy.
    public convenience init(plan: DirectorPlan) {
        self.init(instances: plan.vrrp.instances, virtualServers: plan.health)
    }

    /// A recorder for these instances and virtual servers, showing the IPVS weights of the Director's pool policy.
    public convenience init(instances: [VRRPInstanceSpec], virtualServers: [VirtualServerHealth]) {
        self.init(instances: instances, virtualServers: virtualServers, ipvsWeight: { LVSTableBuilder.ipvsWeight($0) })
    }

    /// A reload was accepted: follow the new plan (unchanged names keep their state).
    public func configurationChanged(plan: DirectorPlan) {
        configurationChanged(instances: plan.vrrp.instances, virtualServers: plan.health)
    }
}
