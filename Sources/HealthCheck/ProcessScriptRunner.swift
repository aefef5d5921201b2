import ChildProcess
import Glibc
import NIOCore
import NIOPosix

/// How the service may run scripts (`enable_script_security`, `script_user`).
public struct ScriptSecurity: Hashable, Sendable {
    /// `enable_script_security`: refuse scripts that a non-root user could modify when running as root.
    public var enabled: Bool
    /// `script_user` for scripts without their own `user` (`nil`: the current user).
    public var defaultUser: String?

    /// Settings; by default scripts run as the current user with no check.
    public init(enabled: Bool = false, defaultUser: String? = nil) {
        self.enabled = enabled
        self.defaultUser = defaultUser
    }
}

/// The exit of a script run.
public enum ScriptExit: Hashable, Sendable {
    /// The script exited with this code.
    case exited(Int32)
    /// The script was killed by this signal.
    case signaled(Int32)
    /// The script ran longer than its timeout; its process group was killed.
    case timedOut
    /// The script could not start.
    case failedToStart(String)
}

/// Runs programs in their own process group, without a shell, with stdin/stdout/stderr on /dev/null.
/// A timeout kills the whole process group (a hung script and anything it forked).
public struct ProcessScriptRunner: Sendable {
    private let pool: NIOThreadPool
    /// Security settings applied to every run.
    public var security: ScriptSecurity

    /// A runner waiting for children on `pool`'s threads.
    public init(pool: NIOThreadPool, security: ScriptSecurity = ScriptSecurity()) {
        self.pool = pool
        self.security = security
    }

    /// Runs `arguments` (program path first) as `user` (or the security default), bounded by `timeout`.
    public func run(_ arguments: [String], user: String? = nil, timeout: Duration?, on loop: any EventLoop) -> EventLoopFuture<ScriptExit> {
        guard loop.inEventLoop else {
            return loop.flatSubmit { self.run(arguments, user: user, timeout: timeout, on: loop) }
        }
        guard let program = arguments.first, !program.isEmpty else {
            return loop.makeSucceededFuture(.failedToStart("empty command"))
        }
        if security.enabled, getuid() == 0, let problem = Self.insecurity(of: program) {
            return loop.makeSucceededFuture(.failedToStart("script security: \(problem)"))
        }
        var argv = arguments
        if let runAs = user ?? security.defaultUser, getuid() == 0 {
            argv = ["/usr/bin/setpriv", "--reuid=\(runAs)", "--regid=\(Self.group(of: runAs))", "--init-groups", "--"] + argv
        }
        let pid: pid_t
        switch ChildProcess.spawn(argv) {
        case .success(let p): pid = p
        case .failure(let failure): return loop.makeSucceededFuture(.failedToStart(failure.description))
        }
        let timedOut = NIOLoopBoundBox(false, eventLoop: loop)
        let killer = timeout.map { t in
            loop.scheduleTask(in: .nanoseconds(t.nanosecondsClamped)) {
                timedOut.value = true
                ChildProcess.signalGroup(pid)
            }
        }
        return pool.runIfActive(eventLoop: loop) { () -> ChildExit in
            ChildProcess.wait(pid)
        }.map { exit in
            killer?.cancel()
            // Reap anything left in the group (a script that forked and exited).
            ChildProcess.signalGroup(pid)
            if timedOut.value { return .timedOut }
            switch exit {
            case .exited(let code): return .exited(code)
            case .signaled(let signal): return .signaled(signal)
            }
        }
    }

    /// A reason the script (or a directory above it) is unsafe to run as root, or `nil`.
    static func insecurity(of path: String) -> String? {
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
