import Foundation
import Synchronization
import Testing
import Vocabulary
@testable import IPVS
@testable import Control

@Suite("IPVS traffic in /metrics: node_exporter's IPVS names and Vigil's per-service counters")
struct IPVSTrafficMetricsTests {
    typealias F = StatusFixtures

    static func address(_ s: String) -> IPAddress {
        guard let a = IPAddress(s) else { preconditionFailure(s) }
        return a
    }

    static func destination(_ a: String, _ port: UInt16, weight: Int32, active: UInt32, inactive: UInt32,
                            bytesIn: UInt64 = 0) -> IPVSDestinationStatus {
        var c = IPVSDestinationCounters()
        (c.active, c.inactive) = (active, inactive)
        c.stats.bytesIn = bytesIn
        return IPVSDestinationStatus(destination: IPVSDestination(key: IPVSDestinationKey(address: address(a), port: port),
                                                                  weight: weight), counters: c)
    }

    static func services() -> [IPVSServiceStatus] {
        var web = IPVSStats()
        (web.connections, web.packetsIn, web.bytesOut) = (12, 340, 56_000)
        return [
            IPVSServiceStatus(service: IPVSService(key: .address(.tcp, address("10.10.1.100"), port: 80)), stats: web,
                              destinations: [destination("10.10.2.21", 8080, weight: 2, active: 3, inactive: 1, bytesIn: 900),
                                             destination("10.10.2.22", 8080, weight: 0, active: 0, inactive: 4)]),
            // One mark for both families, with the same real server: node_exporter adds such rows up.
            IPVSServiceStatus(service: IPVSService(key: .firewallMark(10, family: .inet)), stats: IPVSStats(),
                              destinations: [destination("10.10.2.21", 0, weight: 1, active: 1, inactive: 0)]),
            IPVSServiceStatus(service: IPVSService(key: .firewallMark(10, family: .inet6)), stats: IPVSStats(),
                              destinations: [destination("10.10.2.21", 0, weight: 1, active: 2, inactive: 5)]),
        ]
    }

    @Test("node_ipvs_* totals and backends with node_exporter's labels, in its order; fwmark rows summed by label set")
    func nodeExporterNames() {
        var totals = IPVSStats()
        (totals.connections, totals.packetsIn, totals.packetsOut, totals.bytesIn, totals.bytesOut) = (7, 8, 9, 10, 11)
        let text = IPVSTrafficMetrics.text(totals: totals, services: Self.services())
        #expect(text.contains("# TYPE node_ipvs_connections_total counter\nnode_ipvs_connections_total 7\n"))
        #expect(text.contains("node_ipvs_incoming_packets_total 8\n"))
        #expect(text.contains("node_ipvs_outgoing_packets_total 9\n"))
        #expect(text.contains("node_ipvs_incoming_bytes_total 10\n"))
        #expect(text.contains("node_ipvs_outgoing_bytes_total 11\n"))
        let r1 = "local_address=\"10.10.1.100\",local_port=\"80\",remote_address=\"10.10.2.21\",remote_port=\"8080\",proto=\"TCP\",local_mark=\"\""
        #expect(text.contains("# TYPE node_ipvs_backend_connections_active gauge\nnode_ipvs_backend_connections_active{\(r1)} 3\n"))
        #expect(text.contains("node_ipvs_backend_connections_inactive{\(r1)} 1\n"))
        #expect(text.contains("node_ipvs_backend_weight{\(r1)} 2\n"))
        #expect(text.contains("node_ipvs_backend_weight{local_address=\"10.10.1.100\",local_port=\"80\",remote_address=\"10.10.2.22\",remote_port=\"8080\",proto=\"TCP\",local_mark=\"\"} 0\n"))
        let mark = "local_address=\"\",local_port=\"0\",remote_address=\"10.10.2.21\",remote_port=\"0\",proto=\"FWM\",local_mark=\"0000000A\""
        #expect(text.contains("node_ipvs_backend_connections_active{\(mark)} 3\n"))
        #expect(text.contains("node_ipvs_backend_connections_inactive{\(mark)} 5\n"))
        #expect(text.contains("node_ipvs_backend_weight{\(mark)} 2\n"))
        #expect(text.components(separatedBy: "node_ipvs_backend_weight{").count == 4, "3 label sets, one line each")
        F.expectWellFormedExposition(text)
    }

    @Test("vigil_ipvs_service_*_total{service} and vigil_ipvs_backend_*_total{service,real_server} from the kernel's counters")
    func perService() {
        let text = IPVSTrafficMetrics.text(totals: nil, services: Self.services())
        #expect(!text.contains("node_ipvs_connections_total"), "no totals without the file")
        #expect(text.contains("# TYPE vigil_ipvs_service_connections_total counter\nvigil_ipvs_service_connections_total{service=\"TCP 10.10.1.100:80\"} 12\n"))
        #expect(text.contains("vigil_ipvs_service_incoming_packets_total{service=\"TCP 10.10.1.100:80\"} 340\n"))
        #expect(text.contains("vigil_ipvs_service_outgoing_bytes_total{service=\"TCP 10.10.1.100:80\"} 56000\n"))
        #expect(text.contains("vigil_ipvs_service_connections_total{service=\"FWM 10 IPv6\"} 0\n"))
        #expect(text.contains("vigil_ipvs_backend_incoming_bytes_total{service=\"TCP 10.10.1.100:80\",real_server=\"10.10.2.21:8080\"} 900\n"))
        F.expectWellFormedExposition(text)
        #expect(IPVSTrafficMetrics.text(totals: nil, services: []).isEmpty)
    }

    @Test("the recorder appends the traffic a scrape reads, and reads it on every scrape")
    func recorder() async {
        let recorder = StatusRecorder(instances: [F.instance()], virtualServers: [F.pool()], ipvsWeight: { _ in 1 })
        #expect(!(await recorder.metricsText()).contains("node_ipvs"))
        let reads = Counter()
        recorder.attach(trafficReader: {
            reads.add()
            return IPVSTraffic(totals: IPVSStats(), services: Self.services())
        })
        let text = await recorder.metricsText()
        _ = await recorder.metricsText()
        #expect(text.contains("node_ipvs_connections_total 0\n"))
        #expect(text.contains("vigil_ipvs_service_connections_total{service=\"TCP 10.10.1.100:80\"} 12\n"))
        #expect(text.contains("vigil_vrrp_instance_state"), "after Vigil's own")
        #expect(reads.value == 2)
    }
}

/// A thread-safe tally for the reader closure.
private final class Counter: Sendable {
    private let count = Mutex(0)
    func add() { count.withLock { $0 += 1 } }
    var value: Int { count.withLock { $0 } }
}
