import Testing
import Vocabulary
@testable import HA

private func va(_ s: String, dev: String? = nil) -> VirtualAddress {
    var a = VirtualAddress(address: IPAddress(s)!)
    a.device = dev
    return a
}

private func ms(_ sends: [GARPPacer.Send]) -> [Int64] { sends.map { $0.at.nanoseconds / 1_000_000 } }

@Suite("GARP pacing (vrrp_garp_interval, vrrp_gna_interval, garp_group)")
struct GARPPacerTests {
    @Test("Without intervals every packet goes at once, round by round")
    func unpaced() {
        var p = GARPPacer()
        let out = p.schedule([va("10.0.0.1"), va("10.0.0.2")], interface: "eth0", rounds: 3, now: at(1000))
        #expect(ms(out) == [1000, 1000, 1000, 1000, 1000, 1000])
        #expect(out.map(\.address.address.description) == ["10.0.0.1", "10.0.0.2", "10.0.0.1", "10.0.0.2", "10.0.0.1", "10.0.0.2"])
    }

    @Test("The global interval paces each interface across calls (two instances on one interface), not across interfaces")
    func perInterface() {
        var p = GARPPacer(garpInterval: .milliseconds(200))
        #expect(ms(p.schedule([va("10.0.0.1"), va("10.0.0.2")], interface: "eth0", rounds: 1, now: at(0))) == [0, 200])
        // A second instance on eth0 a moment later waits its turn; one on eth1 does not.
        #expect(ms(p.schedule([va("10.0.0.3")], interface: "eth0", rounds: 2, now: at(50))) == [400, 600])
        #expect(ms(p.schedule([va("10.0.1.3")], interface: "eth1", rounds: 1, now: at(50))) == [50])
        // Long after, the pacing does not hold a packet back.
        #expect(ms(p.schedule([va("10.0.0.1")], interface: "eth0", rounds: 1, now: at(5000))) == [5000])
    }

    @Test("IPv4 and IPv6 are paced apart, each by its own interval")
    func families() {
        var p = GARPPacer(garpInterval: .milliseconds(100), gnaInterval: .milliseconds(300))
        let out = p.schedule([va("10.0.0.1"), va("fd00::1"), va("10.0.0.2"), va("fd00::2")], interface: "eth0",
                             rounds: 1, now: at(0))
        #expect(ms(out) == [0, 0, 100, 300])
    }

    @Test("A garp_group with interfaces shares one pacing; its own intervals replace the global ones there")
    func groups() {
        let g = GARPGroupSpec(garpInterval: .milliseconds(500), gnaInterval: nil, interfaces: ["eth1", "eth2"])
        var p = GARPPacer(garpInterval: .milliseconds(100), gnaInterval: .milliseconds(100), groups: [g])
        #expect(ms(p.schedule([va("10.0.1.1")], interface: "eth1", rounds: 2, now: at(0))) == [0, 500])
        #expect(ms(p.schedule([va("10.0.2.1")], interface: "eth2", rounds: 1, now: at(0))) == [1000])
        // No gna_interval in the group: NAs there are not paced, whatever the global says.
        #expect(ms(p.schedule([va("fd00::1"), va("fd00::2")], interface: "eth1", rounds: 1, now: at(0))) == [0, 0])
        // A VIP on another device is paced by that device.
        #expect(ms(p.schedule([va("10.0.3.1", dev: "eth3"), va("10.0.3.2", dev: "eth3")], interface: "eth1", rounds: 1,
                              now: at(0))) == [0, 100])
    }

    @Test("A reload changes the intervals and keeps what was sent")
    func reload() {
        var p = GARPPacer(garpInterval: .milliseconds(200))
        _ = p.schedule([va("10.0.0.1")], interface: "eth0", rounds: 1, now: at(0))
        p.configure(garpInterval: .milliseconds(50), gnaInterval: .zero, groups: [])
        #expect(ms(p.schedule([va("10.0.0.1")], interface: "eth0", rounds: 2, now: at(10))) == [200, 250])
    }
}
