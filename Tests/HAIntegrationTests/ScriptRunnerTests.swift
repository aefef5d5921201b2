import Foundation
import HA
import Logging
import Testing

/// Real child processes (no network, no root needed; run in the host tier because they wait on real time).
@Suite("vrrp_script runner", .enabled(if: tierEnabled))
struct ScriptRunnerTests {
    private let logger = Logger(label: "test")

    private func alive(_ pid: pid_t) -> Bool {
        // A zombie still answers kill(0); /proc/PID/stat's state field tells.
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { return false }
        let state = stat[stat.index(after: close)...].split(separator: " ").first
        return state != "Z"
    }

    @Test("A script that exits 0 passes and one that exits 1 fails")
    func exitCodes() async {
        #expect(await ProcessScriptRunner.run("/bin/true", timeout: .seconds(5), logger: logger))
        #expect(await ProcessScriptRunner.run("/bin/false", timeout: .seconds(5), logger: logger) == false)
        #expect(await ProcessScriptRunner.run("[[ -e /nonexistent-vigil ]] && exit 1 || exit 0", timeout: .seconds(5),
                                              logger: logger))
    }

    @Test("A script that cannot start fails")
    func missingProgram() async {
        #expect(await ProcessScriptRunner.run("/nonexistent/vigil-check", timeout: .seconds(5), logger: logger) == false)
    }

    @Test("At its timeout a hung script fails and everything it forked is killed")
    func timeoutKillsTheGroup() async throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("vigil-grandchild-\(getpid())").path
        defer { unlink(file) }
        let start = ContinuousClock.now
        let ok = await ProcessScriptRunner.run("sleep 60 & echo $! > \(file); wait", timeout: .milliseconds(300),
                                               logger: logger)
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
}
