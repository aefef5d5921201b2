import Testing
@testable import IPVS

@Suite("IPVS replies that the fuzzer found trapping (make fuzz-ipvs)")
struct IPVSReplyTests {
    /// One NLMSG_ERROR message with `code`, then 16 bytes of the echoed request header.
    func errorMessage(_ code: Int32) throws -> NetlinkMessage {
        var bytes: [UInt8] = [36, 0, 0, 0, 2, 0, 0, 0, 9, 0, 0, 0, 0, 0, 0, 0]
        withUnsafeBytes(of: code.littleEndian) { bytes += $0 }
        bytes += [UInt8](repeating: 0, count: 16)
        let messages = try NetlinkReply.messages(bytes[...], .addService)
        return try #require(messages.first)
    }

    @Test("An NLMSG_ERROR code of Int32.min is a malformed reply, not a trap")
    func errnoMin() throws {
        let m = try errorMessage(Int32.min)
        #expect(throws: IPVSError.self) { try NetlinkReply.errorCode(m, .addService) }
        #expect(try NetlinkReply.errorCode(try errorMessage(-17), .addService) == 17)
        #expect(try NetlinkReply.errorCode(try errorMessage(0), .addService) == 0)
    }

    @Test("The fuzzer's minimised input (a batch reply) gives a typed error")
    func minimised() throws {
        let bytes: [UInt8] = [0x24, 0, 0, 0, 2, 0, 0, 0, 0x11, 2, 0, 0, 0x10, 0, 0, 3, 0, 0, 0, 0x80, 0, 0, 0, 0x0e,
                              1, 0xf7, 0xff, 7, 0x5c, 1, 0, 1, 2, 2, 0, 0]
        // Fuzz/IPVS/corpus/regression-error-errno-min.bin without its first byte (which picks the batch reader).
        #expect(throws: IPVSError.self) {
            for m in try NetlinkReply.messages(bytes[...], .addService) where m.type == NL.error {
                _ = try NetlinkReply.errorCode(m, .addService)
            }
        }
    }
}
