import Foundation
import Testing
import TestSupport
@testable import Control

@Suite("StatusTable")
struct StatusTableTests {
    typealias F = StatusFixtures

    @Test("Columns are aligned on the widest cell, the last column is not padded")
    func alignment() {
        let t = StatusTable.table(["A", "BB", "C"], [["xxx", "y", "z"], ["q", "", "last"]])
        #expect(t == "A    BB  C\nxxx  y   z\nq        last\n")
    }

    @Test("The status table shows state, VIPs, health and the last transition")
    func render() {
        var b = F.book()
        b.vrrpEventReceived(F.toMaster, now: F.at(61))
        b.healthEventReceived(F.up(F.r1, weight: 2), now: F.at(62))
        b.healthEventReceived(F.down(F.r2), now: F.at(63))
        let text = StatusTable.render(b.snapshot(now: F.at(125)))
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        #expect(lines[0].hasPrefix("vigil pid 4242, up 2m 5s"))
        #expect(lines.contains { $0.hasPrefix("VI_1") && $0.contains("MASTER") && $0.contains("10.10.1.100")
            && $0.contains("BACKUP->MASTER: master down timer expired") })
        #expect(lines.contains { $0.hasPrefix("10.10.1.100:80") && $0.contains("10.10.2.21:8080") && $0.contains("UP") })
        #expect(lines.contains { $0.contains("10.10.2.22:8080") && $0.contains("DOWN") && $0.contains("out")
            && $0.hasSuffix("TCP_CHECK connect refused (2nd try)") })
        #expect(text.contains("ipvs: 0 reconciles; operations: none; errors: none"))
    }

    @Test("Announced addresses: a table row each, an event per change, the summary counts them; none: no section")
    func announcements() {
        var b = F.book()
        #expect(b.snapshot(now: F.at(1)).announcements == nil)
        #expect(!StatusTable.render(b.snapshot(now: F.at(1))).contains("ANNOUNCED"))
        let order = ["192.0.2.80", "192.0.2.81"]
        b.announcementChanged(address: "192.0.2.80", table: 198, announced: true, reason: "virtual_server 192.0.2.80:80 has quorum", order: order, now: F.at(2))
        b.announcementChanged(address: "192.0.2.81", table: 198, announced: false, reason: "virtual_server 192.0.2.81:80 has no quorum", order: order, now: F.at(3))
        b.announcementChanged(address: "192.0.2.81", table: 198, announced: false, reason: "virtual_server 192.0.2.81:80 has no quorum", order: order, now: F.at(4))
        let s = b.snapshot(now: F.at(5))
        #expect(s.announcements?.map(\.address) == order)
        #expect(s.announcements?.last?.since == F.at(3))
        #expect(b.events().filter { $0.kind == .route }.count == 2)
        let lines = StatusTable.render(s).split(separator: "\n").map(String.init)
        #expect(lines.contains { $0.hasPrefix("192.0.2.80") && $0.contains("198") && $0.contains(" in ") })
        #expect(lines.contains { $0.hasPrefix("192.0.2.81") && $0.contains("withdrawn") && $0.hasSuffix("has no quorum") })
        #expect(StatusTable.summary(s).hasSuffix("announced 1/2"))
        b.announcementChanged(address: "192.0.2.80", table: 198, announced: true, reason: "reload", order: ["192.0.2.80"], now: F.at(6))
        #expect(b.snapshot(now: F.at(7)).announcements?.count == 1)
    }

    @Test("The systemd summary names each instance's state and counts live real servers")
    func summary() {
        var b = F.book()
        b.vrrpEventReceived(F.toMaster, now: F.at(1))
        b.healthEventReceived(F.up(F.r1), now: F.at(2))
        #expect(StatusTable.summary(b.snapshot(now: F.at(3))) == "VI_1 MASTER; real servers 1/2 up")
    }

    @Test("Times print in UTC")
    func utc() {
        #expect(StatusTable.timestamp(Date(timeIntervalSince1970: 0)) == "1970-01-01T00:00:00Z")
        #expect(StatusTable.time(Date(timeIntervalSince1970: 3723.9)) == "01:02:03")
    }
}
