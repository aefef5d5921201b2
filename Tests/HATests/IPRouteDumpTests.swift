import Testing
import Vocabulary
@testable import HA

/// A datagram of `messages`, each a netlink message with its length field right, then NLMSG_DONE when `done`.
private func datagram(_ messages: [[UInt8]], done: Bool) -> ArraySlice<UInt8> {
    var out: [UInt8] = []
    for m in messages { out += m + [UInt8](repeating: 0, count: (4 - m.count % 4) % 4) }
    if done { out += [20, 0, 0, 0, 3, 0, 2, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0] }   // NLMSG_DONE
    return out[...]
}

@Suite("RTM_GETROUTE dump: the routes Vigil finds at start (vigil_announce leftovers)")
struct IPRouteDumpTests {
    let host = IPRoute(destination: IPAddress("192.0.2.80")!, prefixLength: 32, device: "lo", table: 198, scope: 253,
                       routingProtocol: 86)

    @Test("The kernel's RTM_NEWROUTE (same layout as a request) reads back: destination, prefix, table, protocol, scope")
    func roundTrip() {
        var big = host
        big.destination = IPAddress("2001:db8::80")!
        big.prefixLength = 128
        big.table = 1000   // RTA_TABLE
        let part = IPRouteDump.parse(datagram([host.message(add: true, interfaceIndex: 1, sequence: 1),
                                               big.message(add: true, interfaceIndex: 1, sequence: 2)], done: true))
        #expect(part.end == .done)
        #expect(part.routes.count == 2)
        #expect(part.routes.first?.destination == IPAddress("192.0.2.80") && part.routes.first?.prefixLength == 32)
        #expect(part.routes.first?.table == 198 && part.routes.first?.routingProtocol == 86 && part.routes.first?.scope == 253)
        #expect(part.routes.last?.destination == IPAddress("2001:db8::80") && part.routes.last?.table == 1000)
    }

    @Test("A default route has no RTA_DST: it reads as 0.0.0.0/0; without NLMSG_DONE more datagrams follow")
    func defaultRoute() {
        var msg = host.message(add: true, interfaceIndex: nil, sequence: 1)
        msg = Array(msg[0..<28])          // header and rtmsg only
        msg[0] = 28
        msg[17] = 0                       // dst_len 0
        let part = IPRouteDump.parse(datagram([msg], done: false))
        #expect(part.end == .more)
        #expect(part.routes.map(\.destination) == [IPAddress("0.0.0.0")])
    }

    @Test("Hostile replies: truncated, a length past the end, an attribute past its message, an error")
    func malformed() {
        let good = host.message(add: true, interfaceIndex: 1, sequence: 1)
        #expect(IPRouteDump.parse(good[0..<20]).end == .malformed)                  // cut short inside the message
        var long = good
        long[0] = UInt8(good.count + 8)
        #expect(IPRouteDump.parse(long[...]).end == .malformed)
        var attr = good
        attr[28] = 200                                                               // RTA_DST length 200
        #expect(IPRouteDump.parse(attr[...]).end == .malformed)
        var short = Array(good[0..<24])
        short[0] = 24                                                                // rtmsg cut in half
        #expect(IPRouteDump.parse(short[...]).end == .malformed)
        let error: [UInt8] = [36, 0, 0, 0, 2, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff] + [UInt8](repeating: 0, count: 16)
        #expect(IPRouteDump.parse(error[...]).end == .kernelError(1))
        var family = good
        family[16] = 7                                                               // not inet or inet6
        #expect(IPRouteDump.parse(datagram([family], done: true)).routes.isEmpty)
    }
}
