import ArgumentParser
import Config
import Director
import Foundation
import HealthCheck
import NIOPosix
import Vocabulary

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

    @Option(help: "With --watch, also print (as `event UNIX-SECONDS DESCRIPTION`) the state changes whose description contains this text, even with --quiet.")
    var eventsMatching: String?

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
        let plan: DirectorPlan
        do { plan = try DirectorPlan(config: loaded.config) } catch {
            FileHandle.standardError.write(Data("\(error)\n".utf8))
            throw ExitCode(1)
        }
        let virtualServers = plan.health
        if let watch {
            try await runWatch(virtualServers, seconds: watch, security: plan.scriptSecurity)
            return
        }
        let round = ProbeRound(scripts: ProcessScriptRunner(pool: NIOThreadPool.singleton, security: plan.scriptSecurity))
        let outcomes = await round.runOnce(virtualServers, on: MultiThreadedEventLoopGroup.singleton.next())
        round.shutdown()
        let rows = outcomes.map {
            Row(virtualServer: $0.virtualServer.description, realServer: $0.realServer.realServer, checker: $0.checker, up: $0.result.up,
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

    /// Runs `HealthCheckService` for `seconds`, printing state changes (unless quiet), and per 10 s the probes
    /// started and how late they started; then a summary with the CPU time and peak RSS of this process.
    private func runWatch(_ virtualServers: [VirtualServerHealth], seconds: Double, security: ScriptSecurity) async throws {
        guard seconds.isFinite, seconds > 0, seconds < 86_400 else { throw ValidationError("--watch takes 0 < seconds < 86400") }
        let group = MultiThreadedEventLoopGroup.singleton
        // The benchmark's reference run sets VIGIL_BENCH_NIO_PATH=1, which the service reads (`ProbePaths`).
        let service = HealthCheckService(loop: group.next(), threadPool: NIOThreadPool.singleton, scriptSecurity: security)
        let quiet = self.quiet
        let matching = eventsMatching
        let printer = Task {
            var changes = 0
            for await event in service.events {
                changes += 1
                if let matching, event.description.contains(matching) {
                    Self.emit(String(format: "event %.6f ", Date().timeIntervalSince1970) + event.description)
                } else if !quiet {
                    Self.emit("\(ISO8601DateFormatter().string(from: Date())) \(event)")
                }
            }
            return changes
        }
        let cpuStart = Self.cpuSeconds()
        let start = ContinuousClock.now
        await service.update(virtualServers)
        var last = await service.statistics()
        var elapsed = 0.0
        while elapsed < seconds {
            let step = min(10, seconds - elapsed)
            try await Task.sleep(until: start + .milliseconds(Int64((elapsed + step) * 1000)))
            elapsed += step
            let now = await service.statistics()
            let window = now.lateness.since(last.lateness)
            let started = now.probesStarted - last.probesStarted
            Self.emit("t=\(Int(elapsed))s probes=\(started) rate=\(Int(Double(started) / step))/s"
                  + " late p50=\(Self.ms(window.percentile(0.5))) p99=\(Self.ms(window.percentile(0.99))) ms")
            last = now
        }
        let stats = await service.statistics()
        let cpu = Self.cpuSeconds() - cpuStart
        await service.shutdown()
        let changes = await printer.value
        let wall = (ContinuousClock.now - start).milliseconds / 1000
        let late = stats.lateness
        Self.emit("summary: probes=\(stats.probesStarted) finished=\(stats.probesFinished) seconds=\(String(format: "%.1f", wall))"
              + " rate=\(Int(Double(stats.probesStarted) / wall))/s events=\(changes)")
        Self.emit("lateness: p50=\(Self.ms(late.percentile(0.5))) p99=\(Self.ms(late.percentile(0.99))) p99.9=\(Self.ms(late.percentile(0.999)))"
              + " max=\(Self.ms(late.max)) ms over \(late.count) probes")
        Self.emit(String(format: "cpu: %.3f s (user+sys, getrusage, during the run) = %.1f%% of one core; %.4f CPU s per 1,000 checks; peak RSS %.1f MB",
                     cpu, 100 * cpu / wall, 1000 * cpu / Double(max(1, stats.probesStarted)), Self.peakRSSMegabytes()))
    }

    /// Writes one line at once (no stdio buffering): a benchmark reads the events while the watch runs.
    private static func emit(_ line: String) {
        FileHandle.standardOutput.write(Data((line + "\n").utf8))
    }

    private static func ms(_ d: Duration) -> String { String(format: "%.2f", d.milliseconds) }

    /// User + system CPU seconds of this process so far.
    private static func cpuSeconds() -> Double {
        var usage = rusage()
        guard getrusage(Int32(RUSAGE_SELF.rawValue), &usage) == 0 else { return 0 }
        func seconds(_ t: timeval) -> Double { Double(t.tv_sec) + Double(t.tv_usec) / 1e6 }
        return seconds(usage.ru_utime) + seconds(usage.ru_stime)
    }

    /// The process's peak resident set size (getrusage ru_maxrss, kB on Linux).
    private static func peakRSSMegabytes() -> Double {
        var usage = rusage()
        guard getrusage(Int32(RUSAGE_SELF.rawValue), &usage) == 0 else { return 0 }
        return Double(usage.ru_maxrss) / 1024
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
