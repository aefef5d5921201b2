import BFD
import Dispatch
import Foundation
import HA
import Logging
import Synchronization

/// Why the daemon could not run.
public enum DaemonError: Error, Sendable, CustomStringConvertible {
    /// The pid file names a live process.
    case alreadyRunning(pidFile: String, pid: Int32)
    /// The pid file could not be written.
    case pidFile(path: String, errno: Int32)
    /// The VRRP runtime failed to start.
    case vrrp(VRRPRuntimeError)

    public var description: String {
        switch self {
        case .alreadyRunning(let f, let pid): return "daemon is already running (pid \(pid) in \(f))"
        case .pidFile(let f, let e): return "cannot write pid file \(f): \(String(cString: strerror(e)))"
        case .vrrp(let e): return "\(e)"
        }
    }
}

/// A configuration re-read on SIGHUP and found usable, as its plan (translated once for every runtime).
public struct DaemonReload: Sendable {
    /// The new plan.
    public var plan: DirectorPlan

    /// A reload.
    public init(plan: DirectorPlan) { self.plan = plan }
}

/// The VRRP side of `vigil run` and the hub of reloads: the pid file, the VRRP runtime, and `reload()`, which re-reads
/// the configuration (a file with errors is reported and the running configuration is kept untouched; a usable one
/// is handed to the VRRP runtime, whose unchanged instances do not flap, and to every reload listener). Signals are
/// not handled here: `DirectorRun` owns them all. Transitions are available on `events`.
public final class Daemon: Sendable {
    /// The VRRP side.
    public let vrrp: VRRPRuntime
    /// The `bfd_instance` sessions, made when there is one (`track_bfd` follows them).
    private let bfd: Mutex<BFDRuntime?> = Mutex(nil)
    private let bfdSessions: Mutex<[BFDSessionConfiguration]>
    /// False with `-B/--no_bfd` (and `-C`, which runs no VRRP).
    private let runsBFD: Bool
    private let pidFile: String?
    private let logger: Logger
    private let reloader: (@Sendable () -> DaemonReload?)?
    private let listeners = Mutex<[@Sendable (DirectorPlan) -> Void]>([])
    private let vrrpRunning = Mutex(false)

    /// Creates a daemon for a translated configuration. `reloader` is called on SIGHUP; it re-reads the
    /// configuration and returns nil (after reporting why) when the new one is unusable, which keeps the old.
    public init(vrrp configuration: VRRPRuntimeConfiguration, bfd sessions: [BFDSessionConfiguration] = [],
                runsBFD: Bool = true, pidFile: String?, logger: Logger,
                reloader: (@Sendable () -> DaemonReload?)? = nil) {
        self.vrrp = VRRPRuntime(configuration: configuration, logger: logger)
        self.runsBFD = runsBFD
        self.bfdSessions = Mutex(runsBFD ? sessions : [])
        self.pidFile = pidFile
        self.logger = logger
        self.reloader = reloader
    }

    /// Calls `listener` with each plan accepted by a reload, in order, after the VRRP side got it. The listener must
    /// not block (hand the plan to your own queue or stream).
    public func onReload(_ listener: @escaping @Sendable (DirectorPlan) -> Void) {
        listeners.withLock { $0.append(listener) }
    }

    /// Re-reads the configuration through the reloader and applies it (what SIGHUP does). Returns whether the new
    /// configuration was accepted.
    @discardableResult
    public func reload() -> Bool {
        guard let reloader else { return false }
        guard let new = reloader() else {
            logger.error("reload: configuration rejected, keeping the running one")
            return false
        }
        if vrrpRunning.withLock({ $0 }) { vrrp.reload(new.plan.vrrp) }
        let sessions = runsBFD ? new.plan.bfd : []
        bfdSessions.withLock { $0 = sessions }
        if let runtime = bfd.withLock({ $0 }) {
            Task { await runtime.apply(sessions) }
        } else if !sessions.isEmpty, vrrpRunning.withLock({ $0 }) {
            startBFD(sessions)
        }
        for listener in listeners.withLock({ $0 }) { listener(new.plan) }
        return true
    }

    /// Transitions and errors of every VRRP instance, in order.
    public var events: AsyncStream<VRRPEvent> { vrrp.events }

    /// Requests a graceful shutdown (what SIGTERM does).
    public func shutdown() { vrrp.shutdown() }

    /// Runs the VRRP runtime until `shutdown()` (SIGTERM/SIGINT through `DirectorRun`): priority-0 adverts, VIPs
    /// removed, notify_stop.
    public func run() async throws(DaemonError) {
        logger.notice("Starting Vigil VRRP daemon")
        vrrpRunning.withLock { $0 = true }
        defer { vrrpRunning.withLock { $0 = false } }
        let sessions = bfdSessions.withLock { $0 }
        if !sessions.isEmpty { startBFD(sessions) }
        var failure: VRRPRuntimeError?
        do { try await vrrp.run() } catch { failure = error }
        // The BFD sessions stop after the instances (AdminDown to each neighbor), before the process ends.
        if let runtime = bfd.withLock({ r in defer { r = nil }; return r }) { await runtime.stop() }
        if let failure { throw .vrrp(failure) }
        logger.notice("Stopped Vigil VRRP daemon")
    }

    /// Starts the BFD sessions and forwards their changes to `track_bfd`.
    private func startBFD(_ sessions: [BFDSessionConfiguration]) {
        let runtime = BFDRuntime(logger: logger)
        bfd.withLock { $0 = runtime }
        let vrrp = self.vrrp
        Task {
            await runtime.apply(sessions)
            for await change in runtime.changes where change.from == .up || change.to == .up {
                vrrp.bfdChanged(change.name, up: change.isUp)
            }
        }
    }

    /// Writes the pid file (when one is configured); refuses when it names another live process.
    public func claimPidFile() throws(DaemonError) {
        if let pidFile { try Self.writePidFile(pidFile) }
    }

    /// Removes the pid file written by `claimPidFile()`.
    public func releasePidFile() {
        if let pidFile { unlink(pidFile) }
    }

    private static func writePidFile(_ path: String) throws(DaemonError) {
        if let text = try? String(contentsOfFile: path, encoding: .utf8),
           let pid = Int32(text.trimmingCharacters(in: .whitespacesAndNewlines)), pid > 0, kill(pid, 0) == 0, pid != getpid() {
            throw .alreadyRunning(pidFile: path, pid: pid)
        }
        let text = "\(getpid())\n"
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw .pidFile(path: path, errno: errno) }
        defer { close(fd) }
        let n = text.withCString { write(fd, $0, strlen($0)) }
        guard n > 0 else { throw .pidFile(path: path, errno: errno) }
    }
}
