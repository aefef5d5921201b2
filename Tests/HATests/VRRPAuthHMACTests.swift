import Testing
import Vocabulary
@testable import HA

// Vectors computed outside Vigil (Python's hmac and hashlib): HMAC-SHA256 over the 20-byte pseudo-header, the PDU
// with its checksum zeroed, the trailer's first 12 bytes and 16 zero bytes, truncated to 16 bytes.
private let key32 = (0..<32).map { UInt8($0) }
private let v3PDU: [UInt8] = [0x31, 51, 100, 1, 0x00, 0x64, 0xab, 0xcd, 10, 0, 0, 100]
private let v3Sequence: UInt64 = 1_800_000_000 << 32 | 0x8000 << 16 | 7
private let sender = IPAddress("192.168.1.1")!
private let now0 = WallTime(seconds: 1_800_000_000, nanoseconds: 500_000_000)

private func hex(_ s: String) -> [UInt8] {
    stride(from: 0, to: s.count, by: 2).map { i in
        let a = s.index(s.startIndex, offsetBy: i)
        return UInt8(s[a...s.index(after: a)], radix: 16) ?? 0
    }
}

private func policy(_ keys: [UInt8: [UInt8]] = [1: key32], active: UInt8 = 1, mode: VRRPAuthHMACPolicy.Mode = .enforce,
                    timeBased: Bool = true, window: Int = 5) -> VRRPAuthHMACPolicy {
    VRRPAuthHMACPolicy(keys: keys, activeKey: active, mode: mode, timeBased: timeBased, timeWindow: window)
}

/// A signed v3 advert from `source`: the PDU and its trailer.
private func signed(_ signer: inout VRRPAuthHMACSigner, priority: UInt8 = 100, source: IPAddress = sender,
                    at t: WallTime = now0) -> (pdu: [UInt8], trailer: [UInt8]) {
    let ad = VRRPAdvertisement(version: .v3, vrid: 51, priority: priority, intervalCentiseconds: 100,
                               addresses: [IPAddress("10.0.0.100")!])
    let pdu = ad.encode(source: source, destination: VRRPAdvertisement.multicastV4)
    let trailer = signer.trailer(pdu: pdu, version: .v3, vrid: 51, source: source, now: t) ?? []
    return (pdu, trailer)
}

@Suite("auth_hmac (keepalived 2.4): trailer, sequence, verification")
struct VRRPAuthHMACTests {
    @Test("The HMAC of VRRPv3/IPv4, VRRPv2 and VRRPv3/IPv6 adverts is the one computed independently")
    func vectors() {
        let t4 = VRRPAuthHMACTrailer(keyID: 1, sequence: v3Sequence, mac: [])
        #expect(t4.expectedMAC(key: key32, pdu: v3PDU, version: .v3, vrid: 51, source: sender)
                == hex("fa277c8f0858cd8480295b6922d1659a"))
        let key2 = Array("0123456789abcdef0123456789abcdef0123456789".utf8)
        let v2PDU: [UInt8] = [0x21, 7, 200, 2, 0, 1, 0x12, 0x34, 10, 0, 0, 1, 10, 0, 0, 2] + [UInt8](repeating: 0, count: 8)
        let t2 = VRRPAuthHMACTrailer(keyID: 9, sequence: 0xffff_fff0 << 32 | 0xffff, mac: [])
        #expect(t2.expectedMAC(key: key2, pdu: v2PDU, version: .v2, vrid: 7, source: IPAddress("10.1.1.1")!)
                == hex("94a210cc844757f10ec47297c61f11fa"))
        let v6PDU: [UInt8] = [0x31, 9, 150, 1, 0x00, 0x64, 0, 0] + hex("fe800000000000000000000000000064")
        let t6 = VRRPAuthHMACTrailer(keyID: 255, sequence: 1_700_000_123 << 32 | 1 << 16, mac: [])
        #expect(t6.expectedMAC(key: [UInt8](repeating: 0xaa, count: 64), pdu: v6PDU, version: .v3, vrid: 9,
                               source: IPAddress("fe80::1")!) == hex("f927a9fa79d0b79d3c951a78220193c0"))
    }

    @Test("The checksum does not enter the HMAC; every other byte does")
    func checksumExcluded() {
        let t = VRRPAuthHMACTrailer(keyID: 1, sequence: v3Sequence, mac: [])
        var other = v3PDU
        other[6] = 0x12; other[7] = 0x34
        #expect(t.expectedMAC(key: key32, pdu: other, version: .v3, vrid: 51, source: sender)
                == t.expectedMAC(key: key32, pdu: v3PDU, version: .v3, vrid: 51, source: sender))
        var priority = v3PDU
        priority[2] = 101
        #expect(t.expectedMAC(key: key32, pdu: priority, version: .v3, vrid: 51, source: sender)
                != t.expectedMAC(key: key32, pdu: v3PDU, version: .v3, vrid: 51, source: sender))
        #expect(t.expectedMAC(key: key32, pdu: v3PDU, version: .v3, vrid: 51, source: IPAddress("192.168.1.2")!)
                != t.expectedMAC(key: key32, pdu: v3PDU, version: .v3, vrid: 51, source: sender))
    }

    @Test("The trailer's 28 bytes: scheme, key id, reserved, seconds, fraction, counter, HMAC")
    func trailerLayout() throws {
        let t = VRRPAuthHMACTrailer(keyID: 2, sequence: v3Sequence, mac: [UInt8](repeating: 0xee, count: 16))
        let b = t.bytes
        #expect(b.count == 28)
        #expect(Array(b[0..<12]) == [1, 2, 0, 0, 0x6b, 0x49, 0xd2, 0x00, 0x80, 0x00, 0x00, 0x07])
        #expect(VRRPAuthHMACTrailer(bytes: b) == t)
        #expect(VRRPAuthHMACTrailer(bytes: b.dropLast()) == nil)
        #expect(VRRPAuthHMACTrailer.clockSequence(now0) == 0x6b49_d200_8000_0000)
    }

    @Test("The sequence follows the clock, adds one when the clock has not moved, and restarts from a clock stepped back past the window")
    func sequence() {
        var s = VRRPAuthHMACSigner(policy: policy())
        let first = s.nextSequence(now: now0)
        #expect(first == 0x6b49_d200_8000_0000)
        #expect(s.nextSequence(now: now0) == first + 1)
        let later = WallTime(seconds: now0.seconds + 1)
        #expect(s.nextSequence(now: later) == VRRPAuthHMACTrailer.clockSequence(later))
        // Stepped back 3 s (inside the 5 s window): keeps growing from the last value.
        let back3 = WallTime(seconds: now0.seconds - 2)
        #expect(s.nextSequence(now: back3) == VRRPAuthHMACTrailer.clockSequence(later) + 1)
        // Stepped back 60 s: receivers refuse the old timeline anyway, so it restarts from the clock.
        let back60 = WallTime(seconds: now0.seconds - 59)
        #expect(s.nextSequence(now: back60) == VRRPAuthHMACTrailer.clockSequence(back60))
        var m = VRRPAuthHMACSigner(policy: policy(timeBased: false))
        _ = m.nextSequence(now: later)
        #expect(m.nextSequence(now: back60) == VRRPAuthHMACTrailer.clockSequence(later) + 1)
        var r = VRRPAuthHMACSigner(policy: policy(mode: .receiveOnly))
        #expect(r.trailer(pdu: v3PDU, version: .v3, vrid: 51, source: sender, now: now0) == nil)
    }

    @Test("A signed advert verifies once; the same or an older sequence is a replay, a later one passes")
    func replay() {
        var s = VRRPAuthHMACSigner(policy: policy())
        var v = VRRPAuthHMACVerifier(policy: policy())
        var skew: Int?
        let a = signed(&s)
        let b = signed(&s)
        #expect(v.verify(pdu: a.pdu, trailer: a.trailer, source: sender, version: .v3, vrid: 51, unicastPeers: [],
                         now: now0, skew: &skew) == nil)
        #expect(skew == 0)
        #expect(v.verify(pdu: a.pdu, trailer: a.trailer, source: sender, version: .v3, vrid: 51, unicastPeers: [],
                         now: now0, skew: &skew) == .authHMAC(.replayed))
        #expect(v.verify(pdu: b.pdu, trailer: b.trailer, source: sender, version: .v3, vrid: 51, unicastPeers: [],
                         now: now0, skew: &skew) == nil)
        #expect(v.verify(pdu: a.pdu, trailer: a.trailer, source: sender, version: .v3, vrid: 51, unicastPeers: [],
                         now: now0, skew: &skew) == .authHMAC(.replayed))
    }

    @Test("Stale, unknown key, invalid HMAC, malformed, missing: each refused for its reason")
    func failures() {
        var s = VRRPAuthHMACSigner(policy: policy())
        var skew: Int?
        let a = signed(&s)
        var v = VRRPAuthHMACVerifier(policy: policy())
        let late = WallTime(seconds: now0.seconds + 6)
        #expect(v.verify(pdu: a.pdu, trailer: a.trailer, source: sender, version: .v3, vrid: 51, unicastPeers: [],
                         now: late, skew: &skew) == .authHMAC(.stale))
        #expect(skew == -6)
        var monotonic = VRRPAuthHMACVerifier(policy: policy(timeBased: false))
        #expect(monotonic.verify(pdu: a.pdu, trailer: a.trailer, source: sender, version: .v3, vrid: 51,
                                 unicastPeers: [], now: late, skew: &skew) == nil)
        var otherKeys = VRRPAuthHMACVerifier(policy: policy([2: key32], active: 2))
        #expect(otherKeys.verify(pdu: a.pdu, trailer: a.trailer, source: sender, version: .v3, vrid: 51,
                                 unicastPeers: [], now: now0, skew: &skew) == .authHMAC(.unknownKey))
        var wrongKey = VRRPAuthHMACVerifier(policy: policy([1: key32.reversed()]))
        #expect(wrongKey.verify(pdu: a.pdu, trailer: a.trailer, source: sender, version: .v3, vrid: 51,
                                unicastPeers: [], now: now0, skew: &skew) == .authHMAC(.invalid))
        var tampered = a.pdu
        tampered[2] = 254
        #expect(v.verify(pdu: tampered, trailer: a.trailer, source: sender, version: .v3, vrid: 51, unicastPeers: [],
                         now: now0, skew: &skew) == .authHMAC(.invalid))
        var scheme = a.trailer
        scheme[0] = 2
        #expect(v.verify(pdu: a.pdu, trailer: scheme, source: sender, version: .v3, vrid: 51, unicastPeers: [],
                         now: now0, skew: &skew) == .authHMAC(.malformed))
        var reserved = a.trailer
        reserved[3] = 1
        #expect(v.verify(pdu: a.pdu, trailer: reserved, source: sender, version: .v3, vrid: 51, unicastPeers: [],
                         now: now0, skew: &skew) == .authHMAC(.malformed))
        #expect(v.verify(pdu: a.pdu, trailer: nil, source: sender, version: .v3, vrid: 51, unicastPeers: [],
                         now: now0, skew: &skew) == .authHMAC(.missing))
        // The forged and refused ones moved no mark: the genuine advert still passes.
        #expect(v.verify(pdu: a.pdu, trailer: a.trailer, source: sender, version: .v3, vrid: 51, unicastPeers: [],
                         now: now0, skew: &skew) == nil)
    }

    @Test("permissive and receive-only accept adverts without a trailer and still verify one that is present")
    func migrationModes() {
        var s = VRRPAuthHMACSigner(policy: policy())
        var skew: Int?
        let a = signed(&s)
        for mode in [VRRPAuthHMACPolicy.Mode.permissive, .receiveOnly] {
            var v = VRRPAuthHMACVerifier(policy: policy(mode: mode))
            #expect(v.verify(pdu: a.pdu, trailer: nil, source: sender, version: .v3, vrid: 51, unicastPeers: [],
                             now: now0, skew: &skew) == nil)
            var bad = a.trailer
            bad[27] ^= 1
            #expect(v.verify(pdu: a.pdu, trailer: bad, source: sender, version: .v3, vrid: 51, unicastPeers: [],
                             now: now0, skew: &skew) == .authHMAC(.invalid))
        }
    }

    @Test("Unicast: a sender that is not a peer is refused; each peer has its own mark")
    func unicast() {
        let peerA = IPAddress("10.0.0.1")!, peerB = IPAddress("10.0.0.2")!
        var sa = VRRPAuthHMACSigner(policy: policy()), sb = VRRPAuthHMACSigner(policy: policy())
        var v = VRRPAuthHMACVerifier(policy: policy())
        var skew: Int?
        let fromA = signed(&sa, source: peerA), fromB = signed(&sb, source: peerB)
        let stranger = signed(&sa, source: IPAddress("10.0.0.9")!)
        #expect(v.verify(pdu: stranger.pdu, trailer: stranger.trailer, source: IPAddress("10.0.0.9")!, version: .v3,
                         vrid: 51, unicastPeers: [peerA, peerB], now: now0, skew: &skew) == .unicastSourceNotPeer)
        #expect(v.verify(pdu: fromA.pdu, trailer: fromA.trailer, source: peerA, version: .v3, vrid: 51,
                         unicastPeers: [peerA, peerB], now: now0, skew: &skew) == nil)
        #expect(v.verify(pdu: fromB.pdu, trailer: fromB.trailer, source: peerB, version: .v3, vrid: 51,
                         unicastPeers: [peerA, peerB], now: now0, skew: &skew) == nil)
        #expect(v.verify(pdu: fromA.pdu, trailer: fromA.trailer, source: peerA, version: .v3, vrid: 51,
                         unicastPeers: [peerA, peerB], now: now0, skew: &skew) == .authHMAC(.replayed))
    }

    @Test("Multicast: four senders are remembered; a fifth takes the place of the least recently heard")
    func multicastSenders() {
        var v = VRRPAuthHMACVerifier(policy: policy())
        var skew: Int?
        var captured: [(IPAddress, [UInt8], [UInt8])] = []
        for i in 1...5 {
            let source = IPAddress("10.0.0.\(i)")!
            var s = VRRPAuthHMACSigner(policy: policy())
            let a = signed(&s, source: source)
            captured.append((source, a.pdu, a.trailer))
            #expect(v.verify(pdu: a.pdu, trailer: a.trailer, source: source, version: .v3, vrid: 51, unicastPeers: [],
                             now: now0, skew: &skew) == nil)
        }
        // Senders 2…5 are remembered: their replays are refused. Sender 1 was given up for sender 5.
        for (source, pdu, trailer) in captured[1...] {
            #expect(v.verify(pdu: pdu, trailer: trailer, source: source, version: .v3, vrid: 51, unicastPeers: [],
                             now: now0, skew: &skew) == .authHMAC(.replayed))
        }
        let (source1, pdu1, trailer1) = captured[0]
        #expect(v.verify(pdu: pdu1, trailer: trailer1, source: source1, version: .v3, vrid: 51, unicastPeers: [],
                         now: now0, skew: &skew) == nil)
    }

    @Test("A mark older than the window is forgotten: a sender whose clock was stepped back is heard again")
    func markExpiry() {
        var v = VRRPAuthHMACVerifier(policy: policy())
        var skew: Int?
        var s = VRRPAuthHMACSigner(policy: policy())
        let a = signed(&s, at: WallTime(seconds: now0.seconds + 4))
        #expect(v.verify(pdu: a.pdu, trailer: a.trailer, source: sender, version: .v3, vrid: 51, unicastPeers: [],
                         now: WallTime(seconds: now0.seconds + 4), skew: &skew) == nil)
        // The sender restarts with its clock 3 s behind the mark, read 10 s later: the mark (14 s old) expired.
        var restarted = VRRPAuthHMACSigner(policy: policy())
        let b = signed(&restarted, at: WallTime(seconds: now0.seconds + 11))
        #expect(v.verify(pdu: b.pdu, trailer: b.trailer, source: sender, version: .v3, vrid: 51, unicastPeers: [],
                         now: WallTime(seconds: now0.seconds + 14), skew: &skew) == nil)
    }

    @Test("The router splits the trailer off, decodes the PDU and follows a signed MASTER; a forged advert is counted")
    func router() {
        var spec = routerSpec(priority: 100)
        spec.configuration.authHMAC = policy()
        var (router, _) = startedRouter(VRRPRuntimeConfiguration(instances: [spec]))
        var s = VRRPAuthHMACSigner(policy: policy())
        let ad = routerAdvert(spec, 200)
        let pdu = ad.encode(source: peer, destination: VRRPAdvertisement.multicastV4)
        let trailer = s.trailer(pdu: pdu, version: .v2, vrid: 51, source: peer, now: now0) ?? []
        var good = VRRPReceivedPacket(source: peer, destination: VRRPAdvertisement.multicastV4, ttl: 255,
                                      payload: pdu + trailer)
        good.wallTime = now0
        _ = router.packetReceived(good, instance: "VI_1", now: at(500))
        #expect(router.counters["VI_1"]?.accepted == 1)
        var forged = good
        forged.payload[2] = 254
        forged.payload[6] = 0; forged.payload[7] = 0
        let sum = VRRPAdvertisement.checksum(Array(forged.payload[0..<pdu.count]))
        forged.payload[6] = UInt8(sum >> 8); forged.payload[7] = UInt8(sum & 0xff)
        let out = router.packetReceived(forged, instance: "VI_1", now: at(600))
        #expect(router.counters["VI_1"]?.discarded[.authHMAC(.invalid)] == 1)
        #expect(out.contains { if case .authHMACFailed(_, _, .invalid, _) = $0 { true } else { false } })
        var plain = VRRPReceivedPacket(source: peer, destination: VRRPAdvertisement.multicastV4, ttl: 255, payload: pdu)
        plain.wallTime = now0
        _ = router.packetReceived(plain, instance: "VI_1", now: at(700))
        #expect(router.counters["VI_1"]?.discarded[.authHMAC(.missing)] == 1)
    }

    @Test("An accepted advert past half the window: one clock-skew report per source, none inside it")
    func clockSkew() {
        var spec = routerSpec(priority: 100)
        spec.configuration.authHMAC = policy(window: 10)
        var (router, _) = startedRouter(VRRPRuntimeConfiguration(instances: [spec]))
        func signedPacket(senderAt: Int64, readAt: Int64, _ s: inout VRRPAuthHMACSigner) -> VRRPReceivedPacket {
            let pdu = routerAdvert(spec, 200).encode(source: peer, destination: VRRPAdvertisement.multicastV4)
            let t = s.trailer(pdu: pdu, version: .v2, vrid: 51, source: peer, now: WallTime(seconds: senderAt)) ?? []
            var p = VRRPReceivedPacket(source: peer, destination: VRRPAdvertisement.multicastV4, ttl: 255, payload: pdu + t)
            p.wallTime = WallTime(seconds: readAt)
            return p
        }
        var s = VRRPAuthHMACSigner(policy: policy(window: 10))
        func skews(_ out: [VRRPRouterAction]) -> [Int] {
            out.compactMap { if case .authHMACClockSkew(_, _, let skew, 10) = $0 { skew } else { nil } }
        }
        #expect(skews(router.packetReceived(signedPacket(senderAt: 1_000, readAt: 1_004, &s), instance: "VI_1", now: at(100))).isEmpty)
        #expect(skews(router.packetReceived(signedPacket(senderAt: 1_010, readAt: 1_017, &s), instance: "VI_1", now: at(200))) == [-7])
        #expect(skews(router.packetReceived(signedPacket(senderAt: 1_020, readAt: 1_027, &s), instance: "VI_1", now: at(300))).isEmpty)
        #expect(router.counters["VI_1"]?.accepted == 3)
    }

    @Test("IPv6: the checksum the kernel computes covers the trailer, and decoding checks it that way")
    func ipv6Checksum() throws {
        let source = IPAddress("fe80::1")!, group = IPAddress("ff02::12")!
        let ad = VRRPAdvertisement(version: .v3, vrid: 9, priority: 150, intervalCentiseconds: 100,
                                   addresses: [IPAddress("fe80::64")!])
        var pdu = ad.encode(source: source, destination: group)
        pdu[6] = 0; pdu[7] = 0
        var s = VRRPAuthHMACSigner(policy: policy())
        let trailer = s.trailer(pdu: pdu, version: .v3, vrid: 9, source: source, now: now0) ?? []
        let whole = pdu + trailer
        let sum = VRRPAdvertisement.checksum(VRRPAdvertisement.pseudoHeader(source: source, destination: group,
                                                                            length: whole.count, ipv6: true) + whole)
        pdu[6] = UInt8(sum >> 8); pdu[7] = UInt8(sum & 0xff)
        let split = VRRPAdvertisement.splitTrailer(pdu + trailer, ipv6: true)
        #expect(split.pdu == pdu && split.trailer == trailer)
        #expect(try VRRPAdvertisement.decode(split.pdu, source: source, destination: group,
                                             trailing: trailer) == ad)
        #expect(throws: VRRPDecodingError.badChecksum) {
            try VRRPAdvertisement.decode(split.pdu, source: source, destination: group)
        }
    }
}
