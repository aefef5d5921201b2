import Foundation

/// `vigil status` without `--json`: the status as terminal tables. Pure: the same status gives the same text.
public enum StatusTable {
    /// The whole status: a header line, the VRRP instances, the pools, the IPVS activity.
    public static func render(_ s: VigilStatus) -> String {
        var out = "vigil pid \(s.pid), up \(duration(s.generatedAt.timeIntervalSince(s.startedAt))) (started \(timestamp(s.startedAt)))\n\n"
        if s.instances.isEmpty {
            out += "no VRRP instance\n"
        } else {
            out += table(
                ["INSTANCE", "STATE", "PRIO", "VRID", "IFACE", "VIPS", "SENT", "RECV", "REJECTED", "LAST TRANSITION"],
                s.instances.map { i in
                    let prio = i.effectivePriority.map { $0 == i.priority ? "\($0)" : "\($0) (\(i.priority))" } ?? "\(i.priority)"
                    let rejected = total(i.adverts.rejected.values)
                    let last = i.transitions.last.map { "\(time($0.at)) \($0.from)->\($0.to): \($0.reason)" } ?? "-"
                    return [i.name, i.state, prio, "\(i.vrid)", i.interface, i.vips.joined(separator: ","),
                            "\(i.adverts.sent)", "\(i.adverts.received)", "\(rejected)", last]
                })
        }
        out += "\n"
        if s.virtualServers.isEmpty {
            out += "no virtual server\n"
        } else {
            var rows: [[String]] = []
            for vs in s.virtualServers {
                let name = vs.quorumUp ? vs.name : "\(vs.name) (quorum DOWN)"
                if vs.realServers.isEmpty { rows.append([name, "-", "-", "-", "-", "-", "-"]) }
                for (n, r) in vs.realServers.enumerated() {
                    rows.append([n == 0 ? name : "", r.address, r.health.rawValue, "\(r.weight)",
                                 r.ipvsWeight.map { "\($0)" } ?? (r.health == .unknown ? "?" : "out"),
                                 r.since.map(time) ?? "-", r.reason ?? "-"])
                }
            }
            out += table(["VIRTUAL SERVER", "REAL SERVER", "HEALTH", "WEIGHT", "IPVS", "SINCE", "LAST CHECK"], rows)
        }
        if let announced = s.announcements, !announced.isEmpty {
            out += "\n" + table(["ANNOUNCED", "TABLE", "ROUTE", "SINCE", "WHY"], announced.map {
                [$0.address, "\($0.table)", $0.announced ? "in" : "withdrawn", time($0.since), $0.reason]
            })
        }
        if let sync = s.connectionSync {
            out += "\nsync daemons: \(sync.daemons.isEmpty ? "none" : sync.daemons.joined(separator: ", "))"
            out += "; connections: \(sync.connections.map { "\($0)" } ?? "?")"
            out += "; last sync seen: \(sync.lastSyncSeen.map(time) ?? "-")\n"
            for h in sync.holds {
                out += "failback hold: \(h.instance) since \(time(h.since)), until \(time(h.until)) at most: \(h.reason)\n"
            }
        }
        let ipvs = s.ipvs
        out += "\nipvs: \(ipvs.reconciles) reconcile\(ipvs.reconciles == 1 ? "" : "s")"
        if let d = ipvs.lastDurationSeconds { out += ", last took \(String(format: "%.1f", d * 1000)) ms" }
        out += "; operations: " + counts(ipvs.operations) + "; errors: " + counts(ipvs.errors)
        if let e = ipvs.lastError { out += "\nipvs last error: \(e)" }
        return out + "\n"
    }

    /// One line for systemd's STATUS=: every instance's state and how many real servers are up.
    public static func summary(_ s: VigilStatus) -> String {
        var parts: [String] = []
        if !s.instances.isEmpty { parts.append(s.instances.map { "\($0.name) \($0.state)" }.joined(separator: ", ")) }
        let servers = s.virtualServers.flatMap(\.realServers)
        if !servers.isEmpty {
            parts.append("real servers \(servers.filter { $0.health == .up }.count)/\(servers.count) up")
        }
        if let announced = s.announcements, !announced.isEmpty {
            parts.append("announced \(announced.filter(\.announced).count)/\(announced.count)")
        }
        if let holds = s.connectionSync?.holds, !holds.isEmpty {
            parts.append("failback held: \(holds.map(\.instance).joined(separator: ", "))")
        }
        return parts.isEmpty ? "running" : parts.joined(separator: "; ")
    }

    /// Aligned columns separated by two spaces; the last column is not padded.
    public static func table(_ header: [String], _ rows: [[String]]) -> String {
        let all = [header] + rows
        let columns = header.count
        var widths = [Int](repeating: 0, count: columns)
        for row in all { for (i, cell) in row.prefix(columns).enumerated() { widths[i] = max(widths[i], cell.count) } }
        return all.map { row in
            (0..<columns).map { i in
                let cell = i < row.count ? row[i] : ""
                return i == columns - 1 ? cell : cell.padding(toLength: widths[i], withPad: " ", startingAt: 0)
            }.joined(separator: "  ").trimmingTrailingSpaces()
        }.joined(separator: "\n") + "\n"
    }

    /// The sum of `counts`, held at Int.max / Int.min instead of trapping: the numbers come from the endpoint's JSON,
    /// which `vigil status` does not trust (two counters near Int.max trapped it; see Fuzz/Control/corpus/regression-*).
    static func total(_ counts: some Sequence<Int>) -> Int {
        counts.reduce(0) { sum, n in
            let (s, overflow) = sum.addingReportingOverflow(n)
            return overflow ? (n < 0 ? Int.min : Int.max) : s
        }
    }

    static func counts(_ d: [String: Int]) -> String {
        d.isEmpty ? "none" : d.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
    }

    /// `HH:MM:SS` in UTC.
    static func time(_ d: Date) -> String {
        var t = time_t(d.timeIntervalSince1970.rounded(.down))
        var tm = tm()
        gmtime_r(&t, &tm)
        return String(format: "%02d:%02d:%02d", tm.tm_hour, tm.tm_min, tm.tm_sec)
    }

    /// ISO 8601 in UTC, seconds precision (`2026-11-25T01:02:03Z`).
    public static func timestamp(_ d: Date) -> String {
        var t = time_t(d.timeIntervalSince1970.rounded(.down))
        var tm = tm()
        gmtime_r(&t, &tm)
        return String(format: "%04d-%02d-%02dT%02d:%02d:%02dZ", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                      tm.tm_hour, tm.tm_min, tm.tm_sec)
    }

    /// `1h 2m 3s`.
    static func duration(_ seconds: Double) -> String {
        let s = max(0, Int(seconds))
        if s >= 3600 { return "\(s / 3600)h \(s % 3600 / 60)m \(s % 60)s" }
        if s >= 60 { return "\(s / 60)m \(s % 60)s" }
        return "\(s)s"
    }
}

extension String {
    fileprivate func trimmingTrailingSpaces() -> String {
        var s = self
        while s.last == " " { s.removeLast() }
        return s
    }
}
