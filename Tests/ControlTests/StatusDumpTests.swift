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

    @Test("The data JSON is the whole status")
    func data() throws {
        let s = status()
        #expect(try StatusJSON.decoder().decode(VigilStatus.self, from: StatusDump.json(.data, s)) == s)
    }

    @Test("The stats dump counts transitions and times it became MASTER")
    func stats() throws {
        let s = status()
        let json = try StatusJSON.decoder().decode(StatusDump.Stats.self, from: StatusDump.json(.stats, s))
        #expect(json.instances.map(\.transitions) == [2])
        #expect(json.instances.map(\.becameMaster) == [1])
    }
}
