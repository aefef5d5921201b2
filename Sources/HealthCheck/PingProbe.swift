import NIOCore

/// `PING_CHECK`: one ICMP echo request on a raw socket (root); passes on the matching echo reply
/// (RFC 792 for IPv4; RFC 4443 ICMPv6 for IPv6, whose checksum the kernel fills in on raw ICMPv6 sockets, RFC 3542 §3.1).
public struct PingProbe: Sendable {
    /// The check's settings.
    public var check: PingCheck

    /// A probe of `check`.
    public init(check: PingCheck) { self.check = check }

    /// ICMPv6 (RFC 4443 §4): echo request 128, echo reply 129, destination unreachable 1.
    static let ipv6ICMP = NIOIPProtocol(rawValue: 58)

    /// An echo request with `id` and `sequence` and a 16-byte payload (RFC 792; RFC 4443 §4.1 with `ipv6`,
    /// checksum left to the kernel).
    static func echoRequest(id: UInt16, sequence: UInt16, ipv6: Bool = false) -> [UInt8] {
        var bytes: [UInt8] = [ipv6 ? 128 : 8, 0, 0, 0, UInt8(id >> 8), UInt8(id & 0xff), UInt8(sequence >> 8), UInt8(sequence & 0xff)]
        bytes += Array("vigil-ping-check".utf8)
        if ipv6 { return bytes }
        let sum = checksum(bytes)
        bytes[2] = UInt8(sum >> 8)
        bytes[3] = UInt8(sum & 0xff)
        return bytes
    }

    /// The Internet checksum (RFC 1071).
    static func checksum(_ bytes: [UInt8]) -> UInt16 {
        var sum: UInt32 = 0
        var i = 0
        while i + 1 < bytes.count {
            sum += UInt32(bytes[i]) << 8 | UInt32(bytes[i + 1])
            i += 2
        }
        if i < bytes.count { sum += UInt32(bytes[i]) << 8 }
        while sum >> 16 != 0 { sum = (sum & 0xffff) + (sum >> 16) }
        return ~UInt16(sum)
    }

    /// Judges an ICMP (or, with `ipv6`, ICMPv6) message, IP header already removed.
    static func judge(_ icmp: [UInt8], id: UInt16, ipv6: Bool = false) -> DatagramVerdict {
        guard icmp.count >= 8 else { return .ignore }
        let type = icmp[0]
        let replyID = UInt16(icmp[4]) << 8 | UInt16(icmp[5])
        if type == (ipv6 ? 129 : 0) && replyID == id { return .pass("echo reply") }
        if type == (ipv6 ? 1 : 3) { return .fail(.refused) }
        return .ignore
    }

    /// Runs one attempt; the future never fails.
    public func run(on loop: any EventLoop) -> EventLoopFuture<ProbeResult> {
        let start = NIODeadline.now()
        let target = check.target
        let what = "PING_CHECK \(target.address)"
        let ipv6 = target.address.isIPv6
        let id = UInt16.random(in: 1...UInt16.max)
        var t = target
        t.port = 0
        return DatagramExchange.run(target: t, rawProtocol: ipv6 ? Self.ipv6ICMP : .icmp,
                                    request: Self.echoRequest(id: id, sequence: 1, ipv6: ipv6), on: loop) {
            Self.judge($0, id: id, ipv6: ipv6)
        }
        .map { ProbeResult.success("\(what) \($0)", latency: elapsed(since: start)) }
        .recover { .failure("\(what) \(ProbeError.classify($0, timeout: target.timeout))", latency: elapsed(since: start)) }
    }
}
