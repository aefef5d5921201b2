import NIOCore

/// `DNS_CHECK`: one query over UDP; passes when a reply with the query's ID and RCODE NOERROR arrives.
public struct DNSProbe: Sendable {
    /// The check's settings.
    public var check: DNSCheck

    /// A probe of `check`.
    public init(check: DNSCheck) { self.check = check }

    /// Encodes a query (RFC 1035 §4.1); `nil` when the name or type is invalid (see `DNSMessage.query`).
    static func query(id: UInt16, name: String, type: String) -> [UInt8]? {
        DNSMessage.query(id: id, name: name, type: type)
    }

    /// Judges a reply to query `id` (see `DNSMessage.judge`).
    static func judge(_ reply: [UInt8], id: UInt16) -> DatagramVerdict {
        switch DNSMessage.judge(reply, id: id) {
        case .ignore: .ignore
        case .pass(let detail): .pass(detail)
        case .malformed(let why): .fail(.malformedReply(why))
        }
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
