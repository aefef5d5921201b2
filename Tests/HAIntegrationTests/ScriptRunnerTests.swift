import Foundation
import HA
import Testing
import Vocabulary

/// Real child processes (no network, no root needed; run in the host tier because they wait on real time).
@Suite("vrrp_script runner", .enabled(if: tierEnabled))
struct ScriptRunnerTests {
    private let runner = ScriptRunner()

    private func passes(_ line: String, timeout: Duration = .seconds(5)) async -> Bool {
        await runner.run(ScriptCommand(command: line), timeout: timeout).succeeded
    }

    private func alive(_ pid: pid_t) -> Bool {
        // A zombie still answers kill(0); /proc/PID/stat's state field tells.
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { return false }
        let state = stat[stat.index(after: close)...].split(separator: " ").first
        return state != "Z"
    }

    @Test("A script that exits 0 passes and one that exits 1 fails")
    func exitCodes() async {
        #expect(await passes("/bin/true"))
        #expect(await passes("/bin/false") == false)
        #expect(await passes("[[ -e /nonexistent-vigil ]] && exit 1 || exit 0"))
    }

    @Test("A script that cannot start fails")
    func missingProgram() async {
        #expect(await passes("/nonexistent/vigil-check") == false)
        #expect(await runner.run(ScriptCommand(command: "/nonexistent/vigil-check"), timeout: nil)
            == .failedToStart("cannot run /nonexistent/vigil-check: No such file or directory"))
    }

    @Test("At its timeout a hung script fails and everything it forked is killed")
    func timeoutKillsTheGroup() async throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("vigil-grandchild-\(getpid())").path
        defer { unlink(file) }
        let start = ContinuousClock.now
        let ok = await passes("sleep 60 & echo $! > \(file); wait", timeout: .milliseconds(300))
        let took = ContinuousClock.now - start
        #expect(ok == false)
        #expect(took < .seconds(5), "the runner returned after \(took)")
        let text = try String(contentsOfFile: file, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        let grandchild = try #require(pid_t(text), "the script wrote its child's pid: '\(text)'")
        var gone = false
        for _ in 0..<50 where !gone {
            gone = !alive(grandchild)
            if !gone { try await Task.sleep(for: .milliseconds(100)) }
        }
        #expect(gone, "the backgrounded sleep (pid \(grandchild)) survived the timeout")
    }

    @Test("A vrrp_script or notify line runs as its user, else as script_user (VRRP scripts honour them as checkers do)")
    func runsAsScriptUser() async throws {
        let file = "/tmp/vigil-script-user-\(getpid())"
        defer { unlink(file) }
        let nobody = ScriptRunner(security: ScriptSecurity(defaultUser: "nobody"))
        #expect(await nobody.run(ScriptCommand(command: "id -un > \(file)"), timeout: .seconds(5)).succeeded)
        let who = try String(contentsOfFile: file, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(who == (getuid() == 0 ? "nobody" : String(cString: getpwuid(getuid()).pointee.pw_name)))
    }
}
