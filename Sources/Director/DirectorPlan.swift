// Theory of operation
//
// `DirectorPlan` is the one translation of a configuration: built once per load or reload, pure, no I/O. It
// expands every block exactly once into what each runtime needs:
//   - `vrrp`: the VRRP instances, sync groups and trackers for HA (`DirectorPlan+VRRP.swift`);
//   - `health`: one `VirtualServerHealth` per `virtual_server`, for HealthCheck (`DirectorPlan+Checkers.swift`);
//   - `lvs`: the IPVS services with their owners and the pools, for `LoadBalancer`/`LVSTableBuilder`;
//   - `alerts`: the SMTP settings and which VRRP and checker events are mailed (`AlertPlan.swift`).
// Each `virtual_server` is expanded by one function (`DirectorPlan+VirtualServer.swift`) that computes every
// derived fact once (the real server's port default, `inhibit_on_failure`, the sorry server) and keys both the
// health target and the pool entry by the same `RealServerID`, so health reports and the table can never disagree.
// `vigil run`, a SIGHUP reload, `vigil ipvs plan/apply`, `vigil probe` and status all read this plan.

import Config
import BFD
import HA
import HealthCheck
import IPVS
import Vocabulary

/// A configuration fact the runtimes cannot accept (the Config validator normally reports these first).
public struct PlanError: Error, Sendable, CustomStringConvertible {
    /// Where in the configuration.
    public var location: SourceLocation
    /// What is wrong.
    public var message: String

    /// An error.
    public init(location: SourceLocation, message: String) {
        self.location = location
        self.message = message
    }

    public var description: String { "\(location): error: \(message)" }
}

/// A virtual server that cannot be expressed in IPVS, with the reason (it is still health-checked).
public struct PlanProblem: Hashable, Sendable, CustomStringConvertible {
    /// The virtual server.
    public var virtualServer: VirtualServerID
    /// Where it was written.
    public var location: SourceLocation
    /// What is wrong.
    public var reason: String

    public var description: String { "\(location): virtual_server \(virtualServer): \(reason)" }
}

/// The whole configuration as the runtimes consume it.
public struct DirectorPlan: Sendable, Hashable {
    /// The VRRP side: instances, sync groups, trackers, script security.
    public var vrrp: VRRPRuntimeConfiguration
    /// The LVS side: services, owners, pools, sync daemon.
    public var lvs: LoadBalancerPlan
    /// The `bfd_instance` sessions (their changes feed `track_bfd`).
    public var bfd: [BFDSessionConfiguration] = []
    /// The health-check input, one per `virtual_server`, in configuration order.
    public var health: [VirtualServerHealth]
    /// `enable_script_security` and `script_user`, for every script.
    public var scriptSecurity: ScriptSecurity
    /// Virtual servers that stand for no IPVS service.
    public var problems: [PlanProblem]
    /// `state_dump_file`, as written: where SIGUSR1's data dump goes (`StatusService.DumpPaths` applies keepalived's
    /// rules).
    public var stateDumpFile: String?
    /// The e-mail alerts: the SMTP settings and which events are mailed.
    public var alerts = AlertPlan()
    /// `startup_script` and `shutdown_script` with their timeouts (read at start only, as keepalived does).
    public var startupScript: LifecycleScript?
    public var shutdownScript: LifecycleScript?

    /// A plan from parts (tests).
    public init(vrrp: VRRPRuntimeConfiguration = VRRPRuntimeConfiguration(instances: []), lvs: LoadBalancerPlan,
                health: [VirtualServerHealth] = [], scriptSecurity: ScriptSecurity = ScriptSecurity(),
                problems: [PlanProblem] = []) {
        self.vrrp = vrrp
        self.lvs = lvs
        self.health = health
        self.scriptSecurity = scriptSecurity
        self.problems = problems
    }

    /// The plan of a validated configuration.
    public init(config: KeepalivedConfig) throws(PlanError) {
        let security = ScriptSecurity(enabled: config.globalDefs.enableScriptSecurity,
                                      defaultUser: config.globalDefs.scriptUser)
        var vrrp = try Self.vrrp(config)
        vrrp.scriptSecurity = security
        let owners = Self.vipOwners(config)
        var services: [PlannedService] = []
        var pools: [VirtualServerID: PlannedPool] = [:]
        var health: [VirtualServerHealth] = []
        var problems: [PlanProblem] = []
        // keepalived 2.2.7 ignores a virtual server without real servers (a sorry server does not count): so does the
        // plan (the validator says so).
        for vs in config.virtualServers where !vs.realServers.isEmpty {
            let expanded = Self.expand(vs, in: config, owners: owners)
            services += expanded.services
            pools[expanded.id] = expanded.pool
            health.append(expanded.health)
            if expanded.services.isEmpty {
                problems.append(PlanProblem(virtualServer: expanded.id, location: vs.location,
                                            reason: "stands for no IPVS service (undefined group or empty range)"))
            }
        }
        self.vrrp = vrrp
        self.lvs = LoadBalancerPlan(
            services: services, pools: pools, syncDaemon: Self.syncDaemon(config),
            flushAtStart: config.globalDefs.lvsFlush,
            haSuspend: Set(config.virtualServers.filter(\.haSuspend).map { Self.id(of: $0) }),
            timeouts: config.globalDefs.lvsTimeouts.map {
                IPVSTimeouts(tcp: $0.tcp ?? 0, tcpFin: $0.tcpFin ?? 0, udp: $0.udp ?? 0)
            },
            flushAtStop: config.globalDefs.lvsFlushOnStop == true,
            announcement: Self.announcement(config, planned: Set(pools.keys)))
        self.health = health
        self.bfd = config.bfdInstances.compactMap(Self.bfdSession)
        self.scriptSecurity = security
        self.problems = problems
        self.stateDumpFile = config.globalDefs.stateDumpFile
        self.startupScript = config.globalDefs.startupScript.map {
            LifecycleScript(kind: .startup, command: $0.script, timeout: config.globalDefs.startupScriptTimeout)
        }
        self.shutdownScript = config.globalDefs.shutdownScript.map {
            LifecycleScript(kind: .shutdown, command: $0.script, timeout: config.globalDefs.shutdownScriptTimeout)
        }
        self.alerts = Self.alerts(config)
    }

    /// `vigil_announce`: each announced address with its virtual servers (those with real servers: the others have no
    /// pool and are not planned), in `vigil_route_table`; a plan without addresses when only the table is written (a
    /// restart then still deletes the routes an earlier configuration announced). The validator refused announcing without a table, a fwmark
    /// or group service, and a VRRP address.
    static func announcement(_ config: KeepalivedConfig, planned: Set<VirtualServerID>) -> AnnouncementPlan? {
        guard let table = config.globalDefs.vigilRouteTable else { return nil }
        var addresses: [IPAddress: [VirtualServerID]] = [:]
        var verdict: [IPAddress: Duration] = [:]
        for vs in config.virtualServers where vs.vigilAnnounce != nil {
            guard case .address(let address, _) = vs.address else { continue }
            let id = id(of: vs)
            guard planned.contains(id) else { continue }
            addresses[address, default: []].append(id)
            // The first verdict of a checker that starts down: its first probe (within warmup, by default the
            // delay_loop) and every retry of it, plus a second of slack.
            for c in vs.realServers.flatMap(\.checkers) {
                let attempts = max(0, c.retry) + 1
                let bound = (c.warmup ?? c.delayLoop) + c.connection.connectTimeout * attempts + c.delayBeforeRetry * (attempts - 1)
                    + .seconds(1)
                verdict[address] = max(verdict[address] ?? .zero, bound)
            }
        }
        return AnnouncementPlan(table: table, addresses: addresses, firstVerdict: verdict)
    }

    /// The IPVS table as the one-shot commands (`vigil ipvs plan`, `vigil ipvs apply`, like `ipvsadm -R`) install
    /// it: every service whatever VRRP says, every real server at its configured weight except those in `down`
    /// (removed, or kept at weight 0 with `inhibit_on_failure`). It is `LVSTableBuilder` over this plan, the same
    /// policy `vigil run` applies, so the commands and the daemon never disagree.
    public func ipvsTable(down: Set<RealServerID> = []) -> IPVSTable {
        var reports: [RealServerID: RealServerState] = [:]
        for pool in lvs.pools.values {
            for rs in pool.realServers where down.contains(rs.key) {
                reports[rs.key] = RealServerState(alive: false, weight: Int(rs.destination.weight),
                                                  inhibitOnFailure: rs.inhibitOnFailure)
            }
        }
        let all = Set(lvs.pools.values.flatMap { $0.realServers.map(\.key) })
        for key in all where reports[key] == nil {
            if let rs = lvs.pools[key.virtualServer]?.realServers.first(where: { $0.key == key }) {
                reports[key] = RealServerState(alive: true, weight: Int(rs.destination.weight),
                                               inhibitOnFailure: rs.inhibitOnFailure)
            }
        }
        return LVSTableBuilder.desiredTable(plan: lvs, isActive: { _ in true }, health: reports, quorumUp: [:])
    }
}
