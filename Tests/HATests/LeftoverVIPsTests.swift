import Testing
import Vocabulary
@testable import HA

/// A test literal as an address (a bad literal is a bug in the test).
private func ip(_ text: String) -> IPAddress {
    guard let a = IPAddress(text) else { preconditionFailure("bad test address \(text)") }
    return a
}

/// An instance on eth0 with the given VIPs and excluded VIPs.
private func spec(_ name: String, _ vips: [VirtualAddress], excluded: [VirtualAddress] = []) -> VRRPInstanceSpec {
    let configuration = VRRPInstanceConfiguration(name: name, vrid: 51, virtualAddresses: vips.map(\.address),
                                                  primaryAddress: ip("10.0.0.1"))
    return VRRPInstanceSpec(configuration: configuration, interface: "eth0", virtualAddresses: vips,
                            excludedAddresses: excluded)
}

private func on(_ interface: String, _ address: IPAddress, _ prefix: UInt8) -> InterfaceAddress {
    InterfaceAddress(interface: interface, address: address, prefixLength: prefix)
}

@Suite("Leftover VIPs at start")
struct LeftoverVIPsTests {
    @Test("A configured VIP already on its interface with its prefix is removed")
    func presentVIPIsRemoved() {
        let vip = VirtualAddress(address: ip("10.0.0.100"))
        let r = LeftoverVIPs.removals(configured: [spec("VI_1", [vip])],
                                      present: [on("eth0", ip("10.0.0.1"), 24), on("eth0", ip("10.0.0.100"), 32)])
        #expect(r == [LeftoverVIP(instance: "VI_1", interface: "eth0", address: vip, excluded: false)])
    }

    @Test("Nothing is removed when no configured VIP is present")
    func absentVIPIsNotRemoved() {
        let r = LeftoverVIPs.removals(configured: [spec("VI_1", [VirtualAddress(address: ip("10.0.0.100"))])],
                                      present: [on("eth0", ip("10.0.0.1"), 24)])
        #expect(r.isEmpty)
    }

    @Test("The same address with another prefix length is the operator's, not a leftover (RTM_DELADDR matches the prefix)")
    func otherPrefixIsKept() {
        let r = LeftoverVIPs.removals(configured: [spec("VI_1", [VirtualAddress(address: ip("10.0.0.100"))])],
                                      present: [on("eth0", ip("10.0.0.100"), 24)])
        #expect(r.isEmpty)
    }

    @Test("The same address on another interface is kept")
    func otherInterfaceIsKept() {
        let r = LeftoverVIPs.removals(configured: [spec("VI_1", [VirtualAddress(address: ip("10.0.0.100"))])],
                                      present: [on("eth1", ip("10.0.0.100"), 32)])
        #expect(r.isEmpty)
    }

    @Test("A VIP with dev is looked for on that interface, not the instance's")
    func deviceOverridesInterface() {
        let vip = VirtualAddress(address: ip("192.168.9.9"), prefixLength: 24, device: "eth1")
        let r = LeftoverVIPs.removals(configured: [spec("VI_1", [vip])],
                                      present: [on("eth0", ip("192.168.9.9"), 24), on("eth1", ip("192.168.9.9"), 24)])
        #expect(r == [LeftoverVIP(instance: "VI_1", interface: "eth1", address: vip, excluded: false)])
    }

    @Test("Excluded VIPs are removed too, after the instance's VIPs")
    func excludedAreRemoved() {
        let vip = VirtualAddress(address: ip("10.0.0.100")), ex = VirtualAddress(address: ip("2001:db8::5"))
        let r = LeftoverVIPs.removals(configured: [spec("VI_1", [vip], excluded: [ex])],
                                      present: [on("eth0", ip("2001:db8::5"), 128), on("eth0", ip("10.0.0.100"), 32)])
        #expect(r == [LeftoverVIP(instance: "VI_1", interface: "eth0", address: vip, excluded: false),
                      LeftoverVIP(instance: "VI_1", interface: "eth0", address: ex, excluded: true)])
    }

    @Test("An address listed by two instances is removed once, under the first")
    func duplicateRemovedOnce() {
        let vip = VirtualAddress(address: ip("10.0.0.100"))
        let r = LeftoverVIPs.removals(configured: [spec("VI_1", [vip]), spec("VI_2", [vip])],
                                      present: [on("eth0", ip("10.0.0.100"), 32)])
        #expect(r.map(\.instance) == ["VI_1"])
    }

    @Test("An address an instance sends from is kept even when it is a VIP (the address owner's own address)")
    func sourceAddressKept() {
        let own = VirtualAddress(address: ip("10.0.0.1"), prefixLength: 24), vip = VirtualAddress(address: ip("10.0.0.100"))
        let r = LeftoverVIPs.removals(configured: [spec("VI_1", [own, vip])],
                                      present: [on("eth0", ip("10.0.0.1"), 24), on("eth0", ip("10.0.0.100"), 32)],
                                      sources: [ip("10.0.0.1")])
        #expect(r.map(\.address) == [vip])
    }

    @Test("Addresses that are no VIP of this configuration are never removed")
    func foreignAddressesKept() {
        let r = LeftoverVIPs.removals(configured: [spec("VI_1", [VirtualAddress(address: ip("10.0.0.100"))])],
                                      present: [on("eth0", ip("10.0.0.101"), 32), on("eth0", ip("10.0.0.1"), 24),
                                                on("lo", ip("127.0.0.1"), 8)])
        #expect(r.isEmpty)
    }
}

// The kernel's values (linux/rtnetlink.h, linux/if_addr.h, linux/netlink.h), written out so the test also pins them.
private let rtmNewAddr: UInt16 = 20, nlmsgDone: UInt16 = 3, nlmsgError: UInt16 = 2
private let ifaAddress: UInt16 = 1, ifaLocal: UInt16 = 2

/// Bytes of one netlink message (host order, little-endian here).
private func nlmsg(type: UInt16, payload: [UInt8]) -> [UInt8] {
    let len = UInt32(16 + payload.count)
    var m: [UInt8] = [UInt8(len & 0xff), UInt8(len >> 8 & 0xff), 0, 0, UInt8(type & 0xff), UInt8(type >> 8), 2, 0]
    m += [0, 0, 0, 0, 0, 0, 0, 0] + payload
    while m.count % 4 != 0 { m.append(0) }
    return m
}

private func attr(_ type: UInt16, _ data: [UInt8]) -> [UInt8] {
    let len = 4 + data.count
    var a = [UInt8(len), 0, UInt8(type), 0] + data
    while a.count % 4 != 0 { a.append(0) }
    return a
}

@Suite("RTM_GETADDR dump parsing")
struct AddressDumpTests {
    @Test("An IPv4 address is read from IFA_LOCAL with its prefix and index")
    func ipv4() {
        let payload: [UInt8] = [2, 32, 0, 0, 3, 0, 0, 0]
            + attr(ifaAddress, [10, 0, 0, 100]) + attr(ifaLocal, [10, 0, 0, 100])
        let part = NetlinkAddressControl.parseAddressDump(ArraySlice(nlmsg(type: rtmNewAddr, payload: payload)))
        #expect(part == .more([.init(index: 3, address: ip("10.0.0.100"), prefixLength: 32)]))
    }

    @Test("An IPv6 address is read from IFA_ADDRESS, and NLMSG_DONE ends the dump")
    func ipv6ThenDone() {
        let v6 = ip("2001:db8::5")
        let payload: [UInt8] = [10, 64, 0, 0, 2, 0, 0, 0] + attr(ifaAddress, v6.bytes)
        let bytes = nlmsg(type: rtmNewAddr, payload: payload) + nlmsg(type: nlmsgDone, payload: [0, 0, 0, 0])
        #expect(NetlinkAddressControl.parseAddressDump(ArraySlice(bytes))
                == .done([.init(index: 2, address: v6, prefixLength: 64)]))
    }

    @Test("A length beyond the datagram is malformed, not a trap")
    func truncated() {
        var bytes = nlmsg(type: rtmNewAddr, payload: [2, 32, 0, 0, 3, 0, 0, 0] + attr(ifaLocal, [10, 0, 0, 1]))
        bytes[0] = 200
        #expect(NetlinkAddressControl.parseAddressDump(ArraySlice(bytes)) == .malformed)
        var badAttr = nlmsg(type: rtmNewAddr, payload: [2, 32, 0, 0, 3, 0, 0, 0] + attr(ifaLocal, [10, 0, 0, 1]))
        badAttr[24] = 60
        #expect(NetlinkAddressControl.parseAddressDump(ArraySlice(badAttr)) == .malformed)
    }

    @Test("NLMSG_ERROR reports the kernel's errno")
    func kernelError() {
        let code = UInt32(bitPattern: -1)
        let payload: [UInt8] = [UInt8(code & 0xff), UInt8(code >> 8 & 0xff), UInt8(code >> 16 & 0xff), UInt8(code >> 24)]
        #expect(NetlinkAddressControl.parseAddressDump(ArraySlice(nlmsg(type: nlmsgError, payload: payload)))
                == .kernelError(1))
    }
}
