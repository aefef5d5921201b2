// A received VRRP datagram split into the IP header fields the receive rules need and the VRRP payload. Pure: the
// transport hands the kernel's bytes to `parseIPv4`; IPv6 packets are built from `recvmsg`'s ancillary data.

import Vocabulary

/// One received VRRP packet with the IP header fields the receive rules need.
public struct VRRPReceivedPacket: Sendable, Hashable {
    /// IP source address.
    public var source: IPAddress
    /// IP destination address (multicast group or our unicast address).
    public var destination: IPAddress
    /// IPv4 TTL or IPv6 hop limit.
    public var ttl: UInt8
    /// The VRRP payload (after the IP header, and after the AH when there is one).
    public var payload: [UInt8]
    /// The IP Authentication Header the advert came in (IPv4, `auth_type AH`), nil for a plain VRRP datagram.
    public var authenticationHeader: VRRPAuthenticationHeader?
    /// The wall clock when the packet was read (`auth_hmac`'s freshness window); nil when not known.
    public var wallTime: WallTime?

    /// Creates a packet value.
    public init(source: IPAddress, destination: IPAddress, ttl: UInt8, payload: [UInt8],
                authenticationHeader: VRRPAuthenticationHeader? = nil) {
        self.source = source
        self.destination = destination
        self.ttl = ttl
        self.payload = payload
        self.authenticationHeader = authenticationHeader
    }

    /// Splits a raw IPv4 datagram (as an IPv4 raw socket returns it) into header fields and payload: protocol 112,
    /// or protocol 51 (AH) carrying VRRP. Returns nil for anything else and for a datagram too short for its headers.
    public static func parseIPv4(_ bytes: [UInt8]) -> VRRPReceivedPacket? {
        guard bytes.count >= 20, bytes[0] >> 4 == 4 else { return nil }
        let ihl = Int(bytes[0] & 0x0f) * 4
        let total = Int(bytes[2]) << 8 | Int(bytes[3])
        guard ihl >= 20, bytes.count >= ihl else { return nil }
        let end = min(bytes.count, max(ihl, total))
        guard let src = IPAddress(bytes: bytes[12..<16]), let dst = IPAddress(bytes: bytes[16..<20]) else { return nil }
        switch bytes[9] {
        case VRRPAdvertisement.ipProtocol:
            return VRRPReceivedPacket(source: src, destination: dst, ttl: bytes[8], payload: Array(bytes[ihl..<end]))
        case VRRPAuthenticationHeader.ipProtocol:
            let datagram = Array(bytes[0..<end])
            guard let ah = VRRPAuthenticationHeader.parse(datagram: datagram, ihl: ihl) else { return nil }
            return VRRPReceivedPacket(source: src, destination: dst, ttl: bytes[8],
                                      payload: Array(datagram[(ihl + VRRPAuthenticationHeader.length)...]),
                                      authenticationHeader: ah)
        default:
            return nil
        }
    }
}
