import Testing
import Vocabulary
@testable import HA

/// An NLMSG_ERROR message of 20 bytes (header and error code, without the echoed request) carrying `code`.
private func nlmsgError(_ code: Int32) -> [UInt8] {
    let c = UInt32(bitPattern: code)
    return [20, 0, 0, 0, 2, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0,
            UInt8(c & 0xff), UInt8(c >> 8 & 0xff), UInt8(c >> 16 & 0xff), UInt8(c >> 24)]
}

@Suite("rtnetlink replies that the fuzzer found trapping (make fuzz-rtnetlink)")
struct RTNetlinkReplyTests {
    @Test("An NLMSG_ERROR code of Int32.min is no errno: the route dump is malformed, not a trap")
    func routeDumpErrnoMin() {
        let part = IPRouteDump.parse(nlmsgError(Int32.min)[...])
        #expect(part.end == .malformed && part.routes.isEmpty)
        #expect(IPRouteDump.parse(nlmsgError(-13)[...]).end == .kernelError(13))
    }

    @Test("An NLMSG_ERROR code of Int32.min is no errno: the address dump is malformed, not a trap")
    func addressDumpErrnoMin() {
        #expect(RTNetlinkReply.addressDump(nlmsgError(Int32.min)[...]) == .malformed)
        #expect(NetlinkAddressControl.parseAddressDump(nlmsgError(-1)[...]) == .kernelError(1))
    }

    @Test("An acknowledgement carries the errno; Int32.min, another type or a short reply is malformed (nil)")
    func acknowledgement() {
        #expect(RTNetlinkReply.acknowledgement(nlmsgError(Int32.min)[...]) == nil)
        #expect(RTNetlinkReply.acknowledgement(nlmsgError(0)[...]) == 0)
        #expect(RTNetlinkReply.acknowledgement(nlmsgError(-17)[...]) == 17)
        var notAnError = nlmsgError(-17)
        notAnError[4] = 3   // NLMSG_DONE
        #expect(RTNetlinkReply.acknowledgement(notAnError[...]) == nil)
        #expect(RTNetlinkReply.acknowledgement(nlmsgError(-17).prefix(19)) == nil)
        // The fuzzer's minimised input: a length field beyond the datagram does not matter to the acknowledgement.
        let minimised: [UInt8] = [0x3c, 0, 0, 0, 2, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0x80]
        #expect(RTNetlinkReply.acknowledgement(minimised[...]) == nil)
    }
}
