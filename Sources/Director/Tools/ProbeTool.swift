import Config
import Foundation
import HealthCheck
import NIOPosix
import Vocabulary

/// `vigil probe`: the health checks of a configuration, once or for a while, outside the daemon.
public enum ProbeTool {
    /// One row of `--json`.
    struct Row: Encodable, Sendable {
        var virtualServer: String
        var realServer: String
        var checker: String
        var up: Bool
        var reason: String
        var latencyMs: Double
    }

    /// `vigil probe -f FILE [--json]`: every checker once, now; or `--watch SECONDS`: the scheduler for that long,
    /// printing state changes (unless `quiet`; those matching `eventsMatching` always) and per-interval counts.
    /// Exits 0 even when servers are down (it reports, it does not judge); fails when the config is invalid.
    public static func run(file: String, json: Bool, watch: Double?, quiet: Bool,
                           eventsMatching: String?) async throws(ToolFailure) {
        let loaded = ConfigLoader.load(path: file)
        guard loaded.isValid else { throw ToolFailure(loaded.rendered()) }
        let plan: DirectorPlan
        do { plan = try DirectorPlan(config: loaded.config) } catch { throw ToolFailure("\(error)\n") }
        let virtualServers = plan.health
        if let watch {
            try await runWatch(virtualServers, seconds: watch, security: plan.scriptSecurity, quiet: quiet,
                               eventsMatching: eventsMatching)
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
            let data = (try? encoder.encode(rows)) ?? Data("[]".utf8)
            emit(String(decoding: data, as: UTF8.self))
        } else {
            emit(table(rows))
        }
    }

    /// Runs `HealthCheckService` for `seconds`, printing state changes (unless quiet), and per 10 s the probes
    /// started and how late they started; then a summary with the CPU time and peak RSS of this process.
    private static func runWatch(_ virtualServers: [VirtualServerHealth], seconds: Double, security: ScriptSecurity,
                                 quiet: Bool, eventsMatching: String?) async throws(ToolFailure) {
        guard seconds.isFinite, seconds > 0, seconds < 86_400 else { throw ToolFailure("--watch takes 0 < seconds < 86400\n", exitCode: 64) }
        let group = MultiThreadedEventLoopGroup.singleton
        // The benchmark's reference run sets VIGIL_BENCH_NIO_PATH=1, which the service reads (`ProbePaths`).
        let service = HealthCheckService(loop: group.next(), threadPool: NIOThreadPool.singleton, scriptSecurity: security)
        let matching = eventsMatching
        let printer = Task {
            var changes = 0
            for await event in service.events {
                changes += 1
                if let matching, event.description.contains(matching) {
                    emit(String(format: "event %.6f ", Date().timeIntervalSince1970) + event.description)
                } else if !quiet {
                    emit("\(ISO8601DateFormatter().string(from: Date())) \(event)")
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
            try? await Task.sleep(until: start + .milliseconds(Int64((elapsed + step) * 1000)))
            elapsed += step
            let now = await service.statistics()
            let window = now.lateness.since(last.lateness)
            let started = now.probesStarted - last.probesStarted
            emit("t=\(Int(elapsed))s probes=\(started) rate=\(Int(Double(started) / step))/s"
                  + " late p50=\(Self.ms(window.percentile(0.5))) p99=\(Self.ms(window.percentile(0.99))) ms")
            last = now
        }
        let stats = await service.statistics()
        let cpu = Self.cpuSeconds() - cpuStart
        await service.shutdown()
        let changes = await printer.value
        let wall = (ContinuousClock.now - start).milliseconds / 1000
        let late = stats.lateness
        emit("summary: probes=\(stats.probesStarted) finished=\(stats.probesFinished) seconds=\(String(format: "%.1f", wall))"
              + " rate=\(Int(Double(stats.probesStarted) / wall))/s events=\(changes)")
        emit("lateness: p50=\(Self.ms(late.percentile(0.5))) p99=\(Self.ms(late.percentile(0.99))) p99.9=\(Self.ms(late.percentile(0.999)))"
              + " max=\(Self.ms(late.max)) ms over \(late.count) probes")
        emit(String(format: "cpu: %.3f s (user+sys, getrusage, during the run) = %.1f%% of one core; %.4f CPU s per 1,000 checks; peak RSS %.1f MB",
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

    private static func table(_ rows: [Row]) -> String {
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
