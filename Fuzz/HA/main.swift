// libFuzzer target for the VRRP decoder: any bytes, as IPv4 or IPv6 payload, must decode or throw a
// VRRPDecodingError, never trap; whatever decodes must re-encode and decode to the same value, and feed
// a VRRPInstance without trapping. Built by `make fuzz-ha` with swiftc over the HA core files.

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

