import Foundation
@testable import HA
import HealthCheck
@testable import IPVS
import Testing
import TestSupport
@testable import Control

/// `Samples/grafana/vigil-dashboard.json` (issue #17) reads only metrics that `/metrics` serves: every `vigil_*` and
/// `keepalived_*` and `node_ipvs_*` name in a panel's query must be a family of the text the endpoint writes (Vigil's
/// registry, the probe figures, the keepalived exporter's names and the IPVS traffic), with the labels the query selects on. (Prometheus renames a
/// served `instance` label — Vigil's VRRP instance — to `exported_instance`, since `instance` is the scrape target's.)
@Suite("Grafana dashboard sample")
struct GrafanaDashboardTests {
    typealias F = StatusFixtures

    private var path: String {
        var parts = #filePath.split(separator: "/", omittingEmptySubsequences: false)
        parts.removeLast(3)   // Tests/ControlTests/GrafanaDashboardTests.swift
        return parts.joined(separator: "/") + "/Samples/grafana/vigil-dashboard.json"
    }

    /// What a scrape serves once every family has a sample: a director that reconciled, checked and synced.
    private func exposition() -> String {
        var m = VigilMetrics(instances: ["VI_1"], virtualServers: [F.pool()])
        m.vrrpEventReceived(F.toMaster)
        var c = VRRPCounters()
        c.sent = 3
        c.discarded = [.badTTL(64): 1]
        m.runtimeRead(states: [:], counters: ["VI_1": c])
        m.healthEventReceived(F.up(F.r1))
        m.reconciled(IPVSChangeReport(commands: [F.addService, F.addR1], failures: [
            IPVSCommandFailure(command: F.addR1, error: .kernel(.addDestination, errno: 17, object: "x"))]), duration: .milliseconds(3))
        m.syncDaemonsChanged(["master"])
        m.connectionsCounted(5)
        m.failbackHoldChanged(instance: "VI_1", held: false)
        var tally = CheckTally()
        tally.record(checker: "TCP_CHECK", up: false, latency: .milliseconds(3))
        var b = F.book()
        b.vrrpEventReceived(F.toMaster, now: F.at(1))
        return m.text() + VigilMetrics.checksText(tally)
            + KeepalivedExporterMetrics.text(b.keepalivedSnapshot(now: F.at(2), version: "", scriptSecurity: false))
            + IPVSTrafficMetrics.text(totals: IPVSStats(), services: IPVSTrafficMetricsTests.services())
    }

    @Test("Every metric a panel queries is served, with the labels it groups and selects by")
    func metricsExist() throws {
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        let dashboard = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let panels = try #require(dashboard["panels"] as? [[String: Any]])
        #expect(panels.count >= 10)
        let exprs = panels.flatMap { ($0["targets"] as? [[String: Any]] ?? []).compactMap { $0["expr"] as? String } }
        #expect(exprs.count >= panels.count)

        // Families and their label names as served.
        var labels: [String: Set<String>] = [:]
        for line in exposition().split(separator: "\n") where !line.hasPrefix("#") {
            let name = String(line.prefix { $0 != "{" && $0 != " " })
            var keys = Set<String>()
            if let open = line.firstIndex(of: "{"), let close = line.firstIndex(of: "}") {
                for pair in line[line.index(after: open)..<close].split(separator: ",") {
                    keys.insert(String(pair.prefix { $0 != "=" }))
                }
            }
            labels[name, default: []].formUnion(keys)
        }
        let metric = try Regex(#"\b((?:vigil|keepalived|node_ipvs)_[a-z_]+)(\{([^}]*)\})?"#)
        var seen = 0
        for expr in exprs {
            for match in expr.matches(of: metric) {
                let name = String(try #require(match.output[1].substring))
                seen += 1
                let served = try #require(labels[name], "\(name) (in '\(expr)') is not served")
                // Labels the query selects on, besides the scrape's own `instance`.
                for selector in (match.output[3].substring.map(String.init) ?? "").split(separator: ",") {
                    let key = String(selector.prefix { $0 != "=" && $0 != "!" }).trimmingCharacters(in: .whitespaces)
                    guard key != "instance", key != "exported_instance" else { continue }
                    #expect(served.contains(key), "\(name) has no label \(key) (in '\(expr)')")
                }
                // Labels it groups by.
                if let by = expr.firstMatch(of: try Regex(#"by \(([^)]*)\)"#)), let list = by.output[1].substring {
                    for key in list.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) })
                    where key != "instance" && key != "exported_instance" && key != "le" {
                        #expect(served.contains(key), "\(name) has no label \(key) to group by (in '\(expr)')")
                    }
                }
            }
        }
        #expect(seen >= exprs.count)
    }
}
