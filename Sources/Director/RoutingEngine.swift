// `vigil_announce` hands its routes to a BGP engine through a kernel table; without one running, they reach no
// router. Which engine runs is read from /proc (processes in this network namespace), so no socket path needs to be
// configured; the watch decides what to log, once per change.

#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// What to say about the BGP engines running beside Vigil. Pure: fed the process names seen, returns a log line when
/// the answer changed (and at the first reading).
struct RoutingEngineWatch: Sendable, Equatable {
    /// The process names of the engines Vigil knows: BIRD 2 (`bird`), FRR (`bgpd`, with `zebra` to learn the table).
    static let processNames: Set<String> = ["bird", "bird6", "bgpd", "zebra"]

    /// One line to log: a warning when no engine runs, else a notice.
    struct Line: Sendable, Equatable {
        var warning: Bool
        var text: String
    }

    private var last: String?

    /// The engines `running` (process names in this network namespace) mean for routes in `table`; nil when the
    /// same as at the last reading.
    mutating func observed(_ running: Set<String>, table: UInt32) -> Line? {
        let line: Line
        if running.contains("bird") || running.contains("bird6") {
            line = Line(warning: false, text: "announce: BIRD runs in this network namespace; it exports the routes of table \(table) with the kernel protocol 'vigil bgp render --bird' prints")
        } else if running.contains("bgpd") && running.contains("zebra") {
            line = Line(warning: false, text: "announce: FRR (zebra and bgpd) runs in this network namespace; it exports the routes of table \(table) with the 'ip import-table' 'vigil bgp render --frr' prints")
        } else if running.contains("bgpd") {
            line = Line(warning: true, text: "announce: FRR's bgpd runs without zebra in this network namespace: the routes of table \(table) reach no router until zebra runs")
        } else {
            line = Line(warning: true, text: "announce: no BGP engine (BIRD, or FRR's zebra and bgpd) runs in this network namespace: the routes of table \(table) reach no router; start one with the snippet 'vigil bgp render' prints")
        }
        guard line.text != last else { return nil }
        last = line.text
        return line
    }
}

/// The process names of `RoutingEngineWatch.processNames` running in the network namespace of this process.
enum RoutingEngineProbe {
    static func running(proc: String = "/proc") -> Set<String> {
        guard let own = try? FileManager.default.destinationOfSymbolicLink(atPath: "\(proc)/self/ns/net"),
              let entries = try? FileManager.default.contentsOfDirectory(atPath: proc) else { return [] }
        var out: Set<String> = []
        for pid in entries where pid.first?.isNumber == true {
            guard let comm = try? String(contentsOfFile: "\(proc)/\(pid)/comm", encoding: .utf8) else { continue }
            let name = comm.trimmingCharacters(in: .whitespacesAndNewlines)
            guard RoutingEngineWatch.processNames.contains(name),
                  (try? FileManager.default.destinationOfSymbolicLink(atPath: "\(proc)/\(pid)/ns/net")) == own
            else { continue }
            out.insert(name)
        }
        return out
    }
}
