// Theory of operation
//
// Scripts (vrrp_script, notify, MISC_CHECK, quorum_up …) run as children in a process group of their own, with
// stdin/stdout/stderr on /dev/null and default signal dispositions, so that a timeout can end the script *and*
// everything it forked (`bash -c 'a | b'`, a `sleep` in the background) with one `kill(-pgid, SIGKILL)`.
// This module is the one place that spawns; HA and HealthCheck wrap it with their own timing.

#if canImport(Glibc)
import Glibc
#endif

/// Why a child could not start.
public struct SpawnFailure: Error, Hashable, Sendable, CustomStringConvertible {
    /// The program.
    public var program: String
    /// `errno` from posix_spawn.
    public var code: Int32

    public var description: String { "cannot run \(program): \(String(cString: strerror(code)))" }
}

/// How a child ended.
public enum ChildExit: Hashable, Sendable {
    /// It exited with this code.
    case exited(Int32)
    /// A signal ended it.
    case signaled(Int32)

    /// Exit code 0.
    public var succeeded: Bool { self == .exited(0) }
}

/// Spawning children in their own process group, waiting for them, and ending their group.
public enum ChildProcess {
    /// Starts `argv` (absolute program path first) in a new process group whose id is the child's pid.
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
    public static func wait(_ pid: pid_t) -> ChildExit {
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
}
