import Glibc

/// What one reconciliation did.
public struct IPVSChangeReport: Hashable, Sendable {
    /// Commands the plan issued, in order (including those that failed).
    public var commands: [IPVSCommand]
    /// Commands the kernel refused.
    public var failures: [IPVSCommandFailure]
    /// Set when the ownership record could not be saved (the kernel was changed anyway;
    /// a later apply retries the save).
    public var ownershipError: IPVSError? = nil
    /// Order-sensitive (`mh`) services whose destination list was put back in the canonical order; their commands
    /// are in `commands`.
    public var orderRepairs: [IPVSOrderRepair] = []

    /// True when the kernel already matched the desired table.
    public var isEmpty: Bool { commands.isEmpty }
}

/// An `mh` service whose kernel list order differed from the canonical one (`IPVSPlan.orderRepair`).
public struct IPVSOrderRepair: Hashable, Sendable, CustomStringConvertible {
    /// The service.
    public var service: IPVSServiceKey
    /// Its list as the kernel had it, head first.
    public var found: [IPVSDestinationKey]
    /// The canonical list.
    public var wanted: [IPVSDestinationKey]
    /// Destinations deleted and added again.
    public var readded: Int

    public var description: String {
        "\(service) (mh): destination order drifted (kernel lists \(found.map(\.description).joined(separator: ", ")); "
            + "every director must list \(wanted.map(\.description).joined(separator: ", "))): \(readded) re-added in place"
    }
}

/// Keeps the kernel's IPVS table equal to a desired table, touching only the services it
/// owns (those it created or adopted); services made by hand are left alone.
/// The Director calls `apply(desired:)` whenever the config or a health check changes
/// the desired table.
public actor IPVSReconciler {
    private let control: any IPVSControl
    /// Services this reconciler created or adopted; only these are ever deleted.
    public private(set) var ownedServices: Set<IPVSServiceKey>

    /// Where ownership is persisted, if anywhere.
    private let ownershipFile: IPVSOwnershipFile?
    /// What the record holds now (nil: not yet saved by this reconciler).
    private var savedOwnership: Set<IPVSServiceKey>?

    /// A reconciler over `control`, which already owns `owned` (e.g. after a restart).
    public init(control: any IPVSControl, owned: Set<IPVSServiceKey> = []) {
        self.control = control
        self.ownedServices = owned
        self.ownershipFile = nil
    }

    /// A reconciler that remembers what it owns across restarts: it starts owning the
    /// services `ownershipFile` records, and rewrites the record after every apply that
    /// changes ownership. So a restarted Vigil deletes a service it declared before the
    /// restart and no longer declares, and never one it did not declare.
    /// - Throws: when the record exists but cannot be read or parsed.
    public init(control: any IPVSControl, ownershipFile: IPVSOwnershipFile) throws(IPVSError) {
        self.control = control
        let owned = try ownershipFile.load()
        self.ownedServices = owned
        self.ownershipFile = ownershipFile
        self.savedOwnership = owned
    }

    /// The kernel's connection timeouts before this reconciler first changed them (`lvs_timeouts`), and what it
    /// set last.
    private var savedTimeouts: IPVSTimeouts?
    private var appliedTimeouts: IPVSTimeouts?

    /// `lvs_timeouts` as keepalived applies it: `wanted` (0 fields: the kernel's own) is set over the kernel's
    /// values read before the first change; nil or empty restores those values if anything was changed (a reload
    /// that drops the keyword, and the stop). Nothing is sent when the kernel already has what was set last.
    public func apply(timeouts wanted: IPVSTimeouts?) throws(IPVSError) -> IPVSChangeReport {
        if savedTimeouts == nil, let wanted, !wanted.isEmpty { savedTimeouts = try control.timeouts() }
        guard let target = IPVSTimeouts.target(wanted: wanted, saved: savedTimeouts), target != appliedTimeouts,
              !(appliedTimeouts == nil && target == savedTimeouts) else {
            return IPVSChangeReport(commands: [], failures: [])
        }
        let failures = try control.execute([.setTimeouts(target)])
        if failures.isEmpty { appliedTimeouts = target }
        return IPVSChangeReport(commands: [.setTimeouts(target)], failures: failures)
    }

    /// The connection-sync daemons this reconciler started and believes running (`lvs_sync_daemon`), by role.
    public private(set) var syncDaemons: [IPVSSyncDaemon.Role: IPVSSyncDaemon] = [:]

    /// The one sync daemon it runs, if it runs exactly one (an instance-following `lvs_sync_daemon`).
    public var syncDaemon: IPVSSyncDaemon? { syncDaemons.count == 1 ? syncDaemons.values.first : nil }

    /// Runs `desired` (at most one per role) as the only sync daemons this reconciler manages: first stops each one
    /// it started that is no longer wanted as it is (a role swap on a VRRP transition is a stop and a start), then
    /// starts the missing ones. A daemon of the same role the kernel already runs (left by a crashed earlier run) is
    /// replaced. Refusals are reported, not thrown.
    public func apply(syncDaemons desired: [IPVSSyncDaemon]) throws(IPVSError) -> IPVSChangeReport {
        var wanted: [IPVSSyncDaemon.Role: IPVSSyncDaemon] = [:]
        for d in desired where wanted[d.role] == nil { wanted[d.role] = d }
        guard wanted != syncDaemons else { return IPVSChangeReport(commands: [], failures: []) }
        var commands: [IPVSCommand] = []
        var failures: [IPVSCommandFailure] = []
        for role in IPVSSyncDaemon.Role.allCases {
            guard let current = syncDaemons[role], wanted[role] != current else { continue }
            commands.append(.stopSyncDaemon(role))
            failures += try control.execute([.stopSyncDaemon(role)])
            syncDaemons[role] = nil
        }
        for role in IPVSSyncDaemon.Role.allCases {
            guard let daemon = wanted[role], syncDaemons[role] == nil else { continue }
            let start = IPVSCommand.startSyncDaemon(daemon)
            commands.append(start)
            var refused = try control.execute([start])
            if let first = refused.first, case .kernel(_, let code, _) = first.error, code == EEXIST {
                // The kernel already runs a daemon of this role (an earlier run's): replace it with ours.
                commands += [.stopSyncDaemon(role), start]
                refused = try control.execute([.stopSyncDaemon(role), start])
            }
            failures += refused
            if !refused.contains(where: { $0.command == start }) { syncDaemons[role] = daemon }
        }
        return IPVSChangeReport(commands: commands, failures: failures)
    }

    /// Runs `desired` as the only sync daemon (nil: none); see `apply(syncDaemons:)`.
    public func apply(syncDaemon desired: IPVSSyncDaemon?) throws(IPVSError) -> IPVSChangeReport {
        try apply(syncDaemons: desired.map { [$0] } ?? [])
    }

    /// Deletes every service and destination in the kernel (`lvs_flush`: what keepalived does at start when the
    /// configuration asks), including those Vigil does not own.
    public func flushAll() throws(IPVSError) -> IPVSChangeReport {
        let failures = try control.execute([.flush])
        return IPVSChangeReport(commands: [.flush], failures: failures)
    }

    /// The commands `apply(desired:)` would issue now, without issuing them.
    public func plan(desired: IPVSTable) throws(IPVSError) -> [IPVSCommand] {
        IPVSPlan.diff(desired: desired, actual: try control.table(), owned: ownedServices)
    }

    /// Reads the kernel table, issues the minimal commands and reports them. A refused
    /// command is reported in `failures` and does not stop the others; reading the table
    /// or a socket failure throws.
    public func apply(desired: IPVSTable) throws(IPVSError) -> IPVSChangeReport {
        var report = try apply(desired: desired, actual: try control.table())
        let repair = try repairOrder(desired: desired)
        report.commands += repair.commands
        report.failures += repair.failures
        report.orderRepairs = repair.orderRepairs
        return report
    }

    /// Reads the list order of every desired order-sensitive (`mh`) service in the kernel and puts back in the
    /// canonical order those that drifted (`IPVSPlan.orderRepair`). Services the kernel does not hold yet, or holds
    /// with other destinations, are `apply`'s business, not this.
    public func repairOrder(desired: IPVSTable) throws(IPVSError) -> IPVSChangeReport {
        var commands: [IPVSCommand] = []
        var repairs: [IPVSOrderRepair] = []
        for want in desired.sorted where IPVSPlan.orderMatters(want.service) {
            let found = try control.destinationOrder(of: want.service.key)
            let fix = IPVSPlan.orderRepair(desired: want, kernelOrder: found)
            guard !fix.isEmpty else { continue }
            commands += fix
            repairs.append(IPVSOrderRepair(service: want.service.key, found: found,
                                           wanted: IPVSPlan.canonicalListOrder(Array(want.destinations.keys)),
                                           readded: fix.count / 2))
        }
        let failures = commands.isEmpty ? [] : try control.execute(commands)
        return IPVSChangeReport(commands: commands, failures: failures, orderRepairs: repairs)
    }

    /// Like `apply(desired:)`, against a kernel table the caller has just read (so a
    /// one-shot run reads the table once, not twice). Without `prune` no owned service is deleted (`vigil ipvs
    /// apply` without `--prune`), and ownership is still recorded.
    public func apply(desired: IPVSTable, actual: IPVSTable, prune: Bool = true) throws(IPVSError) -> IPVSChangeReport {
        try execute(plan(desired: desired, actual: actual, prune: prune), desired: desired, actual: actual)
    }

    /// The commands that make `actual` equal to `desired`, deleting only owned services (none without `prune`).
    public func plan(desired: IPVSTable, actual: IPVSTable, prune: Bool = true) -> [IPVSCommand] {
        IPVSPlan.diff(desired: desired, actual: actual, owned: prune ? ownedServices : [])
    }

    /// Issues `commands` (from `plan(desired:actual:prune:)`) and records ownership: the owned services still in the
    /// kernel, plus every desired service, less those deleted.
    public func execute(_ commands: [IPVSCommand], desired: IPVSTable, actual: IPVSTable) throws(IPVSError) -> IPVSChangeReport {
        let failures = commands.isEmpty ? [] : try control.execute(commands)
        let failed = Set(failures.map(\.command))
        ownedServices.formIntersection(actual.services.keys)
        for c in commands {
            if case .deleteService(let k) = c, !failed.contains(c) { ownedServices.remove(k) }
        }
        ownedServices.formUnion(desired.services.keys)
        var report = IPVSChangeReport(commands: commands, failures: failures)
        if let ownershipFile, savedOwnership != ownedServices {
            do throws(IPVSError) {
                try ownershipFile.save(ownedServices)
                savedOwnership = ownedServices
            } catch {
                report.ownershipError = error
            }
        }
        return report
    }
}
