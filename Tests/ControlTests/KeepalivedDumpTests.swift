import Foundation
import Testing
import TestSupport
@testable import HA
@testable import Control

@Suite("KeepalivedDump")
struct KeepalivedDumpTests {
    typealias F = StatusFixtures

    private func book() -> StatusBook {
        var b = F.book()
        b.vrrpEventReceived(F.toBackup, now: F.at(1))
        b.vrrpEventReceived(F.toMaster, now: F.at(4))
        var counters = VRRPCounters()
        counters.sent = 7
        counters.accepted = 3
        counters.discarded = [.badTTL(64): 2, .vridMismatch(9): 5, .malformed(.truncated(length: 4)): 1]
        b.runtimeRead(states: [:], counters: ["VI_1": counters])
        return b
    }

    private func snapshot(_ b: StatusBook) -> KeepalivedSnapshot {
        b.keepalivedSnapshot(now: F.at(6), version: "0.2.0", scriptSecurity: false)
    }

    @Test("The stats dump has keepalived's layout, line for line")
    func statsLayout() {
        let text = KeepalivedDump.stats(snapshot(book()))
        #expect(text == """
            VRRP Instance: VI_1
              Advertisements:
                Received: 6
                Sent: 7
              Became master: 1
              Released master: 0
              Packet Errors:
                Length: 1
                TTL: 2
                Invalid Type: 0
                Advertisement Interval: 0
                Address List: 0
              Authentication Errors:
                Invalid Type: 0
                Type Mismatch: 0
                Failure: 0
              Priority Zero:
                Received: 0
                Sent: 0

            """)
    }

    @Test("STATS_CLEAR: the dump counts from the clear on")
    func statsClear() {
        var b = book()
        b.statisticsCleared()
        var counters = VRRPCounters()
        counters.sent = 10
        counters.accepted = 3
        b.runtimeRead(states: [:], counters: ["VI_1": counters])
        let stats = snapshot(b).instances[0].stats
        #expect(stats.advertSent == 3)
        #expect(stats.becameMaster == 0)
        #expect(stats.ttlErrors == 0)
        #expect(stats.advertReceived == 0)  // 3 accepted before and after; the discards were cleared
    }

    @Test("The data dump has keepalived's sections and field labels")
    func dataLayout() {
        let text = KeepalivedDump.data(snapshot(book()))
        #expect(text.hasPrefix("------< Global definitions >------\n"))
        #expect(text.contains("------< VRRP Topology >------\n VRRP Instance = VI_1\n   VRRP Version = 2\n   State = MASTER\n"))
        #expect(text.contains("   Virtual Router ID = 51\n   Priority = 150\n   Effective priority = 150\n"))
        #expect(text.contains("   Virtual IP (1):\n     10.10.1.100/32 dev eth0 scope global set\n"))
        #expect(text.contains("------< LVS Topology >------\n ------< Virtual server >------\n VS VIP = 10.10.1.100, VPORT = 80\n"))
        #expect(text.contains("   RIP = 10.10.2.21, RPORT = 8080, WEIGHT = 2\n"))
        #expect(text.contains("   Notify deleted = Fault\n"))
        var deleted = snapshot(book())
        deleted.instances[0].notifyDeleted = true
        #expect(KeepalivedDump.data(deleted).contains("   Notify deleted = Deleted\n"))
        #expect(KeepalivedDump.json(deleted).contains("\"notify_deleted\":true"))
    }

    @Test("The JSON dump is an array of {data, stats} with keepalived's keys and state numbers")
    func jsonLayout() throws {
        let text = KeepalivedDump.json(snapshot(book()))
        #expect(text.hasPrefix("[{\"data\":{\"iname\":\"VI_1\","))
        let array = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [[String: Any]])
        #expect(array.count == 1)
        let data = try #require(array[0]["data"] as? [String: Any])
        let stats = try #require(array[0]["stats"] as? [String: Any])
        #expect(data["state"] as? Int == 2)
        #expect(data["vrid"] as? Int == 51)
        #expect(data["ifp_ifname"] as? String == "eth0")
        #expect(data["vips"] as? [String] == ["10.10.1.100/32 dev eth0 scope global set"])
        #expect(stats["advert_sent"] as? Int == 7)
        #expect(stats["become_master"] as? Int == 1)
        #expect(Set(stats.keys) == ["advert_rcvd", "advert_sent", "become_master", "release_master", "packet_len_err",
                                    "advert_interval_err", "ip_ttl_err", "invalid_type_rcvd", "addr_list_err",
                                    "invalid_authtype", "authtype_mismatch", "auth_failure", "pri_zero_rcvd",
                                    "pri_zero_sent"])
        #expect(text.contains("\"vips\":[\"10.10.1.100\\/32 dev eth0 scope global set\"]"))
    }

    @Test("A transition time reads the same as epoch seconds and as a clock time")
    func times() {
        let t = Date(timeIntervalSince1970: 1_796_447_539.736779)
        #expect(KeepalivedDump.epoch(t) == "1796447539.736779")
        #expect(KeepalivedDump.clock(t).contains(":19.736779 2026"))
    }

    @Test("keepalived's state numbers: INIT 0, BACKUP 1, MASTER 2, FAULT 3")
    func stateNumbers() {
        #expect(["INIT", "BACKUP", "MASTER", "FAULT"].map(KeepalivedDump.stateNumber) == [0, 1, 2, 3])
    }

    @Test("Dump paths follow keepalived: TMPDIR when absolute, state_dump_file moves only the data dump",
          arguments: [
            (nil, nil, "/tmp/keepalived.data", "/tmp/keepalived.stats"),
            (nil, "relative", "/tmp/keepalived.data", "/tmp/keepalived.stats"),
            (nil, "/var/tmp/", "/var/tmp/keepalived.data", "/var/tmp/keepalived.stats"),
            ("/run/ka/state.data", nil, "/run/ka/state.data", "/tmp/keepalived.stats"),
            ("/run/ka/", "/var/tmp", "/run/ka/keepalived.data", "/var/tmp/keepalived.stats"),
            ("sub/name.txt", "/var/tmp", "/var/tmp/name.txt", "/var/tmp/keepalived.stats"),
            ("name", nil, "/tmp/name", "/tmp/keepalived.stats"),
            ("/top", nil, "/top", "/tmp/keepalived.stats"),
          ] as [(String?, String?, String, String)])
    func dumpPaths(stateDumpFile: String?, tmpDir: String?, data: String, stats: String) {
        let paths = StatusService.DumpPaths(stateDumpFile: stateDumpFile, tmpDir: tmpDir)
        #expect(paths.data == data)
        #expect(paths.stats == stats)
        #expect(paths.json == stats.replacingOccurrences(of: "keepalived.stats", with: "keepalived.json"))
    }
}
