import Foundation
import HA
import HealthCheck
import IPVS
import Synchronization
import Vocabulary

/// The adapter around `StatusBook` and `VigilMetrics` that the running daemon feeds: the Supervisor calls the
/// `…Received` / `reconciled` methods from its loop (synchronous and cheap: a lock and an append), and the control
/// endpoint, `vigil status` and the dumps read `status()`, `events(after:limit:)` and `metricsText()`.
///
/// Reading asks the VRRP runtime (when attached) for its current states and counters first, so advert counts are
/// current. The wall clock is injected (`clock`), so tests can pin times.
public final class StatusRecorder: Sendable {
    private struct State: Sendable {
        var book: StatusBook
        var metrics: VigilMetrics
        var runtime: VRRPRuntime?
        var health: HealthCheckService?
        var checks = CheckTally()
        var connectionCounter: (@Sendable () -> Int?)?
        var trafficReader: (@Sendable () -> IPVSTraffic)?
        /// The last traffic read for `/status`, and when (the dashboard asks every second; one dump serves them all).
        var lastTraffic: (at: Date, services: [ServiceTraffic])?
        /// When the counter last ran: reads (every /status, /metrics and the systemd status every 5 s) count the
        /// kernel's table at most every `connectionCountInterval`, a full pass over /proc/net/ip_vs_conn each time.
        var lastCountAt: Date?
        var receiving = false
    }

    private let state: Mutex<State>
    /// The least time between two counts of the kernel's connection table on reads.
    static let connectionCountInterval: TimeInterval = 10
    private let clock: @Sendable () -> Date

    /// A recorder for what the configuration declares. `ipvsWeight`: the pool policy's IPVS weight of a real server
    /// in a state (see `StatusBook`).
    public init(instances: [VRRPInstanceSpec], virtualServers: [VirtualServerHealth], pid: Int32 = getpid(),
                historyLimit: Int = 256, clock: @escaping @Sendable () -> Date = { Date() },
                ipvsWeight: @escaping @Sendable (RealServerState) -> Int?) {
        self.clock = clock
        let book = StatusBook(instances: instances, virtualServers: virtualServers, pid: pid, startedAt: clock(),
                              historyLimit: historyLimit, ipvsWeight: ipvsWeight)
        state = Mutex(State(book: book, metrics: VigilMetrics(instances: instances.map(\.name), virtualServers: virtualServers)))
    }

    /// Lets reads ask the VRRP runtime for its current states and counters.
    public func attach(runtime: VRRPRuntime) {
        state.withLock { $0.runtime = runtime }
    }

    /// Lets `/metrics` read the health checks' per-probe figures (results and latencies).
    public func attach(health: HealthCheckService) {
        state.withLock { $0.health = health }
    }

    /// Lets reads count the connections in the kernel's IPVS table (while a sync daemon is configured).
    public func attach(connectionCounter: (@Sendable () -> Int?)?) {
        state.withLock { $0.connectionCounter = connectionCounter }
    }

    /// Lets `/metrics` read the kernel's IPVS traffic (node_exporter's names and Vigil's per-service counters).
    public func attach(trafficReader: (@Sendable () -> IPVSTraffic)?) {
        state.withLock { $0.trafficReader = trafficReader }
    }

    // MARK: - Facts (called from the Supervisor's loop)

    /// The sync daemons running now (`configured` false: no `lvs_sync_daemon`).
    public func syncDaemonsChanged(_ roles: [String], configured: Bool) {
        let now = clock()
        state.withLock {
            $0.receiving = roles.contains("backup")
            $0.book.syncDaemonsChanged(roles, configured: configured, now: now)
            if configured { $0.metrics.syncDaemonsChanged(roles) }
        }
    }

    /// A failback hold started (`hold` non-nil) or ended; `message` is the line logged.
    public func failbackHoldChanged(instance: String, hold: FailbackHoldStatus?, message: String) {
        let now = clock()
        state.withLock {
            $0.book.failbackHoldChanged(instance: instance, hold: hold, message: message, now: now)
            $0.metrics.failbackHoldChanged(instance: instance, held: hold != nil)
        }
    }

    /// The Supervisor counted `count` connections in the kernel's table.
    public func connectionsCounted(_ count: Int?) {
        let now = clock()
        state.withLock {
            $0.book.connectionsCounted(count, receiving: $0.receiving, now: now)
            if let count { $0.metrics.connectionsCounted(count) }
        }
    }

    /// A VRRP event.
    public func vrrpEventReceived(_ event: VRRPEvent) {
        let now = clock()
        state.withLock {
            $0.book.vrrpEventReceived(event, now: now)
            $0.metrics.vrrpEventReceived(event)
        }
    }

    /// A health-check event.
    public func healthEventReceived(_ event: HealthCheckEvent) {
        let now = clock()
        state.withLock {
            $0.book.healthEventReceived(event, now: now)
            $0.metrics.healthEventReceived(event)
        }
    }

    /// A reconcile finished after `duration`.
    public func reconciled(_ report: IPVSChangeReport, duration: Duration) {
        let now = clock()
        state.withLock {
            $0.book.reconciled(report, duration: duration, now: now)
            $0.metrics.reconciled(report, duration: duration)
        }
    }

    /// A reconcile failed as a whole after `duration`.
    public func reconcileFailed(_ error: any Error, duration: Duration) {
        let now = clock()
        state.withLock {
            $0.book.reconcileFailed("\(error)", duration: duration, now: now)
            $0.metrics.reconcileFailed(duration: duration)
        }
    }

    /// An announced address's route was added or deleted; `order` lists every announced address of the
    /// configuration.
    public func announcementChanged(address: String, table: UInt32, announced: Bool, reason: String, order: [String]) {
        let now = clock()
        state.withLock {
            $0.book.announcementChanged(address: address, table: table, announced: announced, reason: reason,
                                        order: order, now: now)
            $0.metrics.announcementChanged(address: address, announced: announced)
        }
    }

    /// The configuration was reloaded.
    public func configurationChanged(instances: [VRRPInstanceSpec], virtualServers: [VirtualServerHealth]) {
        state.withLock { $0.book.configurationChanged(instances: instances, virtualServers: virtualServers) }
    }

    // MARK: - Reading

    private func refresh() async {
        let now = clock()
        let counter = state.withLock { s -> (@Sendable () -> Int?)? in
            guard let c = s.connectionCounter,
                  s.lastCountAt.map({ now.timeIntervalSince($0) >= Self.connectionCountInterval }) ?? true else { return nil }
            s.lastCountAt = now
            return c
        }
        if let counter { connectionsCounted(counter()) }
        if let health = state.withLock({ $0.health }) {
            let checks = await health.statistics().checks
            state.withLock { $0.checks = checks }
        }
        guard let runtime = state.withLock({ $0.runtime }) else { return }
        let states = await runtime.states()
        let counters = await runtime.counters()
        let priorities = await runtime.priorities()
        let scripts = await runtime.scriptStatuses()
        let peers = await runtime.peers()
        state.withLock {
            $0.book.runtimeRead(states: states, counters: counters, priorities: priorities, scripts: scripts,
                                peers: peers, now: now)
            $0.metrics.runtimeRead(states: states, counters: counters)
        }
    }

    /// The status now.
    public func status() async -> VigilStatus {
        await refresh()
        let now = clock()
        let traffic = trafficNow(now)
        var status = state.withLock { $0.book.snapshot(now: now) }
        status.traffic = traffic
        return status
    }

    /// The IPVS traffic for `/status`, read at most every `trafficInterval`; nil without a reader.
    private func trafficNow(_ now: Date) -> [ServiceTraffic]? {
        let reader = state.withLock { s -> (@Sendable () -> IPVSTraffic)? in
            if let last = s.lastTraffic, now.timeIntervalSince(last.at) < Self.trafficInterval, now >= last.at { return nil }
            return s.trafficReader
        }
        guard let reader else { return state.withLock { $0.lastTraffic?.services } }
        let services = reader().services.map(ServiceTraffic.init(kernel:))
        state.withLock { $0.lastTraffic = (now, services) }
        return services
    }

    /// The least time between two reads of the traffic for `/status`.
    static let trafficInterval: TimeInterval = 1

    /// The latest probes of every checked real server, in pool order (`GET /probes`); none before `attach(health:)`.
    public func probes() async -> ProbeHistoryStatus {
        let now = clock()
        guard let health = state.withLock({ $0.health }) else { return ProbeHistoryStatus(generatedAt: now, realServers: []) }
        let (at, samples) = await health.probeHistory()
        let order = state.withLock { $0.book.checkedServers }
        return ProbeHistoryStatus(generatedAt: now, realServers: order.compactMap { key, vs, rs -> RealServerProbes? in
            guard let probes = samples[key], !probes.isEmpty else { return nil }
            return RealServerProbes(virtualServer: vs, realServer: rs, probes: probes.map { p in
                [Double((at - p.at).nanoseconds) / 1e9, Double(p.latency.nanoseconds) / 1e6, p.up ? 1 : 0]
            })
        })
    }

    /// What keepalived's dumps show now (see `StatusBook.keepalivedSnapshot`).
    public func keepalivedSnapshot(version: String, scriptSecurity: Bool) async -> KeepalivedSnapshot {
        await refresh()
        let now = clock()
        return state.withLock { $0.book.keepalivedSnapshot(now: now, version: version, scriptSecurity: scriptSecurity) }
    }

    /// keepalived's STATS_CLEAR, after the runtime's counters were read (see `StatusBook.statisticsCleared`).
    public func statisticsCleared() async {
        await refresh()
        state.withLock { $0.book.statisticsCleared() }
    }

    /// The event history (see `StatusBook.events(after:limit:)`).
    public func events(after: Int? = nil, limit: Int? = nil) -> [StatusEvent] {
        state.withLock { $0.book.events(after: after, limit: limit) }
    }

    /// The Prometheus text.
    public func metricsText() async -> String {
        await refresh()
        let now = clock()
        // Read outside the lock: a dump of a large table takes milliseconds.
        let traffic = state.withLock { $0.trafficReader }?()
        return state.withLock {
            $0.metrics.text() + VigilMetrics.checksText($0.checks)
                + KeepalivedExporterMetrics.text($0.book.keepalivedSnapshot(now: now, version: "", scriptSecurity: false))
        } + (traffic.map { IPVSTrafficMetrics.text(totals: $0.totals, services: $0.services) } ?? "")
    }
}

/// What `/metrics` reads of the kernel's IPVS on a scrape.
public struct IPVSTraffic: Sendable {
    /// The totals since the module loaded (nil: unreadable).
    public var totals: IPVSStats?
    /// Every service with its counters and destinations (empty: none, or the dump failed).
    public var services: [IPVSServiceStatus]

    public init(totals: IPVSStats?, services: [IPVSServiceStatus]) {
        self.totals = totals
        self.services = services
    }
}
