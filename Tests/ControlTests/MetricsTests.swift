@testable import HA
import HealthCheck
@testable import IPVS
import Testing
import TestSupport
@testable import Control

@Suite("VigilMetrics")
struct MetricsTests {
    typealias F = StatusFixtures

    private func metrics() -> VigilMetrics { VigilMetrics(instances: ["VI_1"], virtualServers: [F.pool()]) }

    private func lines(_ m: VigilMetrics) -> Set<String> { Set(m.text().split(separator: "\n").map(String.init)) }

    @Test("Every instance starts with state INIT = 1 and the other states 0")
    func initialState() {
        let l = lines(metrics())
        #expect(l.contains(#"vigil_vrrp_instance_state{instance="VI_1",state="INIT"} 1.0"#))
        #expect(l.contains(#"vigil_vrrp_instance_state{instance="VI_1",state="MASTER"} 0.0"#))
        #expect(l.contains("# TYPE vigil_vrrp_instance_state gauge"))
    }

    @Test("vigil_route_announced{vip} follows the announced route: 1 while in the table, 0 once withdrawn")
    func routeAnnounced() {
        let m = metrics()
        #expect(!m.text().contains("vigil_route_announced"))
        m.announcementChanged(address: "192.0.2.80", announced: true)
        #expect(lines(m).contains(#"vigil_route_announced{vip="192.0.2.80"} 1.0"#))
        m.announcementChanged(address: "192.0.2.80", announced: false)
        #expect(lines(m).contains(#"vigil_route_announced{vip="192.0.2.80"} 0.0"#))
        #expect(lines(m).contains("# TYPE vigil_route_announced gauge"))
    }

    @Test("A transition moves the state gauge and counts the transition")
    func transition() {
        let m = metrics()
        m.vrrpEventReceived(F.toMaster)
        let l = lines(m)
        #expect(l.contains(#"vigil_vrrp_instance_state{instance="VI_1",state="MASTER"} 1.0"#))
        #expect(l.contains(#"vigil_vrrp_instance_state{instance="VI_1",state="INIT"} 0.0"#))
        #expect(l.contains(#"vigil_vrrp_transitions_total{instance="VI_1",state="MASTER"} 1"#))
    }

    @Test("Advert counters add the difference between two reads")
    func advertDeltas() {
        var m = metrics()
        var c = VRRPCounters()
        c.sent = 5
        c.discarded = [.vridMismatch(9): 2]
        m.runtimeRead(states: [:], counters: ["VI_1": c])
        c.sent = 8
        c.accepted = 1
        c.discarded = [.vridMismatch(9): 3]
        m.runtimeRead(states: [:], counters: ["VI_1": c])
        let l = lines(m)
        #expect(l.contains(#"vigil_vrrp_adverts_sent_total{instance="VI_1"} 8"#))
        #expect(l.contains(#"vigil_vrrp_adverts_received_total{instance="VI_1"} 1"#))
        #expect(l.contains(#"vigil_vrrp_adverts_rejected_total{instance="VI_1",reason="vrid_mismatch"} 3"#))
    }

    @Test("A counter that went down (instance restarted by a reload) counts from zero again")
    func counterReset() {
        var m = metrics()
        var c = VRRPCounters()
        c.sent = 10
        m.runtimeRead(states: [:], counters: ["VI_1": c])
        c.sent = 3
        m.runtimeRead(states: [:], counters: ["VI_1": c])
        #expect(lines(m).contains(#"vigil_vrrp_adverts_sent_total{instance="VI_1"} 13"#))
    }

    @Test("Real-server changes are counted by result and the up gauge follows")
    func realServerChanges() {
        let m = metrics()
        m.healthEventReceived(F.up(F.r1))
        m.healthEventReceived(F.down(F.r1))
        let l = lines(m)
        #expect(l.contains(#"vigil_check_real_server_up{virtual_server="10.10.1.100:80",real_server="10.10.2.21:8080"} 0.0"#))
        #expect(l.contains(#"vigil_check_real_server_changes_total{virtual_server="10.10.1.100:80",real_server="10.10.2.21:8080",result="down"} 1"#))
        #expect(l.contains(#"vigil_check_real_server_changes_total{virtual_server="10.10.1.100:80",real_server="10.10.2.21:8080",result="up"} 1"#))
    }

    @Test("Reconciles feed operations, errors and the duration histogram")
    func reconcile() {
        let m = metrics()
        let failure = IPVSCommandFailure(command: F.addR1, error: .kernel(.addDestination, errno: 17, object: "x"))
        m.reconciled(IPVSChangeReport(commands: [F.addService, F.addR1], failures: [failure]), duration: .milliseconds(3))
        m.reconcileFailed(duration: .seconds(2))
        let l = lines(m)
        #expect(l.contains(#"vigil_ipvs_operations_total{operation="addService"} 1"#))
        #expect(l.contains(#"vigil_ipvs_errors_total{operation="addDestination"} 1"#))
        #expect(l.contains(#"vigil_ipvs_errors_total{operation="reconcile"} 1"#))
        #expect(l.contains("vigil_ipvs_reconciles_total 2"))
        #expect(l.contains(#"vigil_ipvs_reconcile_duration_seconds_bucket{le="0.005"} 1"#))
        #expect(l.contains("vigil_ipvs_reconcile_duration_seconds_count 2"))
    }

    @Test("Quorum starts up unless the virtual server has alpha, and follows quorum events")
    func quorum() {
        let m = VigilMetrics(instances: [], virtualServers: [F.pool(alpha: true)])
        #expect(lines(m).contains(#"vigil_check_quorum_up{virtual_server="10.10.1.100:80"} 0.0"#))
        m.healthEventReceived(.quorum(virtualServer: F.vs, up: true, liveWeight: 3, reason: .configurationChanged))
        #expect(lines(m).contains(#"vigil_check_quorum_up{virtual_server="10.10.1.100:80"} 1.0"#))
    }
}

@Suite("Health-check probe metrics")
struct CheckMetricsTests {
    @Test("Probes are counted by checker and result, with a cumulative latency histogram")
    func checksText() {
        var tally = CheckTally()
        tally.record(checker: "TCP_CHECK", up: true, latency: .microseconds(500))
        tally.record(checker: "TCP_CHECK", up: true, latency: .milliseconds(30))
        tally.record(checker: "TCP_CHECK", up: false, latency: .seconds(2))
        tally.record(checker: "HTTP_GET", up: false, latency: .seconds(60))
        let l = Set(VigilMetrics.checksText(tally).split(separator: "\n").map(String.init))
        #expect(l.contains(#"vigil_checks_total{checker="TCP_CHECK",result="success"} 2"#))
        #expect(l.contains(#"vigil_checks_total{checker="TCP_CHECK",result="failure"} 1"#))
        #expect(l.contains(#"vigil_checks_total{checker="HTTP_GET",result="success"} 0"#))
        #expect(l.contains("# TYPE vigil_check_duration_seconds histogram"))
        #expect(l.contains(#"vigil_check_duration_seconds_bucket{checker="TCP_CHECK",le="0.001"} 1"#))
        #expect(l.contains(#"vigil_check_duration_seconds_bucket{checker="TCP_CHECK",le="0.025"} 1"#))
        #expect(l.contains(#"vigil_check_duration_seconds_bucket{checker="TCP_CHECK",le="0.05"} 2"#))
        #expect(l.contains(#"vigil_check_duration_seconds_bucket{checker="TCP_CHECK",le="2.5"} 3"#))
        #expect(l.contains(#"vigil_check_duration_seconds_bucket{checker="TCP_CHECK",le="+Inf"} 3"#))
        #expect(l.contains(#"vigil_check_duration_seconds_count{checker="TCP_CHECK"} 3"#))
        #expect(l.contains(#"vigil_check_duration_seconds_sum{checker="TCP_CHECK"} 2.0305"#))
        #expect(l.contains(#"vigil_check_duration_seconds_bucket{checker="HTTP_GET",le="10.0"} 0"#))
        #expect(l.contains(#"vigil_check_duration_seconds_bucket{checker="HTTP_GET",le="+Inf"} 1"#))
    }

    @Test("A negative latency (clock step) counts as zero")
    func negative() {
        var tally = CheckTally()
        tally.record(checker: "TCP_CHECK", up: true, latency: .milliseconds(-3))
        #expect(tally.checkers["TCP_CHECK"]?.buckets.first == 1)
        #expect(tally.checkers["TCP_CHECK"]?.latencySum == .zero)
    }
}
