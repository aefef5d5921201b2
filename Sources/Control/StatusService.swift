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
        /// SIGUSR1, keepalived's layout (Vigil's whole status as JSON beside it with `.json`).
        public var data: String
        /// SIGUSR2 and SIGRTMAX-1, keepalived's layout (Vigil's statistics as JSON beside it with `.json`).
        public var stats: String
        /// SIGRTMIN+2, keepalived's JSON layout.
        public var json: String

        /// Paths; the defaults are keepalived's.
        public init(data: String = KeepalivedDump.dataPath, stats: String = KeepalivedDump.statsPath,
                    json: String = KeepalivedDump.jsonPath) {
            self.data = data
            self.stats = stats
            self.json = json
        }

        /// keepalived's paths (2.3.3's rules): the dumps go to `tmpDir` (`TMPDIR` when it is an absolute path,
        /// else `/tmp`); `state_dump_file` moves the data dump only. An absolute `state_dump_file` names the file,
        /// or with a trailing `/` the directory of `keepalived.data`; a relative one names a file in `tmpDir`
        /// (only its last component counts). keepalived 2.3.3–2.4.3 read `stats_dump_file` and `json_dump_file`
        /// but do not use them, and neither does Vigil.
        public init(stateDumpFile: String?, tmpDir environmentTmpDir: String?) {
            let tmp = environmentTmpDir.flatMap { $0.hasPrefix("/") && $0.count > 1 ? $0 : nil } ?? "/tmp"
            let base = tmp.hasSuffix("/") ? String(tmp.dropLast()) : tmp
            var data = base + "/keepalived.data"
            if let given = stateDumpFile, !given.isEmpty {
                let directory: String
                if given.hasPrefix("/") {
                    directory = given.hasSuffix("/") ? String(given.dropLast())
                                                     : String(given[..<(given.lastIndex(of: "/") ?? given.startIndex)])
                } else {
                    directory = base
                }
                let name = given.hasSuffix("/") ? "keepalived.data"
                                                : String(given.split(separator: "/", omittingEmptySubsequences: false).last ?? "")
                data = directory + "/" + name
            }
            self.init(data: data, stats: base + "/keepalived.stats", json: base + "/keepalived.json")
        }
    }

    /// Which dump a signal asks for.
    public enum SignalDump: Sendable, Equatable {
        /// SIGUSR1 (keepalived's DATA).
        case data
        /// SIGUSR2 (STATS).
        case stats
        /// SIGRTMAX-1 (STATS_CLEAR): the stats dump, then its counters start again from zero.
        case statsThenClear
        /// SIGRTMIN+2 (JSON).
        case json
    }

    private struct Running: Sendable {
        var tasks: [Task<Void, Never>] = []
        var server: ControlServer?
    }

    /// The recorder the Supervisor feeds.
    public let recorder: StatusRecorder
    private let control: ControlEndpoint?
    private let controlToken: ControlToken?
    private let dumps: Mutex<DumpPaths>
    private let version: String
    private let scriptSecurity: Bool
    private let notifier: SystemdNotifier?
    private let watchdog: Duration?
    private let logger: Logger
    private let running = Mutex(Running())
    private let handover = Mutex<ControlHandover?>(nil)

    /// A service. `control` nil disables the endpoint (`--no-control`); `environment` supplies `NOTIFY_SOCKET`,
    /// `WATCHDOG_USEC` and `WATCHDOG_PID`.
    /// `version` and `scriptSecurity` head the data dump.
    public init(recorder: StatusRecorder, control: ControlEndpoint?, dumps: DumpPaths = DumpPaths(), logger: Logger,
                environment: [String: String] = ProcessInfo.processInfo.environment, version: String = "",
                scriptSecurity: Bool = false, controlToken: ControlToken? = nil) {
        self.recorder = recorder
        self.controlToken = controlToken
        self.version = version
        self.scriptSecurity = scriptSecurity
        self.control = control
        self.dumps = Mutex(dumps)
        self.logger = logger
        self.notifier = SystemdNotifier(environment: environment)
        self.watchdog = notifier == nil ? nil : SystemdNotification.watchdogInterval(environment: environment, pid: getpid())
    }

    /// Writes a signal's dump at keepalived's path in keepalived's layout (and, for data and stats, Vigil's JSON
    /// beside it), and logs where, as keepalived logs it.
    public func writeDump(_ dump: SignalDump) async {
        let dumps = self.dumps.withLock { $0 }
        let snapshot = await recorder.keepalivedSnapshot(version: version, scriptSecurity: scriptSecurity)
        let files: [(path: String, bytes: Data)]
        switch dump {
        case .data:
            files = [(dumps.data, Data(KeepalivedDump.data(snapshot).utf8)),
                     (dumps.data + ".json", StatusDump.json(.data, snapshot.status))]
        case .stats, .statsThenClear:
            files = [(dumps.stats, Data(KeepalivedDump.stats(snapshot).utf8)),
                     (dumps.stats + ".json", StatusDump.json(.stats, snapshot.status))]
        case .json:
            files = [(dumps.json, Data(KeepalivedDump.json(snapshot).utf8))]
        }
        do {
            for f in files { try f.bytes.write(to: URL(fileURLWithPath: f.path), options: .atomic) }
            logger.notice("wrote \(files.map(\.path).joined(separator: " and "))")
        } catch {
            logger.error("cannot write \(files.first?.path ?? ""): \(error)")
        }
        if dump == .statsThenClear {
            await recorder.statisticsCleared()
            logger.notice("statistics cleared")
        }
    }

    /// What `POST /handover` does (set before `start()`; nil: no VRRP here, the request is refused).
    public func setHandover(_ h: ControlHandover?) {
        handover.withLock { $0 = h }
    }

    /// Where the dumps go from now on (a reload may change `state_dump_file`).
    public func dumpPathsChanged(_ paths: DumpPaths) {
        dumps.withLock { $0 = paths }
    }

    /// Starts the endpoint and the systemd pings, then tells systemd the daemon is ready.
    public func start() {
        var tasks: [Task<Void, Never>] = []
        var started: ControlServer?
        if let control {
            let server = ControlServer(recorder: recorder, endpoint: control, logger: logger,
                                       handover: handover.withLock { $0 }, token: controlToken)
            started = server
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
        running.withLock {
            $0.tasks += tasks
            $0.server = started
        }
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
        // The server's task removes its unix socket as it ends, but the process may exit before a cancelled
        // task gets there: the file goes now (only if this server bound it).
        r.server?.releaseSocket()
    }
}
