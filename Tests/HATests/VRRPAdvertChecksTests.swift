import Testing
import Vocabulary
@testable import HA

private let otherList = [IPAddress("10.0.0.200")!]
private let stranger = IPAddress("10.0.0.9")!

/// An instance of `configuration`, started at `t0`.
private func started(_ configuration: VRRPInstanceConfiguration) -> VRRPInstance {
    var i = VRRPInstance(configuration: configuration)
    _ = i.start(now: t0)
    return i
}

private func instance(skip: Bool = false, priority: UInt8 = 100) -> VRRPInstance {
    var c = config(priority: priority)
    c.skipAddressListCheck = skip
    return started(c)
}

@Suite("Advert address-list check, as keepalived 2.2.7")
struct VRRPAddressListCheckTests {
    @Test("A mismatching list is dropped and counted, and the backup still takes over at master-down")
    func mismatchDropped() {
        var i = instance()
        _ = i.advertisementReceived(advert(200, addresses: otherList), from: peer, now: at(1000))
        #expect(i.counters.discarded[.addressListMismatch] == 1)
        #expect(i.counters.addressListMismatches == 1)
        #expect(i.counters.accepted == 0)
        #expect(i.deadlineReached(now: t0 + i.masterDownInterval).contains(.addVIPs))
    }

    @Test("A list with the same addresses in another order passes")
    func sameAddressesOtherOrder() {
        let second = IPAddress("10.0.0.101")!
        var c = config()
        c.virtualAddresses = [vip, second]
        var i = started(c)
        #expect(i.advertisementReceived(advert(200, addresses: [second, vip]), from: peer, now: at(1000)) == [])
        #expect(i.counters.accepted == 1)
    }

    @Test("A list with one address more is dropped although it holds all of ours")
    func extraAddressDropped() {
        var i = instance()
        #expect(i.advertisementReceived(advert(200, addresses: [vip] + otherList), from: peer, now: at(1000)).first
            == .discarded(.addressListMismatch, from: peer))
    }

    @Test("The address owner's advert (priority 255) is checked too, unlike RFC 3768 §7.1")
    func ownerChecked() {
        var i = instance()
        #expect(i.advertisementReceived(advert(255, addresses: otherList), from: peer, now: at(1000)).first
            == .discarded(.addressListMismatch, from: peer))
    }

    @Test("A master drops a higher-priority advert with another list and stays master")
    func masterDrops() {
        var i = instance()
        let up = t0 + i.masterDownInterval
        _ = i.deadlineReached(now: up)
        #expect(i.currentState == .master)
        _ = i.advertisementReceived(advert(200, addresses: otherList), from: peer, now: up + .milliseconds(10))
        #expect(i.currentState == .master)
        #expect(i.counters.discarded[.addressListMismatch] == 1)
    }

    @Test("The warning is returned once per peer; every drop is counted")
    func warnedOncePerPeer() {
        var i = instance()
        let first = i.advertisementReceived(advert(200, addresses: otherList), from: peer, now: at(1000))
        let second = i.advertisementReceived(advert(200, addresses: otherList), from: peer, now: at(2000))
        let other = i.advertisementReceived(advert(200, addresses: otherList), from: stranger, now: at(2100))
        #expect(first.contains(.addressListMismatch(from: peer, theirs: otherList)))
        #expect(second == [.discarded(.addressListMismatch, from: peer)])
        #expect(other.contains(.addressListMismatch(from: stranger, theirs: otherList)))
        #expect(i.counters.discarded[.addressListMismatch] == 3)
    }

    @Test("skip_check_adv_addr: the first advert of a master is checked, then its list is no longer")
    func skipAfterFollowed() {
        var i = instance(skip: true)
        #expect(i.advertisementReceived(advert(200, addresses: otherList), from: peer, now: at(100)).first
            == .discarded(.addressListMismatch, from: peer))
        #expect(i.advertisementReceived(advert(200), from: peer, now: at(1000)) == [])
        #expect(i.advertisementReceived(advert(200, addresses: otherList), from: peer, now: at(2000)) == [])
        #expect(i.counters.accepted == 2)
        // Accepted: the master-down timer restarted from the last advert.
        #expect(i.nextDeadline == at(2000) + i.masterDownInterval)
    }

    @Test("skip_check_adv_addr: another source is checked")
    func skipOnlyForFollowedMaster() {
        var i = instance(skip: true)
        _ = i.advertisementReceived(advert(200), from: peer, now: at(1000))
        #expect(i.advertisementReceived(advert(200, addresses: otherList), from: stranger, now: at(1100)).first
            == .discarded(.addressListMismatch, from: stranger))
    }

    @Test("skip_check_adv_addr does not apply to a master")
    func skipNotForMaster() {
        var i = instance(skip: true, priority: 255)
        _ = i.advertisementReceived(advert(254, addresses: otherList), from: peer, now: at(10))
        #expect(i.counters.discarded[.addressListMismatch] == 1)
    }
}

private func unicastInstance(check: Bool, peers: [IPAddress] = [peer]) -> VRRPInstance {
    var c = config()
    c.unicastPeers = peers
    c.checkUnicastSource = check
    return started(c)
}

@Suite("Unicast source check, as keepalived 2.2.7")
struct VRRPUnicastSourceCheckTests {
    @Test("By default an advert from a source outside unicast_peer is accepted")
    func acceptedByDefault() {
        var i = unicastInstance(check: false)
        #expect(i.advertisementReceived(advert(200), from: stranger, now: at(1000)) == [])
        #expect(i.counters.accepted == 1)
        #expect(i.nextDeadline == at(1000) + i.masterDownInterval)
    }

    @Test("With check_unicast_src it is dropped, counted, and reported once per source")
    func droppedWhenChecked() {
        var i = unicastInstance(check: true)
        #expect(i.advertisementReceived(advert(200), from: stranger, now: at(1000))
            == [.discarded(.unicastSourceNotPeer, from: stranger), .unlistedUnicastSource(from: stranger)])
        #expect(i.advertisementReceived(advert(200), from: stranger, now: at(2000))
            == [.discarded(.unicastSourceNotPeer, from: stranger)])
        #expect(i.counters.discarded[.unicastSourceNotPeer] == 2)
        #expect(i.counters.accepted == 0)
        #expect(i.nextDeadline == t0 + i.masterDownInterval)
    }

    @Test("With check_unicast_src a listed peer is accepted")
    func peerAcceptedWhenChecked() {
        var i = unicastInstance(check: true)
        #expect(i.advertisementReceived(advert(200), from: peer, now: at(1000)) == [])
        #expect(i.counters.accepted == 1)
    }

    @Test("A unicast advert is not held to TTL 255 (keepalived checks it for multicast only); a multicast one is")
    func unicastTTL() {
        var unicast = unicastInstance(check: false)
        #expect(unicast.advertisementReceived(advert(200), from: peer, ttl: 64, now: at(1000)) == [])
        #expect(unicast.counters.accepted == 1)
        var multicast = unicastInstance(check: false, peers: [])
        #expect(multicast.advertisementReceived(advert(200), from: peer, ttl: 64, now: at(1000))
            == [.discarded(.badTTL(64), from: peer)])
    }

    @Test("check_unicast_src does nothing to a multicast instance")
    func multicastUnaffected() {
        var i = unicastInstance(check: true, peers: [])
        #expect(i.advertisementReceived(advert(200), from: stranger, now: at(1000)) == [])
    }
}

@Suite("owner_ignore_adverts, as keepalived 2.4.3")
struct OwnerIgnoreAdvertsTests {
    /// An address owner (priority 255), MASTER from the start, with or without the option.
    private func owner(ignoring: Bool) -> VRRPInstance {
        var c = config(priority: 255)
        c.ownerIgnoresAdverts = ignoring
        return started(c)
    }

    @Test("An owner with the option drops every advert, counted by reason and not as received; it stays MASTER")
    func dropsAdverts() {
        var i = owner(ignoring: true)
        #expect(i.currentState == .master)
        let higher = IPAddress("10.0.0.250")!  // equal priority from a higher address would win the tie
        #expect(i.advertisementReceived(advert(255), from: higher, now: at(100)) == [.discarded(.addressOwner, from: higher)])
        #expect(i.advertisementReceived(advert(0), from: peer, now: at(200)) == [.discarded(.addressOwner, from: peer)])
        #expect(i.counters.discarded[.addressOwner] == 2)
        #expect(i.counters.accepted == 0)
        #expect(i.currentState == .master)
    }

    @Test("Without it, the owner yields to an equal priority from a higher address, as the RFC tie-break says")
    func withoutTheOptionYields() {
        var i = owner(ignoring: false)
        let higher = IPAddress("10.0.0.250")!
        #expect(i.advertisementReceived(advert(255), from: higher, now: at(100)).contains(.removeVIPs))
        #expect(i.currentState == .backup)
        #expect(i.counters.accepted == 1)
    }

    @Test("The checks before it still apply: a wrong VRID is reported as such")
    func earlierChecksFirst() {
        var i = owner(ignoring: true)
        var wrong = advert(255)
        wrong.vrid = 52
        #expect(i.advertisementReceived(wrong, from: peer, now: at(100)) == [.discarded(.vridMismatch(52), from: peer)])
    }
}
