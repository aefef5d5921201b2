import Foundation
import IPVS
import Testing
@testable import Control

/// Connection sync and failback holds in `/status`, `/events`, `vigil status` and `/metrics` (issue #15).
@Suite("Connection sync status")
struct ConnectionSyncStatusTests {
    typealias F = StatusFixtures

    @Test("Sync daemons, the connection count, the last sync seen and a hold appear, and the hold's end clears it")
    func book() throws {
        var b = F.book()
        #expect(b.snapshot(now: F.at(0)).connectionSync == nil)
        b.syncDaemonsChanged(["backup"], configured: true, now: F.at(1))
        b.connectionsCounted(0, receiving: true, now: F.at(1))
        let hold = FailbackHoldStatus(instance: "VI_1", since: F.at(1), until: F.at(61), reason: "waiting")
        b.failbackHoldChanged(instance: "VI_1", hold: hold, message: "VI_1: failback hold: …", now: F.at(1))
        b.connectionsCounted(120, receiving: true, now: F.at(2))
        b.connectionsCounted(120, receiving: true, now: F.at(3))
        let s = try #require(b.snapshot(now: F.at(4)).connectionSync)
        #expect(s == ConnectionSyncStatus(daemons: ["backup"], connections: 120, lastSyncSeen: F.at(2), holds: [hold]))
        let text = StatusTable.render(b.snapshot(now: F.at(4)))
        #expect(text.contains("sync daemons: backup; connections: 120"), "\(text)")
        #expect(text.contains("failback hold: VI_1 since"), "\(text)")
        #expect(StatusTable.summary(b.snapshot(now: F.at(4))).contains("failback held: VI_1"))
        b.failbackHoldChanged(instance: "VI_1", hold: nil, message: "VI_1: failback hold released", now: F.at(5))
        #expect(b.snapshot(now: F.at(5)).connectionSync?.holds == [])
        #expect(b.events().filter { $0.kind == .sync }.map(\.message)
                == ["sync daemons running: backup", "VI_1: failback hold: …", "VI_1: failback hold released"])
        // As MASTER the table grows from its own traffic: not a sync seen.
        b.syncDaemonsChanged(["master"], configured: true, now: F.at(6))
        b.connectionsCounted(300, receiving: false, now: F.at(7))
        #expect(b.snapshot(now: F.at(7)).connectionSync?.lastSyncSeen == F.at(2))
        b.syncDaemonsChanged([], configured: false, now: F.at(8))
        #expect(b.snapshot(now: F.at(8)).connectionSync == nil)
    }

    @Test("The metrics: sync daemon by role, connections, the hold per instance")
    func metrics() {
        let m = VigilMetrics(instances: ["VI_1"], virtualServers: [])
        m.syncDaemonsChanged(["backup"])
        m.connectionsCounted(42)
        m.failbackHoldChanged(instance: "VI_1", held: true)
        let text = m.text()
        #expect(text.contains("vigil_ipvs_sync_daemon_running{role=\"backup\"} 1.0"), "\(text)")
        #expect(text.contains("vigil_ipvs_sync_daemon_running{role=\"master\"} 0.0"), "\(text)")
        #expect(text.contains("vigil_ipvs_connections 42.0"), "\(text)")
        #expect(text.contains("vigil_vrrp_failback_hold{instance=\"VI_1\"} 1.0"), "\(text)")
    }

    @Test("/proc/net/ip_vs_conn is read without its header, whatever the chunking")
    func lineCounter() {
        let text = Array("Pro FromIP   FPrt ToIP     TPrt DestIP   DPrt State       Expires PEName PEData\nTCP 0A0A0102 9C40 0A0A0164 0050 0A0A0215 1F90 ESTABLISHED    899\nTCP 0A0A0102 9C41 0A0A0164 0050 0A0A0216 1F90 ESTABLISHED    899\n".utf8)
        for chunk in [1, 7, 64, text.count] {
            var c = ConnectionKeyReader(keepsKeys: false)
            var i = 0
            while i < text.count {
                c.consume(text[i..<min(text.count, i + chunk)])
                i += chunk
            }
            #expect(c.entries == 2, "chunk \(chunk)")
            #expect(c.live.isEmpty && c.other.isEmpty)
        }
        var keys = ConnectionKeyReader()
        keys.consume(text + Array("TCP 0A0A0102 9C40 0A0A0164 0050 0A0A0215 1F90 FIN_WAIT        59\nshort line\n".utf8))
        // The same connection in another state is the same key, not live; a malformed line is skipped.
        #expect(keys.live.count == 2 && keys.other.count == 1 && keys.entries == 3)
        #expect(keys.other.isSubset(of: keys.live))
        var udp = ConnectionKeyReader()
        udp.consume(Array("h\nUDP 0A0A0102 9C40 0A0A0164 0035 0A0A0215 0035 UDP 299\nTCP 0A0A0102 0000 0A0A0164 0050 0A0A0215 1F90 NONE 299\n".utf8))
        // A UDP flow is live; a persistence template is not.
        #expect(udp.live.count == 1 && udp.other.count == 1)
        // Only the whole state word counts: a prefix or a longer word is not live.
        var near = ConnectionKeyReader()
        near.consume(Array("h\nTCP a b c d e f ESTABLISHE 1\nTCP a b c d e g ESTABLISHEDX 1\nUDP a b c d e h UD 1\nTCP a b c d e i SYN_RECV 1\n".utf8))
        #expect(near.live.isEmpty && near.other.count == 4)
        var unterminated = ConnectionKeyReader(keepsKeys: false)
        unterminated.consume(Array("header\nTCP a b c d e f ESTABLISHED 1\nTCP a b c d e g ESTABLISHED 1".utf8))
        unterminated.finish()
        #expect(unterminated.entries == 2)
        #expect(IPVSConnectionTable(path: "/nonexistent/ip_vs_conn").count() == nil)
    }
}

/// `POST /handover`'s query (issue #15): what is asked, checked before anything changes.
@Suite("Handover request")
struct HandoverRequestTests {
    @Test("No query is every instance; names and cancel are read; bad values are refused with the reason")
    func parse() throws {
        let all = try HandoverRequest.parse(instances: nil, cancel: nil).get()
        #expect(all.names == nil && !all.cancel)
        let two = try HandoverRequest.parse(instances: "VI_1,VI_2", cancel: "1").get()
        #expect(two.names == ["VI_1", "VI_2"] && two.cancel)
        #expect((try? HandoverRequest.parse(instances: "", cancel: "false").get())?.names == nil)
        for (i, c) in [("VI_1", "yes"), (",", nil), (String(repeating: "a", count: 257), nil),
                       ((0..<257).map { "v\($0)" }.joined(separator: ","), nil)] as [(String, String?)] {
            guard case .failure(let e) = HandoverRequest.parse(instances: i, cancel: c) else {
                Issue.record("accepted instances '\(i.prefix(20))' cancel \(String(describing: c))")
                continue
            }
            #expect(!e.message.isEmpty)
        }
    }

    @Test("A refused reply's explanation reaches the CLI's error")
    func refusalText() {
        let reply = Array("HTTP/1.1 403 Forbidden\r\nContent-Type: text/plain\r\n\r\nserved on the unix-socket endpoint only\n".utf8)
        #expect(throws: HTTPGetError.self) { try HTTPGet.body(ofReply: reply) }
        do {
            _ = try HTTPGet.body(ofReply: reply)
        } catch {
            #expect("\(error)".contains("403 Forbidden'") && "\(error)".contains("unix-socket endpoint only"), "\(error)")
        }
    }
}
