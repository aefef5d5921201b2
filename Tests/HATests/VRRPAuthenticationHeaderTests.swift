import Testing
import Vocabulary
@testable import HA

/// Two adverts captured from keepalived 2.2.7 (`auth_type AH`, `auth_pass secret12`, VRID 51, priority 150, VIP
/// 10.99.0.100, sent from 10.99.0.1 to 224.0.0.18), IP header onwards, as tcpdump printed them.
private let keepalivedAdvert1 = hex("45c0 0040 0001 0000 ff33 d053 0a63 0001 e000 0012 7004 0000 0a63 0001 0000 0001 "
                                    + "b4bc 3bb3 c356 90ed 98ea f497 2133 9601 0201 3c03 0a63 0064 0000 0000 0000 0000")
private let keepalivedAdvert2 = hex("45c0 0040 0002 0000 ff33 d052 0a63 0001 e000 0012 7004 0000 0a63 0001 0000 0002 "
                                    + "0255 b296 bbed 63ee 549c 06ef 2133 9601 0201 3c03 0a63 0064 0000 0000 0000 0000")
private let key = Array("secret12".utf8)
private let sender = IPAddress("10.99.0.1")!
private let group = IPAddress("224.0.0.18")!
private let ahVIP = IPAddress("10.99.0.100")!

private func hex(_ s: String) -> [UInt8] {
    let digits = Array(s.filter { $0 != " " }.utf8)
    return stride(from: 0, to: digits.count, by: 2).map { UInt8(String(decoding: digits[$0..<$0 + 2], as: UTF8.self), radix: 16)! }
}

private func ahConfig(priority: UInt8, primary: IPAddress, key: [UInt8] = key,
                      peers: [IPAddress] = []) -> VRRPInstanceConfiguration {
    var c = VRRPInstanceConfiguration(name: "VI_1", vrid: 51, priority: priority, virtualAddresses: [ahVIP],
                                      authentication: .ah, primaryAddress: primary)
    c.authenticationHeaderKey = key
    c.unicastPeers = peers
    return c
}

/// The datagram `ad` goes out in from `source`, as the transport seals it.
private func sealed(_ ad: VRRPAdvertisement, from source: IPAddress, to destination: IPAddress = group,
                    key: [UInt8] = key, id: UInt16 = 7, unicast: Bool = false) -> VRRPReceivedPacket {
    let bytes = VRRPAuthenticationHeader.seal(vrrp: ad.encode(source: source, destination: destination),
                                              source: source, destination: destination, ttl: 255, identification: id,
                                              sequence: ad.authenticationSequence ?? 0, key: key, unicast: unicast)
    return VRRPReceivedPacket.parseIPv4(bytes)!
}

/// The peer's advert (10.99.0.1, priority 150 by default) with AH sequence number `sequence`.
private func theirs(_ sequence: UInt32, priority: UInt8 = 150) -> VRRPAdvertisement {
    var ad = VRRPAdvertisement(version: .v2, vrid: 51, priority: priority, intervalCentiseconds: 100,
                               addresses: [ahVIP], authentication: .ah)
    ad.authenticationSequence = sequence
    return ad
}

/// `ad` received by `i` at `ms`, sealed by the peer with the shared key.
private func receive(_ i: inout VRRPInstance, _ ad: VRRPAdvertisement, at ms: Int64) -> [VRRPAction] {
    i.advertisementReceived(ad, from: sender, authenticationHeader: sealed(ad, from: sender).authenticationHeader, now: at(ms))
}

/// An AH instance at `priority` on 10.99.0.2, started; `master`: left to time out into MASTER.
private func ahInstance(priority: UInt8 = 100, master: Bool = false) -> VRRPInstance {
    var i = VRRPInstance(configuration: ahConfig(priority: priority, primary: IPAddress("10.99.0.2")!))
    _ = i.start(now: t0)
    if master { _ = i.deadlineReached(now: t0 + i.masterDownInterval) }
    return i
}

private func sendOf(_ actions: [VRRPAction]) -> VRRPAdvertisement? {
    for case .send(let ad) in actions { return ad }
    return nil
}

@Suite("VRRPv2 in an IP Authentication Header (auth_type AH)")
struct VRRPAuthenticationHeaderTests {
    @Test("keepalived's adverts parse, and their HMAC-MD5-96 verifies with auth_pass and not with another key")
    func keepalivedVectors() throws {
        for (bytes, sequence) in [(keepalivedAdvert1, UInt32(1)), (keepalivedAdvert2, 2)] {
            let p = try #require(VRRPReceivedPacket.parseIPv4(bytes))
            let ah = try #require(p.authenticationHeader)
            #expect(ah.sequence == sequence)
            #expect(ah.spi == 0x0a63_0001)
            #expect(p.source == sender && p.destination == group && p.ttl == 255)
            #expect(ah.verifies(key: key, unicast: false))
            #expect(!ah.verifies(key: Array("secret13".utf8), unicast: false))
            #expect(!ah.verifies(key: key, unicast: true))   // keepalived covers the TTL of a multicast advert
            let ad = try VRRPAdvertisement.decode(p.payload, source: p.source, destination: p.destination)
            #expect(ad.vrid == 51 && ad.priority == 150 && ad.authentication == .ah && ad.addresses == [ahVIP])
        }
    }

    @Test("Sealing reproduces keepalived's datagrams byte for byte (IP checksum included)")
    func sealMatchesKeepalived() {
        let ad = VRRPAdvertisement(version: .v2, vrid: 51, priority: 150, intervalCentiseconds: 100,
                                   addresses: [ahVIP], authentication: .ah)
        for (bytes, n) in [(keepalivedAdvert1, UInt16(1)), (keepalivedAdvert2, 2)] {
            #expect(VRRPAuthenticationHeader.seal(vrrp: ad.encode(source: sender, destination: group), source: sender,
                                                  destination: group, ttl: 255, identification: n,
                                                  sequence: UInt32(n), key: key, unicast: false) == bytes)
        }
    }

    @Test("Mutable fields are outside the ICV (TOS, flags, checksum; TTL for unicast only); the rest is inside")
    func mutableFields() throws {
        var b = keepalivedAdvert1
        b[1] = 0; b[6] = 0x40; b[10] = 0x12
        #expect(try #require(VRRPReceivedPacket.parseIPv4(b)?.authenticationHeader).verifies(key: key, unicast: false))
        for i in [4, 5, 12, 19, 25, 31, 40, 45, 60] {
            var c = keepalivedAdvert1
            c[i] ^= 0x01
            let ah = VRRPReceivedPacket.parseIPv4(c)?.authenticationHeader
            #expect(ah.map { !$0.verifies(key: key, unicast: false) } ?? true, "byte \(i) is covered")
        }
        let ad = VRRPAdvertisement(version: .v2, vrid: 51, priority: 150, intervalCentiseconds: 100,
                                   addresses: [ahVIP], authentication: .ah)
        var u = VRRPAuthenticationHeader.seal(vrrp: ad.encode(source: sender, destination: sender), source: sender,
                                              destination: IPAddress("10.99.0.2")!, ttl: 64, identification: 9,
                                              sequence: 3, key: key, unicast: true)
        u[8] = 17
        #expect(try #require(VRRPReceivedPacket.parseIPv4(u)?.authenticationHeader).verifies(key: key, unicast: true))
    }

    @Test("AH that is not the 24-byte HMAC-MD5-96 form, carries another protocol, or is cut short is not VRRP")
    func malformed() {
        var other = keepalivedAdvert1; other[20] = 6
        var length = keepalivedAdvert1; length[21] = 5
        #expect(VRRPReceivedPacket.parseIPv4(other) == nil)
        #expect(VRRPReceivedPacket.parseIPv4(length) == nil)
        for n in 0..<44 { #expect(VRRPReceivedPacket.parseIPv4(Array(keepalivedAdvert1.prefix(n))) == nil) }
        // A total length shorter than the headers: the AH check runs on what the header claims, never traps.
        var short = keepalivedAdvert1; short[2] = 0; short[3] = 30
        #expect(VRRPReceivedPacket.parseIPv4(short) == nil)
    }

    @Test("A Backup accepts keepalived's advert, then drops its replay and a lower sequence number")
    func replay() throws {
        var i = ahInstance()
        let p2 = try #require(VRRPReceivedPacket.parseIPv4(keepalivedAdvert2))
        let p1 = try #require(VRRPReceivedPacket.parseIPv4(keepalivedAdvert1))
        let ad2 = try VRRPAdvertisement.decode(p2.payload, source: sender, destination: group)
        let ad1 = try VRRPAdvertisement.decode(p1.payload, source: sender, destination: group)
        #expect(i.advertisementReceived(ad2, from: sender, authenticationHeader: p2.authenticationHeader, now: at(10)) == [])
        #expect(i.authenticationSequence == 2)
        #expect(i.advertisementReceived(ad2, from: sender, authenticationHeader: p2.authenticationHeader, now: at(20))
            == [.discarded(.authenticationSequenceReplayed(2), from: sender)])
        #expect(i.advertisementReceived(ad1, from: sender, authenticationHeader: p1.authenticationHeader, now: at(30))
            == [.discarded(.authenticationSequenceReplayed(1), from: sender)])
        #expect(i.counters.accepted == 1)
    }

    @Test("A wrong key, a forged SPI, a missing AH or an unexpected one are discarded with their reason")
    func rejected() throws {
        var i = ahInstance()
        let ad = theirs(5)
        let wrongKey = sealed(ad, from: sender, key: Array("other".utf8))
        #expect(i.advertisementReceived(ad, from: sender, authenticationHeader: wrongKey.authenticationHeader, now: at(1))
            == [.discarded(.authenticationHeaderInvalid, from: sender)])
        // Sealed by 10.99.0.1 (its SPI) and claimed to come from 10.99.0.9: the SPI is not the source.
        let moved = sealed(ad, from: sender)
        #expect(i.advertisementReceived(ad, from: IPAddress("10.99.0.9")!, authenticationHeader: moved.authenticationHeader,
                                        now: at(2)) == [.discarded(.authenticationHeaderInvalid, from: IPAddress("10.99.0.9")!)])
        #expect(i.advertisementReceived(ad, from: sender, now: at(3)) == [.discarded(.authenticationTypeMismatch, from: sender)])
        var plain = VRRPInstance(configuration: config())
        _ = plain.start(now: t0)
        #expect(plain.advertisementReceived(advert(200), from: peer, authenticationHeader: moved.authenticationHeader, now: at(4))
            == [.discarded(.authenticationTypeMismatch, from: peer)])
        #expect(i.authenticationSequence == 0)
        #expect(i.advertisementReceived(ad, from: sender, authenticationHeader: moved.authenticationHeader, now: at(5)) == [])
        #expect(i.authenticationSequence == 5)
    }

    @Test("A node that takes over continues the sequence it learnt; each advert takes the next number")
    func takeoverContinues() throws {
        var i = ahInstance()
        _ = receive(&i, theirs(41), at: 1000)
        let takeover = i.deadlineReached(now: at(1000) + i.masterDownInterval)
        #expect(i.currentState == .master)
        #expect(sendOf(takeover)?.authenticationSequence == 42)
        #expect(sendOf(i.deadlineReached(now: at(10_000)))?.authenticationSequence == 43)
        // The old master comes back (its counter restarted at 0 after a restart): its adverts are replays to us
        // until it has learnt our sequence from ours.
        #expect(receive(&i, theirs(1), at: 10_100) == [.discarded(.authenticationSequenceReplayed(1), from: sender)])
        #expect(i.currentState == .master)
        // Our sealed advert verifies at a peer holding the key, and carries our number.
        let ours = sealed(try #require(sendOf(i.deadlineReached(now: at(11_000)))), from: IPAddress("10.99.0.2")!)
        #expect(ours.authenticationHeader?.verifies(key: key, unicast: false) == true)
        #expect(ours.authenticationHeader?.sequence == 44)
    }

    @Test("A Master hearing a lower-priority Master answers with a sequence number above the other's")
    func lowerPriorityMaster() {
        var i = ahInstance(priority: 200, master: true)
        #expect(i.currentState == .master && i.authenticationSequence == 1)
        #expect(sendOf(receive(&i, theirs(900), at: 5000))?.authenticationSequence == 901)
    }

    @Test("Two Masters in step: the one that drops the other's equal number skips one, so its next advert is heard")
    func mastersInStep() {
        var i = ahInstance(master: true)
        #expect(i.currentState == .master && i.authenticationSequence == 1)
        #expect(receive(&i, theirs(1), at: 4000) == [.discarded(.authenticationSequenceReplayed(1), from: sender)])
        // The other Master sends 2 next; ours is 3, above the 2 it holds then.
        #expect(sendOf(i.deadlineReached(now: at(10_000)))?.authenticationSequence == 3)
        // A lower number is an old advert: no skip.
        _ = receive(&i, theirs(2), at: 10_100)
        #expect(i.authenticationSequence == 3)
    }

    @Test("A counter at its end does not trap: it stays there, and restarts from zero when the node becomes Master")
    func counterEnd() {
        var i = ahInstance()
        _ = receive(&i, theirs(UInt32.max), at: 1000)
        #expect(i.authenticationSequence == UInt32.max)
        #expect(sendOf(i.deadlineReached(now: at(1000) + i.masterDownInterval))?.authenticationSequence == 1)
    }

    @Test("Without AH the adverts carry no sequence number")
    func plainHasNone() {
        var i = VRRPInstance(configuration: config(priority: 255))
        #expect(sendOf(i.start(now: t0))?.authenticationSequence == nil)
    }
}
