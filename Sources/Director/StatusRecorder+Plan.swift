import Control

extension StatusRecorder {
    /// A recorder for what `plan` declares (its VRRP instances and virtual servers).
    public convenience init(plan: DirectorPlan) {
        self.init(instances: plan.vrrp.instances, virtualServers: plan.health)
    }

    /// A reload was accepted: follow the new plan (unchanged names keep their state).
    public func configurationChanged(plan: DirectorPlan) {
        configurationChanged(instances: plan.vrrp.instances, virtualServers: plan.health)
    }
}
