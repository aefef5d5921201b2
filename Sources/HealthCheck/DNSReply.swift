/// The wire side of `DNS_CHECK` (RFC 1035 §4.1): the query it sends and the judgement of a reply. Pure (bytes in,
/// verdict out, no NIO), so any datagram can be fed to it by the fuzzer (`make fuzz-healthcheck`); `DNSProbe` does
/// the sending and receiving.
enum DNSMessage {
    /// What a reply datagram says about the check.
    enum Verdict: Hashable, Sendable {
        /// Not the reply to this query (another ID): keep waiting.
        case ignore
        /// A reply with RCODE NOERROR; the detail names the answer count.
        case pass(String)
        /// A reply that fails the check, and why.
        case malformed(String)
    }

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

    /// Judges a reply to query `id`: only the header is read (ID, QR, RCODE, ANCOUNT).
    static func judge(_ reply: [UInt8], id: UInt16) -> Verdict {
        guard reply.count >= 12 else { return .malformed("DNS reply of \(reply.count) bytes") }
        guard UInt16(reply[0]) << 8 | UInt16(reply[1]) == id else { return .ignore }
        guard reply[2] & 0x80 != 0 else { return .malformed("DNS reply without the QR bit") }
        let rcode = reply[3] & 0x0f
        guard rcode == 0 else { return .malformed("DNS RCODE \(rcode)") }
        let answers = UInt16(reply[6]) << 8 | UInt16(reply[7])
        return .pass("NOERROR, \(answers) answer(s)")
    }
}
