// Theory of operation
//
// Scripts (vrrp_script, notify, MISC_CHECK, quorum_up …) run as children in a process group of their own, with
// stdin/stdout/stderr on /dev/null and default signal dispositions, so that a timeout ends the script *and*
// everything it forked (`bash -c 'a | b'`, a `sleep` in the background) with one `kill(-pgid, SIGKILL)`.
// `ScriptRunner` is the one place that decides how a `ScriptCommand` runs (argv, shell, user and group, script
// security) and the one place that spawns; HA and HealthCheck only choose when and with which timeout.

#if canImport(Glibc)
import Glibc
#endif
import Dispatch
import Synchronization

/// How scripts may run (`enable_script_security`, `script_user`).
public struct ScriptSecurity: Hashable, Sendable {
    /// `enable_script_security`: refuse, when running as root, a script that a non-root user could modify.
    public var enabled: Bool
    /// `script_user` for scripts without their own user (`nil`: the current user).
    public var defaultUser: String?

    /// Settings; by default scripts run as the current user with no check.
    public init(enabled: Bool = false, defaultUser: String? = nil) {
        self.enabled = enabled
        self.defaultUser = defaultUser
    }
}

/// How a script run ended.
public enum ScriptExit: Hashable, Sendable {
    /// The script exited with this code.
    case exited(Int32)
    /// A signal ended the script.
    case signaled(Int32)
    /// The script ran longer than its timeout; its process group was killed.
    case timedOut
    /// The script could not start (the reason).
    case failedToStart(String)

    /// Exit code 0.
    public var succeeded: Bool { self == .exited(0) }
}

/// Runs `ScriptCommand`s: each in a new process group, as its user, refused when script security says so.
public struct ScriptRunner: Sendable {
    /// Security settings applied to every run.
    public var security: ScriptSecurity

    /// A runner.
    public init(security: ScriptSecurity = ScriptSecurity()) { self.security = security }

    private static let bashAvailable = access("/bin/bash", X_OK) == 0

    /// The argv a run of `command` executes: the words or the shell line (see `ScriptCommand`), behind `setpriv`
    /// when it runs as another user (the command's, else `script_user`) and Vigil is root. A reason instead when
    /// the command is empty or script security refuses it.
    public func argv(_ command: ScriptCommand, arguments: [String] = []) -> Result<[String], ScriptStartFailure> {
        let words = command.argv(arguments: arguments, bashAvailable: Self.bashAvailable)
        guard let program = words.first, !program.isEmpty else {
            return .failure(ScriptStartFailure(command: command.command, reason: "empty command"))
        }
        let isRoot = getuid() == 0
        if security.enabled, isRoot {
            if let problem = Self.insecurity(of: program) {
                return .failure(ScriptStartFailure(command: command.command, reason: "script security: \(problem)"))
            }
        }
        guard isRoot, let user = command.user ?? security.defaultUser else { return .success(words) }
        let group = command.group ?? Self.group(of: user)
        return .success(["/usr/bin/setpriv", "--reuid=\(user)", "--regid=\(group)", "--init-groups", "--"] + words)
    }

    /// Starts `command` in a new process group whose id is the child's pid, and returns at once.
    public func start(_ command: ScriptCommand, arguments: [String] = []) -> Result<pid_t, ScriptStartFailure> {
        switch argv(command, arguments: arguments) {
        case .failure(let f): return .failure(f)
        case .success(let argv):
            return Self.spawn(argv).mapError { ScriptStartFailure(command: command.command, reason: $0.description) }
        }
    }

    /// Starts `command` and forgets it (notify scripts: a slow script never delays a transition); it is reaped in
    /// the background. Returns why it could not start, or nil.
    public func launch(_ command: ScriptCommand, arguments: [String] = []) -> ScriptStartFailure? {
        switch start(command, arguments: arguments) {
        case .failure(let f): return f
        case .success(let pid):
            DispatchQueue.global().async { _ = Self.wait(pid) }
            return nil
        }
    }

    /// Runs `command` to its end, or until `timeout`, when its whole process group is killed (SIGKILL). Whatever
    /// the script left running in its group is killed when it exits.
    public func run(_ command: ScriptCommand, arguments: [String] = [], timeout: Duration?) async -> ScriptExit {
        let pid: pid_t
        switch start(command, arguments: arguments) {
        case .failure(let f): return .failedToStart(f.description)
        case .success(let p): pid = p
        }
        let timedOut = TimeoutFlag()
        let killer: DispatchWorkItem? = timeout.map { t in
            let item = DispatchWorkItem {
                timedOut.set()
                Self.signalGroup(pid)
            }
            DispatchQueue.global().asyncAfter(deadline: .now() + .nanoseconds(Int(clamping: t.nanoseconds)), execute: item)
            return item
        }
        let exit = await withCheckedContinuation { (cont: CheckedContinuation<ScriptExit, Never>) in
            DispatchQueue.global().async { cont.resume(returning: Self.wait(pid)) }
        }
        killer?.cancel()
        Self.signalGroup(pid)
        return timedOut.isSet ? .timedOut : exit
    }

    // MARK: - Process primitives

    /// Starts `argv` (a program path or a name looked up in PATH first) in a new process group whose id is the
    /// child's pid, with stdio on /dev/null and default signal dispositions.
    public static func spawn(_ argv: [String]) -> Result<pid_t, SpawnFailure> {
        guard let program = argv.first, !program.isEmpty else {
            return .failure(SpawnFailure(program: "", code: ENOENT))
        }
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        posix_spawnattr_setpgroup(&attributes, 0)
        var defaultSignals = sigset_t()
        sigemptyset(&defaultSignals)
        for s in [SIGPIPE, SIGTERM, SIGINT, SIGHUP, SIGUSR1, SIGUSR2, SIGCHLD] { sigaddset(&defaultSignals, s) }
        posix_spawnattr_setsigdefault(&attributes, &defaultSignals)
        var emptyMask = sigset_t()
        sigemptyset(&emptyMask)
        posix_spawnattr_setsigmask(&attributes, &emptyMask)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        for fd in [Int32(0), 1, 2] {
            posix_spawn_file_actions_addopen(&actions, fd, "/dev/null", fd == 0 ? O_RDONLY : O_WRONLY, 0)
        }
        var cArgs: [UnsafeMutablePointer<CChar>?] = argv.map { strdup($0) }
        cArgs.append(nil)
        defer { for p in cArgs { free(p) } }
        var pid: pid_t = 0
        let rc = program.hasPrefix("/")
            ? posix_spawn(&pid, program, &actions, &attributes, cArgs, environ)
            : posix_spawnp(&pid, program, &actions, &attributes, cArgs, environ)
        if rc != 0 { return .failure(SpawnFailure(program: program, code: rc)) }
        return .success(pid)
    }

    /// Blocks until `pid` ends and reaps it (retrying on EINTR). Call it off any event loop or cooperative thread.
    public static func wait(_ pid: pid_t) -> ScriptExit {
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 {
            if errno != EINTR { return .signaled(0) }
        }
        let signal = status & 0x7f
        return signal == 0 ? .exited((status >> 8) & 0xff) : .signaled(signal)
    }

    /// Sends `signal` to the process group `pgid` (a spawned child's pid): the script and whatever it forked.
    public static func signalGroup(_ pgid: pid_t, _ signal: Int32 = SIGKILL) {
        guard pgid > 1 else { return }
        kill(-pgid, signal)
    }

    /// A reason the script (or a directory above it) is unsafe to run as root, or `nil`: keepalived's rule, every
    /// component owned by root and not writable by group or others (a sticky directory excepted).
    public static func insecurity(of path: String) -> String? {
        guard path.hasPrefix("/") else { return "\(path) is not an absolute path" }
        var current = path
        while true {
            var st = stat()
            guard stat(current, &st) == 0 else { return "cannot stat \(current)" }
            let isDirectory = (st.st_mode & S_IFMT) == S_IFDIR
            let sticky = (st.st_mode & S_ISVTX) != 0
            if st.st_uid != 0 { return "\(current) is not owned by root" }
            if (st.st_mode & (S_IWGRP | S_IWOTH)) != 0 && !(isDirectory && sticky) {
                return "\(current) is writable by non-root users"
            }
            if current == "/" { return nil }
            let parent = current.split(separator: "/").dropLast().joined(separator: "/")
            current = "/" + parent
        }
    }

    private static func group(of user: String) -> String {
        guard let pw = getpwnam(user) else { return user }
        return String(pw.pointee.pw_gid)
    }
}

/// Why `posix_spawn` failed.
public struct SpawnFailure: Error, Hashable, Sendable, CustomStringConvertible {
    /// The program.
    public var program: String
    /// `errno` from posix_spawn.
    public var code: Int32

    public var description: String { "cannot run \(program): \(String(cString: strerror(code)))" }
}

/// Why a script did not start.
public struct ScriptStartFailure: Error, Hashable, Sendable, CustomStringConvertible {
    /// The command line.
    public var command: String
    /// Why.
    public var reason: String

    public var description: String { reason }
}

/// Set once by the timeout, read after the wait.
private final class TimeoutFlag: Sendable {
    private let value = Mutex(false)
    func set() { value.withLock { $0 = true } }
    var isSet: Bool { value.withLock { $0 } }
}
