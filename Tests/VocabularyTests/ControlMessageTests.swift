import Testing
@testable import Vocabulary

@Suite("recvmsg ancillary data")
struct ControlMessageTests {
    /// One cmsghdr of `level`/`type` with `data`, padded to 8.
    private func message(level: UInt8, type: UInt8, data: [UInt8]) -> [UInt8] {
        let len = 16 + data.count
        var out = [UInt8(len), 0, 0, 0, 0, 0, 0, 0, level, 0, 0, 0, type, 0, 0, 0] + data
        while out.count % 8 != 0 { out.append(0) }
        return out
    }

    @Test("Two messages in a row, each with its data; the walk stops at a malformed length")
    func parse() {
        let buffer = message(level: 0, type: 2, data: [64, 0, 0, 0]) + message(level: 41, type: 52, data: [255, 0, 0, 0])
        let m = ControlMessage.parse(buffer, length: buffer.count)
        #expect(m.map(\.level) == [0, 41] && m.map(\.type) == [2, 52])
        #expect(m.map { $0.data.first } == [64, 255])
        var broken = buffer
        broken[0] = 200   // longer than the buffer
        #expect(ControlMessage.parse(broken, length: broken.count).isEmpty)
        #expect(ControlMessage.parse(buffer, length: 10).isEmpty)
    }
}
