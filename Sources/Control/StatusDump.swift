import Foundation

/// Vigil's JSON beside keepalived's signal dumps (`KeepalivedDump`): SIGUSR1 writes the whole status to
/// `/tmp/keepalived.data.json`, SIGUSR2 and SIGRTMAX-1 its statistics to `/tmp/keepalived.stats.json`. Pure.
public enum StatusDump {
    /// Which dump.
    public enum Kind: Sendable, Equatable {
        /// SIGUSR1: configuration and state of every instance and pool.
        case data
        /// SIGUSR2: counters.
        case stats
    }

    /// The statistics part of the status, as written to `keepalived.stats.json`.
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
}
