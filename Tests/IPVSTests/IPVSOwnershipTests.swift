import Foundation
import Testing
@testable import IPVS

@Suite("IPVS ownership record")
struct IPVSOwnershipTests {
    let keys: Set<IPVSServiceKey> = [
        tcp("10.0.0.1", 80), .address(.udp, addr("2001:db8::1"), port: 53), .address(.sctp, addr("10.0.0.2"), port: 9),
        .firewallMark(7, family: .inet), .firewallMark(8, family: .inet6),
    ]

    @Test("Every kind of service key survives the text form")
    func roundTrip() throws {
        let text = IPVSOwnershipRecord(services: keys).text
        #expect(try IPVSOwnershipRecord.parse(text, file: "owned").services == keys)
    }

    @Test("A key parses from the form ipvsadm -Ln prints")
    func parsesDescription() {
        for k in keys { #expect(IPVSServiceKey(parsing: Substring(k.description)) == k) }
    }

    @Test("IPv6 without brackets, a bad port and unknown words are not keys")
    func rejectsMalformedKeys() {
        for bad in ["TCP 2001:db8::1:80", "TCP 10.0.0.1:99999", "TCP 10.0.0.1", "ICMP 10.0.0.1:1", "FWM x", "FWM 7 IPv4",
                    "TCP [10.0.0.1]:80", "TCP 10.0.0.1:80 extra"] {
            #expect(IPVSServiceKey(parsing: Substring(bad)) == nil, "\(bad)")
        }
    }

    @Test("Comments and blank lines are ignored")
    func commentsIgnored() throws {
        let r = try IPVSOwnershipRecord.parse("# header\n\n  TCP 10.0.0.1:80  \n# FWM 3\n", file: "owned")
        #expect(r.services == [tcp("10.0.0.1", 80)])
    }

    @Test("A malformed line is an error naming the file and the line")
    func malformedLine() {
        #expect(throws: IPVSError.invalidOwnershipRecord("f", line: 3, reason: "'TCP nowhere' is not a service key")) {
            try IPVSOwnershipRecord.parse("# x\nTCP 10.0.0.1:80\nTCP nowhere\n", file: "f")
        }
    }

    @Test("A missing record file is an empty record; a saved one loads back")
    func fileRoundTrip() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("vigil-own-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let file = IPVSOwnershipFile(path: dir + "/owned")
        #expect(try file.load() == [])
        try file.save(keys)
        #expect(try file.load() == keys)
        #expect(!FileManager.default.fileExists(atPath: dir + "/owned.tmp"))
    }

    @Test("A restarted reconciler deletes what it declared before the restart, never a hand-made service")
    func ownershipSurvivesRestart() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("vigil-own-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let file = IPVSOwnershipFile(path: dir + "/owned")
        let fake = FakeIPVS()
        let manual = tcp("10.9.9.9", 22)
        fake.current.services[manual] = IPVSVirtualService(service: IPVSService(key: manual, scheduler: "rr"))
        let a = IPVSVirtualService(service: IPVSService(key: tcp("10.0.0.1", 80), scheduler: "rr"))
        let b = IPVSVirtualService(service: IPVSService(key: tcp("10.0.0.2", 80), scheduler: "rr"))
        let first = try IPVSReconciler(control: fake, ownershipFile: file)
        let r1 = try await first.apply(desired: IPVSTable([a, b]))
        #expect(r1.ownershipError == nil)
        let restarted = try IPVSReconciler(control: fake, ownershipFile: file)
        #expect(await restarted.ownedServices == [a.service.key, b.service.key])
        let r2 = try await restarted.apply(desired: IPVSTable([a]))
        #expect(r2.commands == [.deleteService(b.service.key)])
        #expect(fake.current.services[manual] != nil)
        #expect(try file.load() == [a.service.key])
    }

    @Test("An unwritable record is reported, and the kernel is changed anyway")
    func unwritableRecord() async throws {
        let fake = FakeIPVS()
        let file = IPVSOwnershipFile(path: "/proc/vigil-no-such-dir/owned")
        let r = try IPVSReconciler(control: fake, ownershipFile: file)
        let a = IPVSVirtualService(service: IPVSService(key: tcp("10.0.0.1", 80), scheduler: "rr"))
        let report = try await r.apply(desired: IPVSTable([a]))
        #expect(report.commands == [.addService(a.service)])
        #expect(report.ownershipError != nil)
        #expect(fake.current.services[a.service.key] != nil)
    }
}
