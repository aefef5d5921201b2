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

    /// Network-order bytes: 4 for IPv4, 16 for IPv6.
    public let bytes: [UInt8]

    /// The family, from the byte count.
    public var family: Family { bytes.count == 4 ? .inet : .inet6 }

    /// Parses dotted IPv4 or RFC 4291 IPv6 text; nil when it is neither.
    public init?(_ text: String) {
        guard !text.isEmpty, text.utf8.count < 64 else { return nil }
        var v4 = in_addr()
        if inet_pton(AF_INET, text, &v4) == 1 {
            bytes = withUnsafeBytes(of: &v4) { Array($0) }
            return
        }
        var v6 = in6_addr()
        if inet_pton(AF_INET6, text, &v6) == 1 {
            bytes = withUnsafeBytes(of: &v6) { Array($0) }
            return
        }
        return nil
    }

    /// Creates an address from 4 or 16 bytes.
    public init?(bytes: [UInt8]) {
        guard bytes.count == 4 || bytes.count == 16 else { return nil }
        self.bytes = bytes
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
    public var maxPrefixLength: Int { bytes.count * 8 }

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
