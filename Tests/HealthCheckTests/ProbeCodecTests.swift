import Testing
import TestSupport
import Vocabulary
@testable import HealthCheck

@Test("status_code ranges accept codes inside any range and default to 200-299")
func statusRanges() {
    let url = URLCheck(path: "/", statusCodes: [200...299, 503...503])
    #expect(url.accepts(status: 204) && url.accepts(status: 503))
    #expect(!url.accepts(status: 404))
    #expect(URLCheck(path: "/").accepts(status: 299) && !URLCheck(path: "/").accepts(status: 301))
    #expect(url.statusDescription == "200-299 503")
}

@Test("A DNS SOA query for the root encodes per RFC 1035")
func dnsQueryRoot() {
    #expect(DNSProbe.query(id: 0x1234, name: ".", type: "SOA") ==
            [0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 6, 0, 1])
    #expect(DNSProbe.query(id: 1, name: "a.example", type: "A").map { Array($0.dropFirst(12)) } ==
            [1, 0x61, 7, 0x65, 0x78, 0x61, 0x6d, 0x70, 0x6c, 0x65, 0, 0, 1, 0, 1])
    #expect(DNSProbe.query(id: 1, name: "x", type: "BOGUS") == nil)
}

@Test("A DNS reply passes only with the query's ID, QR set and NOERROR")
func dnsJudge() {
    let ok: [UInt8] = [0x12, 0x34, 0x81, 0x80, 0, 1, 0, 1, 0, 0, 0, 0]
    if case .pass = DNSProbe.judge(ok, id: 0x1234) {} else { Issue.record("expected pass") }
    if case .ignore = DNSProbe.judge(ok, id: 0x9999) {} else { Issue.record("expected ignore") }
    var nx = ok
    nx[3] = 0x83
    if case .fail = DNSProbe.judge(nx, id: 0x1234) {} else { Issue.record("expected NXDOMAIN failure") }
    if case .fail = DNSProbe.judge([1, 2, 3], id: 0x1234) {} else { Issue.record("expected short-reply failure") }
}

@Test("An ICMP echo request carries a valid Internet checksum")
func pingChecksum() {
    let request = PingProbe.echoRequest(id: 0xBEEF, sequence: 1)
    #expect(request[0] == 8)
    #expect(PingProbe.checksum(request) == 0)
}

@Test("An ICMPv6 echo reply with our id passes, another id is ignored, destination unreachable fails")
func ping6Judge() {
    let request = PingProbe.echoRequest(id: 0xBEEF, sequence: 1, ipv6: true)
    #expect(request[0] == 128)
    var reply = request
    reply[0] = 129
    if case .pass = PingProbe.judge(reply, id: 0xBEEF, ipv6: true) {} else { Issue.record("expected pass") }
    if case .ignore = PingProbe.judge(reply, id: 0x1234, ipv6: true) {} else { Issue.record("expected ignore") }
    if case .ignore = PingProbe.judge(request, id: 0xBEEF, ipv6: true) {} else { Issue.record("our own request must be ignored") }
    var unreachable = request
    unreachable[0] = 1
    if case .fail = PingProbe.judge(unreachable, id: 0xBEEF, ipv6: true) {} else { Issue.record("expected failure") }
}

@Test("FILE_CHECK: a negative contribution fails, dynamic sets the weight")
func fileJudge() {
    #expect(FileProbe.judge("5\n", check: FileCheck(path: "/f")).up)
    #expect(!FileProbe.judge("5\n", check: FileCheck(path: "/f", reverse: true)).up)
    #expect(FileProbe.judge("3", check: FileCheck(path: "/f", weight: 2, dynamic: true)).dynamicWeight == 6)
    #expect(!FileProbe.judge("abc", check: FileCheck(path: "/f")).up)
    #expect(FileProbe.judge(nil, check: FileCheck(path: "/f")).up)
}

@Test("UDP replies outside the length bounds or not matching the prefix fail")
func udpJudge() {
    let target = ConnectTarget(address: "127.0.0.1", port: 9)
    let check = UDPCheck(target: target, requireReply: true, replyPrefix: [0xAB], minReplyLength: 2, maxReplyLength: 4)
    if case .pass = UDPProbe.judge([0xAB, 1], check: check) {} else { Issue.record("expected pass") }
    if case .fail = UDPProbe.judge([0xAC, 1], check: check) {} else { Issue.record("expected prefix failure") }
    if case .fail = UDPProbe.judge([0xAB], check: check) {} else { Issue.record("expected length failure") }
}

@Test("A UDP reply is judged only against require_reply's bytes, as keepalived: X nibbles match anything, lengths apply only then")
func udpJudgeMaskAndAnyReply() {
    let target = ConnectTarget(address: "127.0.0.1", port: 9)
    // require_reply without bytes: any reply passes, whatever the length bounds say.
    let any = UDPCheck(target: target, requireReply: true, minReplyLength: 5, maxReplyLength: 6)
    if case .pass = UDPProbe.judge([1], check: any) {} else { Issue.record("any reply should pass") }
    if case .pass = UDPProbe.judge(Array(repeating: 7, count: 300), check: any) {} else { Issue.record("a long reply should pass") }
    // require_reply 1X: the high nibble must be 1, the low one is free; the default bound is 255 bytes.
    let masked = UDPCheck(target: target, requireReply: true, replyPrefix: [0x10, 0x22], replyMask: [0xF0, 0xFF])
    if case .pass = UDPProbe.judge([0x1F, 0x22, 9], check: masked) {} else { Issue.record("X nibble should match") }
    if case .fail = UDPProbe.judge([0x2F, 0x22], check: masked) {} else { Issue.record("high nibble differs") }
    if case .fail = UDPProbe.judge([0x10, 0x23], check: masked) {} else { Issue.record("second byte differs") }
    if case .fail = UDPProbe.judge(Array(repeating: 0x10, count: 256), check: masked) {} else { Issue.record("above 255 bytes") }
    // A reply shorter than the pattern is compared on its own length.
    if case .pass = UDPProbe.judge([0x13], check: masked) {} else { Issue.record("a short reply compares its bytes only") }
}

@Test("Script security refuses relative paths and accepts root-owned system programs")
func scriptSecurity() {
    #expect(ScriptRunner.insecurity(of: "relative.sh") != nil)
    #expect(ScriptRunner.insecurity(of: "/usr/bin/env") == nil)
    #expect(ScriptRunner.insecurity(of: "/nonexistent/script") != nil)
}
