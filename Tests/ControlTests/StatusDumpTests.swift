import Foundation
import Testing
import TestSupport
@testable import Control

@Suite("StatusDump")
struct StatusDumpTests {
    typealias F = StatusFixtures

    private func status() -> VigilStatus {
        var b = F.book()
        b.vrrpEventReceived(F.toBackup, now: F.at(1))
        b.vrrpEventReceived(F.toMaster, now: F.at(4))
        b.healthEventReceived(F.down(F.r2), now: F.at(5))
        b.runtimeRead(states: [:], counters: [:])
        return b.snapshot(now: F.at(6))
    }

    @Test("The data dump lists each instance with state and transitions, and each real server")
    func data() {
        let text = StatusDump.text(.data, status())
        #expect(text.contains("vrrp_instance VI_1\n  state              MASTER\n"))
        #expect(text.contains("BACKUP -> MASTER: master down timer expired"))
        #expect(text.contains("  real_server 10.10.2.22:8080  DOWN  weight 1  ipvs -"))
    }

    @Test("The stats dump counts transitions and times it became MASTER")
    func stats() throws {
        let s = status()
        #expect(StatusDump.text(.stats, s).contains("  became master           1\n"))
        let json = try StatusJSON.decoder().decode(StatusDump.Stats.self, from: StatusDump.json(.stats, s))
        #expect(json.instances.map(\.transitions) == [2])
        #expect(json.instances.map(\.becameMaster) == [1])
    }
}
