import Dispatch
import Foundation
import HA
import Logging

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

/// The `vigil run` runtime: pid file, signals, and the VRRP runtime (later also IPVS and checks, issue #6).
///
/// SIGTERM / SIGINT shut down gracefully (priority-0 adverts, VIPs removed, notify_stop); `run()` then
/// returns and the pid file is removed. Transitions are available on `events`.
public final class Daemon: Sendable {
    /// The VRRP side.
    public let vrrp: VRRPRuntime
    private let pidFile: String?
    private let logger: Logger

    /// Creates a daemon for a translated configuration.
    public init(vrrp configuration: VRRPRuntimeConfiguration, pidFile: String?, logger: Logger) {
        self.vrrp = VRRPRuntime(configuration: configuration, logger: logger)
        self.pidFile = pidFile
        self.logger = logger
    }

    /// Transitions and errors of every VRRP instance, in order.
    public var events: AsyncStream<VRRPEvent> { vrrp.events }

    /// Requests a graceful shutdown (what SIGTERM does).
    public func shutdown() { vrrp.shutdown() }

    /// Runs until SIGTERM/SIGINT (or `shutdown()`).
    public func run() async throws(DaemonError) {
        if let pidFile { try Self.writePidFile(pidFile) }
        defer { if let pidFile { unlink(pidFile) } }
        signal(SIGTERM, SIG_IGN)
        signal(SIGINT, SIG_IGN)
        signal(SIGPIPE, SIG_IGN)
        let runtime = vrrp
        let log = logger
        let sources = [SIGTERM, SIGINT].map { sig in
            let s = DispatchSource.makeSignalSource(signal: sig, queue: .global())
            s.setEventHandler {
                log.notice("received signal \(sig), shutting down")
                runtime.shutdown()
            }
            s.resume()
            return s
        }
        defer { for s in sources { s.cancel() } }
        logger.notice("Starting Vigil VRRP daemon")
        do { try await vrrp.run() } catch { throw .vrrp(error) }
        logger.notice("Stopped Vigil VRRP daemon")
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
