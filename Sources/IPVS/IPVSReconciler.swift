/// What one reconciliation did.
public struct IPVSChangeReport: Hashable, Sendable {
    /// Commands the plan issued, in order (including those that failed).
    public var commands: [IPVSCommand]
    /// Commands the kernel refused.
    public var failures: [IPVSCommandFailure]

    /// True when the kernel already matched the desired table.
    public var isEmpty: Bool { commands.isEmpty }
}

/// Keeps the kernel's IPVS table equal to a desired table, touching only the services it
/// owns (those it created or adopted); services made by hand are left alone.
/// The Director calls `apply(desired:)` whenever the config or a health check changes
/// the desired table.
public actor IPVSReconciler {
    private let control: any IPVSControl
    /// Services this reconciler created or adopted; only these are ever deleted.
    public private(set) var ownedServices: Set<IPVSServiceKey>

    /// A reconciler over `control`, which already owns `owned` (e.g. after a restart).
    public init(control: any IPVSControl, owned: Set<IPVSServiceKey> = []) {
        self.control = control
        self.ownedServices = owned
    }

    /// The commands `apply(desired:)` would issue now, without issuing them.
    public func plan(desired: IPVSTable) throws(IPVSError) -> [IPVSCommand] {
        IPVSPlan.diff(desired: desired, actual: try control.table(), owned: ownedServices)
    }

    /// Reads the kernel table, issues the minimal commands and reports them. A refused
    /// command is reported in `failures` and does not stop the others; reading the table
    /// or a socket failure throws.
    public func apply(desired: IPVSTable) throws(IPVSError) -> IPVSChangeReport {
        let commands = try plan(desired: desired)
        let failures = commands.isEmpty ? [] : try control.execute(commands)
        for c in commands {
            if case .deleteService(let k) = c, !failures.contains(where: { $0.command == c }) { ownedServices.remove(k) }
        }
        ownedServices.formUnion(desired.services.keys)
        return IPVSChangeReport(commands: commands, failures: failures)
    }
}
