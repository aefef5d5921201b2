// VRRPv2 inside an IP Authentication Header (`auth_type AH`), as keepalived sends and checks it (RFC 2338 §5.3.6.3,
// RFC 2402 AH with the RFC 2403 HMAC-MD5-96 integrity check).
//
//   IPv4 header (20, protocol 51) | next header 112 · payload length 4 · reserved (2) | SPI (4) | sequence (4) |
//   ICV (12) | VRRPv2 advert (auth type 2, auth data zero)
//
// The SPI is the sender's IPv4 address. The ICV is HMAC-MD5 keyed with `auth_pass` (8 bytes at most), truncated to
// 96 bits, over the whole datagram with the ICV itself zeroed and the IP header's mutable fields zeroed: TOS, flags
// and fragment offset, header checksum, and, for unicast only, the TTL (the identification is covered, so the sender
// chooses it: a zero would let the kernel fill it in after the ICV was computed). The sequence number is the
// anti-replay counter that `VRRPInstance` keeps. Verified against adverts captured from keepalived 2.2.7 (unit tests).
//
// Pure: building and checking bytes, no I/O. The HMAC itself is in VRRPAuthenticationHeader+HMAC.swift (swift-crypto),
// apart so that the fuzz target can build these files with swiftc alone.

import Vocabulary

/// The Authentication Header of a received VRRPv2 datagram, with what its check needs.
public struct VRRPAuthenticationHeader: Sendable, Hashable {
    /// IP protocol number of AH.
    public static let ipProtocol: UInt8 = 51
    /// AH with a 96-bit ICV: 12 bytes of fields and 12 of ICV.
    public static let length = 24
    /// The AH "payload length" field for that size (32-bit words minus 2).
    static let payloadLengthField: UInt8 = 4
    /// Bytes of the ICV (HMAC-MD5 truncated to 96 bits).
    static let icvLength = 12
    /// keepalived keys the HMAC with its 8-byte `auth_pass` buffer.
    static let keyLength = 8

    /// Security Parameter Index: keepalived's senders put their IPv4 source address in it.
    public var spi: UInt32
    /// The sender's sequence number.
    public var sequence: UInt32
    /// The whole datagram as received (IP header, AH, VRRP), needed to recompute the ICV.
    var datagram: [UInt8]
    /// Where the AH starts in `datagram` (the IP header length).
    var offset: Int

    /// Reads the AH that follows the IPv4 header in `datagram` (`ihl` bytes). Returns nil when the datagram is too
    /// short, the AH is not of the 24-byte HMAC-MD5-96 form, or it carries something other than VRRP.
    static func parse(datagram: [UInt8], ihl: Int) -> VRRPAuthenticationHeader? {
        guard ihl >= 20, datagram.count >= ihl + length,
              datagram[ihl] == VRRPAdvertisement.ipProtocol, datagram[ihl + 1] == payloadLengthField else { return nil }
        return VRRPAuthenticationHeader(spi: word(datagram, ihl + 4), sequence: word(datagram, ihl + 8),
                                        datagram: datagram, offset: ihl)
    }

    /// Whether the ICV is the one `key` gives. `unicast`: the TTL is a mutable field (keepalived's rule).
    public func verifies(key: [UInt8], unicast: Bool) -> Bool {
        let start = offset + 12
        guard datagram.count >= start + Self.icvLength else { return false }
        let received = datagram[start..<start + Self.icvLength]
        let expected = Self.icv(Self.masked(datagram, headerLength: offset, unicast: unicast), key: key)
        // Constant time: a difference is not revealed by when the comparison stops.
        var difference: UInt8 = 0
        for (a, b) in zip(received, expected) { difference |= a ^ b }
        return difference == 0
    }

    /// The whole IPv4 datagram carrying `vrrp` (an encoded VRRPv2 advert with auth type 2) in an AH, ready for a raw
    /// socket with IP_HDRINCL. `identification` must not be zero (the kernel would replace it after the ICV was
    /// computed); zero is sent as 1.
    public static func seal(vrrp: [UInt8], source: IPAddress, destination: IPAddress, ttl: UInt8,
                            identification: UInt16, sequence: UInt32, key: [UInt8], unicast: Bool) -> [UInt8] {
        let total = 20 + length + vrrp.count
        let id = identification == 0 ? 1 : identification
        var out: [UInt8] = [0x45, 0xc0, UInt8(total >> 8 & 0xff), UInt8(total & 0xff),
                            UInt8(id >> 8), UInt8(id & 0xff), 0, 0, ttl, ipProtocol, 0, 0]
        out += source.bytes.prefix(4) + destination.bytes.prefix(4)
        let spi = source.bytes.prefix(4)
        out += [VRRPAdvertisement.ipProtocol, payloadLengthField, 0, 0] + spi
        out += [UInt8(sequence >> 24), UInt8(sequence >> 16 & 0xff), UInt8(sequence >> 8 & 0xff), UInt8(sequence & 0xff)]
        out += [UInt8](repeating: 0, count: icvLength)
        out += vrrp
        let icv = icv(masked(out, headerLength: 20, unicast: unicast), key: key)
        out.replaceSubrange(32..<32 + icvLength, with: icv)
        let sum = VRRPAdvertisement.checksum(Array(out[0..<20]))
        out[10] = UInt8(sum >> 8)
        out[11] = UInt8(sum & 0xff)
        return out
    }

    /// The datagram with the fields the ICV does not cover zeroed.
    private static func masked(_ datagram: [UInt8], headerLength: Int, unicast: Bool) -> [UInt8] {
        var b = datagram
        b[1] = 0                      // TOS
        b[6] = 0; b[7] = 0            // flags, fragment offset
        b[10] = 0; b[11] = 0          // header checksum
        if unicast { b[8] = 0 }       // TTL
        let icvStart = headerLength + 12
        for i in icvStart..<min(b.count, icvStart + icvLength) { b[i] = 0 }
        return b
    }

    private static func word(_ b: [UInt8], _ i: Int) -> UInt32 {
        UInt32(b[i]) << 24 | UInt32(b[i + 1]) << 16 | UInt32(b[i + 2]) << 8 | UInt32(b[i + 3])
    }
}
