import NIOCore

/// `DNS_CHECK`: one query over UDP; passes when a reply with the query's ID and RCODE NOERROR arrives.
public struct DNSProbe: Sendable {
    /// The check's settings.
    public var check: DNSCheck

    /// A probe of `check`.
    public init(check: DNSCheck) { self.check = check }

    /// RFC 1035 §3.2.2 type codes (and RFC 3596 for AAAA).
    static let typeCodes: [String: UInt16] = ["A": 1, "NS": 2, "CNAME": 5, "SOA": 6, "MX": 15, "TXT": 16, "AAAA": 28]

    /// Encodes a query (RFC 1035 §4.1); `nil` when the name or type is invalid.
    static func query(id: UInt16, name: String, type: String) -> [UInt8]? {
        guard let code = typeCodes[type.uppercased()] else { return nil }
        var bytes: [UInt8] = [UInt8(id >> 8), UInt8(id & 0xff), 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0]
        for label in name.split(separator: ".") {
            let utf8 = Array(label.utf8)
            guard !utf8.isEmpty, utf8.count < 64 else { return nil }
            bytes.append(UInt8(utf8.count))
            bytes += utf8
        }
        bytes.append(0)
        bytes += [UInt8(code >> 8), UInt8(code & 0xff), 0, 1]
        return bytes
    }

    /// Judges a reply to query `id`.
    static func judge(_ reply: [UInt8], id: UInt16) -> DatagramVerdict {
        guard reply.count >= 12 else { return .fail(.malformedReply("DNS reply of \(reply.count) bytes")) }
        guard UInt16(reply[0]) << 8 | UInt16(reply[1]) == id else { return .ignore }
        guard reply[2] & 0x80 != 0 else { return .fail(.malformedReply("DNS reply without the QR bit")) }
        let rcode = reply[3] & 0x0f
        guard rcode == 0 else { return .fail(.malformedReply("DNS RCODE \(rcode)")) }
        let answers = UInt16(reply[6]) << 8 | UInt16(reply[7])
        return .pass("NOERROR, \(answers) answer(s)")
    }

    /// Runs one attempt; the future never fails.
    public func run(on loop: any EventLoop) -> EventLoopFuture<ProbeResult> {
        let start = NIODeadline.now()
        let target = check.target
        let what = "DNS_CHECK \(target.hostPort) \(check.type) \(check.name)"
        let id = UInt16.random(in: 0...UInt16.max)
        guard let request = Self.query(id: id, name: check.name, type: check.type) else {
            return loop.makeSucceededFuture(.failure("\(what) invalid query"))
        }
        return DatagramExchange.run(target: target, rawProtocol: nil, request: request, on: loop) { Self.judge($0, id: id) }
            .map { ProbeResult.success("\(what) \($0)", latency: elapsed(since: start)) }
            .recover { .failure("\(what) \(ProbeError.classify($0, timeout: target.timeout))", latency: elapsed(since: start)) }
    }
}
