import Vocabulary
import Glibc
import NIOCore
import NIOPosix

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

    /// Runs `command` (as its user, else `script_user`; refused when script security says so), bounded by
    /// `timeout`. The future never fails.
    public func run(_ command: ScriptCommand, timeout: Duration?, on loop: any EventLoop) -> EventLoopFuture<ScriptExit> {
        guard loop.inEventLoop else {
            return loop.flatSubmit { self.run(command, timeout: timeout, on: loop) }
        }
        let pid: pid_t
        switch ScriptRunner(security: security).start(command) {
        case .success(let p): pid = p
        case .failure(let failure): return loop.makeSucceededFuture(.failedToStart(failure.description))
        }
        let timedOut = NIOLoopBoundBox(false, eventLoop: loop)
        let killer = timeout.map { t in
            loop.scheduleTask(in: .nanoseconds(t.nanoseconds)) {
                timedOut.value = true
                ScriptRunner.signalGroup(pid)
            }
        }
        return pool.runIfActive(eventLoop: loop) { () -> ScriptExit in
            ScriptRunner.wait(pid)
        }.map { exit in
            killer?.cancel()
            // Reap anything left in the group (a script that forked and exited).
            ScriptRunner.signalGroup(pid)
            return timedOut.value ? .timedOut : exit
        }
    }
}
