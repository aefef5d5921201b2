import Testing
import Vocabulary
@testable import HA

@Suite("Peers an instance hears (the dashboard's peers)")
struct VRRPPeerSightingTests {
    @Test("An accepted advert records its sender's priority, interval and time; a rejected one records nothing")
    func recorded() {
        var i = VRRPInstance(configuration: config())
        _ = i.start(now: t0)
        _ = i.advertisementReceived(advert(200), from: peer, now: at(1000))
        _ = i.advertisementReceived(advert(200), from: peer, now: at(2000))
        // Wrong interval (v2 checks it): discarded, not a sighting.
        _ = i.advertisementReceived(advert(250, interval: 300), from: IPAddress("10.0.0.9")!, now: at(2500))
        #expect(i.peers.count == 1)
        #expect(i.peers[peer] == VRRPPeerSighting(priority: 200, intervalCentiseconds: 100, lastHeard: at(2000), adverts: 2))
        // Its priority-0 advert (leaving) is recorded too.
        _ = i.advertisementReceived(advert(0), from: peer, now: at(2600))
        #expect(i.peers[peer]?.priority == 0)
        #expect(i.peers[peer]?.adverts == 3)
    }

    @Test("At most peerMemory senders: a new one replaces the one heard least recently")
    func bounded() {
        var i = VRRPInstance(configuration: config(priority: 50))
        _ = i.start(now: t0)
        for n in 0..<(VRRPInstance.peerMemory + 3) {
            let source = IPAddress("10.0.1.\(n + 1)")!
            _ = i.advertisementReceived(advert(100), from: source, now: at(Int64(100 * (n + 1))))
        }
        #expect(i.peers.count == VRRPInstance.peerMemory)
        #expect(i.peers[IPAddress("10.0.1.1")!] == nil)
        #expect(i.peers[IPAddress("10.0.1.3")!] == nil)
        #expect(i.peers[IPAddress("10.0.1.4")!] != nil)
        #expect(i.peers[IPAddress("10.0.1.\(VRRPInstance.peerMemory + 3)")!] != nil)
    }
}
