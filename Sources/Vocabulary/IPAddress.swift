#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An IPv4 or IPv6 address: the one address type every Vigil module speaks (the configuration, VRRP, health checks,
/// IPVS and status). It carries no socket type; each adapter encodes it for its own wire.
///
/// Ordering is numeric within a family, IPv4 before IPv6. VRRP uses it to break ties between equal priorities
/// ("the higher primary address wins"); IPVS and status use it for a stable order. It encodes as its text.
public enum IPAddress: Hashable, Sendable, Comparable, TextCodable {
    /// An IPv4 address in host byte order.
    case v4(UInt32)
    /// An IPv6 address as its high and low 64 bits in host byte order.
    case v6(UInt64, UInt64)

    /// The address family, numbered as the kernel numbers it (`AF_INET`, `AF_INET6`).
    public enum Family: UInt16, Hashable, Sendable, Comparable, Codable, CustomStringConvertible {
        /// IPv4.
        case inet = 2
        /// IPv6.
        case inet6 = 10

        public static func < (a: Family, b: Family) -> Bool { a.rawValue < b.rawValue }

        /// `inet` or `inet6`.
        public var description: String { self == .inet ? "inet" : "inet6" }

        /// Encodes as `"inet"` or `"inet6"`.
        public func encode(to encoder: any Encoder) throws {
            var c = encoder.singleValueContainer()
            try c.encode(description)
        }

        /// Decodes `"inet"` or `"inet6"`.
        public init(from decoder: any Decoder) throws {
            let c = try decoder.singleValueContainer()
            switch try c.decode(String.self) {
            case "inet": self = .inet
            case "inet6": self = .inet6
            case let other: throw DecodingError.dataCorruptedError(in: c, debugDescription: "unknown family '\(other)'")
            }
        }
    }

    /// Parses dotted-quad IPv4 or RFC 4291 IPv6 text (exactly what `inet_pton` accepts); `nil` for anything else.
    public init?(_ text: String) {
        guard !text.isEmpty, text.utf8.count < 64 else { return nil }
        var t = text
        if let v4 = t.withUTF8({ Self.parseDottedQuad($0) }) {
            self = .v4(v4)
            return
        }
        var a4 = in_addr()
        if inet_pton(AF_INET, text, &a4) == 1 {
            self = .v4(UInt32(bigEndian: a4.s_addr))
            return
        }
        var a6 = in6_addr()
        guard inet_pton(AF_INET6, text, &a6) == 1 else { return nil }
        let b = withUnsafeBytes(of: &a6) { Array($0) }
        self = .v6(Self.word(b[0..<8]), Self.word(b[8..<16]))
    }

    /// Builds an address from 4 (IPv4) or 16 (IPv6) network-order bytes; `nil` for any other length.
    public init?<C: Collection>(bytes: C) where C.Element == UInt8 {
        let b = Array(bytes)
        switch b.count {
        case 4: self = .v4(UInt32(truncatingIfNeeded: Self.word(b[...])))
        case 16: self = .v6(Self.word(b[0..<8]), Self.word(b[8..<16]))
        default: return nil
        }
    }

    /// Builds an address of `family` from its network-order bytes; `nil` when the count does not match the family.
    public init?(family: Family, bytes: [UInt8]) {
        guard bytes.count == (family == .inet ? 4 : 16) else { return nil }
        self.init(bytes: bytes)
    }

    /// The address family.
    public var family: Family { isIPv6 ? .inet6 : .inet }

    /// True for IPv6 addresses.
    public var isIPv6: Bool {
        switch self {
        case .v4: false
        case .v6: true
        }
    }

    /// The longest prefix of the family: 32 or 128.
    public var maxPrefixLength: Int { isIPv6 ? 128 : 32 }

    /// The address in network byte order: 4 or 16 bytes.
    public var bytes: [UInt8] {
        switch self {
        case .v4(let a):
            return [UInt8(a >> 24), UInt8(a >> 16 & 0xff), UInt8(a >> 8 & 0xff), UInt8(a & 0xff)]
        case .v6(let hi, let lo):
            return (0..<8).map { UInt8(hi >> (56 - 8 * UInt64($0)) & 0xff) }
                + (0..<8).map { UInt8(lo >> (56 - 8 * UInt64($0)) & 0xff) }
        }
    }

    /// Text form as `inet_ntop` prints it.
    public var description: String {
        if case .v4(let a) = self { return "\(a >> 24).\(a >> 16 & 0xff).\(a >> 8 & 0xff).\(a & 0xff)" }
        var b = bytes
        var out = [CChar](repeating: 0, count: 64)
        guard inet_ntop(AF_INET6, &b, &out, socklen_t(out.count)) != nil else { return "?" }
        let end = out.firstIndex(of: 0) ?? out.count
        return String(decoding: out[..<end].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// `host:port`, with brackets around an IPv6 address (`[2001:db8::1]:443`).
    public func withPort(_ port: UInt16) -> String { isIPv6 ? "[\(self)]:\(port)" : "\(self):\(port)" }

    public static func < (lhs: IPAddress, rhs: IPAddress) -> Bool {
        switch (lhs, rhs) {
        case (.v4(let a), .v4(let b)): a < b
        case (.v6(let ah, let al), .v6(let bh, let bl)): (ah, al) < (bh, bl)
        case (.v4, .v6): true
        case (.v6, .v4): false
        }
    }

    private static func word(_ b: ArraySlice<UInt8>) -> UInt64 { b.reduce(0) { $0 << 8 | UInt64($1) } }

    /// The common `a.b.c.d` form (1–3 digits, no leading zero, each ≤ 255) without a C call; `nil` for anything
    /// else, which then goes to `inet_pton` (so the accepted set is exactly inet_pton's).
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
                part = 0
                digits = 0
                dots += 1
            } else {
                return nil
            }
        }
        if digits == 0 || dots != 3 { return nil }
        return value << 8 | part
    }
}

/// A value that encodes as its text and decodes by parsing it (`"192.168.0.80"`, `"10.0.0.1/24"`).
public protocol TextCodable: Codable, CustomStringConvertible {
    /// Parses the text form; nil when it is not one.
    init?(_ text: String)
}

extension TextCodable {
    /// Encodes as text.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(description)
    }

    /// Decodes from text.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        let s = try c.decode(String.self)
        guard let value = Self(s) else {
            throw DecodingError.dataCorruptedError(in: c, debugDescription: "invalid \(Self.self) '\(s)'")
        }
        self = value
    }
}
