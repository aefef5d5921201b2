import NIOCore

/// `UDP_CHECK`: sends the payload on a connected UDP socket. An ICMP error fails the check. Without
/// `require_reply`, silence until `connect_timeout` passes; with it, a reply of the right length (and
/// prefix) must arrive.
public struct UDPProbe: Sendable {
    /// The check's settings.
    public var check: UDPCheck

    /// A probe of `check`.
    public init(check: UDPCheck) { self.check = check }

    /// Judges a reply as keepalived does: any reply passes unless `require_reply` gave bytes; then its length must
    /// be within the bounds and its first bytes (as many as both have) must match the pattern's, bits under the
    /// mask only.
    static func judge(_ reply: [UInt8], check: UDPCheck) -> DatagramVerdict {
        guard let prefix = check.replyPrefix else { return .pass("reply of \(reply.count) bytes") }
        guard reply.count >= check.minReplyLength, reply.count <= check.maxReplyLength else {
            return .fail(.malformedReply("reply of \(reply.count) bytes, expected \(check.minReplyLength)…\(check.maxReplyLength)"))
        }
        for i in 0..<min(prefix.count, reply.count) {
            let mask = check.replyMask.flatMap { i < $0.count ? $0[i] : nil } ?? 0xFF
            guard (reply[i] ^ prefix[i]) & mask == 0 else {
                return .fail(.malformedReply("reply does not match at byte \(i)"))
            }
        }
        return .pass("reply of \(reply.count) bytes")
    }

    /// Runs one attempt; the future never fails.
    public func run(on loop: any EventLoop) -> EventLoopFuture<ProbeResult> {
        let start = NIODeadline.now()
        let check = self.check
        let what = "UDP_CHECK \(check.target.hostPort)"
        let payload = check.payload.isEmpty ? Array("vigil".utf8) : check.payload
        return DatagramExchange.run(target: check.target, rawProtocol: nil, request: payload, on: loop) { Self.judge($0, check: check) }
            .map { ProbeResult.success("\(what) \($0)", latency: elapsed(since: start)) }
            .recover { error in
                let e = ProbeError.classify(error, timeout: check.target.timeout)
                if case .timeout = e, !check.requireReply {
                    return .success("\(what) no ICMP error", latency: elapsed(since: start))
                }
                return .failure("\(what) \(e)", latency: elapsed(since: start))
            }
    }
}
