// libFuzzer target for the VRRP decoder: any bytes, as IPv4 or IPv6 payload, must decode or throw a
// VRRPDecodingError, never trap; whatever decodes must re-encode and decode to the same value, and feed
// a VRRPInstance without trapping. With bit 5 of the first byte set, the bytes are a whole IPv4 datagram (plain
// VRRP or in an Authentication Header) for the datagram parser and an `auth_type AH` instance. With bit 4 set, the
// payload goes to an `auth_hmac` instance: the trailer split off, the PDU decoded, the trailer verified (the HMAC
// replaced by Fuzz/HA/ICV.swift's keyed sum) twice, so replays are exercised too. Built by `make fuzz-ha` with
// swiftc over the HA core files.

import Glibc
import Vocabulary

let v4src = IPAddress.v4(0x0a09_0001)
let v4dst = IPAddress.v4(0xe000_0012)
let v6src = IPAddress.v6(0xfe80_0000_0000_0000, 1)
let v6dst = IPAddress.v6(0xff02_0000_0000_0000, 0x12)

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    guard let data, size > 0 else { return 0 }
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    // Bit 5 of the first byte: the rest is a whole IPv4 datagram as the raw socket returns it (plain or AH), fed to
    // an `auth_type AH` instance when it parses.
    if bytes[0] & 0x20 != 0 {
        datagram(Array(bytes.dropFirst()))
        return 0
    }
    if bytes[0] & 0x10 != 0 {
        hmac(Array(bytes.dropFirst()), ipv6: bytes[0] & 0x80 != 0)
        return 0
    }
    let ipv6 = bytes[0] & 0x80 != 0
    var payload = Array(bytes.dropFirst())
    let (src, dst) = ipv6 ? (v6src, v6dst) : (v4src, v4dst)
    // Bit 6 of the first byte: fix the checksum up first, so the fuzzer gets past it and explores the rest.
    if bytes[0] & 0x40 != 0, payload.count >= 8 {
        payload[6] = 0
        payload[7] = 0
        let covered = payload[0] >> 4 == 3
            ? VRRPAdvertisement.pseudoHeader(source: src, destination: dst, length: payload.count, ipv6: ipv6) + payload
            : payload
        let sum = VRRPAdvertisement.checksum(covered)
        payload[6] = UInt8(sum >> 8)
        payload[7] = UInt8(sum & 0xff)
    }
    if let ad = try? VRRPAdvertisement.decode(payload, source: src, destination: dst) {
        let again = try? VRRPAdvertisement.decode(ad.encode(source: src, destination: dst), source: src, destination: dst)
        if again != ad { fatalError("round trip changed the advertisement") }
        var instance = VRRPInstance(configuration: VRRPInstanceConfiguration(
            name: "fuzz", version: ad.version, vrid: ad.vrid, virtualAddresses: ad.addresses, primaryAddress: src))
        _ = instance.start(now: .zero)
        _ = instance.advertisementReceived(ad, from: src, now: Instant(nanoseconds: 1_000_000))
        _ = instance.deadlineReached(now: Instant(nanoseconds: 10_000_000_000))
    }
    return 0
}


func datagram(_ bytes: [UInt8]) {
    guard let p = VRRPReceivedPacket.parseIPv4(bytes),
          let ad = try? VRRPAdvertisement.decode(p.payload, source: p.source, destination: p.destination) else { return }
    var c = VRRPInstanceConfiguration(name: "fuzz", version: .v2, vrid: ad.vrid, virtualAddresses: ad.addresses,
                                      authentication: .ah, primaryAddress: v4src)
    c.authenticationHeaderKey = Array("fuzzkey".utf8)
    var instance = VRRPInstance(configuration: c)
    _ = instance.start(now: .zero)
    _ = instance.advertisementReceived(ad, from: p.source, ttl: p.ttl, authenticationHeader: p.authenticationHeader,
                                       now: Instant(nanoseconds: 1_000_000))
    _ = instance.deadlineReached(now: Instant(nanoseconds: 10_000_000_000))
    _ = instance.advertisementReceived(ad, from: p.source, ttl: p.ttl, authenticationHeader: p.authenticationHeader,
                                       now: Instant(nanoseconds: 11_000_000_000))
}

func hmac(_ payload: [UInt8], ipv6: Bool) {
    let (src, dst) = ipv6 ? (v6src, v6dst) : (v4src, v4dst)
    let split = VRRPAdvertisement.splitTrailer(payload, ipv6: ipv6)
    guard let ad = try? VRRPAdvertisement.decode(split.pdu, source: src, destination: dst, trailing: split.trailer ?? [])
    else { return }
    let key = [UInt8](repeating: 7, count: 32)
    let policy = VRRPAuthHMACPolicy(keys: [1: key, 2: key.reversed()], activeKey: 1, mode: .enforce)
    var c = VRRPInstanceConfiguration(name: "fuzz", version: ad.version, vrid: ad.vrid, virtualAddresses: ad.addresses,
                                      primaryAddress: src)
    c.authHMAC = policy
    var instance = VRRPInstance(configuration: c)
    _ = instance.start(now: .zero)
    let evidence = VRRPAuthHMACEvidence(pdu: split.pdu, trailer: split.trailer, wallTime: WallTime(seconds: 1_800_000_000))
    for t in [1, 2] {
        _ = instance.advertisementReceived(ad, from: src, authHMAC: evidence, now: Instant(nanoseconds: Int64(t) * 1_000_000))
    }
    _ = instance.deadlineReached(now: Instant(nanoseconds: 10_000_000_000))
    var signer = VRRPAuthHMACSigner(policy: policy)
    if let trailer = signer.trailer(pdu: split.pdu, version: ad.version, vrid: ad.vrid, source: src,
                                    now: WallTime(seconds: 1_800_000_000)) {
        var verifier = VRRPAuthHMACVerifier(policy: policy)
        var skew: Int?
        let verdict = verifier.verify(pdu: split.pdu, trailer: trailer, source: src, version: ad.version, vrid: ad.vrid,
                                      unicastPeers: [], now: WallTime(seconds: 1_800_000_000), skew: &skew)
        if verdict != nil { fatalError("our own signed advert was refused: \(String(describing: verdict))") }
    }
}
