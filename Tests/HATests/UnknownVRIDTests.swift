import Testing
import Vocabulary
@testable import HA

/// `log_unknown_vrids`: an advert for a VRID that no instance on its interface runs is reported once per interface,
/// VRID and source per minute, by one instance's transport only.
@Suite("log_unknown_vrids")
struct UnknownVRIDTests {
    private func router(log: Bool, _ specs: [VRRPInstanceSpec] = [routerSpec("A", vrid: 51), routerSpec("B", vrid: 53)]) -> VRRPRouter {
        var c = VRRPRuntimeConfiguration(instances: specs)
        c.logUnknownVRIDs = log
        return startedRouter(c).0
    }

    private let foreign = routerAdvert(routerSpec(vrid: 60), 100)

    @Test("Off (keepalived's default): nothing")
    func off() {
        var r = router(log: false)
        #expect(r.packetReceived(packet(foreign), instance: "A", now: at(10)) == [])
    }

    @Test("On: reported by the first instance on the interface only, then not again for a minute")
    func reportedOnceAMinute() {
        var r = router(log: true)
        let expected: [VRRPRouterAction] = [.unknownVRID(vrid: 60, interface: "eth0", from: peer)]
        #expect(r.packetReceived(packet(foreign), instance: "A", now: at(10)) == expected)
        #expect(r.packetReceived(packet(foreign), instance: "B", now: at(10)) == [], "B's transport saw it too")
        #expect(r.packetReceived(packet(foreign), instance: "A", now: at(1010)) == [])
        #expect(r.packetReceived(packet(foreign), instance: "A", now: at(60_010)) == expected)
        // Another source is another line.
        let other = IPAddress("10.0.0.9")!
        #expect(r.packetReceived(packet(foreign, from: other), instance: "A", now: at(60_020)) ==
                [.unknownVRID(vrid: 60, interface: "eth0", from: other)])
    }

    @Test("A VRID another instance on the interface runs is not unknown")
    func knownElsewhere() {
        var r = router(log: true)
        let forB = routerAdvert(routerSpec(vrid: 53), 100)
        #expect(!r.packetReceived(packet(forB), instance: "A", now: at(10)).contains { action in
            if case .unknownVRID = action { true } else { false }
        })
    }
}

@Suite("log_unknown_vrids under a flood of spoofed sources")
struct UnknownVRIDFloodTests {
    @Test("The memory of logged sources is bounded: past it, new sources are not logged until old ones expire")
    func bounded() {
        var c = VRRPRuntimeConfiguration(instances: [routerSpec("A", vrid: 51)])
        c.logUnknownVRIDs = true
        var r = startedRouter(c).0
        let foreign = routerAdvert(routerSpec(vrid: 60), 100)
        var logged = 0
        for n in 0..<(VRRPRouter.unknownVRIDMemory + 10) {
            let source = IPAddress.v4(0x0a00_0000 | UInt32(n + 16))
            if !r.packetReceived(packet(foreign, from: source), instance: "A", now: at(10)).isEmpty { logged += 1 }
        }
        #expect(logged == VRRPRouter.unknownVRIDMemory)
        // A minute later the old entries have expired: a new source is logged again.
        let late = IPAddress.v4(0x0b00_0001)
        #expect(r.packetReceived(packet(foreign, from: late), instance: "A", now: at(60_020)) ==
                [.unknownVRID(vrid: 60, interface: "eth0", from: late)])
    }
}
