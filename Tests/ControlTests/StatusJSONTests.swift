import Foundation
import Testing
import TestSupport
@testable import Control

@Suite("Status JSON")
struct StatusJSONTests {
    typealias F = StatusFixtures

    @Test("Status JSON has sorted keys, ISO 8601 times and round-trips")
    func roundTrip() throws {
        var b = F.book()
        b.vrrpEventReceived(F.toMaster, now: F.at(1))
        b.healthEventReceived(F.down(F.r2), now: F.at(2))
        let status = b.snapshot(now: F.at(3))
        let data = StatusJSON.encode(status)
        let text = String(decoding: data, as: UTF8.self)
        #expect(text.contains(#""startedAt" : "2026-11-18T"#))
        #expect(text.contains(#""state" : "MASTER""#))
        #expect(text.contains(#""health" : "DOWN""#))
        let back = try StatusJSON.decoder().decode(VigilStatus.self, from: data)
        #expect(back == status)
    }

    @Test("A real server removed from the pool has no ipvsWeight key")
    func removedServerOmitsWeight() {
        var b = F.book()
        b.healthEventReceived(F.down(F.r1), now: F.at(1))
        let compact = String(decoding: StatusJSON.encode(b.snapshot(now: F.at(2)).virtualServers[0].realServers[0], pretty: false),
                             as: UTF8.self)
        #expect(!compact.contains("ipvsWeight"))
        #expect(compact.contains(#""health":"DOWN""#))
    }

    @Test("Events encode their kind as a snake_case word")
    func eventKinds() {
        var b = F.book()
        b.healthEventReceived(F.down(F.r1), now: F.at(1))
        let text = String(decoding: StatusJSON.encode(b.events(), pretty: false), as: UTF8.self)
        #expect(text.contains(#""kind":"real_server""#))
        #expect(text.contains(#""seq":1"#))
    }
}
