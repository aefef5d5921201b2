// Theory of operation
//
// `vigil run` is one swift-service-lifecycle `ServiceGroup`, composed here and nowhere else:
//   signals   the one owner of every signal Vigil handles (`DaemonSignalTable`, through `SignalPipe`): SIGTERM,
//             SIGINT, SIGQUIT, SIGXCPU start the graceful shutdown, SIGHUP reloads (`Daemon.reload()`), SIGUSR1,
//             SIGUSR2, SIGRTMIN+2 and SIGRTMAX-1 write keepalived's dumps, every other signal that would end the
//             process is logged and ignored;
//   status    the control endpoint and systemd notification (`StatusService`);
//   balancer  health checks and the IPVS table (`Supervisor`), unless `-P` or no virtual server;
//   vrrp      the VRRP runtime (`Daemon`), unless `-C`.
// The group shuts its services down in reverse order, each after the one behind it has returned: VRRP first
// (priority-0 adverts, VIPs removed), then the balancer (owned services released, sync daemon stopped), then the
// status side (STOPPING=1), and the signal handling last, so a second SIGTERM during the shutdown is only logged.
// Any service that ends or fails ends the others the same graceful way.

import Config
import Control
import HA
import IPVS
import Logging
import ServiceLifecycle
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// What `vigil run` was asked to do.
public struct DirectorRunOptions: Sendable {
    /// `-P`: VRRP only.
    public var vrrpOnly: Bool
    /// `-C`: health checks and IPVS only, every service installed.
    public var checksOnly: Bool
    /// Remove the owned IPVS services at exit (not with `--dont-release-ipvs`).
    public var releaseOnExit: Bool
    /// `-p`: the pid file.
    public var pidFile: String?
    /// The control endpoint (nil: `--no-control`).
    var control: ControlEndpoint?
    /// `--control-token-file`: the token that lets TCP requests change the daemon's state (the handover).
    var controlToken: ControlToken?
    /// The IPVS ownership record (`--ipvs-state`; default: the current network namespace's).
    var ownershipFile: IPVSOwnershipFile?
    /// `--ignore-sigint`: SIGINT is logged and ignored.
    public var ignoresSIGINT: Bool
    /// `-d/--dump-conf`: log the configuration data (keepalived.data's layout) at start.
    public var dumpConfiguration: Bool
    /// `-B/--no_bfd`: no `bfd_instance` session runs (a `track_bfd` of weight 0 then keeps its instance in FAULT).
    public var noBFD = false

    /// Options. `control` is `--control ADDR:PORT` (default 127.0.0.1:9678); `serveControl` false is `--no-control`.
    public init(vrrpOnly: Bool = false, checksOnly: Bool = false, releaseOnExit: Bool = true, pidFile: String? = nil,
                control: String? = nil, serveControl: Bool = true, ipvsState: String? = nil,
                ignoresSIGINT: Bool = false, dumpConfiguration: Bool = false, controlTokenFile: String? = nil) throws(ToolFailure) {
        self.ignoresSIGINT = ignoresSIGINT
        self.dumpConfiguration = dumpConfiguration
        self.vrrpOnly = vrrpOnly
        self.checksOnly = checksOnly
        self.releaseOnExit = releaseOnExit
        self.pidFile = pidFile
        self.control = serveControl ? (try ControlOption.parse(control) ?? .default) : nil
        if let controlTokenFile {
            do { controlToken = try ControlToken(readingFile: controlTokenFile) } catch {
                throw ToolFailure("\(error)\n", exitCode: 64)
            }
        }
        self.ownershipFile = ipvsState.map(IPVSOwnershipFile.init(path:)) ?? .forCurrentNetworkNamespace()
    }

    /// The control endpoint's default port.
    public static let defaultControlPort = ControlEndpoint.defaultPort
}

/// Why `vigil run` ended with an error.
public enum DirectorRunError: Error, Sendable, CustomStringConvertible {
    /// The pid file or the VRRP runtime.
    case daemon(DaemonError)
    /// The load-balancing side.
    case balancer(SupervisorError)
    /// The service group itself.
    case lifecycle(String)

    public var description: String {
        switch self {
        case .daemon(let e): "\(e)"
        case .balancer(let e): "\(e)"
        case .lifecycle(let text): text
        }
    }
}

/// The `vigil run` entry.
public enum DirectorRun {
    /// How long the exit waits for queued alerts (the instances' STOP) to be delivered.
    static let alertDrainLimit: Duration = .seconds(5)

    /// A configuration file read for `vigil run` (at start and on SIGHUP).
    public struct Loaded: Sendable {
        /// Its plan, when it has no error.
        public var plan: DirectorPlan?
        /// Its diagnostics, one per entry, as `file:line:col: severity: message`.
        public var diagnostics: [(isError: Bool, text: String)]
        /// The diagnostics rendered with source excerpts, for a terminal.
        public var rendered: String
    }

    /// Until `run` installs its handlers: every signal of the table that does not mean "stop" is set to SIG_IGN, so
    /// a dump or real-time signal that arrives while the configuration is read cannot end the process (nothing is
    /// held yet; a stop signal may still end it). `run` replaces these with its handlers; scripts never see them
    /// (exec keeps SIG_IGN, but by the time scripts run every one of them is caught, which exec resets).
    public static func ignoreSignalsUntilRunning(ignoresSIGINT: Bool = false) {
        let table = DaemonSignalTable.current(ignoresSIGINT: ignoresSIGINT)
        for number in table.handledSignals where table.action(for: number) != .stop {
            signal(number, SIG_IGN)
        }
    }

    /// Reads and plans `path`.
    public static func load(path: String, configID: String?) -> Loaded {
        let loaded = ConfigLoader.load(path: path, configID: configID)
        let diagnostics = loaded.diagnostics.map { (isError: $0.severity == .error, text: "\($0)") }
        guard loaded.isValid else { return Loaded(plan: nil, diagnostics: diagnostics, rendered: loaded.rendered()) }
        do {
            return Loaded(plan: try DirectorPlan(config: loaded.config), diagnostics: diagnostics, rendered: loaded.rendered())
        } catch {
            return Loaded(plan: nil, diagnostics: diagnostics + [(isError: true, text: "\(error)")],
                          rendered: loaded.rendered() + "\(error)\n")
        }
    }

    /// Runs the daemon for the configuration at `path` (already loaded as `plan`) until SIGTERM/SIGINT; SIGHUP
    /// re-reads `path`, logs its diagnostics, and keeps the running configuration when it has errors.
    public static func run(path: String, configID: String?, plan: DirectorPlan, options: DirectorRunOptions,
                           logger: Logger) async throws(DirectorRunError) {
        try await run(plan: plan, options: options, logger: logger) {
            let again = load(path: path, configID: configID)
            for d in again.diagnostics {
                if d.isError { logger.error("reload: \(d.text)") } else { logger.warning("reload: \(d.text)") }
            }
            return again.plan
        }
    }

    /// Runs the daemon for `plan` until SIGTERM/SIGINT. `reloader` re-reads the configuration on SIGHUP and returns
    /// nil (after logging why) when it is unusable, which keeps the running one.
    public static func run(plan: DirectorPlan, options: DirectorRunOptions, logger: Logger,
                           reloader: @escaping @Sendable () -> DirectorPlan?) async throws(DirectorRunError) {
        // First, so that no signal of the table can end the process without its cleanup from here on.
        let table = DaemonSignalTable.current(ignoresSIGINT: options.ignoresSIGINT)
        // SIGPIPE is ignored outright (SIG_IGN, no log line): a write to a closed socket raises it on the writer, and
        // swift-nio sets SIG_IGN itself when it opens its first socket, which would silently replace a handler.
        signal(SIGPIPE, SIG_IGN)
        let signals = SignalPipe(numbers: table.handledSignals.filter { $0 != SIGPIPE })
        let daemon = Daemon(vrrp: plan.vrrp, bfd: plan.bfd, runsBFD: !options.checksOnly && !options.noBFD,
                            pidFile: options.pidFile, logger: logger, reloader: {
            reloader().map(DaemonReload.init(plan:))
        })
        do { try daemon.claimPidFile() } catch { throw .daemon(error) }
        defer { daemon.releasePidFile() }

        // -C runs no VRRP: list no instance rather than instances stuck in INIT.
        let recorder = options.checksOnly ? StatusRecorder(instances: [], virtualServers: plan.health)
                                          : StatusRecorder(plan: plan)
        let tmpDir = getenv("TMPDIR").map { String(cString: $0) }
        let status = StatusService(recorder: recorder, control: options.control,
                                   dumps: StatusService.DumpPaths(stateDumpFile: plan.stateDumpFile, tmpDir: tmpDir),
                                   logger: logger, version: VigilVersion.number,
                                   scriptSecurity: plan.scriptSecurity.enabled, controlToken: options.controlToken)
        status.follow(daemon)
        if options.dumpConfiguration {
            // keepalived's -d: the configuration data, logged once at start, in keepalived.data's layout.
            let snapshot = await recorder.keepalivedSnapshot(version: VigilVersion.number,
                                                             scriptSecurity: plan.scriptSecurity.enabled)
            for line in KeepalivedDump.data(snapshot).split(separator: "\n") { logger.info("\(line)") }
        }
        // E-mail alerts: queued, delivered one at a time off every VRRP and checker path.
        let alerts = AlertCenter(plan: plan.alerts, logger: logger)
        daemon.onReload {
            alerts.configurationChanged($0.alerts)
            recorder.configurationChanged(plan: $0)
            status.dumpPathsChanged(StatusService.DumpPaths(stateDumpFile: $0.stateDumpFile, tmpDir: tmpDir))
        }
        if !options.checksOnly {
            recorder.attach(runtime: daemon.vrrp)
            // POST /handover (unix-socket endpoint only): the runtime hands its MASTER instances over.
            let runtime = daemon.vrrp
            status.setHandover { names, cancel in await runtime.handover(names, cancel: cancel) }
        }

        let runsBalancer = !options.vrrpOnly && Supervisor.isNeeded(for: plan)
        var balancer: Supervisor?
        if runsBalancer {
            // The load benchmark on a host without IPVS (VIGIL_BENCH_IPVS=memory) keeps the table in memory.
            let inMemory = MemoryIPVSControl.fromEnvironment()
            if inMemory {
                logger.warning("ipvs: \(MemoryIPVSControl.benchmarkVariable)=memory: the kernel's IPVS is not touched, the table is kept in memory (benchmark only)")
            }
            let memory = MemoryIPVSControl()
            let supervisor = Supervisor(plan: plan, mode: options.checksOnly ? .checksOnly : .followVRRP,
                                        releaseOnExit: options.releaseOnExit, logger: logger, recorder: recorder,
                                        ownershipFile: inMemory ? nil : options.ownershipFile, alerts: alerts,
                                        control: { () throws(IPVSError) -> any IPVSControl in
                                            inMemory ? memory : try NetlinkIPVSClient()
                                        })
            daemon.onReload { supervisor.reload($0) }
            if !options.checksOnly {
                // The LVS table goes in before the VIPs on a takeover (HA holds the VIPs until this returns).
                await daemon.vrrp.setTakeoverHook({ instance, reason in
                    await supervisor.prepareTakeover(instance: instance, reason: reason)
                }, ready: { supervisor.isPrepared($0) })
                // The failback hold (lvs_sync_daemon): the balancer decides, the runtime holds the preemption.
                let runtime = daemon.vrrp
                await supervisor.setPreemptionHoldSink { name, held in runtime.holdPreemption(instance: name, held) }
            }
            balancer = supervisor
        }

        let shutdown = ShutdownTrigger()
        var services: [any Service] = [SignalService(signals: signals, table: table, daemon: daemon, status: status,
                                                     shutdown: shutdown, logger: logger),
                                       StatusLifecycle(status: status)]
        if let balancer {
            services.append(BalancerService(supervisor: balancer, vrrpEvents: options.checksOnly ? nil : daemon.events))
        }
        if !options.checksOnly {
            services.append(VRRPService(daemon: daemon, recorder: balancer == nil ? recorder : nil,
                                        alerts: balancer == nil ? alerts : nil))
        }
        let group = ServiceGroup(configuration: ServiceGroupConfiguration(
            services: services.map {
                .init(service: $0, successTerminationBehavior: .gracefullyShutdownGroup,
                      failureTerminationBehavior: .gracefullyShutdownGroup)
            },
            logger: logger))
        shutdown.set(group)
        // startup_script: before VRRP and the checkers start, which wait for it (a signal meanwhile is handled
        // once the services run).
        await plan.startupScript?.run(security: plan.scriptSecurity, logger: logger)
        // The STOP alerts of the shutdown were queued last: give them a bounded moment (nothing waits when the
        // queue is empty; a server that does not answer costs at most this).
        let outcome: Result<Void, DirectorRunError>
        do {
            try await group.run()
            _ = await alerts.drain(limit: Self.alertDrainLimit)
            outcome = .success(())
        } catch let e as DaemonError {
            outcome = .failure(.daemon(e))
        } catch let e as SupervisorError {
            outcome = .failure(.balancer(e))
        } catch {
            outcome = .failure(.lifecycle("\(error)"))
        }
        // shutdown_script: after VRRP and the checkers have stopped (VIPs and services released), either way.
        await plan.shutdownScript?.run(security: plan.scriptSecurity, logger: logger)
        try outcome.get()
    }
}

/// Starts the group's graceful shutdown from a signal (set once the group exists).
private final class ShutdownTrigger: Sendable {
    private let group = Mutex<ServiceGroup?>(nil)

    func set(_ g: ServiceGroup) { group.withLock { $0 = g } }

    func trigger() async {
        guard let g = group.withLock({ $0 }) else { return }
        await g.triggerGracefulShutdown()
    }
}

/// Every signal Vigil handles, in one place: what each does is `DaemonSignalTable`'s decision (docs/control.md).
private struct SignalService: Service {
    let signals: SignalPipe
    let table: DaemonSignalTable
    let daemon: Daemon
    let status: StatusService
    let shutdown: ShutdownTrigger
    let logger: Logger

    func run() async {
        var shuttingDown = false
        for await received in signals.signals.cancelOnGracefulShutdown() {
            let name = table.name(of: received.number)
            guard let action = table.action(for: received.number) else { continue }
            switch action {
            case .stop:
                if shuttingDown {
                    logger.notice("received \(name), already shutting down")
                    continue
                }
                shuttingDown = true
                logger.notice("received \(name), shutting down")
                await shutdown.trigger()
            case .reload:
                logger.notice("received \(name), reloading")
                daemon.reload()
            case .dumpData:
                logger.notice("received \(name), printing data")
                await status.writeDump(.data)
            case .dumpStats:
                logger.notice("received \(name), printing stats")
                await status.writeDump(.stats)
            case .dumpAndClearStats:
                logger.notice("received \(name), printing and clearing stats")
                await status.writeDump(.statsThenClear)
            case .dumpJSON:
                logger.notice("received \(name), printing data as JSON")
                await status.writeDump(.json)
            case .ignore(let reason):
                logger.warning("received \(name) (signal \(received.number)), ignored: \(reason)")
            }
        }
    }
}

/// The control endpoint and systemd notification, from start to the end of the shutdown.
private struct StatusLifecycle: Service {
    let status: StatusService

    func run() async {
        status.start()
        try? await gracefulShutdown()
        status.stop()
    }
}

/// Health checks and the IPVS table; stops (releasing what it owns) when its turn in the shutdown comes.
private struct BalancerService: Service {
    let supervisor: Supervisor
    let vrrpEvents: AsyncStream<VRRPEvent>?

    func run() async throws {
        try await withGracefulShutdownHandler {
            try await supervisor.run(vrrpEvents: vrrpEvents, stopsWithVRRP: false)
        } onGracefulShutdown: {
            supervisor.stop()
        }
    }
}

/// The VRRP runtime; leaves gracefully (priority-0 adverts, VIPs removed) when its turn in the shutdown comes.
private struct VRRPService: Service {
    let daemon: Daemon
    /// Without a balancer the recorder and the alerts are the events' only consumers.
    let recorder: StatusRecorder?
    let alerts: AlertCenter?

    func run() async throws {
        let observer: Task<Void, Never>? = recorder == nil && alerts == nil ? nil : Task { [daemon, recorder, alerts] in
            for await e in daemon.events {
                recorder?.vrrpEventReceived(e)
                alerts?.vrrpEventReceived(e)
            }
        }
        do {
            try await withGracefulShutdownHandler {
                try await daemon.run()
            } onGracefulShutdown: {
                daemon.shutdown()
            }
        } catch {
            observer?.cancel()
            throw error
        }
        // The runtime finished its event stream: let the observer take the last events (the STOP transitions).
        await observer?.value
    }
}
