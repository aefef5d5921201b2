import HA
import HealthCheck
import IPVS
import Prometheus

/// The Prometheus side of the status (`GET /metrics`), on swift-prometheus's registry.
///
/// Metrics are updated as the Supervisor's events arrive; the VRRP advert counters are cumulative in the runtime,
/// so `countersRead` adds the difference since the previous read (a counter that went down — the instance was
/// restarted by a reload — counts from zero again). Not thread-safe on its own: `StatusRecorder` owns it and serialises every call with its lock.
public struct VigilMetrics: Sendable {
    /// The registry the `/metrics` text is emitted from.
    public let registry = PrometheusCollectorRegistry()
    private var lastCounters: [String: VRRPCounters] = [:]

    private static func name(_ subsystem: String, _ metric: String, _ unit: String, _ help: String) -> MetricNameDescriptor {
        MetricNameDescriptor(namespace: "vigil", subsystem: subsystem, metricName: metric, unitName: unit, helpText: help)
    }

    private static var state: MetricNameDescriptor { name("vrrp", "instance", "state", "1 for the instance's current VRRP state, 0 for the others") }
    private static var transitions: MetricNameDescriptor { name("vrrp", "transitions", "total", "VRRP state transitions, by new state") }
    private static var sent: MetricNameDescriptor { name("vrrp", "adverts_sent", "total", "VRRP advertisements sent") }
    private static var received: MetricNameDescriptor { name("vrrp", "adverts_received", "total", "VRRP advertisements received and accepted") }
    private static var rejected: MetricNameDescriptor { name("vrrp", "adverts_rejected", "total", "VRRP advertisements discarded, by reason") }
    private static var priorityZero: MetricNameDescriptor { name("vrrp", "priority_zero_received", "total", "Priority-0 advertisements received") }
    private static var realServerUp: MetricNameDescriptor { name("check", "real_server", "up", "1 when every checker of the real server is up, 0 when one failed") }
    private static var realServerChanges: MetricNameDescriptor { name("check", "real_server_changes", "total", "Real-server health changes reported by the checkers, by result") }
    private static var quorumUp: MetricNameDescriptor { name("check", "quorum", "up", "1 while the virtual server has quorum") }
    private static var routeAnnounced: MetricNameDescriptor { MetricNameDescriptor(namespace: "vigil", metricName: "route_announced", unitName: "", helpText: "1 while the address's host route is in vigil_route_table (vigil_announce), 0 while withdrawn") }
    private static var syncDaemon: MetricNameDescriptor { name("ipvs", "sync_daemon", "running", "1 while the IPVS connection-sync daemon of the role runs (lvs_sync_daemon)") }
    private static var connections: MetricNameDescriptor { name("ipvs", "connections", "", "Connections in the kernel's IPVS table when last read") }
    private static var failbackHold: MetricNameDescriptor { name("vrrp", "failback_hold", "", "1 while the instance's preemption is held until its synced connection table settles (vigil_failback_hold)") }
    private static var operations: MetricNameDescriptor { name("ipvs", "operations", "total", "IPVS commands issued, by operation") }
    private static var errors: MetricNameDescriptor { name("ipvs", "errors", "total", "IPVS commands refused by the kernel (and failed reconciles, operation=reconcile)") }
    private static var reconciles: MetricNameDescriptor { name("ipvs", "reconciles", "total", "Reconciles of the kernel table with the desired table") }
    private static var reconcileDuration: MetricNameDescriptor { name("ipvs", "reconcile_duration", "seconds", "Time one reconcile took") }

    /// Reconcile duration buckets: from a no-op reconcile (well under 1 ms) to a full table in a slow VM.
    public static let reconcileBuckets: [Duration] = [
        .microseconds(500), .milliseconds(1), .milliseconds(5), .milliseconds(10), .milliseconds(50),
        .milliseconds(100), .milliseconds(500), .seconds(1), .seconds(5), .seconds(30),
    ]

    /// Metrics for these instances and virtual servers; each instance starts in INIT.
    public init(instances: [String], virtualServers: [VirtualServerHealth]) {
        for i in instances {
            setState(instance: i, .initialize)
            for s in [VRRPState.initialize, .backup, .master, .fault, .stop] {
                _ = registry.makeCounter(descriptor: Self.transitions, labels: [("instance", i), ("state", s.rawValue)])
            }
            _ = registry.makeCounter(descriptor: Self.sent, labels: [("instance", i)])
            _ = registry.makeCounter(descriptor: Self.received, labels: [("instance", i)])
            _ = registry.makeCounter(descriptor: Self.priorityZero, labels: [("instance", i)])
        }
        for vs in virtualServers {
            registry.makeGauge(descriptor: Self.quorumUp, labels: [("virtual_server", vs.id.description)]).set(to: vs.alpha ? 0.0 : 1.0)
        }
        _ = registry.makeCounter(descriptor: Self.reconciles)
        _ = registry.makeDurationHistogram(descriptor: Self.reconcileDuration, buckets: Self.reconcileBuckets)
    }

    private func setState(instance: String, _ current: VRRPState) {
        for s in [VRRPState.initialize, .backup, .master, .fault, .stop] {
            registry.makeGauge(descriptor: Self.state, labels: [("instance", instance), ("state", s.rawValue)])
                .set(to: s == current ? 1.0 : 0.0)
        }
    }

    /// An announced address's route was added (1) or deleted (0).
    public func announcementChanged(address: String, announced: Bool) {
        registry.makeGauge(descriptor: Self.routeAnnounced, labels: [("vip", address)]).set(to: announced ? 1.0 : 0.0)
    }

    /// The sync daemons running now.
    public func syncDaemonsChanged(_ roles: [String]) {
        for role in ["master", "backup"] {
            registry.makeGauge(descriptor: Self.syncDaemon, labels: [("role", role)]).set(to: roles.contains(role) ? 1.0 : 0.0)
        }
    }

    /// A failback hold started (1) or ended (0).
    public func failbackHoldChanged(instance: String, held: Bool) {
        registry.makeGauge(descriptor: Self.failbackHold, labels: [("instance", instance)]).set(to: held ? 1.0 : 0.0)
    }

    /// The kernel's table held `count` connections.
    public func connectionsCounted(_ count: Int) {
        registry.makeGauge(descriptor: Self.connections).set(to: Double(count))
    }

    /// A VRRP event.
    public func vrrpEventReceived(_ event: VRRPEvent) {
        guard case .transition(let instance, _, let to, _) = event else { return }
        setState(instance: instance, to)
        registry.makeCounter(descriptor: Self.transitions, labels: [("instance", instance), ("state", to.rawValue)]).increment()
    }

    /// The runtime's cumulative counters and states.
    public mutating func runtimeRead(states: [String: VRRPState], counters: [String: VRRPCounters]) {
        for (instance, s) in states { setState(instance: instance, s) }
        for (instance, now) in counters {
            let before = lastCounters[instance]
            func delta(_ a: Int, _ b: Int?) -> Int64 { Int64(a >= (b ?? 0) ? a - (b ?? 0) : a) }
            registry.makeCounter(descriptor: Self.sent, labels: [("instance", instance)]).increment(by: delta(now.sent, before?.sent))
            registry.makeCounter(descriptor: Self.received, labels: [("instance", instance)])
                .increment(by: delta(now.accepted, before?.accepted))
            registry.makeCounter(descriptor: Self.priorityZero, labels: [("instance", instance)])
                .increment(by: delta(now.priorityZeroReceived, before?.priorityZeroReceived))
            var byReason: [String: (now: Int, before: Int)] = [:]
            for (r, n) in now.discarded { byReason[StatusBook.discardReasonName(r), default: (now: 0, before: 0)].now += n }
            for (r, n) in before?.discarded ?? [:] { byReason[StatusBook.discardReasonName(r), default: (now: 0, before: 0)].before += n }
            for (reason, n) in byReason.sorted(by: { $0.key < $1.key }) where n.now > 0 {
                registry.makeCounter(descriptor: Self.rejected, labels: [("instance", instance), ("reason", reason)])
                    .increment(by: delta(n.now, n.before))
            }
            lastCounters[instance] = now
        }
    }

    /// A health-check event.
    public func healthEventReceived(_ event: HealthCheckEvent) {
        switch event {
        case .realServer(let change):
            let labels = [("virtual_server", change.key.virtualServer.description), ("real_server", change.key.realServer)]
            registry.makeGauge(descriptor: Self.realServerUp, labels: labels).set(to: change.state.alive ? 1.0 : 0.0)
            registry.makeCounter(descriptor: Self.realServerChanges, labels: labels + [("result", change.state.alive ? "up" : "down")])
                .increment()
        case .quorum(let vs, let up, _, _):
            registry.makeGauge(descriptor: Self.quorumUp, labels: [("virtual_server", vs.description)]).set(to: up ? 1.0 : 0.0)
        }
    }

    /// A reconcile finished.
    public func reconciled(_ report: IPVSChangeReport, duration: Duration) {
        registry.makeCounter(descriptor: Self.reconciles).increment()
        registry.makeDurationHistogram(descriptor: Self.reconcileDuration, buckets: Self.reconcileBuckets).record(duration)
        for c in report.commands {
            registry.makeCounter(descriptor: Self.operations, labels: [("operation", c.operation.rawValue)]).increment()
        }
        for f in report.failures {
            registry.makeCounter(descriptor: Self.errors, labels: [("operation", f.command.operation.rawValue)]).increment()
        }
    }

    /// A reconcile failed as a whole.
    public func reconcileFailed(duration: Duration) {
        registry.makeCounter(descriptor: Self.reconciles).increment()
        registry.makeDurationHistogram(descriptor: Self.reconcileDuration, buckets: Self.reconcileBuckets).record(duration)
        registry.makeCounter(descriptor: Self.errors, labels: [("operation", "reconcile")]).increment()
    }

    /// The Prometheus text exposition (format 0.0.4).
    public func text() -> String { registry.emitToString() }

    /// The per-probe figures of the health checks, as Prometheus text: `vigil_checks_total{checker,result}` and the
    /// histogram `vigil_check_duration_seconds{checker}` (written here: the service keeps them aggregated, so a scrape
    /// costs nothing per probe).
    public static func checksText(_ tally: CheckTally) -> String {
        var out = "# HELP vigil_checks_total Health-check probes finished, by checker and result.\n"
        out += "# TYPE vigil_checks_total counter\n"
        let names = tally.checkers.keys.sorted()
        for name in names {
            guard let f = tally.checkers[name] else { continue }
            out += "vigil_checks_total{checker=\"\(name)\",result=\"success\"} \(f.successes)\n"
            out += "vigil_checks_total{checker=\"\(name)\",result=\"failure\"} \(f.failures)\n"
        }
        out += "# HELP vigil_check_duration_seconds How long health-check probes took (connect to verdict).\n"
        out += "# TYPE vigil_check_duration_seconds histogram\n"
        for name in names {
            guard let f = tally.checkers[name] else { continue }
            var cumulative: UInt64 = 0
            for (i, bound) in CheckTally.bounds.enumerated() {
                cumulative += f.buckets[i]
                out += "vigil_check_duration_seconds_bucket{checker=\"\(name)\",le=\"\(seconds(bound))\"} \(cumulative)\n"
            }
            out += "vigil_check_duration_seconds_bucket{checker=\"\(name)\",le=\"+Inf\"} \(f.count)\n"
            out += "vigil_check_duration_seconds_sum{checker=\"\(name)\"} \(seconds(f.latencySum))\n"
            out += "vigil_check_duration_seconds_count{checker=\"\(name)\"} \(f.count)\n"
        }
        return out
    }

    private static func seconds(_ d: Duration) -> String {
        let (s, atto) = d.components
        return "\(Double(s) + Double(atto) / 1e18)"
    }
}
