import Logging
import Vocabulary

/// `startup_script` / `shutdown_script` (global_defs): a script the daemon runs once before VRRP and the checkers
/// start, or once after they have stopped, waiting for it up to its timeout (then its process group is killed and
/// the daemon goes on), as keepalived's parent process does. A failing script is logged and changes nothing else.
public struct LifecycleScript: Hashable, Sendable {
    /// Which one.
    public enum Kind: String, Hashable, Sendable {
        case startup, shutdown
    }

    /// Startup or shutdown.
    public var kind: Kind
    /// The command line, its user and group.
    public var command: ScriptCommand
    /// `startup_script_timeout` / `shutdown_script_timeout` (default 10 s).
    public var timeout: Duration

    /// A script.
    public init(kind: Kind, command: ScriptCommand, timeout: Duration) {
        self.kind = kind
        self.command = command
        self.timeout = timeout
    }

    /// The log line for how a run ended, and whether it is a failure (logged as a warning).
    public func outcome(_ exit: ScriptExit) -> (line: String, failed: Bool) {
        let name = "\(kind.rawValue) script \(command.command)"
        switch exit {
        case .exited(0): return ("\(name): succeeded", false)
        case .exited(let code): return ("\(name) failed: exit status \(code)", true)
        case .signaled(let signal): return ("\(name) failed: ended by signal \(signal)", true)
        case .timedOut:
            return ("\(name) failed: still running after \(timeout.components.seconds) s (\(kind.rawValue)_script_timeout); its process group was killed", true)
        case .failedToStart(let why): return ("\(name) failed: \(why)", true)
        }
    }

    /// Runs the script to its end or its timeout and logs the outcome.
    func run(security: ScriptSecurity, logger: Logger) async {
        logger.info("running \(kind.rawValue) script \(command.command)")
        let exit = await ScriptRunner(security: security).run(command, timeout: timeout)
        let (line, failed) = outcome(exit)
        if failed { logger.warning("\(line)") } else { logger.info("\(line)") }
    }
}
