#if canImport(Glibc)
import Logging
import Vocabulary

/// The runtime's seam for spawning scripts: tracker checks (waited for; at their timeout the whole process group,
/// the script and anything it forked, is killed) and notify scripts (fire and forget, so a slow script never delays
/// a transition). Both go through Vocabulary's `ScriptRunner`, which applies `user`/`script_user` and script security.
struct VRRPScripts: Sendable {
    var runner: ScriptRunner

    /// Starts a notify script and returns at once.
    func notify(_ command: ScriptCommand, arguments: [String], logger: Logger) {
        if let failure = runner.launch(command, arguments: arguments) {
            logger.error("notify script \(command): \(failure)")
        }
    }

    /// Runs a check script; true when it exits 0 before `timeout`.
    func check(_ command: ScriptCommand, timeout: Duration, logger: Logger) async -> Bool {
        let exit = await runner.run(command, timeout: timeout)
        if case .failedToStart(let reason) = exit { logger.warning("vrrp_script \(command): \(reason)") }
        return exit.succeeded
    }
}
#endif
