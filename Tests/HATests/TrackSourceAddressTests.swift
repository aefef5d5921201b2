import Testing
import Vocabulary
@testable import HA

@Suite("track_src_ip")
struct TrackSourceAddressTests {
    private let source = IPAddress("10.0.0.11")!

    private func spec() -> VRRPInstanceSpec {
        var s = routerSpec(priority: 150)
        s.unicastSource = source
        s.tracksSourceAddress = true
        return s
    }

    @Test("The source address gone: FAULT naming it; back: out of FAULT. Another address changes nothing")
    func faultFollowsAddress() {
        var (router, _) = startedRouter(VRRPRuntimeConfiguration(instances: [spec()]))
        #expect(router.watchedSourceAddresses == [source])
        #expect(router.sourceAddressRead(IPAddress("10.0.0.12")!, present: false, now: at(100)).isEmpty)
        let gone = router.sourceAddressRead(source, present: false, now: at(200))
        #expect(router.states["VI_1"] == .fault)
        #expect(gone.contains { action in
            if case .transition(_, _, .fault, let reason) = action { "\(reason)".contains("10.0.0.11 is gone") } else { false }
        })
        #expect(router.sourceAddressRead(source, present: false, now: at(300)).isEmpty)
        _ = router.sourceAddressRead(source, present: true, now: at(400))
        #expect(router.states["VI_1"] == .backup)
    }

    @Test("Without track_src_ip the address is not watched")
    func notWatched() {
        var s = spec()
        s.tracksSourceAddress = false
        var (router, _) = startedRouter(VRRPRuntimeConfiguration(instances: [s]))
        #expect(router.watchedSourceAddresses.isEmpty)
        _ = router.sourceAddressRead(source, present: false, now: at(200))
        #expect(router.states["VI_1"] == .backup)
    }

    @Test("RTM_NEWADDR / RTM_DELADDR decode to address entries (IFA_LOCAL for IPv4, IFA_ADDRESS for IPv6)")
    func decodes() {
        func message(type: UInt16, family: UInt8, index: UInt32, attributes: [(UInt16, [UInt8])]) -> [UInt8] {
            var body: [UInt8] = [family, 24, 0, 0] + withUnsafeBytes(of: index.littleEndian) { Array($0) }
            for (t, v) in attributes {
                let len = UInt16(4 + v.count)
                body += withUnsafeBytes(of: len.littleEndian) { Array($0) } + withUnsafeBytes(of: t.littleEndian) { Array($0) } + v
                while body.count % 4 != 0 { body.append(0) }
            }
            let total = UInt32(16 + body.count)
            return withUnsafeBytes(of: total.littleEndian) { Array($0) } + withUnsafeBytes(of: type.littleEndian) { Array($0) }
                + [0, 0] + [UInt8](repeating: 0, count: 8) + body
        }
        let v4 = message(type: 21, family: 2, index: 3, attributes: [(1, [10, 0, 0, 11]), (2, [10, 0, 0, 11])])
        let v6 = message(type: 20, family: 10, index: 4, attributes: [(1, IPAddress("fd00::11")!.bytes)])
        let short = Array(message(type: 20, family: 2, index: 5, attributes: []).prefix(20))
        #expect(LinkMessage.entries(in: v4 + v6) == [.address(index: 3, address: IPAddress("10.0.0.11")!, deleted: true),
                                                     .address(index: 4, address: IPAddress("fd00::11")!, deleted: false)])
        #expect(LinkMessage.entries(in: message(type: 20, family: 2, index: 5, attributes: [])).isEmpty)
        #expect(LinkMessage.entries(in: short).allSatisfy { if case .malformed = $0 { true } else { false } })
    }
}
