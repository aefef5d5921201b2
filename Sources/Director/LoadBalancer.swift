// Theory of operation
//
// `LoadBalancer` is the sans-IO composition core: a plain value holding what the Director knows (the plan, the
// state of each VRRP instance, the health of each real server, the quorum of each pool) and fed three events:
//   - `instanceChanged(_:to:reason:)`   a VRRP transition;
//   - `realServerChanged(_:)`            a health-check state change (alive or weight);
//   - `quorumChanged(virtualServer:up:)` a pool's quorum was gained or lost.
// Each returns actions: one `.ownershipChanged` per service that is installed or withdrawn (with the owner and the
// reason, for a one-line log), and `.reconcile` when the desired table or sync daemon changed. The adapter (`Supervisor`) applies
// `desiredTable` to the kernel through the IPVS reconciler.
//
// Announced addresses (`vigil_announce`, see Announcement.swift) follow the same events: every action list ends with
// one `.announcementChanged` per address whose route must be added or deleted, with the reason.
//
// A transition into STOP is not an ownership change: the daemon is shutting down, and the supervisor removes the
// services (or keeps them with `--dont-release-ipvs`) as one explicit step. In checks-only mode (`vigil run -C`)
// every service is always installed and VRRP events change nothing.

import HA
import HealthCheck
import IPVS
import Vocabulary

/// Whether VRRP decides which services are installed.
public enum LoadBalancerMode: Hashable, Sendable {
    /// A service on a VIP is installed while its owner is MASTER.
    case followVRRP
    /// `-C`/`--check`: no VRRP; every service is installed.
    case checksOnly
}

/// What the adapter must do after an event.
public enum LoadBalancerAction: Hashable, Sendable, CustomStringConvertible {
    /// A service starts or stops being installed because its owner changed state; log it.
    case ownershipChanged(IPVSServiceKey, installed: Bool, owner: LVSOwner, reason: String)
    /// The desired table changed: reconcile the kernel with `desiredTable`.
    case reconcile
    /// An announced address's route must be added (`announced`) or deleted now; log the reason.
    case announcementChanged(IPAddress, announced: Bool, reason: String)

    public var description: String {
        switch self {
        case .ownershipChanged(let key, let installed, let owner, let reason):
            "\(key) \(installed ? "installed" : "withdrawn"): \(owner) \(reason)"
        case .reconcile: "reconcile"
        case .announcementChanged(let address, let announced, let reason):
            "\(address) \(announced ? "announced" : "withdrawn"): \(reason)"
        }
    }
}

/// The composition core: VRRP states + health → which services are owned and what the table should be.
public struct LoadBalancer: Sendable {
    /// Services, owners and pools.
    public private(set) var plan: LoadBalancerPlan
    /// Checks-only or VRRP-driven.
    public let mode: LoadBalancerMode
    private var instanceStates: [String: VRRPState] = [:]
    /// BACKUP instances whose master went silent: their services are installed ahead of a likely takeover.
    private var prepared: Set<String> = []
    private var health: [RealServerID: RealServerState] = [:]
    private var quorumUp: [VirtualServerID: Bool] = [:]

    /// A core with every instance not yet MASTER and no health reports.
    public init(plan: LoadBalancerPlan, mode: LoadBalancerMode = .followVRRP) {
        self.plan = plan
        self.mode = mode
    }

    /// The table the kernel should have now.
    public var desiredTable: IPVSTable {
        LVSTableBuilder.desiredTable(plan: plan, isActive: isActive, health: health, quorumUp: quorumUp)
    }

    /// The services currently installed (their owner is active), in plan order.
    public var installedServices: [IPVSServiceKey] {
        plan.services.filter { isActive($0.owner) }.map(\.service.key)
    }

    /// Whether a pool has quorum now: its last report, else its initial quorum (`alpha` starts down).
    public func hasQuorum(_ virtualServer: VirtualServerID) -> Bool {
        guard let pool = plan.pools[virtualServer] else { return false }
        return quorumUp[virtualServer] ?? LVSTableBuilder.initialQuorum(pool, health: health)
    }

    /// The addresses to announce now: those all of whose announced virtual servers have quorum.
    public var announcedAddresses: Set<IPAddress> {
        guard let a = plan.announcement else { return [] }
        return Set(a.addresses.filter { $0.value.allSatisfy(hasQuorum) }.keys)
    }

    /// Why `address` is announced or not, for the log and the status: the pools without quorum, or that all have it.
    public func announcementReason(_ address: IPAddress) -> String {
        let pools = plan.announcement?.addresses[address] ?? []
        if pools.isEmpty { return "not announced in the configuration" }
        let down = pools.filter { !hasQuorum($0) }
        if down.isEmpty {
            return pools.count == 1 ? "virtual_server \(pools[0]) has quorum"
                                    : "its \(pools.count) virtual servers have quorum"
        }
        return down.map { "virtual_server \($0) has no quorum" }.joined(separator: ", ")
    }

    /// The connection-sync daemons the kernel should run now (`lvs_sync_daemon`): following an instance, the master
    /// daemon (sending) while it is MASTER and the backup daemon (receiving) in every other state, none in checks-only
    /// mode (keepalived's VRRP process runs those); without an instance both, in every mode (keepalived's checker
    /// process runs them); none without the keyword.
    public var desiredSyncDaemons: [IPVSSyncDaemon] {
        guard let d = plan.syncDaemon else { return [] }
        guard let instance = d.instance else { return [d.daemon(.master), d.daemon(.backup)] }
        guard mode == .followVRRP else { return [] }
        return [d.daemon(state(of: instance) == .master ? .master : .backup)]
    }

    /// Virtual servers whose health checks are suspended now: `ha_suspend` and none of their services installed
    /// (their VIP is not on this node).
    public var suspendedVirtualServers: Set<VirtualServerID> {
        plan.haSuspend.filter { name in !plan.services.contains { $0.virtualServer == name && isActive($0.owner) } }
    }

    /// The last known state of an instance (`INIT` before any report).
    public func state(of instance: String) -> VRRPState { instanceStates[instance] ?? .initialize }

    /// Whether `owner`'s services are installed now.
    public func isActive(_ owner: LVSOwner) -> Bool {
        switch mode {
        case .checksOnly: return true
        case .followVRRP:
            switch owner {
            case .always: return true
            case .instance(let name): return serves(name)
            case .syncGroup(_, let members): return !members.isEmpty && members.allSatisfy(serves)
            }
        }
    }

    /// MASTER, or a BACKUP prepared for a takeover (its master is silent).
    private func serves(_ instance: String) -> Bool {
        let s = state(of: instance)
        return s == .master || (s == .backup && prepared.contains(instance))
    }

    /// The instances all of whose services (owned alone or through a sync group) are in `table`: for those a takeover
    /// needs no IPVS change. Instances that own no service are not listed.
    public static func instancesInstalled(plan: LoadBalancerPlan, table: IPVSTable) -> Set<String> {
        var complete: [String: Bool] = [:]
        for planned in plan.services {
            let members: [String]
            switch planned.owner {
            case .always: continue
            case .instance(let name): members = [name]
            case .syncGroup(_, let m): members = m
            }
            let present = table.services[planned.service.key] != nil
            for m in members { complete[m] = (complete[m] ?? true) && present }
        }
        return Set(complete.filter(\.value).keys)
    }

    /// A VRRP instance changed state. Transitions into STOP are ignored (see the theory of operation). Any
    /// transition ends a takeover preparation.
    public mutating func instanceChanged(_ instance: String, to state: VRRPState, reason: String) -> [LoadBalancerAction] {
        if state == .stop { return [] }
        return changing(reason: "is \(state) (\(instance): \(reason))") {
            $0.instanceStates[instance] = state
            $0.prepared.remove(instance)
        }
    }

    /// A BACKUP instance's master went silent (`true`) or advertises again (`false`). While silent, the instance's
    /// services are installed ahead of the takeover that may follow (the VIP is not on this node yet, so the table
    /// serves nobody); they are withdrawn when the master is heard again. A takeover then only adds the VIP.
    public mutating func masterSilenceChanged(_ instance: String, silent: Bool) -> [LoadBalancerAction] {
        guard state(of: instance) == .backup || !silent else { return [] }
        let reason = silent ? "prepared for a takeover (\(instance): master silent)"
                            : "takeover preparation ended (\(instance): master advertising again)"
        return changing(reason: reason) {
            if silent { $0.prepared.insert(instance) } else { $0.prepared.remove(instance) }
        }
    }

    /// A real server's health changed.
    public mutating func realServerChanged(_ change: RealServerStateChange) -> [LoadBalancerAction] {
        changing(reason: "") { $0.health[change.key] = change.state }
    }

    /// A pool's quorum was gained or lost.
    public mutating func quorumChanged(virtualServer: VirtualServerID, up: Bool) -> [LoadBalancerAction] {
        changing(reason: "") { $0.quorumUp[virtualServer] = up }
    }

    /// A reload: the configuration's services and pools are replaced by `newPlan`. Instance states are kept (the VRRP
    /// side reloads without flapping unchanged instances); health and quorum reports are kept for the real servers
    /// and pools that are still configured (a weight edited in the file arrives as the checks' next report) and
    /// dropped for the others. Services that appear or disappear are reported as ownership changes.
    public mutating func replacePlan(_ newPlan: LoadBalancerPlan) -> [LoadBalancerAction] {
        let oldServices = plan.services
        let before = desiredTable
        let daemonBefore = desiredSyncDaemons
        let installedBefore = Set(installedServices)
        let announcedBefore = announcedAddresses
        plan = newPlan
        let keys = Set(newPlan.pools.values.flatMap { $0.realServers.map(\.key) })
        health = health.filter { keys.contains($0.key) }
        quorumUp = quorumUp.filter { newPlan.pools[$0.key] != nil }
        var actions: [LoadBalancerAction] = []
        let newKeys = Set(newPlan.services.map(\.service.key))
        for old in oldServices where installedBefore.contains(old.service.key) && !newKeys.contains(old.service.key) {
            actions.append(.ownershipChanged(old.service.key, installed: false, owner: old.owner,
                                             reason: "removed from the configuration"))
        }
        for planned in newPlan.services where isActive(planned.owner) && !installedBefore.contains(planned.service.key) {
            actions.append(.ownershipChanged(planned.service.key, installed: true, owner: planned.owner,
                                             reason: "added to the configuration"))
        }
        for planned in newPlan.services where !isActive(planned.owner) && installedBefore.contains(planned.service.key) {
            actions.append(.ownershipChanged(planned.service.key, installed: false, owner: planned.owner,
                                             reason: "owner changed in the configuration"))
        }
        if desiredTable != before || desiredSyncDaemons != daemonBefore { actions.append(.reconcile) }
        return actions + announcementChanges(from: announcedBefore, cause: "after a reload")
    }

    /// One action per address whose announcement changed since `before`, IPv4 first.
    private func announcementChanges(from before: Set<IPAddress>, cause: String) -> [LoadBalancerAction] {
        let now = announcedAddresses
        return before.symmetricDifference(now).sorted().map { address in
            let why = announcementReason(address)
            return .announcementChanged(address, announced: now.contains(address),
                                        reason: cause.isEmpty ? why : "\(why) \(cause)")
        }
    }

    private mutating func changing(reason: String, _ change: (inout LoadBalancer) -> Void) -> [LoadBalancerAction] {
        let before = desiredTable
        let daemonBefore = desiredSyncDaemons
        let installedBefore = Set(installedServices)
        let announcedBefore = announcedAddresses
        change(&self)
        var actions: [LoadBalancerAction] = []
        for planned in plan.services {
            let key = planned.service.key
            let now = isActive(planned.owner)
            if now != installedBefore.contains(key) {
                actions.append(.ownershipChanged(key, installed: now, owner: planned.owner, reason: reason))
            }
        }
        if desiredTable != before || desiredSyncDaemons != daemonBefore { actions.append(.reconcile) }
        return actions + announcementChanges(from: announcedBefore, cause: "")
    }
}
