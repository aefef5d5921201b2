import Testing
import Vocabulary
@testable import HA

private let src4 = IPAddress("192.168.1.1")!
private let dst4 = IPAddress("224.0.0.18")!
private let src6 = IPAddress("fe80::1")!
private let dst6 = IPAddress("ff02::12")!

@Suite("VRRP advertisement codec")
struct VRRPAdvertisementTests {
    @Test("v2 with PASS auth round-trips")
    func v2RoundTrip() throws {
        let ad = VRRPAdvertisement(version: .v2, vrid: 51, priority: 100, intervalCentiseconds: 100,
                                   addresses: [IPAddress("10.0.0.100")!, IPAddress("10.0.0.101")!],
                                   authentication: .password("secret"))
        let bytes = ad.encode(source: src4, destination: dst4)
        #expect(bytes.count == 8 + 8 + 8)
        #expect(try VRRPAdvertisement.decode(bytes, source: src4, destination: dst4) == ad)
    }

    @Test("v3 IPv4 round-trips with pseudo-header checksum")
    func v3v4RoundTrip() throws {
        let ad = VRRPAdvertisement(version: .v3, vrid: 7, priority: 200, intervalCentiseconds: 10,
                                   addresses: [IPAddress("10.0.0.100")!])
        let bytes = ad.encode(source: src4, destination: dst4)
        #expect(try VRRPAdvertisement.decode(bytes, source: src4, destination: dst4) == ad)
    }

    @Test("v3 IPv6 round-trips")
    func v3v6RoundTrip() throws {
        let ad = VRRPAdvertisement(version: .v3, vrid: 9, priority: 150, intervalCentiseconds: 100,
                                   addresses: [IPAddress("fe80::100")!, IPAddress("2001:db8::100")!])
        let bytes = ad.encode(source: src6, destination: dst6)
        #expect(bytes.count == 8 + 32)
        #expect(try VRRPAdvertisement.decode(bytes, source: src6, destination: dst6) == ad)
    }

    @Test("v2 encoding matches hand-computed bytes and checksum")
    func v2GoldenBytes() {
        // ver 2 type 1, VRID 1, prio 100, 1 address, auth 0, interval 1, checksum, 192.168.0.1, 8 zero bytes.
        // Sum of words: 0x2101 + 0x6401 + 0x0001 + 0xc0a8 + 0x0001 = 0x145ac → 0x45ad → ~ = 0xba52.
        let ad = VRRPAdvertisement(version: .v2, vrid: 1, priority: 100, intervalCentiseconds: 100,
                                   addresses: [IPAddress("192.168.0.1")!])
        let bytes = ad.encode(source: src4, destination: dst4)
        #expect(bytes == [0x21, 0x01, 0x64, 0x01, 0x00, 0x01, 0xba, 0x52, 192, 168, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0])
    }

    @Test("v3 IPv4 checksum covers the pseudo-header")
    func v3PseudoHeader() {
        let ad = VRRPAdvertisement(version: .v3, vrid: 1, priority: 100, intervalCentiseconds: 100,
                                   addresses: [IPAddress("192.168.0.1")!])
        let bytes = ad.encode(source: src4, destination: dst4)
        // Pseudo-header words: c0a8 0101 e000 0012 0070 000c; payload: 3101 6401 0064 0000 c0a8 0001.
        let words: [UInt32] = [0xc0a8, 0x0101, 0xe000, 0x0012, 0x0070, 0x000c,
                               0x3101, 0x6401, 0x0064, 0x0000, 0xc0a8, 0x0001]
        var sum = words.reduce(0, +)
        while sum >> 16 != 0 { sum = (sum & 0xffff) + (sum >> 16) }
        let expected = ~UInt16(sum)
        #expect(UInt16(bytes[6]) << 8 | UInt16(bytes[7]) == expected)
        // And the same packet claimed from another source fails to verify.
        #expect(throws: VRRPDecodingError.badChecksum) {
            try VRRPAdvertisement.decode(bytes, source: IPAddress("192.168.1.2")!, destination: dst4)
        }
    }

    @Test("Internet checksum of RFC 1071 example")
    func rfc1071Example() {
        // RFC 1071 §3: bytes 00 01 f2 03 f4 f5 f6 f7 sum to 0xddf2 (one's complement sum), checksum 0x220d.
        #expect(VRRPAdvertisement.checksum([0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7]) == 0x220d)
    }

    private func valid2() -> [UInt8] {
        VRRPAdvertisement(version: .v2, vrid: 1, priority: 100, intervalCentiseconds: 100,
                          addresses: [IPAddress("192.168.0.1")!]).encode(source: src4, destination: dst4)
    }

    private func refreshV2Checksum(_ b: inout [UInt8]) {
        b[6] = 0; b[7] = 0
        let c = VRRPAdvertisement.checksum(b)
        b[6] = UInt8(c >> 8); b[7] = UInt8(c & 0xff)
    }

    @Test("Truncated header is a typed error", arguments: [0, 1, 7])
    func truncated(length: Int) {
        #expect(throws: VRRPDecodingError.truncated(length: length)) {
            try VRRPAdvertisement.decode(valid2().prefix(length), source: src4, destination: dst4)
        }
    }

    @Test("Unknown version is rejected")
    func badVersion() {
        var b = valid2(); b[0] = 0x41; refreshV2Checksum(&b)
        #expect(throws: VRRPDecodingError.unsupportedVersion(4)) {
            try VRRPAdvertisement.decode(b, source: src4, destination: dst4)
        }
    }

    @Test("Unknown type is rejected")
    func badType() {
        var b = valid2(); b[0] = 0x22; refreshV2Checksum(&b)
        #expect(throws: VRRPDecodingError.unknownType(2)) {
            try VRRPAdvertisement.decode(b, source: src4, destination: dst4)
        }
    }

    @Test("Address count larger than the payload is a length mismatch")
    func countTooLarge() {
        var b = valid2(); b[3] = 3; refreshV2Checksum(&b)
        #expect(throws: VRRPDecodingError.lengthMismatch(expected: 28, actual: 20)) {
            try VRRPAdvertisement.decode(b, source: src4, destination: dst4)
        }
    }

    @Test("Zero addresses is rejected")
    func zeroCount() {
        var b = valid2(); b[3] = 0; refreshV2Checksum(&b)
        #expect(throws: VRRPDecodingError.noAddresses) {
            try VRRPAdvertisement.decode(b, source: src4, destination: dst4)
        }
    }

    @Test("Corrupted byte fails the checksum")
    func corrupted() {
        var b = valid2(); b[2] ^= 0x01
        #expect(throws: VRRPDecodingError.badChecksum) {
            try VRRPAdvertisement.decode(b, source: src4, destination: dst4)
        }
    }

    @Test("Unknown v2 auth type is rejected")
    func badAuthType() {
        var b = valid2(); b[4] = 9; refreshV2Checksum(&b)
        #expect(throws: VRRPDecodingError.unknownAuthenticationType(9)) {
            try VRRPAdvertisement.decode(b, source: src4, destination: dst4)
        }
    }

    @Test("Zero interval is rejected")
    func zeroInterval() {
        var b = valid2(); b[5] = 0; refreshV2Checksum(&b)
        #expect(throws: VRRPDecodingError.zeroInterval) {
            try VRRPAdvertisement.decode(b, source: src4, destination: dst4)
        }
    }

    @Test("v2 over IPv6 is rejected")
    func v2OverIPv6() {
        #expect(throws: VRRPDecodingError.versionFamilyMismatch) {
            try VRRPAdvertisement.decode(valid2(), source: src6, destination: dst6)
        }
    }

    @Test("AH authentication decodes as .ah")
    func ahDecodes() throws {
        var b = valid2(); b[4] = 2; refreshV2Checksum(&b)
        #expect(try VRRPAdvertisement.decode(b, source: src4, destination: dst4).authentication == .ah)
    }

    @Test("Every prefix and every single-byte corruption decodes or throws, never traps")
    func totalDecoding() {
        let base = valid2()
        for n in 0...base.count { _ = try? VRRPAdvertisement.decode(base.prefix(n), source: src4, destination: dst4) }
        for i in base.indices {
            for v in [UInt8(0), 0xff, 0x7f] {
                var b = base; b[i] = v
                _ = try? VRRPAdvertisement.decode(b, source: src4, destination: dst4)
            }
        }
    }
}
