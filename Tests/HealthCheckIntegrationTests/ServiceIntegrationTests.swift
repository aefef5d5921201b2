import Foundation
import HealthCheck
import NIOCore
import NIOPosix
import Testing
import Vocabulary
import TestSupport

@Suite("HealthCheckService with real time", .serialized, .enabled(if: tierEnabled))
struct ServiceIntegrationTests {
    @Test("A killed server goes DOWN within delay_loop + (retry+1)×timeout + retry×delay_before_retry, then quorum is lost")
    func deathToDown() async throws {
        let servers = try FakeServers()
        var stopped = false
        defer { if !stopped { servers.stop() } }
        let timing = CheckTiming(delayLoop: .seconds(1), retry: 1, delayBeforeRetry: .seconds(1), warmup: .zero)
        let key = RealServerID(virtualServer: "127.0.0.1:80", address: "127.0.0.1", port: servers.ports["ok"] ?? 0)
        let rs = RealServerTarget(key: key, weight: 3, checkers: [CheckerSpec(kind: .tcp(TCPCheck(target: servers.target("ok", timeout: .seconds(1)))), timing: timing)])
        let vs = VirtualServerHealth(id: "127.0.0.1:80", quorum: QuorumPolicy(quorum: 1), realServers: [rs])
        let service = HealthCheckService(loop: loop, threadPool: NIOThreadPool.singleton, seed: 1)
        var iterator = service.events.makeAsyncIterator()
        await service.update([vs])
        let first = await iterator.next()
        guard case .realServer(let added) = first else { Issue.record("expected the added event, got \(String(describing: first))"); return }
        #expect(added.state == RealServerState(alive: true, weight: 3, inhibitOnFailure: false))
        #expect(added.previous == nil)
        try await Task.sleep(for: .milliseconds(1500))
        servers.stop()
        stopped = true
        let killedAt = ContinuousClock.now
        let down = await iterator.next()
        let took = ContinuousClock.now - killedAt
        guard case .realServer(let change) = down else { Issue.record("expected DOWN, got \(String(describing: down))"); return }
        #expect(!change.state.alive)
        #expect(change.description.contains("DOWN: TCP_CHECK 127.0.0.1:\(key.port) connection refused (2nd try)"), "\(change)")
        // Bound: 1 + 2×1 + 1×1 = 4 s.
        #expect(took < .seconds(4), "death→DOWN took \(took)")
        let quorum = await iterator.next()
        #expect(quorum == .quorum(virtualServer: "127.0.0.1:80", up: false, liveWeight: 0, reason: .realServerChanged(key)))
        await service.shutdown()
    }

    @Test("notify_down runs asynchronously when a server goes down")
    func notifyDown() async throws {
        let marker = NSTemporaryDirectory() + "vigil-notify-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: marker) }
        let script = try TempScript("echo \"$@\" > \(marker)")
        defer { script.remove() }
        let timing = CheckTiming(delayLoop: .seconds(1), retry: 0, warmup: .zero)
        let key = RealServerID(virtualServer: "vs", address: "127.0.0.1", port: 1)
        let fail = try TempScript("exit 1")
        defer { fail.remove() }
        let rs = RealServerTarget(key: key, checkers: [CheckerSpec(kind: .misc(MiscCheck(command: ScriptCommand(command: fail.path))), timing: timing)],
                                  notifyDown: ScriptCommand(command: "\(script.path) down 127.0.0.1:1"))
        let service = HealthCheckService(loop: loop, threadPool: NIOThreadPool.singleton, seed: 1)
        await service.update([VirtualServerHealth(id: "vs", realServers: [rs])])
        var found = false
        for _ in 0..<40 {
            if let text = try? String(contentsOfFile: marker, encoding: .utf8), text.contains("down 127.0.0.1:1") { found = true; break }
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(found)
        await service.shutdown()
    }
}
