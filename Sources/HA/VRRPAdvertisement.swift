// Wire format of VRRP advertisements (IP protocol 112).
//
// VRRPv2 (RFC 3768 §5.1), IPv4 only:
//   ver|type  VRID  priority  count | auth type  adver int (s)  checksum | addresses… | auth data (8)
// VRRPv3 (RFC 5798 §5.1), IPv4 and IPv6:
//   ver|type  VRID  priority  count | rsvd(4) max adver int (12 bits, centiseconds)  checksum | addresses…
//
// Decoding is total: every malformed input is a `VRRPDecodingError`, never a trap.

import Vocabulary

/// The protocol version carried in the advertisement's first nibble.
public enum VRRPVersion: UInt8, Sendable, Hashable, CustomStringConvertible {
    /// RFC 3768, IPv4 only, advert interval in whole seconds, optional PASS authentication.
    case v2 = 2
    /// RFC 5798, IPv4 and IPv6, advert interval in centiseconds, checksum over a pseudo-header.
    case v3 = 3

    public var description: String { "VRRPv\(rawValue)" }
}

/// VRRPv2 authentication (RFC 3768 §5.3.6). VRRPv3 has none.
public enum VRRPAuthentication: Sendable, Hashable {
    /// Type 0: no authentication; the 8 auth bytes are zero.
    case none
    /// Type 1: a clear-text password of up to 8 bytes, zero-padded on the wire.
    case password([UInt8])
    /// Type 2: the advert travels in an IP Authentication Header (`VRRPAuthenticationHeader`); its own auth data
    /// is zero. The key is in `VRRPInstanceConfiguration.authenticationHeaderKey`.
    case ah

    /// Builds a password authentication from text, truncated to 8 bytes as keepalived does.
    public static func password(_ text: String) -> VRRPAuthentication {
        .password(Array(Array(text.utf8).prefix(8)))
    }

    /// The 8 bytes of auth data for the wire.
    var wireData: [UInt8] {
        switch self {
        case .none, .ah: return [UInt8](repeating: 0, count: 8)
        case .password(let p): return Array(p.prefix(8)) + [UInt8](repeating: 0, count: max(0, 8 - p.count))
        }
    }

    var typeCode: UInt8 {
        switch self {
        case .none: return 0
        case .password: return 1
        case .ah: return 2
        }
    }
}

/// Why a received VRRP payload could not be decoded. Each case is counted by the receiver.
public enum VRRPDecodingError: Error, Sendable, Hashable {
    /// Fewer bytes than the fixed 8-byte header (or the advertised contents) need.
    case truncated(length: Int)
    /// The version nibble is neither 2 nor 3.
    case unsupportedVersion(UInt8)
    /// The type nibble is not 1 (ADVERTISEMENT).
    case unknownType(UInt8)
    /// VRRPv2 over IPv6 does not exist.
    case versionFamilyMismatch
    /// The length implied by the address count (and auth data) differs from the payload length.
    case lengthMismatch(expected: Int, actual: Int)
    /// The advertisement announces no addresses.
    case noAddresses
    /// The checksum does not verify.
    case badChecksum
    /// VRRPv2 authentication type other than 0, 1 or 2.
    case unknownAuthenticationType(UInt8)
    /// An advertisement interval of zero.
    case zeroInterval
}

/// One VRRP advertisement, either version.
public struct VRRPAdvertisement: Sendable, Hashable {
    /// The protocol version.
    public var version: VRRPVersion
    /// Virtual router identifier, 1…255.
    public var vrid: UInt8
    /// Sender's priority: 255 address owner, 0 "master is leaving", otherwise 1…254.
    public var priority: UInt8
    /// Advertisement interval in centiseconds (v2 carries whole seconds; decoding multiplies by 100).
    public var intervalCentiseconds: UInt16
    /// The virtual addresses, all of one family.
    public var addresses: [IPAddress]
    /// VRRPv2 authentication; always `.none` for v3.
    public var authentication: VRRPAuthentication
    /// With `.ah`: the sequence number of the Authentication Header the advert is sent in, chosen by the instance
    /// (its anti-replay counter). Not part of the VRRP payload: `encode` ignores it and `decode` leaves it nil.
    public var authenticationSequence: UInt32?

    /// Creates an advertisement value.
    public init(version: VRRPVersion, vrid: UInt8, priority: UInt8, intervalCentiseconds: UInt16,
                addresses: [IPAddress], authentication: VRRPAuthentication = .none) {
        self.version = version
        self.vrid = vrid
        self.priority = priority
        self.intervalCentiseconds = intervalCentiseconds
        self.addresses = addresses
        self.authentication = authentication
    }

    /// IP protocol number of VRRP.
    public static let ipProtocol: UInt8 = 112
    /// The IPv4 VRRP multicast group, 224.0.0.18 (RFC 3768 §5.2.2, RFC 5798 §5.1.1.2).
    public static let multicastV4 = IPAddress.v4(0xe000_0012)

    /// Encodes the VRRP payload (without IP header). `source` and `destination` are the IP
    /// header's addresses; VRRPv3 needs them for the pseudo-header checksum (RFC 5798 §5.2.8).
    /// `checksum` applies to VRRPv3 over IPv4 only (see `VRRPChecksumRule`).
    public func encode(source: IPAddress, destination: IPAddress, checksum rule: VRRPChecksumRule = .rfc) -> [UInt8] {
        let ipv6 = addresses.first?.isIPv6 ?? source.isIPv6
        var out: [UInt8] = [version.rawValue << 4 | 1, vrid, priority, UInt8(min(addresses.count, 255))]
        switch version {
        case .v2:
            out.append(authentication.typeCode)
            out.append(UInt8(min(255, max(1, Int(intervalCentiseconds) / 100))))
        case .v3:
            let interval = intervalCentiseconds & 0x0fff
            out.append(UInt8(interval >> 8))
            out.append(UInt8(interval & 0xff))
        }
        out += [0, 0]
        for address in addresses.prefix(255) { out += address.bytes }
        if version == .v2 { out += authentication.wireData }
        let sum: UInt16
        switch version {
        case .v2: sum = Self.checksum(out)
        case .v3:
            switch (rule, ipv6) {
            case (.withoutPseudoHeader, false): sum = Self.checksum(out)
            case (.multicastGroup(let group), false):
                sum = Self.checksum(Self.pseudoHeader(source: source, destination: group, length: out.count, ipv6: false) + out)
            default:
                sum = Self.checksum(Self.pseudoHeader(source: source, destination: destination,
                                                      length: out.count, ipv6: ipv6) + out)
            }
        }
        out[6] = UInt8(sum >> 8)
        out[7] = UInt8(sum & 0xff)
        return out
    }

    /// Decodes a VRRP payload (the bytes after the IP header). `source`/`destination` are the IP
    /// header's addresses (needed for the v3 checksum); their family selects the address size. `checksum` applies
    /// to VRRPv3 over IPv4 only: `.withoutPseudoHeader` accepts the RFC checksum too (a peer without the option).
    /// `trailing`: bytes that followed the PDU in the datagram (an `auth_hmac` trailer): the IPv6 checksum, which the
    /// sender's kernel computes over the whole payload, covers them; the IPv4 one does not.
    public static func decode<C: Collection>(_ payload: C, source: IPAddress, destination: IPAddress,
                                             checksum rule: VRRPChecksumRule = .rfc, trailing: [UInt8] = [])
        throws(VRRPDecodingError) -> VRRPAdvertisement where C.Element == UInt8
    {
        let b = Array(payload)
        guard b.count >= 8 else { throw .truncated(length: b.count) }
        guard let version = VRRPVersion(rawValue: b[0] >> 4) else { throw .unsupportedVersion(b[0] >> 4) }
        guard b[0] & 0x0f == 1 else { throw .unknownType(b[0] & 0x0f) }
        let ipv6 = source.isIPv6
        if version == .v2 && ipv6 { throw .versionFamilyMismatch }
        let count = Int(b[3])
        guard count > 0 else { throw .noAddresses }
        let size = ipv6 ? 16 : 4
        let expected = 8 + count * size + (version == .v2 ? 8 : 0)
        guard b.count == expected else { throw .lengthMismatch(expected: expected, actual: b.count) }
        switch version {
        case .v2:
            guard checksum(b) == 0 else { throw .badChecksum }
        case .v3:
            let covered = ipv6 ? b + trailing : b
            let rfc = {
                checksum(pseudoHeader(source: source, destination: destination, length: covered.count, ipv6: ipv6) + covered) == 0
            }
            switch (rule, ipv6) {
            case (.withoutPseudoHeader, false):
                guard checksum(b) == 0 || rfc() else { throw .badChecksum }
            case (.multicastGroup(let group), false):
                guard checksum(pseudoHeader(source: source, destination: group, length: b.count, ipv6: false) + b) == 0
                else { throw .badChecksum }
            default:
                guard rfc() else { throw .badChecksum }
            }
        }
        var addresses: [IPAddress] = []
        addresses.reserveCapacity(count)
        for i in 0..<count {
            let start = 8 + i * size
            guard let a = IPAddress(bytes: b[start..<start + size]) else { throw .truncated(length: b.count) }
            addresses.append(a)
        }
        let interval: UInt16
        var auth = VRRPAuthentication.none
        switch version {
        case .v2:
            interval = UInt16(b[5]) * 100
            let data = Array(b[(expected - 8)...])
            switch b[4] {
            case 0: auth = .none
            case 1:
                let end = data.firstIndex(of: 0) ?? 8
                auth = .password(Array(data[..<end]))
            case 2: auth = .ah
            default: throw .unknownAuthenticationType(b[4])
            }
        case .v3:
            interval = (UInt16(b[4]) << 8 | UInt16(b[5])) & 0x0fff
        }
        guard interval > 0 else { throw .zeroInterval }
        return VRRPAdvertisement(version: version, vrid: b[1], priority: b[2], intervalCentiseconds: interval,
                                 addresses: addresses, authentication: auth)
    }

    /// RFC 5798 §5.2.8: IPv4 uses the RFC 768 pseudo-header, IPv6 the RFC 2460 §8.1 one.
    /// Splits a received payload into the PDU and an `auth_hmac` trailer: the trailer is there when the payload is
    /// exactly 28 bytes longer than the PDU its header describes (keepalived's detection; padding never reaches 28).
    public static func splitTrailer(_ payload: [UInt8], ipv6: Bool) -> (pdu: [UInt8], trailer: [UInt8]?) {
        guard payload.count >= 8 else { return (payload, nil) }
        let expected = 8 + Int(payload[3]) * (ipv6 ? 16 : 4) + (payload[0] >> 4 == 2 ? 8 : 0)
        guard payload.count == expected + VRRPAuthHMACTrailer.length else { return (payload, nil) }
        return (Array(payload[..<expected]), Array(payload[expected...]))
    }

    static func pseudoHeader(source: IPAddress, destination: IPAddress, length: Int, ipv6: Bool) -> [UInt8] {
        if ipv6 {
            return source.bytes + destination.bytes
                + [UInt8(length >> 24 & 0xff), UInt8(length >> 16 & 0xff), UInt8(length >> 8 & 0xff), UInt8(length & 0xff)]
                + [0, 0, 0, ipProtocol]
        }
        return source.bytes + destination.bytes + [0, ipProtocol, UInt8(length >> 8 & 0xff), UInt8(length & 0xff)]
    }

    /// The Internet checksum (RFC 1071): one's complement of the one's complement sum of 16-bit words.
    /// Over data whose checksum field is already filled in, the result is 0 when it verifies.
    public static func checksum(_ data: [UInt8]) -> UInt16 {
        var sum: UInt32 = 0
        var i = 0
        while i + 1 < data.count {
            sum += UInt32(data[i]) << 8 | UInt32(data[i + 1])
            i += 2
        }
        if i < data.count { sum += UInt32(data[i]) << 8 }
        while sum >> 16 != 0 { sum = (sum & 0xffff) + (sum >> 16) }
        return ~UInt16(sum)
    }
}

extension VRRPDecodingError: CustomStringConvertible {
    public var description: String {
        switch self {
        case .truncated(let n): return "truncated (\(n) bytes)"
        case .unsupportedVersion(let v): return "unsupported version \(v)"
        case .unknownType(let t): return "unknown type \(t)"
        case .versionFamilyMismatch: return "VRRPv2 over IPv6"
        case .lengthMismatch(let e, let a): return "length \(a), expected \(e) from the address count"
        case .noAddresses: return "no addresses"
        case .badChecksum: return "bad checksum"
        case .unknownAuthenticationType(let t): return "unknown authentication type \(t)"
        case .zeroInterval: return "zero advert interval"
        }
    }
}
