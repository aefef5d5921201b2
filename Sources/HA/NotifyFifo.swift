#if canImport(Glibc)
import Dispatch
import Glibc
import Logging
import Vocabulary

/// A FIFO keepalived writes state changes to (`notify_fifo`, `vrrp_notify_fifo`): the path, the owner of a FIFO
/// created for it, and a script started at start with the FIFO's path as its last argument to read it.
public struct NotifyFifoSpec: Sendable, Hashable {
    /// The FIFO's path.
    public var path: String
    /// The owner given to a FIFO Vigil creates (`notify_fifo PATH [USER [GROUP]]`); nil: root.
    public var user: String?
    public var group: String?
    /// `notify_fifo_script`: run once at start with the path appended; it reads the FIFO.
    public var script: ScriptCommand?

    /// Creates a spec.
    public init(path: String, user: String? = nil, group: String? = nil, script: ScriptCommand? = nil) {
        self.path = path
        self.user = user
        self.group = group
        self.script = script
    }

    /// keepalived's line: `INSTANCE "VI_1" MASTER 150`, `GROUP "G" BACKUP 0`, `INSTANCE "VI_1" MASTER_RX_LOWER_PRI 150`.
    public static func line(type: String, name: String, state: String, priority: UInt8) -> String {
        "\(type) \"\(name)\" \(state) \(priority)\n"
    }
}

/// The open FIFOs. As keepalived's `fifo_open`: a missing FIFO is created (mode 0644, then given to its user),
/// the script is started, the FIFO is opened read-write and non-blocking (so a writer never waits for a reader and
/// a full FIFO drops the line). At stop the script's group is sent SIGTERM, a FIFO Vigil created is removed first
/// (so a script that reopens it cannot), then closed.
final class NotifyFifos: @unchecked Sendable {
    private struct Open {
        var spec: NotifyFifoSpec
        var fd: Int32
        var created: Bool
        var scriptGroup: pid_t?
    }

    private var fifos: [Open] = []
    private let runner: ScriptRunner
    private let logger: Logger

    init(_ specs: [NotifyFifoSpec], runner: ScriptRunner, logger: Logger) {
        self.runner = runner
        self.logger = logger
        for spec in specs { open(spec) }
    }

    var isEmpty: Bool { fifos.isEmpty }

    private func open(_ spec: NotifyFifoSpec) {
        var created = false
        if mkfifo(spec.path, 0o644) == 0 {
            created = true
            if spec.user != nil || spec.group != nil {
                let uid = spec.user.flatMap { getpwnam($0)?.pointee.pw_uid } ?? uid_t.max
                let gid = spec.group.flatMap { getgrnam($0)?.pointee.gr_gid } ?? gid_t.max
                if chown(spec.path, uid, gid) != 0 { logger.warning("notify_fifo \(spec.path): cannot give it to \(spec.user ?? "")\(spec.group.map { ":\($0)" } ?? "")") }
            }
        } else if errno != EEXIST {
            logger.error("notify_fifo \(spec.path): cannot create it: \(String(cString: strerror(errno)))")
            return
        }
        var st = stat()
        guard lstat(spec.path, &st) == 0, st.st_mode & S_IFMT == S_IFIFO else {
            logger.error("notify_fifo \(spec.path): exists and is not a FIFO; nothing is written to it")
            return
        }
        var group: pid_t?
        if let script = spec.script {
            switch runner.start(script, arguments: [spec.path]) {
            case .success(let pid):
                group = pid
                DispatchQueue.global().async { _ = ScriptRunner.wait(pid) }
            case .failure(let f):
                logger.error("notify_fifo_script \(script): \(f)")
            }
        }
        let fd = Glibc.open(spec.path, O_RDWR | O_CLOEXEC | O_NONBLOCK | O_NOFOLLOW)
        guard fd >= 0 else {
            logger.error("notify_fifo \(spec.path): cannot open it: \(String(cString: strerror(errno)))")
            if created { unlink(spec.path) }
            if let group { ScriptRunner.signalGroup(group, SIGTERM) }
            return
        }
        fifos.append(Open(spec: spec, fd: fd, created: created, scriptGroup: group))
        logger.info("notify_fifo \(spec.path): state changes are written to it\(spec.script.map { ", read by \($0)" } ?? "")")
    }

    /// Writes `line` to every FIFO; a full FIFO (no reader keeping up) drops it with a warning.
    func write(_ line: String) {
        for f in fifos {
            let bytes = Array(line.utf8)
            let n = bytes.withUnsafeBytes { Glibc.write(f.fd, $0.baseAddress, $0.count) }
            if n != bytes.count { logger.warning("notify_fifo \(f.spec.path): line dropped (\(n < 0 ? String(cString: strerror(errno)) : "short write"))") }
        }
    }

    /// Removes created FIFOs, closes them, and ends their scripts.
    func close() {
        for f in fifos {
            if f.created { unlink(f.spec.path) }
            Glibc.close(f.fd)
            if let g = f.scriptGroup { ScriptRunner.signalGroup(g, SIGTERM) }
        }
        fifos = []
    }
}
#endif
