import Testing
@testable import HA

/// A link message as the kernel sends it: veth0, index 7, flags `flags`, IFLA_OPERSTATE `oper`.
private func newLink(_ flags: UInt32, name: String = "veth0", index: Int32 = 7, oper: UInt8? = 6) -> [UInt8] {
    LinkMessage(kind: .new, index: index, name: name, flags: flags, operState: oper).encoded()
}

private let upRunning: UInt32 = 0x1 | 0x40 | 0x1000 | 0x2   // IFF_UP | IFF_RUNNING | IFF_MULTICAST | IFF_BROADCAST

@Suite("rtnetlink link messages")
struct LinkMessageTests {
    @Test("RTM_NEWLINK decodes index, name, flags and operstate")
    func decodesNewLink() throws {
        let m = try LinkMessage.decode(newLink(upRunning))
        #expect(m == LinkMessage(kind: .new, index: 7, name: "veth0", flags: upRunning, operState: 6))
        #expect(m.isUp)
    }

    @Test("Golden bytes: an RTM_NEWLINK for lo (index 1, UP|LOOPBACK|RUNNING, operstate unknown)")
    func goldenLoopback() throws {
        let bytes: [UInt8] = [
            48, 0, 0, 0, 16, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0,          // nlmsghdr: len 48, RTM_NEWLINK, seq 1
            0, 0, 4, 3, 1, 0, 0, 0, 0x49, 0, 1, 0, 0, 0, 0, 0,        // ifinfomsg: ARPHRD_LOOPBACK, index 1, flags 0x10049
            7, 0, 3, 0, 0x6c, 0x6f, 0, 0,                             // IFLA_IFNAME "lo"
            5, 0, 16, 0, 0, 0, 0, 0,                                  // IFLA_OPERSTATE 0 (unknown)
        ]
        let m = try LinkMessage.decode(bytes)
        #expect(m == LinkMessage(kind: .new, index: 1, name: "lo", flags: 0x10049, operState: 0))
        #expect(m.isUp)   // keepalived decides on the flags, not on the operstate
    }

    @Test("Up needs IFF_UP and IFF_RUNNING, as keepalived's FLAGS_UP: admin down or no carrier is down")
    func upNeedsBothFlags() throws {
        #expect(try LinkMessage.decode(newLink(0x1 | 0x40)).isUp)
        #expect(try !LinkMessage.decode(newLink(0x1)).isUp)          // up, no carrier
        #expect(try !LinkMessage.decode(newLink(0x40)).isUp)         // not admin up
        #expect(try !LinkMessage.decode(newLink(0)).isUp)
    }

    @Test("RTM_DELLINK is a deleted link, never up")
    func deletedLink() throws {
        let bytes = LinkMessage(kind: .deleted, index: 7, name: "veth0", flags: upRunning).encoded()
        let m = try LinkMessage.decode(bytes)
        #expect(m.kind == .deleted)
        #expect(!m.isUp)
    }

    @Test("Every truncation of a message is a typed error, never a trap")
    func truncations() {
        let bytes = newLink(upRunning)
        for n in 0..<bytes.count {
            #expect(throws: LinkDecodingError.self) { try LinkMessage.decode(Array(bytes.prefix(n))) }
        }
    }

    @Test("A header shorter than 16 bytes or longer than the bytes is bad length")
    func badHeaderLength() {
        var bytes = newLink(upRunning)
        bytes[0] = 8
        #expect(throws: LinkDecodingError.badLength(offset: 0, length: 8)) { try LinkMessage.decode(bytes) }
        bytes[0] = 200
        #expect(throws: LinkDecodingError.badLength(offset: 0, length: 200)) { try LinkMessage.decode(bytes) }
    }

    @Test("A body without its ifinfomsg is truncated")
    func truncatedBody() {
        let bytes: [UInt8] = [20, 0, 0, 0, 16, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]
        #expect(throws: LinkDecodingError.truncatedBody(length: 20)) { try LinkMessage.decode(bytes) }
    }

    @Test("An attribute of length below 4 or past the end is rejected")
    func badAttributes() {
        var bytes = newLink(upRunning)
        bytes[32] = 2   // IFLA_IFNAME length 2
        #expect(throws: LinkDecodingError.badAttribute(offset: 32, length: 2)) { try LinkMessage.decode(bytes) }
        bytes[32] = 0xff
        #expect(throws: LinkDecodingError.badAttribute(offset: 32, length: 255)) { try LinkMessage.decode(bytes) }
    }

    @Test("No name, an empty name, an over-long or non-UTF-8 name are errors")
    func names() {
        var noName = newLink(upRunning, oper: nil)
        noName[36 - 4 + 2] = 99   // attribute type 99 instead of IFLA_IFNAME
        #expect(throws: LinkDecodingError.missingName) { try LinkMessage.decode(noName) }
        #expect(throws: LinkDecodingError.missingName) { try LinkMessage.decode(newLink(upRunning, name: "")) }
        #expect(throws: LinkDecodingError.badName) {
            try LinkMessage.decode(newLink(upRunning, name: String(repeating: "x", count: 16)))
        }
        var hostile = newLink(upRunning, name: "ab")
        hostile[36] = 0xff   // "\u{ff}b"
        #expect(throws: LinkDecodingError.badName) { try LinkMessage.decode(hostile) }
    }

    @Test("A zero or negative index is an error")
    func badIndex() {
        #expect(throws: LinkDecodingError.badIndex(0)) { try LinkMessage.decode(newLink(upRunning, index: 0)) }
        #expect(throws: LinkDecodingError.badIndex(-1)) { try LinkMessage.decode(newLink(upRunning, index: -1)) }
    }

    @Test("Attributes with NLA_F_NESTED set are matched by type; unknown ones are skipped")
    func attributeFlags() throws {
        var bytes = newLink(upRunning)
        bytes[32 + 3] |= 0x80   // NLA_F_NESTED on IFLA_IFNAME
        #expect(try LinkMessage.decode(bytes).name == "veth0")
    }

    @Test("A datagram splits into links, done and errors; other types are skipped; a bad one does not stop the rest")
    func datagram() {
        var other = newLink(upRunning, name: "x", index: 3)
        other[4] = 20   // RTM_NEWADDR: not a link message
        var broken = newLink(upRunning, name: "y", index: 4)
        broken[20] = 0   // index 0
        let done: [UInt8] = [20, 0, 0, 0, 3, 0, 2, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]
        let error: [UInt8] = [36, 0, 0, 0, 2, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0xf3, 0xff, 0xff, 0xff]
            + [UInt8](repeating: 0, count: 16)   // -13 (EACCES) and the request header
        let entries = LinkMessage.entries(in: newLink(upRunning) + other + broken + done + error)
        #expect(entries == [
            .link(LinkMessage(kind: .new, index: 7, name: "veth0", flags: upRunning, operState: 6)),
            .malformed(.badIndex(0)), .done, .kernelError(13),
        ])
    }

    @Test("A datagram whose framing breaks ends with malformed")
    func datagramFraming() {
        let good = newLink(upRunning)
        #expect(LinkMessage.entries(in: good + [1, 2, 3]) == [
            .link(LinkMessage(kind: .new, index: 7, name: "veth0", flags: upRunning, operState: 6)),
            .malformed(.truncatedHeader(offset: good.count)),
        ])
        var huge = good
        huge[0] = 0xff
        huge[3] = 0x7f
        #expect(LinkMessage.entries(in: huge) == [.malformed(.badLength(offset: 0, length: 0x7f00_00ff))])
        #expect(LinkMessage.entries(in: []) == [])
    }

    @Test("Random and bit-flipped bytes never trap")
    func hostileBytes() {
        var rng = SplitMix(seed: 13)
        let base = newLink(upRunning) + newLink(0x1, name: "eth1", index: 9)
        for _ in 0..<20_000 {
            var bytes = base
            for _ in 0..<Int(rng.next() % 6) {
                let i = Int(rng.next() % UInt64(bytes.count))
                bytes[i] = UInt8(truncatingIfNeeded: rng.next())
            }
            bytes = Array(bytes.prefix(Int(rng.next() % UInt64(bytes.count + 1))))
            _ = LinkMessage.entries(in: bytes)
            _ = try? LinkMessage.decode(bytes)
        }
        for _ in 0..<5_000 {
            let bytes = (0..<Int(rng.next() % 96)).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
            _ = LinkMessage.entries(in: bytes)
            _ = try? LinkMessage.decode(bytes)
        }
    }

    @Test("The dump request is an RTM_GETLINK with NLM_F_REQUEST|NLM_F_DUMP and an empty ifinfomsg")
    func dumpRequest() {
        #expect(LinkMessage.dumpRequest(sequence: 5) == [
            32, 0, 0, 0, 18, 0, 0x01, 0x03, 5, 0, 0, 0, 0, 0, 0, 0,
            0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        ])
    }
}

/// A small deterministic generator for the hostile-bytes test.
private struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9e37_79b9_7f4a_7c15
        var z = state
        z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
        z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
        return z ^ (z >> 31)
    }
}

@Suite("Link table")
struct LinkTableTests {
    func link(_ name: String, _ index: Int32, up: Bool) -> LinkMessage {
        LinkMessage(kind: .new, index: index, name: name, flags: up ? 0x41 : 0x1)
    }

    @Test("A dump sets the states; unknown names are absent")
    func dump() {
        var table = LinkTable()
        #expect(table.replaced(by: [link("veth0", 7, up: true), link("veth1", 8, up: false)]) == [
            LinkTable.Change(name: "veth0", state: .up), LinkTable.Change(name: "veth1", state: .down),
        ])
        #expect(table.state(of: "veth0") == .up)
        #expect(table.state(of: "veth1") == .down)
        #expect(table.state(of: "eth9") == .absent)
    }

    @Test("Only a change of up/down is reported; repeated messages report nothing")
    func onlyChanges() {
        var table = LinkTable()
        _ = table.replaced(by: [link("veth0", 7, up: true)])
        #expect(table.apply(link("veth0", 7, up: true)) == [])
        #expect(table.apply(link("veth0", 7, up: false)) == [LinkTable.Change(name: "veth0", state: .down)])
        #expect(table.apply(link("veth0", 7, up: false)) == [])
        #expect(table.apply(link("veth0", 7, up: true)) == [LinkTable.Change(name: "veth0", state: .up)])
    }

    @Test("RTM_DELLINK makes the name absent; an unknown index is ignored")
    func deletion() {
        var table = LinkTable()
        _ = table.replaced(by: [link("veth0", 7, up: true)])
        let gone = LinkMessage(kind: .deleted, index: 7, name: "veth0", flags: 0)
        #expect(table.apply(gone) == [LinkTable.Change(name: "veth0", state: .absent)])
        #expect(table.apply(gone) == [])
        #expect(table.apply(link("veth0", 12, up: true)) == [LinkTable.Change(name: "veth0", state: .up)])
    }

    @Test("A rename makes the old name absent and the new one appear")
    func rename() {
        var table = LinkTable()
        _ = table.replaced(by: [link("veth0", 7, up: true)])
        #expect(table.apply(link("lan0", 7, up: true)) == [
            LinkTable.Change(name: "veth0", state: .absent), LinkTable.Change(name: "lan0", state: .up),
        ])
    }

    @Test("A fresh dump after lost events reports what differs, gone names included")
    func resynchronize() {
        var table = LinkTable()
        _ = table.replaced(by: [link("veth0", 7, up: true), link("veth1", 8, up: true)])
        #expect(table.replaced(by: [link("veth0", 7, up: false)]) == [
            LinkTable.Change(name: "veth0", state: .down), LinkTable.Change(name: "veth1", state: .absent),
        ])
    }
}
