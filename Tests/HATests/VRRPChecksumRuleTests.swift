import Testing
import Vocabulary
@testable import HA

/// The three VRRPv3 IPv4 checksums of one advert (VRID 51, priority 100, 1 s, VIP 10.0.0.100) from 10.0.0.2 to the
/// unicast peer 10.0.0.1, computed outside Vigil (RFC 1071 sum in a few lines of Python): with the RFC 768
/// pseudo-header, with the multicast group in its place (keepalived 1.3.6), and without one (`v3_checksum_as_v2`).
private let source = IPAddress("10.0.0.2")!
private let unicastPeer = IPAddress("10.0.0.1")!
private let group = IPAddress("224.0.0.18")!
private let advert = VRRPAdvertisement(version: .v3, vrid: 51, priority: 100, intervalCentiseconds: 100,
                                       addresses: [IPAddress("10.0.0.100")!])

private func checksumBytes(_ b: [UInt8]) -> [UInt8] { Array(b[6...7]) }

@Suite("VRRPv3 IPv4 checksum rules (old_unicast_checksum, v3_checksum_as_v2)")
struct VRRPChecksumRuleTests {
    @Test("Each rule gives the checksum computed independently")
    func vectors() {
        #expect(checksumBytes(advert.encode(source: source, destination: unicastPeer)) == [0x4b, 0x84])
        #expect(checksumBytes(advert.encode(source: source, destination: unicastPeer,
                                            checksum: .multicastGroup(group))) == [0x75, 0x72])
        #expect(checksumBytes(advert.encode(source: source, destination: unicastPeer,
                                            checksum: .withoutPseudoHeader)) == [0x60, 0x03])
    }

    @Test("A receiver verifies by its own rule: the old checksum fails the RFC one and passes the old one")
    func decodeByRule() throws {
        let old = advert.encode(source: source, destination: unicastPeer, checksum: .multicastGroup(group))
        #expect(throws: VRRPDecodingError.badChecksum) {
            try VRRPAdvertisement.decode(old, source: source, destination: unicastPeer)
        }
        #expect(try VRRPAdvertisement.decode(old, source: source, destination: unicastPeer,
                                             checksum: .multicastGroup(group)) == advert)
        let rfc = advert.encode(source: source, destination: unicastPeer)
        #expect(throws: VRRPDecodingError.badChecksum) {
            try VRRPAdvertisement.decode(rfc, source: source, destination: unicastPeer, checksum: .multicastGroup(group))
        }
    }

    @Test("Without the pseudo-header, both that checksum and the RFC one are accepted; a corrupted one is not")
    func withoutPseudoHeaderAcceptsBoth() throws {
        let plain = advert.encode(source: source, destination: unicastPeer, checksum: .withoutPseudoHeader)
        let rfc = advert.encode(source: source, destination: unicastPeer)
        #expect(throws: VRRPDecodingError.badChecksum) {
            try VRRPAdvertisement.decode(plain, source: source, destination: unicastPeer)
        }
        for bytes in [plain, rfc] {
            #expect(try VRRPAdvertisement.decode(bytes, source: source, destination: unicastPeer,
                                                 checksum: .withoutPseudoHeader) == advert)
        }
        var corrupted = plain
        corrupted[2] ^= 0x01
        #expect(throws: VRRPDecodingError.badChecksum) {
            try VRRPAdvertisement.decode(corrupted, source: source, destination: unicastPeer, checksum: .withoutPseudoHeader)
        }
    }

    @Test("VRRPv2 and IPv6 keep their one checksum whatever the rule")
    func otherVersionsUnchanged() {
        let v2 = VRRPAdvertisement(version: .v2, vrid: 51, priority: 100, intervalCentiseconds: 100,
                                   addresses: [IPAddress("10.0.0.100")!])
        for rule in [VRRPChecksumRule.multicastGroup(group), .withoutPseudoHeader] {
            #expect(v2.encode(source: source, destination: unicastPeer, checksum: rule)
                    == v2.encode(source: source, destination: unicastPeer))
        }
        let s6 = IPAddress("fe80::2")!, d6 = IPAddress("fe80::1")!
        let v6 = VRRPAdvertisement(version: .v3, vrid: 51, priority: 100, intervalCentiseconds: 100,
                                   addresses: [IPAddress("fe80::100")!])
        #expect(v6.encode(source: s6, destination: d6, checksum: .withoutPseudoHeader) == v6.encode(source: s6, destination: d6))
    }

    @Test("The policy: v3_checksum_as_v2 wins; the old unicast checksum applies to unicast only, detected or configured")
    func policy() {
        var p = VRRPChecksumPolicy()
        #expect(p.rule(unicast: true, detected: false) == .rfc)
        #expect(p.rule(unicast: true, detected: true) == .multicastGroup(group))
        #expect(p.rule(unicast: false, detected: true) == .rfc)
        p.oldUnicast = .never
        #expect(p.rule(unicast: true, detected: true) == .rfc)
        p.oldUnicast = .always
        #expect(p.rule(unicast: true, detected: false) == .multicastGroup(group))
        p.withoutPseudoHeader = true
        #expect(p.rule(unicast: true, detected: false) == .withoutPseudoHeader)
    }
}

/// A VRRPv3 unicast instance of the router tests.
private func unicastV3Spec(_ oldUnicast: VRRPChecksumPolicy.OldUnicast = .detect) -> VRRPInstanceSpec {
    var spec = routerSpec(unicastPeers: [unicastPeer])
    spec.configuration.version = .v3
    spec.configuration.checksum.oldUnicast = oldUnicast
    return spec
}

private func v3Advert(_ spec: VRRPInstanceSpec, priority: UInt8) -> VRRPAdvertisement {
    VRRPAdvertisement(version: .v3, vrid: spec.configuration.vrid, priority: priority, intervalCentiseconds: 100,
                      addresses: spec.configuration.virtualAddresses)
}

/// A packet from the peer to this node (`me`), checksummed by `rule`.
private func unicastPacket(_ ad: VRRPAdvertisement, rule: VRRPChecksumRule, to destination: IPAddress = me) -> VRRPReceivedPacket {
    VRRPReceivedPacket(source: unicastPeer, destination: destination, ttl: 255,
                       payload: ad.encode(source: unicastPeer, destination: destination, checksum: rule))
}

@Suite("VRRP router: keepalived 1.3.6's unicast checksum is detected as keepalived detects it")
struct OldUnicastChecksumDetectionTests {
    @Test("An old checksum from a unicast peer switches the instance to it, once, and the advert counts")
    func detects() {
        let spec = unicastV3Spec()
        var (router, _) = startedRouter(VRRPRuntimeConfiguration(instances: [spec]))
        #expect(router.checksumRule(instance: "VI_1") == .rfc)
        let actions = router.packetReceived(unicastPacket(v3Advert(spec, priority: 200), rule: .multicastGroup(group)),
                                            instance: "VI_1", now: at(10))
        #expect(actions.first == .checksumRuleChanged(instance: "VI_1", .multicastGroup(group), from: unicastPeer))
        #expect(router.checksumRule(instance: "VI_1") == .multicastGroup(group))
        #expect(router.counters["VI_1"]?.accepted == 1)
        // From now on the old checksum is the one expected: no second report, and an RFC one is refused.
        let again = router.packetReceived(unicastPacket(v3Advert(spec, priority: 200), rule: .multicastGroup(group)),
                                          instance: "VI_1", now: at(1010))
        #expect(!again.contains { if case .checksumRuleChanged = $0 { true } else { false } })
        #expect(router.packetReceived(unicastPacket(v3Advert(spec, priority: 200), rule: .rfc), instance: "VI_1",
                                      now: at(2010)).contains(.discarded(instance: "VI_1", .malformed(.badChecksum), from: unicastPeer)))
    }

    @Test("old_unicast_checksum never, a multicast instance, or an advert sent to the group: no detection, a checksum error")
    func noDetection() {
        let cases: [(VRRPInstanceSpec, IPAddress)] = [
            (unicastV3Spec(.never), me),
            ({ var s = unicastV3Spec(); s.unicastPeers = []; return s }(), me),
            (unicastV3Spec(), group),
        ]
        for (spec, destination) in cases {
            var (router, _) = startedRouter(VRRPRuntimeConfiguration(instances: [spec]))
            let actions = router.packetReceived(unicastPacket(v3Advert(spec, priority: 200), rule: .multicastGroup(group),
                                                              to: destination), instance: "VI_1", now: at(10))
            if destination == group {
                // To the group, the old checksum is the RFC one: accepted, nothing to detect.
                #expect(router.counters["VI_1"]?.accepted == 1)
            } else {
                #expect(actions == [.discarded(instance: "VI_1", .malformed(.badChecksum), from: unicastPeer)])
            }
            #expect(router.checksumRule(instance: "VI_1") == spec.configuration.checksum.rule(unicast: !spec.unicastPeers.isEmpty, detected: false))
        }
    }

    @Test("old_unicast_checksum: the old checksum from the start")
    func configured() {
        let (router, _) = startedRouter(VRRPRuntimeConfiguration(instances: [unicastV3Spec(.always)]))
        #expect(router.checksumRule(instance: "VI_1") == .multicastGroup(group))
    }
}
