import Config
import Dispatch
import Foundation
import HA
import HealthCheck
import IPVS
import Logging
import NIOCore
import NIOPosix
import Synchronization
import Vocabulary
import Control

/// Why the load-balancing side could not run.
public enum SupervisorError: Error, Sendable, CustomStringConvertible {
    /// The IPVS generic-netlink family could not be opened (no `ip_vs` module, no CAP_NET_ADMIN).
    case ipvs(IPVSError)
    /// The VRRP daemon it runs alongside failed.
    case daemon(DaemonError)

    public var description: String {
        switch self {
        case .ipvs(let e): "IPVS: \(e)"
        case .daemon(let e): "\(e)"
        }
    }
}

/// The adapter around `LoadBalancer`: runs the health checks (on every node, from start), feeds VRRP transitions
/// and health reports into the core, and reconciles the kernel's IPVS table with the core's desired table through
/// `IPVSReconciler` (never a flush; only services Vigil installed or adopted are touched). Changes are coalesced:
/// events that arrive while a reconcile is running (or within `coalescing`, default 0) become one more reconcile.
///
/// On stop the owned services are removed, unless `releaseOnExit` is false (`--dont-release-ipvs`).
public actor Supervisor {
    private enum Input: Sendable {
        case vrrp(VRRPEvent)
        case reload(DirectorPlan)
        case stop
    }

    private var core: LoadBalancer
    private var healthTargets: [VirtualServerHealth]
    private var health: HealthCheckService?
    private let scriptSecurity: ScriptSecurity
    private let releaseOnExit: Bool
    private let logger: Logger
    private let coalescing: Duration
    private let makeControl: @Sendable () throws(IPVSError) -> any IPVSControl
    private let ownershipFile: IPVSOwnershipFile?
    private let inputs: AsyncStream<Input>
    private let inputSink: AsyncStream<Input>.Continuation
    private var reconciler: IPVSReconciler?
    private var reconcileScheduled = false
    private var reconciling = false
    private var dirty = false
    private var stopping = false
    /// The virtual servers whose checks are suspended (`ha_suspend`) as last given to the health service.
    private var suspendedChecks: Set<VirtualServerID> = []
    /// The table of the last successful apply (nil before one, and after a failure).
    private var appliedTable: IPVSTable?
    /// Instances all of whose services are in the kernel as of the last successful apply (see `isPrepared`).
    private let prepared = Mutex<Set<String>>([])
    /// Callers waiting for the running reconcile to finish.
    private var idleWaiters: [CheckedContinuation<Void, Never>] = []
    private let recorder: StatusRecorder?
    private let alerts: AlertCenter?
    /// `vigil_announce` routes and loopback addresses.
    private var announcer: RouteAnnouncer
    private var announceRetryScheduled = false
    /// The IPVS switches this daemon set (`LoadBalancerPlan.kernelSwitches`), with the kernel's values from before,
    /// restored when no longer wanted and at stop.
    private var savedSwitches: [String: String] = [:]
    private let sysctl: IPVSSysctl
    /// The failback holds (`vigil_failback_hold`): decided in `FailbackHolds`, applied through `holdSink`.
    private var holds: FailbackHolds
    /// Tells the VRRP runtime to hold or release an instance's preemption.
    private var holdSink: (@Sendable (String, Bool) -> Void)?
    private let connectionTable: IPVSConnectionTable
    private var sampling = false
    /// The table's entries at the previous reading during a hold (nil: none yet).
    private var heldKeys: Set<UInt64>?
    private let origin = ContinuousClock.now

    /// A supervisor for `plan`. `control` opens the kernel interface (default: generic netlink).
    /// `ownershipFile` persists which services this daemon owns, so a restart after a crash deletes the services the
    /// previous run installed and the new configuration no longer declares (and never one it did not install);
    /// nil keeps ownership in memory.
    public init(plan: DirectorPlan, mode: LoadBalancerMode, releaseOnExit: Bool = true, logger: Logger,
                coalescing: Duration = .zero, recorder: StatusRecorder? = nil,
                ownershipFile: IPVSOwnershipFile? = nil, alerts: AlertCenter? = nil,
                routes: any RouteControl = NetlinkRouteControl(), addresses: any AddressControl = NetlinkAddressControl(),
                sysctl: IPVSSysctl = IPVSSysctl(), connectionTable: IPVSConnectionTable = IPVSConnectionTable(),
                control: @escaping @Sendable () throws(IPVSError) -> any IPVSControl = {
                    () throws(IPVSError) -> any IPVSControl in try NetlinkIPVSClient()
                }) {
        self.announcer = RouteAnnouncer(routes: routes, addresses: addresses, logger: logger, recorder: recorder)
        self.sysctl = sysctl
        self.connectionTable = connectionTable
        self.holds = FailbackHolds(syncDaemon: mode == .followVRRP ? plan.lvs.syncDaemon : nil)
        self.core = LoadBalancer(plan: plan.lvs, mode: mode)
        self.healthTargets = plan.health
        self.scriptSecurity = plan.scriptSecurity
        self.releaseOnExit = releaseOnExit
        self.logger = logger
        self.coalescing = coalescing
        self.makeControl = control
        self.ownershipFile = ownershipFile
        self.recorder = recorder
        self.alerts = alerts
        (inputs, inputSink) = AsyncStream.makeStream(of: Input.self)
    }

    /// Whether a plan has anything for the supervisor to do.
    public static func isNeeded(for plan: DirectorPlan) -> Bool { !plan.health.isEmpty }

    /// Asks `run` to finish (what the end of the VRRP event stream also does).
    public nonisolated func stop() { inputSink.yield(.stop) }

    /// Asks `run` to apply a reloaded configuration (in order with the other inputs): the services and pools are
    /// replaced, instance states and the health of unchanged real servers are kept, checks of new real servers
    /// start, removed ones stop, and the kernel gets the minimal difference. `enable_script_security` and
    /// `script_user` keep their values from the start.
    public nonisolated func reload(_ plan: DirectorPlan) { inputSink.yield(.reload(plan)) }

    /// Sets how a failback hold reaches the VRRP runtime (`VRRPRuntime.holdPreemption`). Set it before `run`.
    public func setPreemptionHoldSink(_ sink: (@Sendable (String, Bool) -> Void)?) { holdSink = sink }

    /// The table the kernel should have now (for status and tests).
    public func desiredTable() -> IPVSTable { core.desiredTable }

    /// Runs the checks and keeps the table until `stop()`, or until `vrrpEvents` finishes (the VRRP runtime stopped)
    /// when `stopsWithVRRP`. Pass nil for `vrrpEvents` in checks-only mode.
    public func run(vrrpEvents: AsyncStream<VRRPEvent>?, stopsWithVRRP: Bool = true) async throws(SupervisorError) {
        let control: any IPVSControl
        do { control = try makeControl() } catch { throw .ipvs(error) }
        let reconciler = makeReconciler(control)
        self.reconciler = reconciler
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let pool = NIOThreadPool(numberOfThreads: 2)
        pool.start()
        let health = HealthCheckService(loop: group.next(), threadPool: pool, scriptSecurity: scriptSecurity,
                                        logger: logger)
        self.health = health
        recorder?.attach(health: health)
        recorder?.attach(trafficReader: {
            IPVSTraffic(totals: IPVSGlobalStats().read(), services: (try? control.status()) ?? [])
        })
        if core.plan.syncDaemon != nil {
            let table = connectionTable
            recorder?.attach(connectionCounter: { table.count() })
            recorder?.syncDaemonsChanged([], configured: true)
        }
        logger.notice("Starting Vigil load balancer: \(core.plan.services.count) services, \(healthTargets.count) virtual servers (\(core.mode == .checksOnly ? "checks only" : "following VRRP"))")
        if core.plan.flushAtStart { await flushTable() }
        await applyTimeouts(core.plan.timeouts)
        await reconcileNow()
        applySwitches(core.plan.kernelSwitches(mode: core.mode))
        // Announced routes follow the first table: the routers send nothing before the services are in.
        if let hold = announcer.start(core.plan.announcement, announced: core.announcedAddresses,
                                      reason: core.announcementReason) {
            // Routes left by an earlier run wait for their pools' first verdict, then go unless announced by then.
            Task {
                try? await Task.sleep(for: hold)
                self.retryAnnouncements()
            }
        }
        scheduleAnnounceRetry()
        let healthTask = Task { for await event in health.events { self.healthEvent(event) } }
        let sink = inputSink
        let vrrpTask = Task {
            guard let vrrpEvents else { return }
            for await event in vrrpEvents {
                // Alerts take the event here, not behind a reconcile, so the last ones (STOP) are queued before the
                // balancer's own shutdown.
                alerts?.vrrpEventReceived(event)
                sink.yield(.vrrp(event))
            }
            if stopsWithVRRP { sink.yield(.stop) }
        }
        let orderTask = Task { await self.checkOrderPeriodically() }
        let engineTask = Task { await self.watchRoutingEngine() }
        suspendedChecks = core.suspendedVirtualServers
        await health.update(checkedTargets())
        loop: for await input in inputs {
            switch input {
            case .vrrp(let event): vrrpEvent(event)
            case .reload(let plan): await applyReload(plan)
            case .stop: break loop
            }
            await followSuspension()
        }
        stopping = true
        // The routes go first: the routers stop sending before anything else is released.
        announcer.stop(releaseAddresses: releaseOnExit)
        vrrpTask.cancel()
        orderTask.cancel()
        engineTask.cancel()
        await health.shutdown()
        await healthTask.value
        if reconciling { await withCheckedContinuation { idleWaiters.append($0) } }
        do {
            let report = try await reconciler.apply(syncDaemons: [])
            logReport(report)
        } catch {
            logger.error("ipvs: cannot stop the sync daemon: \(error)")
        }
        await applyTimeouts(nil)
        applySwitches([:])
        if releaseOnExit && core.plan.flushAtStop {
            do {
                let report = try await reconciler.flushAll()
                if report.failures.isEmpty { logger.notice("ipvs: lvs_flush_on_stop: table flushed") }
                for f in report.failures { logger.error("ipvs: lvs_flush_on_stop failed: \(f)") }
                _ = try await reconciler.apply(desired: IPVSTable())   // the ownership record follows: nothing owned

            } catch {
                logger.error("ipvs: lvs_flush_on_stop failed: \(error)")
            }
        } else if releaseOnExit {
            do {
                let report = try await reconciler.apply(desired: IPVSTable())
                for c in report.commands { logger.info("ipvs: \(c)") }
                for f in report.failures { logger.error("ipvs: \(f.command): \(f)") }
            } catch {
                logger.error("ipvs: cannot release services: \(error)")
            }
        } else {
            let kept = await reconciler.ownedServices.count
            logger.notice("ipvs: leaving \(kept) services installed (--dont-release-ipvs)")
        }
        try? await pool.shutdownGracefully()
        try? await group.shutdownGracefully()
        logger.notice("Stopped Vigil load balancer")
    }

    /// The reconciler, owning what the ownership record lists. A record that cannot be read is logged with its
    /// position and moved aside to `PATH.corrupt`; the daemon then starts owning nothing (it deletes no service it
    /// did not install this run) and writes a fresh record.
    private func makeReconciler(_ control: any IPVSControl) -> IPVSReconciler {
        guard let ownershipFile else { return IPVSReconciler(control: control) }
        do throws(IPVSError) {
            let reconciler = try IPVSReconciler(control: control, ownershipFile: ownershipFile)
            logger.info("ipvs: ownership record \(ownershipFile.path)")
            return reconciler
        } catch {
            let aside = ownershipFile.path + ".corrupt"
            logger.error("ipvs: ownership record unusable, starting with none (kept as \(aside)): \(error)")
            if rename(ownershipFile.path, aside) == 0,
               let fresh = try? IPVSReconciler(control: control, ownershipFile: ownershipFile) {
                return fresh
            }
            return IPVSReconciler(control: control)
        }
    }

    // MARK: - Events

    private func applyReload(_ new: DirectorPlan) async {
        let plan = new.lvs
        healthTargets = new.health
        logger.notice("reload: \(plan.services.count) services, \(healthTargets.count) virtual servers")
        let tableBefore = core.plan.announcement?.table
        let actions = core.replacePlan(plan)
        applySwitches(plan.kernelSwitches(mode: core.mode))
        if tableBefore != plan.announcement?.table || announcer.plan?.addresses != plan.announcement?.addresses {
            // The table or the addresses changed: the announcer moves routes and loopback addresses as a whole.
            perform(actions.filter { if case .announcementChanged = $0 { false } else { true } })
            announcer.replace(plan.announcement, announced: core.announcedAddresses, reason: core.announcementReason)
            scheduleAnnounceRetry()
        } else {
            perform(actions)
        }
        await applyTimeouts(plan.timeouts)
        applyHolds(holds.configurationChanged(core.mode == .followVRRP ? plan.syncDaemon : nil, now: now()))
        if plan.syncDaemon == nil { recorder?.syncDaemonsChanged([], configured: false) }
        publishPrepared(appliedTable)   // the kernel as last applied, read against the new plan
        suspendedChecks = core.suspendedVirtualServers
        await health?.update(checkedTargets())
    }

    /// The health targets to check now: every virtual server but those suspended by `ha_suspend`.
    private func checkedTargets() -> [VirtualServerHealth] {
        suspendedChecks.isEmpty ? healthTargets : healthTargets.filter { !suspendedChecks.contains($0.id) }
    }

    /// `ha_suspend`: a virtual server's checks stop when none of its services is installed (its VIP left this node)
    /// and start again, fresh, when one is.
    private func followSuspension() async {
        let now = core.suspendedVirtualServers
        guard now != suspendedChecks else { return }
        for name in now.subtracting(suspendedChecks).sorted() { logger.notice("\(name) health checks suspended (ha_suspend: not MASTER)") }
        for name in suspendedChecks.subtracting(now).sorted() { logger.notice("\(name) health checks resumed (ha_suspend: MASTER)") }
        suspendedChecks = now
        await health?.update(checkedTargets())
    }

    /// `lvs_timeouts`: set at start and on reload over the kernel's values, which are restored when a reload drops
    /// the keyword and at stop (keepalived's behaviour). Logged as the other IPVS commands.
    private func applyTimeouts(_ wanted: IPVSTimeouts?) async {
        guard let reconciler else { return }
        do {
            let report = try await reconciler.apply(timeouts: wanted)
            for c in report.commands where report.failures.isEmpty {
                logger.notice("ipvs: lvs_timeouts: \(c)\(wanted == nil ? " (the kernel's values restored)" : "")")
            }
            for f in report.failures { logger.error("ipvs: lvs_timeouts: \(f.command) failed: \(f)") }
        } catch {
            logger.error("ipvs: lvs_timeouts: cannot read or set the timeouts: \(error)")
        }
    }

    /// Sets the IPVS switches `wanted` over the kernel's values (kept to restore), and restores those no longer wanted
    /// (`[:]` at stop). One log line per change.
    private func applySwitches(_ wanted: [String: KernelSwitch]) {
        for name in Set(wanted.keys).union(savedSwitches.keys).sorted() {
            if let want = wanted[name] {
                if savedSwitches[name] == nil {
                    guard let before = sysctl.text(name) else {
                        logger.error("ipvs: cannot read \(sysctl.directory)/\(name), so it stays as it is (wanted \(want.value): \(want.reason))")
                        continue
                    }
                    savedSwitches[name] = before
                    if before == want.value { continue }
                }
                guard sysctl.text(name) != want.value else { continue }
                if let e = sysctl.setText(name, want.value) {
                    logger.error("ipvs: cannot set \(name) to \(want.value): \(String(cString: strerror(e)))")
                } else {
                    logger.notice("ipvs: \(name) \(want.value) (\(want.reason))")
                }
            } else if let before = savedSwitches.removeValue(forKey: name), sysctl.text(name) != before {
                if let e = sysctl.setText(name, before) {
                    logger.error("ipvs: cannot restore \(name): \(String(cString: strerror(e)))")
                } else {
                    logger.notice("ipvs: \(name) back to \(before)")
                }
            }
        }
    }

    /// `lvs_flush`: the whole table is flushed once at start, before the first reconcile.
    private func flushTable() async {
        guard let reconciler else { return }
        do {
            let report = try await reconciler.flushAll()
            if report.failures.isEmpty { logger.notice("ipvs: lvs_flush: table flushed") }
            for f in report.failures { logger.error("ipvs: lvs_flush failed: \(f)") }
        } catch {
            logger.error("ipvs: lvs_flush failed: \(error)")
        }
    }

    private func logReport(_ report: IPVSChangeReport) {
        for c in report.commands where !report.failures.contains(where: { $0.command == c }) {
            logger.info("ipvs: \(c)")
        }
        for f in report.failures { logger.error("ipvs: \(f.command) failed: \(f)") }
        for r in report.orderRepairs { logger.warning("ipvs: \(r)") }
    }

    /// How often the BGP engines beside Vigil are looked for while routes are announced (`RoutingEngineWatch`).
    static let engineCheckInterval: Duration = .seconds(10)

    /// While the configuration has `vigil_route_table`: at once, then every `engineCheckInterval`, whether a BGP
    /// engine runs to export the table; one line per change (a warning when none does).
    private func watchRoutingEngine() async {
        var watch = RoutingEngineWatch()
        while !stopping, !Task.isCancelled {
            if let table = announcer.plan?.table,
               let line = watch.observed(RoutingEngineProbe.running(), table: table) {
                if line.warning { logger.warning("\(line.text)") } else { logger.notice("\(line.text)") }
            }
            try? await Task.sleep(for: Self.engineCheckInterval)
        }
    }

    /// How often the destination order of `mh` services is read back (a change by hand or by another tool has no
    /// event; Vigil's own reconciles repair the order as they go).
    static let orderCheckInterval: Duration = .seconds(30)

    /// While the desired table has an `mh` service: every `orderCheckInterval` its kernel list order is read back and
    /// put back in the canonical order if it drifted (`IPVSReconciler.repairOrder`). Nothing else of the table is
    /// touched between reconciles.
    private func checkOrderPeriodically() async {
        while !stopping, !Task.isCancelled {
            try? await Task.sleep(for: Self.orderCheckInterval)
            await checkOrder()
        }
    }

    private func checkOrder() async {
        guard !stopping, !reconciling, let reconciler,
              core.desiredTable.services.values.contains(where: { IPVSPlan.orderMatters($0.service) }) else { return }
        reconciling = true
        let started = ContinuousClock.now
        do {
            let report = try await reconciler.repairOrder(desired: core.desiredTable)
            if !report.isEmpty {
                recorder?.reconciled(report, duration: ContinuousClock.now - started)
                logReport(report)
            }
        } catch {
            logger.error("ipvs: cannot read the mh destination order back: \(error)")
        }
        reconciling = false
        let waiters = idleWaiters
        idleWaiters = []
        for w in waiters { w.resume() }
        if dirty { await reconcileNow() }
    }

    private func vrrpEvent(_ event: VRRPEvent) {
        recorder?.vrrpEventReceived(event)
        switch event {
        case .transition(let instance, _, let to, let reason):
            perform(core.instanceChanged(instance, to: to, reason: "\(reason)"))
            let syncing = core.desiredSyncDaemons.contains { $0.role == .backup }
            applyHolds(holds.stateChanged(instance, to: to, syncing: syncing, now: now()))
        case .masterSilence(let instance, let silent):
            // No coalescing: the takeover may be one advert interval away.
            perform(core.masterSilenceChanged(instance, silent: silent), coalescing: .zero)
        case .ioError, .stopped:
            break
        }
    }

    private func healthEvent(_ event: HealthCheckEvent) {
        recorder?.healthEventReceived(event)
        alerts?.healthEventReceived(event)
        switch event {
        case .realServer(let change):
            if change.state.alive { logger.notice("\(change.key.virtualServer) real server \(change)") } else {
                logger.warning("\(change.key.virtualServer) real server \(change)")
            }
            perform(core.realServerChanged(change))
        case .quorum(let vs, let up, _, _):
            logger.notice("\(event)")
            perform(core.quorumChanged(virtualServer: vs, up: up))
        }
    }

    private func perform(_ actions: [LoadBalancerAction], reconcile: Bool = true, coalescing: Duration? = nil) {
        for action in actions {
            switch action {
            case .ownershipChanged(let key, let installed, let owner, let reason):
                logger.notice("\(key) \(installed ? "installed" : "withdrawn"): \(owner) \(reason)")
            case .reconcile:
                if reconcile { scheduleReconcile(after: coalescing ?? self.coalescing) }
            case .announcementChanged(let address, let announced, let reason):
                // At once, not coalesced: a pool that lost quorum must leave the routers' ECMP set now.
                guard !stopping else { continue }
                announcer.change(address, announced: announced, reason: reason)
                scheduleAnnounceRetry()
            }
        }
    }

    /// A VRRP instance is becoming MASTER and holds its VIPs back until this returns (HA's takeover hook): the
    /// instance's services are installed now, so the first packet to a VIP finds the table. The transition event
    /// that follows then changes nothing.
    /// When the services were prepared while the master was silent (`masterSilence`), the table is already in and
    /// this returns at once.
    public func prepareTakeover(instance: String, reason: String) async {
        guard !stopping, core.mode == .followVRRP else { return }
        let actions = core.instanceChanged(instance, to: .master, reason: reason)
        perform(actions, reconcile: false)
        if actions.contains(.reconcile) || appliedTable != core.desiredTable { await reconcileNow() }
        // A reconcile that was already running takes the change in its next round: wait for it.
        await untilIdle()
    }

    /// Whether every service `instance` owns (alone or through its sync group) is in the kernel now, as of the last
    /// successful apply: then a takeover needs no reconcile and HA adds the VIPs at once. Callable from any thread.
    public nonisolated func isPrepared(_ instance: String) -> Bool {
        prepared.withLock { $0.contains(instance) }
    }

    private func publishPrepared(_ applied: IPVSTable?) {
        let ready = applied.map { LoadBalancer.instancesInstalled(plan: core.plan, table: $0) } ?? []
        prepared.withLock { $0 = ready }
    }

    /// Returns when no reconcile is running.
    private func untilIdle() async {
        guard reconciling, !stopping else { return }
        await withCheckedContinuation { idleWaiters.append($0) }
    }

    // MARK: - Reconcile

    private func scheduleReconcile(after delay: Duration) {
        guard !reconcileScheduled, !stopping else { return }
        reconcileScheduled = true
        Task {
            if delay > .zero { try? await Task.sleep(for: delay) }
            await self.reconcileNow()
        }
    }

    private func reconcileNow() async {
        reconcileScheduled = false
        guard !stopping, let reconciler else { return }
        if reconciling {
            dirty = true
            return
        }
        reconciling = true
        defer {
            reconciling = false
            let waiters = idleWaiters
            idleWaiters = []
            for w in waiters { w.resume() }
        }
        repeat {
            dirty = false
            let desired = core.desiredTable
            let started = ContinuousClock.now
            do {
                let report = try await reconciler.apply(desired: desired)
                appliedTable = report.failures.isEmpty ? desired : nil
                publishPrepared(appliedTable)
                recorder?.reconciled(report, duration: ContinuousClock.now - started)
                logReport(report)
                if let e = report.ownershipError { logger.error("ipvs: ownership record not saved: \(e)") }
                // lvs_sync_daemon follows its instance (master daemon while MASTER, backup otherwise), or runs both.
                let wanted = core.desiredSyncDaemons
                let daemons = try await reconciler.apply(syncDaemons: wanted)
                logReport(daemons)
                let running = await reconciler.syncDaemons
                if core.plan.syncDaemon != nil {
                    recorder?.syncDaemonsChanged(IPVSSyncDaemon.Role.allCases.filter { running[$0] != nil }.map { $0 == .master ? "master" : "backup" },
                                                 configured: true)
                }
                if wanted.contains(where: { $0.role == .backup }), running[.backup] == nil {
                    applyHolds(holds.syncDaemonChanged(running: false, now: now()))
                }
                // (A refused daemon is retried with the next reconcile, not every second: a missing interface
                // would flood the log.)
                if !report.failures.isEmpty { retryLater() }
            } catch {
                appliedTable = nil
                publishPrepared(nil)
                recorder?.reconcileFailed(error, duration: ContinuousClock.now - started)
                logger.error("ipvs: reconcile failed: \(error)")
                retryLater()
            }
        } while dirty && !stopping
    }

    private func retryLater() { scheduleReconcile(after: .seconds(1)) }

    // MARK: - Failback hold

    private func now() -> Instant { Instant(nanoseconds: (ContinuousClock.now - origin).nanoseconds) }

    /// Logs and applies what `FailbackHolds` decided, and keeps counting connections while a hold lasts.
    private func applyHolds(_ changes: [FailbackHolds.Change]) {
        for change in changes {
            switch change {
            case .hold(let name, let timeout):
                let message = "\(name): failback hold: BACKUP receives the connection state (lvs_sync_daemon) and does not preempt until its connection table settles, \(String(format: "%.1f", timeout.seconds)) s at most (vigil_failback_hold)"
                logger.notice("\(message)")
                holdSink?(name, true)
                let since = Date()
                recorder?.failbackHoldChanged(instance: name, hold: FailbackHoldStatus(
                    instance: name, since: since, until: since.addingTimeInterval(Double(timeout.components.seconds)),
                    reason: "waiting for the synced connection table to settle (no growth for \(Int(FailbackHolds.settle.seconds)) s)"),
                    message: message)
            case .release(let name, let reason, let after, let connections):
                let message = "\(name): failback hold released after \(String(format: "%.1f", after.seconds)) s: \(reason)\(connections.map { " (\($0) connections)" } ?? "")"
                logger.notice("\(message)")
                holdSink?(name, false)
                recorder?.failbackHoldChanged(instance: name, hold: nil, message: message)
            }
        }
        guard holds.isHolding, !sampling, !stopping else { return }
        sampling = true
        Task { await self.sampleWhileHolding() }
    }

    /// About once a second while a hold lasts: the kernel's connection count goes to `FailbackHolds` (and the status).
    private func sampleWhileHolding() async {
        while holds.isHolding, !stopping {
            let reading = connectionTable.reading()
            recorder?.connectionsCounted(reading?.entries)
            if let reading {
                let previous = heldKeys ?? []
                let arrivals = reading.live.subtracting(previous).count
                let closes = previous.subtracting(reading.live).filter { reading.other.contains($0) }.count
                heldKeys = reading.live
                applyHolds(holds.connectionsCounted(reading.entries, arrivals: arrivals, closes: closes, now: now()))
            } else {
                applyHolds(holds.deadlineReached(now: now()))
            }
            guard holds.isHolding else { break }
            try? await Task.sleep(for: .seconds(1))
        }
        heldKeys = nil
        sampling = false
    }

    /// A route the kernel refused is tried again every second until it goes in or is no longer announced.
    private func scheduleAnnounceRetry() {
        guard !announcer.failed.isEmpty, !announceRetryScheduled, !stopping else { return }
        announceRetryScheduled = true
        Task {
            try? await Task.sleep(for: .seconds(1))
            self.retryAnnouncements()
        }
    }

    private func retryAnnouncements() {
        announceRetryScheduled = false
        guard !stopping else { return }
        announcer.converge(announced: core.announcedAddresses, reason: core.announcementReason)
        scheduleAnnounceRetry()
    }
}
