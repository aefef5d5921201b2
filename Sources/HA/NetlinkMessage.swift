// The netlink request builder every rtnetlink adapter and wire format of HA uses (pure: bytes only).

/// A netlink request under construction (host byte order, 4-byte aligned attributes).
struct NetlinkMessage {
    var type: UInt16
    var flags: UInt16
    var sequence: UInt32
    var body: [UInt8] = []

    init(type: UInt16, flags: UInt16, sequence: UInt32) {
        self.type = type
        self.flags = flags
        self.sequence = sequence
    }

    mutating func appendUInt32(_ v: UInt32) {
        body += [UInt8(v & 0xff), UInt8(v >> 8 & 0xff), UInt8(v >> 16 & 0xff), UInt8(v >> 24)]
    }

    mutating func attribute(_ type: UInt16, _ data: [UInt8]) {
        let len = 4 + data.count
        body += [UInt8(len & 0xff), UInt8(len >> 8), UInt8(type & 0xff), UInt8(type >> 8)] + data
        while body.count % 4 != 0 { body.append(0) }
    }

    func finished() -> [UInt8] {
        let len = UInt32(16 + body.count)
        var out: [UInt8] = []
        for v in [len] { out += [UInt8(v & 0xff), UInt8(v >> 8 & 0xff), UInt8(v >> 16 & 0xff), UInt8(v >> 24)] }
        out += [UInt8(type & 0xff), UInt8(type >> 8), UInt8(flags & 0xff), UInt8(flags >> 8)]
        out += [UInt8(sequence & 0xff), UInt8(sequence >> 8 & 0xff), UInt8(sequence >> 16 & 0xff), UInt8(sequence >> 24)]
        out += [0, 0, 0, 0]
        return out + body
    }
}
