#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An IPv4 or IPv6 address as written in keepalived.conf. Encoded as its text (`"192.168.0.80"`).
public struct ConfigIPAddress: Sendable, Hashable, Codable, CustomStringConvertible {
    /// Address family.
    public enum Family: String, Sendable, Codable, Equatable {
        /// IPv4 (4 bytes).
        case inet
        /// IPv6 (16 bytes).
        case inet6
    }

    /// The address bytes in network order, packed big-endian into two words (IPv4 in the low 32
    /// bits of `low`), so an address needs no heap allocation.
    private let high: UInt64
    private let low: UInt64
    private let isV6: Bool

    /// Network-order bytes: 4 for IPv4, 16 for IPv6.
    public var bytes: [UInt8] {
        if !isV6 { return (0..<4).map { UInt8(truncatingIfNeeded: low >> (24 - 8 * UInt64($0))) } }
        return (0..<16).map { i in
            let word = i < 8 ? high : low
            return UInt8(truncatingIfNeeded: word >> (56 - 8 * UInt64(i % 8)))
        }
    }

    /// The family, from the byte count.
    public var family: Family { isV6 ? .inet6 : .inet }

    /// Parses dotted IPv4 or RFC 4291 IPv6 text; nil when it is neither.
    public init?(_ text: String) {
        guard !text.isEmpty, text.utf8.count < 64 else { return nil }
        var t = text
        if let v4 = t.withUTF8({ Self.parseDottedQuad($0) }) {
            self.init(high: 0, low: UInt64(v4), isV6: false)
            return
        }
        var v4 = in_addr()
        if inet_pton(AF_INET, text, &v4) == 1 {
            self.init(packing: withUnsafeBytes(of: &v4) { Array($0) })
            return
        }
        var v6 = in6_addr()
        if inet_pton(AF_INET6, text, &v6) == 1 {
            self.init(packing: withUnsafeBytes(of: &v6) { Array($0) })
            return
        }
        return nil
    }

    /// The common `a.b.c.d` form (1–3 digits, no leading zero, each ≤ 255), without a C call; nil
    /// for anything else, which then goes to inet_pton (so the accepted set is exactly inet_pton's).
    private static func parseDottedQuad(_ u: UnsafeBufferPointer<UInt8>) -> UInt32? {
        var value: UInt32 = 0
        var part: UInt32 = 0
        var digits = 0
        var dots = 0
        for b in u {
            if b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9") {
                if digits > 0 && part == 0 { return nil }
                part = part * 10 + UInt32(b - UInt8(ascii: "0"))
                digits += 1
                if digits > 3 || part > 255 { return nil }
            } else if b == UInt8(ascii: ".") {
                if digits == 0 || dots == 3 { return nil }
                value = value << 8 | part
                part = 0; digits = 0; dots += 1
            } else {
                return nil
            }
        }
        if digits == 0 || dots != 3 { return nil }
        return value << 8 | part
    }

    private init(high: UInt64, low: UInt64, isV6: Bool) {
        self.high = high
        self.low = low
        self.isV6 = isV6
    }

    private init(packing b: [UInt8]) {
        if b.count == 4 {
            self.init(high: 0, low: b.reduce(0) { $0 << 8 | UInt64($1) }, isV6: false)
        } else {
            self.init(high: b[0..<8].reduce(0) { $0 << 8 | UInt64($1) },
                      low: b[8..<16].reduce(0) { $0 << 8 | UInt64($1) }, isV6: true)
        }
    }

    /// Creates an address from 4 or 16 bytes.
    public init?(bytes: [UInt8]) {
        guard bytes.count == 4 || bytes.count == 16 else { return nil }
        self.init(packing: bytes)
    }

    /// Canonical text (inet_ntop).
    public var description: String {
        var buf = [CChar](repeating: 0, count: 64)
        let ok: Bool = bytes.withUnsafeBytes { raw in
            inet_ntop(family == .inet ? AF_INET : AF_INET6, raw.baseAddress, &buf, socklen_t(buf.count)) != nil
        }
        guard ok else { return "?" }
        return String(decoding: buf.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// Maximum prefix length for the family (32 or 128).
    public var maxPrefixLength: Int { isV6 ? 128 : 32 }

    /// Encodes as text.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(description)
    }

    /// Decodes from text.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        let s = try c.decode(String.self)
        guard let a = ConfigIPAddress(s) else {
            throw DecodingError.dataCorruptedError(in: c, debugDescription: "invalid IP address '\(s)'")
        }
        self = a
    }
}

/// An address with an optional prefix length (`192.168.0.80/24`). Encoded as text.
public struct ConfigIPPrefix: Sendable, Hashable, Codable, CustomStringConvertible {
    /// The address.
    public var address: ConfigIPAddress
    /// The prefix length when written; keepalived uses /32 (/128) for VIPs without one.
    public var prefixLength: Int?

    /// Creates a prefix.
    public init(address: ConfigIPAddress, prefixLength: Int?) {
        self.address = address
        self.prefixLength = prefixLength
    }

    /// Parses `ADDR` or `ADDR/LEN`.
    public init?(_ text: String) {
        let parts = text.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        guard let a = ConfigIPAddress(String(parts[0])) else { return nil }
        address = a
        if parts.count == 2 {
            guard let n = Int(parts[1]), n >= 0, n <= a.maxPrefixLength else { return nil }
            prefixLength = n
        } else {
            prefixLength = nil
        }
    }

    /// The prefix length used on the interface (the written one, else the full host length).
    public var effectivePrefixLength: Int { prefixLength ?? address.maxPrefixLength }

    /// `addr/len` or `addr`.
    public var description: String { prefixLength.map { "\(address)/\($0)" } ?? address.description }

    /// Encodes as text.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(description)
    }

    /// Decodes from text.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        let s = try c.decode(String.self)
        guard let p = ConfigIPPrefix(s) else {
            throw DecodingError.dataCorruptedError(in: c, debugDescription: "invalid prefix '\(s)'")
        }
        self = p
    }
}
