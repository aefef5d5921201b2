import Foundation
import Testing
import TestSupport
@testable import HA
@testable import Control

@Suite("keepalived exporter metrics (names and labels of mehdy/keepalived-exporter)")
struct KeepalivedExporterMetricsTests {
    typealias F = StatusFixtures

    private func instances() -> [KeepalivedInstance] {
        var b = F.book()
        b.vrrpEventReceived(F.toBackup, now: F.at(1))
        b.vrrpEventReceived(F.toMaster, now: F.at(4))
        var counters = VRRPCounters()
        counters.sent = 7
        counters.accepted = 3
        counters.discarded = [.badTTL(64): 2]
        b.runtimeRead(states: [:], counters: ["VI_1": counters])
        return b.keepalivedSnapshot(now: F.at(6), version: "", scriptSecurity: false).instances
    }

    @Test("keepalived_up, the counters by iname/intf/vrid, the state per VIP with ip_address, each with HELP and TYPE")
    func text() throws {
        let text = KeepalivedExporterMetrics.text(instances())
        let i = try #require(instances().first)
        let labels = "iname=\"VI_1\",intf=\"\(i.interface)\",vrid=\"\(i.vrid)\""
        #expect(text.hasPrefix("# HELP keepalived_up Status\n# TYPE keepalived_up gauge\nkeepalived_up 1\n"))
        #expect(text.contains("# TYPE keepalived_advertisements_sent_total counter\nkeepalived_advertisements_sent_total{\(labels)} 7\n"))
        #expect(text.contains("keepalived_advertisements_received_total{\(labels)} 5\n"))
        #expect(text.contains("keepalived_ip_ttl_errors_total{\(labels)} 2\n"))
        #expect(text.contains("keepalived_become_master_total{\(labels)} 1\n"))
        let vip = try #require(i.vips.first.map { KeepalivedExporterMetrics.address($0) })
        #expect(text.contains("# TYPE keepalived_vrrp_state gauge\nkeepalived_vrrp_state{iname=\"VI_1\",intf=\"\(vip.1 ?? "")\",vrid=\"\(i.vrid)\",ip_address=\"\(vip.0)\"} 2\n"))
        F.expectWellFormedExposition(text)
    }

    @Test("keepalived_script_status (1 GOOD, 0 BAD) and keepalived_script_state (1 running, 0 idle) per tracked script, by name")
    func scripts() {
        var b = F.book()
        b.runtimeRead(states: [:], counters: [:], scripts: ["chk_nginx": VRRPScriptStatus(up: false, running: true),
                                                             "chk_disk": VRRPScriptStatus(up: true, running: false)])
        let text = KeepalivedExporterMetrics.text(b.keepalivedSnapshot(now: F.at(2), version: "", scriptSecurity: false))
        #expect(text.contains("# TYPE keepalived_script_status gauge\nkeepalived_script_status{name=\"chk_disk\"} 1\nkeepalived_script_status{name=\"chk_nginx\"} 0\n"))
        #expect(text.contains("# TYPE keepalived_script_state gauge\nkeepalived_script_state{name=\"chk_disk\"} 0\nkeepalived_script_state{name=\"chk_nginx\"} 1\n"))
        // A read without scripts (a runtime that was not asked) keeps the last ones; none at all: no lines.
        b.runtimeRead(states: [:], counters: [:])
        #expect(b.keepalivedSnapshot(now: F.at(3), version: "", scriptSecurity: false).scripts.count == 2)
        #expect(!KeepalivedExporterMetrics.text(F.book().keepalivedSnapshot(now: F.at(1), version: "", scriptSecurity: false))
            .contains("keepalived_script"))
    }

    @Test("Without instances only keepalived_up; a dump line gives its address and device; quotes are escaped")
    func parts() {
        #expect(KeepalivedExporterMetrics.text([]) == "# HELP keepalived_up Status\n# TYPE keepalived_up gauge\nkeepalived_up 1\n")
        #expect(KeepalivedExporterMetrics.address("10.0.0.100/24 dev eth1 scope global set") == ("10.0.0.100", "eth1"))
        #expect(KeepalivedExporterMetrics.escape("a\"b\\c") == "a\\\"b\\\\c")
    }
}
