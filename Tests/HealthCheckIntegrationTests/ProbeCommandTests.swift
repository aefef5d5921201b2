import Foundation
import Testing

@Suite("vigil probe on a keepalived.conf", .serialized, .enabled(if: tierEnabled))
struct ProbeCommandTests {
    struct Row: Decodable, Equatable {
        var virtualServer: String
        var realServer: String
        var checker: String
        var up: Bool
        var reason: String
        var latencyMs: Double
    }

    @Test("--json reports every checker of every real server, concurrently, and exits 0 with servers down")
    func probeJSON() async throws {
        let servers = try FakeServers()
        defer { servers.stop() }
        let p = servers.ports
        let conf = """
        virtual_server 127.0.0.1 80 {
          protocol TCP
          delay_loop 5
          real_server 127.0.0.1 \(p["ok"] ?? 0) {
            TCP_CHECK { connect_timeout 2 }
            HTTP_GET { url { path / status_code 200 } connect_timeout 2 }
          }
          real_server 127.0.0.1 \(p["hang"] ?? 0) {
            HTTP_GET { url { path /health } connect_timeout 2 }
          }
          real_server 127.0.0.1 \(p["slow"] ?? 0) {
            HTTP_GET { url { path /health } connect_timeout 2 }
          }
          real_server 127.0.0.1 \(p["status503"] ?? 0) {
            HTTP_GET { url { path /health status_code 200 } connect_timeout 2 }
          }
        }
        virtual_server fwmark 7 {
          real_server 127.0.0.1 \(p["smtp"] ?? 0) {
            SMTP_CHECK { connect_timeout 2 }
          }
        }
        """
        let path = NSTemporaryDirectory() + "vigil-probe-\(UUID().uuidString).conf"
        try conf.write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let start = ContinuousClock.now
        let (status, output) = try run([repoRoot + "/.build/debug/vigil", "probe", "-f", path, "--json"])
        let took = ContinuousClock.now - start
        #expect(status == 0)
        let rows = try JSONDecoder().decode([Row].self, from: Data(output.utf8))
        #expect(rows.map(\.checker) == ["TCP_CHECK", "HTTP_GET", "HTTP_GET", "HTTP_GET", "HTTP_GET", "SMTP_CHECK"])
        #expect(rows.map(\.up) == [true, true, false, false, false, true])
        #expect(rows.first?.virtualServer == "127.0.0.1:80")
        #expect(rows.last?.virtualServer == "fwmark 7")
        #expect(rows[4].reason.contains("status 503, expected 200"), "\(rows[4].reason)")
        // Two 2 s timeouts run at the same time: about 2 s in total, not 4.
        #expect(took < .milliseconds(3500), "took \(took)")
    }
}
