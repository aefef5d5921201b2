import Foundation

/// What SIGUSR1 and SIGUSR2 write, in the spirit of keepalived's data and statistics dumps: a text file an operator
/// reads (`/tmp/vigil.data`, `/tmp/vigil.stats`) and the same facts as JSON beside it (`.json`). Rendering is pure;
/// `write` is the only I/O.
public enum StatusDump {
    /// Which dump.
    public enum Kind: Sendable, Equatable {
        /// SIGUSR1: configuration and state of every instance and pool.
        case data
        /// SIGUSR2: counters.
        case stats

        /// The default text path.
        public var defaultPath: String {
            switch self {
            case .data: "/tmp/vigil.data"
            case .stats: "/tmp/vigil.stats"
            }
        }
    }

    /// The statistics part of the status, as written to `vigil.stats.json`.
    public struct Stats: Codable, Sendable, Equatable {
        /// When.
        public var generatedAt: Date
        /// Per instance: state, transitions and advert counters.
        public var instances: [InstanceStats]
        /// IPVS activity.
        public var ipvs: IPVSActivity
    }

    /// Counters of one instance.
    public struct InstanceStats: Codable, Sendable, Equatable {
        /// Name.
        public var name: String
        /// Current state.
        public var state: String
        /// Transitions since start.
        public var transitions: Int
        /// Times it became MASTER (within the kept transitions).
        public var becameMaster: Int
        /// Advertisements.
        public var adverts: AdvertCounters
    }

    /// The text of a dump.
    public static func text(_ kind: Kind, _ s: VigilStatus) -> String {
        switch kind {
        case .data: dataText(s)
        case .stats: statsText(s)
        }
    }

    /// The JSON of a dump: the whole status for `.data`, `Stats` for `.stats`.
    public static func json(_ kind: Kind, _ s: VigilStatus) -> Data {
        switch kind {
        case .data: StatusJSON.encode(s)
        case .stats: StatusJSON.encode(stats(s))
        }
    }

    /// The statistics of a status.
    public static func stats(_ s: VigilStatus) -> Stats {
        Stats(generatedAt: s.generatedAt, instances: s.instances.map {
            InstanceStats(name: $0.name, state: $0.state, transitions: $0.transitionCount,
                          becameMaster: $0.transitions.filter { $0.to == "MASTER" }.count, adverts: $0.adverts)
        }, ipvs: s.ipvs)
    }

    static func dataText(_ s: VigilStatus) -> String {
        var out = "Vigil data dump, \(StatusTable.timestamp(s.generatedAt)), pid \(s.pid), started \(StatusTable.timestamp(s.startedAt))\n"
        out += "\n== VRRP instances (\(s.instances.count)) ==\n"
        for i in s.instances {
            out += "vrrp_instance \(i.name)\n"
            out += "  state              \(i.state)\n"
            out += "  interface          \(i.interface)\n"
            out += "  virtual_router_id  \(i.vrid)\n"
            out += "  version            \(i.version)\n"
            out += "  priority           \(i.priority)\n"
            out += "  effective priority \(i.effectivePriority.map { "\($0)" } ?? "unknown") (\(i.priorityReason))\n"
            out += "  virtual addresses  \(i.vips.isEmpty ? "none" : i.vips.joined(separator: " "))\n"
            for t in i.transitions {
                out += "  transition         \(StatusTable.timestamp(t.at)) \(t.from) -> \(t.to): \(t.reason)\n"
            }
        }
        out += "\n== Virtual servers (\(s.virtualServers.count)) ==\n"
        for vs in s.virtualServers {
            out += "virtual_server \(vs.name)  quorum \(vs.quorumUp ? "UP" : "DOWN")\n"
            for r in vs.realServers {
                out += "  real_server \(r.address)  \(r.health.rawValue)  weight \(r.weight)  ipvs \(r.ipvsWeight.map { "\($0)" } ?? "-")"
                if let since = r.since { out += "  since \(StatusTable.timestamp(since))" }
                if let reason = r.reason { out += "  (\(reason))" }
                out += "\n"
            }
        }
        return out
    }

    static func statsText(_ s: VigilStatus) -> String {
        let st = stats(s)
        var out = "Vigil statistics, \(StatusTable.timestamp(s.generatedAt)), pid \(s.pid)\n"
        for i in st.instances {
            out += "\nvrrp_instance \(i.name) (\(i.state))\n"
            out += "  transitions             \(i.transitions)\n"
            out += "  became master           \(i.becameMaster)\n"
            out += "  adverts sent            \(i.adverts.sent)\n"
            out += "  adverts received        \(i.adverts.received)\n"
            out += "  priority 0 received     \(i.adverts.priorityZeroReceived)\n"
            let rejected = i.adverts.rejected.values.reduce(0, +)
            out += "  adverts rejected        \(rejected)\n"
            for (reason, n) in i.adverts.rejected.sorted(by: { $0.key < $1.key }) {
                out += "    \(reason.padding(toLength: 21, withPad: " ", startingAt: 0)) \(n)\n"
            }
        }
        out += "\nipvs\n"
        out += "  reconciles              \(st.ipvs.reconciles)\n"
        for (op, n) in st.ipvs.operations.sorted(by: { $0.key < $1.key }) {
            out += "  \(op.padding(toLength: 23, withPad: " ", startingAt: 0)) \(n)\n"
        }
        for (op, n) in st.ipvs.errors.sorted(by: { $0.key < $1.key }) {
            out += "  errors \(op.padding(toLength: 16, withPad: " ", startingAt: 0)) \(n)\n"
        }
        return out
    }

    /// Writes the text to `path` and the JSON to `path + ".json"` (each replaced atomically).
    public static func write(_ kind: Kind, _ s: VigilStatus, path: String) throws {
        try Data(text(kind, s).utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
        try json(kind, s).write(to: URL(fileURLWithPath: path + ".json"), options: .atomic)
    }
}
