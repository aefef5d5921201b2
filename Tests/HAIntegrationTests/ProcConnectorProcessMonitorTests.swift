import Foundation
import HA
import Testing

/// The kernel's process events, read by the monitor as keepalived reads them (root, initial network namespace; no
/// network traffic): a process of a unique name started and killed is seen and its exit reported.
@Suite("Process events (proc connector)", .enabled(if: tierEnabled))
struct ProcConnectorProcessMonitorTests {
    @Test("A started process is seen with its name and command line, its end is reported; the scan lists it too")
    func startAndExit() async throws {
        let monitor = ProcConnectorProcessMonitor(readsCommandLines: true)
        #expect(monitor.pollingReason == nil, "the proc connector is needed in the host tier (root, initial namespace)")
        let name = "vpc\(getpid() % 100_000)"
        let path = FileManager.default.temporaryDirectory.appendingPathComponent(name).path
        try? FileManager.default.removeItem(atPath: path)
        try FileManager.default.copyItem(atPath: "/bin/sleep", toPath: path)
        defer { try? FileManager.default.removeItem(atPath: path) }
        monitor.start()
        defer { monitor.close() }
        let child = Process()
        child.executableURL = URL(fileURLWithPath: path)
        child.arguments = ["30"]
        try child.run()
        let pid = child.processIdentifier
        var seen: ProcessRecord?
        var exited = false
        let killer = Task {
            try await Task.sleep(for: .milliseconds(500))
            kill(pid, SIGKILL)
        }
        let deadline = ContinuousClock.now + .seconds(5)
        // Without events the stream would wait for ever: closing the monitor ends it.
        let limit = Task {
            try await Task.sleep(for: .seconds(5))
            monitor.close()
        }
        defer { limit.cancel() }
        for await event in monitor.events {
            switch event {
            case .seen(let p, let record) where p == pid: seen = record
            case .exited(let p) where p == pid: exited = true
            case .snapshot(let all): if let r = all[pid] { seen = r }
            default: break
            }
            if exited || ContinuousClock.now > deadline { break }
        }
        _ = try? await killer.value
        child.waitUntilExit()
        #expect(seen?.comm == name)
        #expect(seen?.arguments == [path, "30"])
        #expect(exited)
    }
}
