import Config
import Director
import Foundation
import HealthCheck
import NIOPosix
import Synchronization
import Testing
import Vocabulary
import TestSupport

/// SMTP_CHECK with two `host` blocks, from keepalived.conf text through the Director's plan to the running service,
/// against two SMTP servers on loopback: one of them stops answering (accepts and never greets), then answers again.
@Suite("SMTP_CHECK host blocks against SMTP servers", .serialized, .enabled(if: tierEnabled))
struct SMTPHostIntegrationTests {
    /// The service's events, collected by a reader task, so that waiting for one is bounded.
    final class EventLog: Sendable {
        private let events = Mutex<[HealthCheckEvent]>([])
        func append(_ event: HealthCheckEvent) { events.withLock { $0.append(event) } }

        /// The first real-server change after the first `skip` that `matches`, waited for at most `limit`.
        func change(after skip: Int, within limit: Duration,
                    _ matches: (RealServerStateChange) -> Bool) async throws -> (RealServerStateChange, Int)? {
            let deadline = ContinuousClock.now + limit
            while true {
                let found = events.withLock { all -> (RealServerStateChange, Int)? in
                    for (index, event) in all.enumerated().dropFirst(skip) {
                        if case .realServer(let change) = event, matches(change) { return (change, index + 1) }
                    }
                    return nil
                }
                if let found { return found }
                if ContinuousClock.now >= deadline { return nil }
                try await Task.sleep(for: .milliseconds(50))
            }
        }
    }

    /// Tells the fake servers' smtpflaky to stop answering (`down`) or to answer again (`up`).
    static func control(_ servers: FakeServers, _ command: String) throws {
        let port = servers.ports["smtpctl"] ?? 1
        let reply = try run(["/usr/bin/python3", "-c", """
            import socket; s = socket.create_connection(("127.0.0.1", \(port))); s.sendall(b"\(command)\\n"); print(s.recv(10).decode(), end="")
            """]).output
        #expect(reply == "ok\n", "smtpctl \(command): \(reply)")
    }

    @Test("A real server with two SMTP hosts goes DOWN when one stops answering, and UP when it answers again")
    func oneHostDown() async throws {
        let servers = try FakeServers()
        defer { servers.stop() }
        let good = servers.ports["smtp"] ?? 1, flaky = servers.ports["smtpflaky"] ?? 1
        let loaded = ConfigLoader.parse(text: """
        virtual_server 127.0.0.1 25 {
          protocol TCP
          delay_loop 1
          real_server 127.0.0.1 25 {
            connect_timeout 1
            SMTP_CHECK {
              retry 1
              delay_before_retry 1
              warmup 0
              host { connect_port \(good) }
              host { connect_port \(flaky) }
            }
          }
        }
        """)
        #expect(loaded.isValid, "\(loaded.rendered())")
        let plan = try DirectorPlan(config: loaded.config)
        #expect(plan.health.first?.realServers.first?.checkers.count == 2)
        let service = HealthCheckService(loop: loop, threadPool: NIOThreadPool.singleton, seed: 1)
        let log = EventLog()
        let stream = service.events
        let reader = Task { for await event in stream { log.append(event) } }
        await service.update(plan.health)
        let added = try await log.change(after: 0, within: .seconds(2)) { $0.previous == nil }
        #expect(added?.0.state.alive == true, "\(String(describing: added))")
        // Both hosts answer for a few rounds: nothing changes.
        try await Task.sleep(for: .milliseconds(2500))
        let quiet = try await log.change(after: 1, within: .zero) { _ in true }
        #expect(quiet == nil, "a change while both hosts answer: \(String(describing: quiet))")

        try Self.control(servers, "down")
        // Bound: delay_loop 1 + (retry+1)×connect_timeout 1 + retry×delay_before_retry 1 = 4 s, and some slack.
        let down = try await log.change(after: 1, within: .seconds(6)) { !$0.state.alive }
        let change = try #require(down, "no DOWN within 6 s of the second host's silence")
        #expect(change.0.reason.contains("127.0.0.1:\(flaky)") && change.0.reason.contains("timeout"), "\(change.0)")

        try Self.control(servers, "up")
        // Bound: a probe still hanging (1 s) + delay_loop 1 + one answer, and some slack.
        let up = try await log.change(after: change.1, within: .seconds(5)) { $0.state.alive }
        #expect(up != nil, "no UP within 5 s of the second host answering again")
        await service.shutdown()
        reader.cancel()
    }
}
