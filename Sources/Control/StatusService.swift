import Dispatch
import Foundation
import Logging
import Synchronization

/// Everything `vigil run` does to be seen, around a `StatusRecorder`: the control endpoint (`--control`), the
/// SIGUSR1/SIGUSR2 dumps (`writeDump`, called by the daemon's signal handling), and systemd notification (READY/STATUS/WATCHDOG, STOPPING on `stop()`, RELOADING with
/// `follow(_:)`; when `NOTIFY_SOCKET` is
/// set). `start()` before the daemon runs, `stop()` after it returns.
///
/// The watchdog ping is sent only after a status snapshot succeeded, which asks the VRRP runtime (an actor) for its
/// states: a wedged runtime stops the pings and systemd restarts the service.
public final class StatusService: Sendable {
    /// Where the dumps go.
    public struct DumpPaths: Sendable, Equatable {
        /// SIGUSR1 text (JSON beside it with `.json`).
        public var data: String
        /// SIGUSR2 text (JSON beside it with `.json`).
        public var stats: String

        /// Paths; the defaults are keepalived's with `vigil` for `keepalived`.
        public init(data: String = StatusDump.Kind.data.defaultPath, stats: String = StatusDump.Kind.stats.defaultPath) {
            self.data = data
            self.stats = stats
        }
    }

    private struct Running: Sendable {
        var tasks: [Task<Void, Never>] = []
    }

    /// The recorder the Supervisor feeds.
    public let recorder: StatusRecorder
    private let control: ControlEndpoint?
    private let dumps: DumpPaths
    private let notifier: SystemdNotifier?
    private let watchdog: Duration?
    private let logger: Logger
    private let running = Mutex(Running())

    /// A service. `control` nil disables the endpoint (`--no-control`); `environment` supplies `NOTIFY_SOCKET`,
    /// `WATCHDOG_USEC` and `WATCHDOG_PID`.
    public init(recorder: StatusRecorder, control: ControlEndpoint?, dumps: DumpPaths = DumpPaths(), logger: Logger,
                environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.recorder = recorder
        self.control = control
        self.dumps = dumps
        self.logger = logger
        self.notifier = SystemdNotifier(environment: environment)
        self.watchdog = notifier == nil ? nil : SystemdNotification.watchdogInterval(environment: environment, pid: getpid())
    }

    /// Writes the SIGUSR1 (`.data`) or SIGUSR2 (`.stats`) dump, text and JSON beside it, and logs where.
    public func writeDump(_ kind: StatusDump.Kind) async {
        let path = kind == .data ? dumps.data : dumps.stats
        let status = await recorder.status()
        do {
            try StatusDump.write(kind, status, path: path)
            logger.notice("wrote \(path) and \(path).json")
        } catch {
            logger.error("cannot write \(path): \(error)")
        }
    }

    /// Starts the endpoint and the systemd pings, then tells systemd the daemon is ready.
    public func start() {
        var tasks: [Task<Void, Never>] = []
        if let control {
            let server = ControlServer(recorder: recorder, endpoint: control, logger: logger)
            let log = logger
            tasks.append(Task {
                do { try await server.run() } catch is CancellationError {} catch {
                    log.error("control endpoint \(control): \(error)")
                }
            })
        }
        let recorder = self.recorder
        let log = logger
        if let notifier {
            let notify: @Sendable ([SystemdNotification]) -> Void = { parts in
                do { try notifier.send(text: SystemdNotification.message(parts)) } catch { log.warning("\(error)") }
            }
            let interval = watchdog ?? .seconds(5)
            let pingWatchdog = watchdog != nil
            tasks.append(Task {
                let first = await recorder.status()
                notify([.ready, .mainPID(getpid()), .status(StatusTable.summary(first))])
                while !Task.isCancelled {
                    do { try await Task.sleep(for: interval) } catch { return }
                    let s = await recorder.status()
                    notify((pingWatchdog ? [.watchdog] : []) + [.status(StatusTable.summary(s))])
                }
            })
        }
        running.withLock { $0.tasks += tasks }
    }

    /// Tells systemd that a reload was accepted (RELOADING=1, then READY=1 with the new status).
    public func reloadAccepted() {
        guard let notifier else { return }
        let recorder = self.recorder
        let log = logger
        do { try notifier.send(.reloading) } catch { log.warning("\(error)") }
        Task {
            let s = await recorder.status()
            do { try notifier.send(.ready, .status(StatusTable.summary(s))) } catch { log.warning("\(error)") }
        }
    }

    /// Stops everything `start()` began. STOPPING=1 is sent first when systemd is listening (the daemon has
    /// released its VIPs and services by then).
    public func stop() {
        if let notifier { try? notifier.send(.stopping) }
        let r = running.withLock { r in
            defer { r = Running() }
            return r
        }
        for t in r.tasks { t.cancel() }
    }
}
