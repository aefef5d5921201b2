import ArgumentParser
import Config
import Director
import Foundation
import HealthCheck
import NIOPosix

/// `vigil probe`: runs every configured checker of every real server once, now, and prints the results.
/// Exits 0 even when servers are down (it reports, it does not judge); 1 when the config is invalid.
struct ProbeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "probe",
        abstract: "Run every configured health check once and print the results"
    )

    @Option(name: .short, help: "Configuration file.")
    var f: String = "/etc/keepalived/keepalived.conf"

    @Flag(help: "Print a JSON array instead of a table.")
    var json = false

    @Option(help: "Instead of probing once, run the scheduler for this many seconds, printing state changes and a per-interval probe count.")
    var watch: Double?

    @Flag(help: "With --watch, print only the per-interval counts and the summary, not every state change.")
    var quiet = false

    /// One row of `--json`.
    struct Row: Encodable {
        var virtualServer: String
        var realServer: String
        var checker: String
        var up: Bool
        var reason: String
        var latencyMs: Double
    }

    func run() async throws {
        let loaded = ConfigLoader.load(path: f)
        guard loaded.isValid else {
            FileHandle.standardError.write(Data(loaded.rendered().utf8))
            throw ExitCode(1)
        }
        let virtualServers = CheckTranslation.virtualServers(from: loaded.config)
        if let watch {
            try await runWatch(virtualServers, seconds: watch, security: CheckTranslation.scriptSecurity(from: loaded.config))
            return
        }
        let runner = ProbeRunner(scripts: ProcessScriptRunner(pool: NIOThreadPool.singleton,
                                                              security: CheckTranslation.scriptSecurity(from: loaded.config)))
        let outcomes = await runner.runOnce(virtualServers, on: MultiThreadedEventLoopGroup.singleton.next())
        let rows = outcomes.map {
            Row(virtualServer: $0.virtualServer, realServer: $0.realServer.realServer, checker: $0.checker, up: $0.result.up,
                reason: $0.result.reason, latencyMs: (($0.result.latency.milliseconds) * 10).rounded() / 10)
        }
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            print(String(decoding: try encoder.encode(rows), as: UTF8.self))
        } else {
            print(table(rows))
        }
    }

    /// Runs `HealthCheckService` for `seconds`, printing state changes (unless quiet) and probes started per 10 s.
    private func runWatch(_ virtualServers: [VirtualServerHealth], seconds: Double, security: ScriptSecurity) async throws {
        guard seconds.isFinite, seconds > 0, seconds < 86_400 else { throw ValidationError("--watch takes 0 < seconds < 86400") }
        let group = MultiThreadedEventLoopGroup.singleton
        let service = HealthCheckService(loop: group.next(), probeLoops: group.makeIterator().map { $0 },
                                         threadPool: NIOThreadPool.singleton, scriptSecurity: security)
        let quiet = self.quiet
        let printer = Task {
            var changes = 0
            for await event in service.events {
                changes += 1
                if !quiet { print("\(ISO8601DateFormatter().string(from: Date())) \(event)") }
            }
            return changes
        }
        let start = ContinuousClock.now
        await service.update(virtualServers)
        var last = 0
        var elapsed = 0.0
        while elapsed < seconds {
            let step = min(10, seconds - elapsed)
            try await Task.sleep(for: .milliseconds(Int64(step * 1000)))
            elapsed += step
            let count = await service.probeCount()
            print("t=\(Int(elapsed))s probes=\(count - last) rate=\(Int(Double(count - last) / step))/s")
            last = count
        }
        let total = await service.probeCount()
        await service.shutdown()
        let changes = await printer.value
        let wall = (ContinuousClock.now - start).milliseconds / 1000
        print("summary: probes=\(total) seconds=\(String(format: "%.1f", wall)) rate=\(Int(Double(total) / wall))/s events=\(changes)")
    }

    private func table(_ rows: [Row]) -> String {
        let header = ["VIRTUAL SERVER", "REAL SERVER", "CHECKER", "RESULT", "LATENCY", "REASON"]
        let body = rows.map { [$0.virtualServer, $0.realServer, $0.checker, $0.up ? "UP" : "DOWN",
                               String(format: "%.1f ms", $0.latencyMs), $0.reason] }
        let all = [header] + body
        let widths = (0..<header.count - 1).map { col in all.map { $0[col].count }.max() ?? 0 }
        return all.map { row in
            row.enumerated().map { i, cell in i < widths.count ? cell.padding(toLength: widths[i], withPad: " ", startingAt: 0) : cell }
                .joined(separator: "  ")
        }.joined(separator: "\n") + "\n\(rows.filter(\.up).count) up, \(rows.filter { !$0.up }.count) down"
    }
}
