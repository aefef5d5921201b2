import Testing
@testable import HA
import Vocabulary

/// `"0c0003…"` as bytes (pairs of hex digits).
private func hex(_ s: String) -> [UInt8] {
    let digits = Array(s.utf8)
    return stride(from: 0, to: digits.count - 1, by: 2).compactMap { UInt8(String(decoding: digits[$0...$0 + 1], as: UTF8.self), radix: 16) }
}

/// The attributes the kernel (6.x) sent for `ip link add vrrp.51 link v0 address 00:00:5e:00:01:33 type macvlan mode
/// private` (v0 index 3), from an RTM_GETLINK answer: IFLA_IFNAME, IFLA_ADDRESS, IFLA_LINKINFO (kind "macvlan" and
/// its data), IFLA_LINK.
private let kernelMacvlan: [UInt8] = {
    let attributes = hex("0c000300767272702e353100") + hex("0a00010000005e0001330000")
        + hex("3c0012000c0001006d6163766c616e002c00020008000100010000000600020000000000080006000000000008000700e803000008000800e8030000")
        + hex("0800050003000000")
    let length = UInt32(32 + attributes.count)
    let header: [UInt8] = [UInt8(length & 0xff), UInt8(length >> 8), 0, 0, 16, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0]
    let info: [UInt8] = [0, 0, 1, 0, 4, 0, 0, 0, 0x03, 0x10, 0, 0, 0, 0, 0, 0]   // index 4, UP|BROADCAST|MULTICAST
    return header + info + attributes
}()

private let spec = VMACSpec(name: "vrrp.51", base: "veth0", mac: VMACSpec.virtualRouterMAC(vrid: 51, ipv6: false))

@Suite("use_vmac: names, MACs and the macvlan decision")
struct VMACTests {
    @Test("The virtual router MAC of RFC 5798 §7.3 and keepalived's default name")
    func namesAndMACs() {
        #expect(VMACSpec.virtualRouterMAC(vrid: 51, ipv6: false) == [0, 0, 0x5e, 0, 1, 51])
        #expect(VMACSpec.virtualRouterMAC(vrid: 255, ipv6: true) == [0, 0, 0x5e, 0, 2, 255])
        #expect(VMACSpec.text([0, 0, 0x5e, 0, 1, 0x33]) == "00:00:5e:00:01:33")
        #expect(VMACSpec.generatedName(vrid: 7, ipv6: true, taken: []) == "vrrp.7")
        #expect(spec.advertInterface == "vrrp.51")
        var base = spec
        base.transmitsOnBase = true
        #expect(base.advertInterface == "veth0")
    }

    @Test("A link dump's macvlan decodes its kind, parent and MAC (kernel bytes)")
    func decodesKernelMacvlan() throws {
        let m = try LinkMessage.decode(kernelMacvlan)
        #expect(m.name == "vrrp.51")
        #expect(m.linkKind == "macvlan")
        #expect(m.parentIndex == 3)
        #expect(m.hardwareAddress == [0, 0, 0x5e, 0, 1, 0x33])
        #expect(m.linkDescription == LinkDescription(index: 4, name: "vrrp.51", kind: "macvlan", parentIndex: 3,
                                                     hardwareAddress: [0, 0, 0x5e, 0, 1, 0x33], isAdministrativelyUp: true))
    }

    @Test("The encoder's kind, parent and MAC round-trip; a malformed IFLA_LINKINFO leaves the kind unknown")
    func roundTripAndMalformedLinkInfo() throws {
        let m = LinkMessage(kind: .new, index: 9, name: "vm1", flags: 1, linkKind: "macvlan", parentIndex: 2,
                            hardwareAddress: [2, 1, 2, 3, 4, 5])
        #expect(try LinkMessage.decode(m.encoded()) == m)
        var bytes = kernelMacvlan
        bytes[32 + 12 + 12 + 4] = 0xff   // the nested IFLA_INFO_KIND's length runs past IFLA_LINKINFO
        let broken = try LinkMessage.decode(bytes)
        #expect(broken.linkKind == nil)
        #expect(broken.name == "vrrp.51")
    }

    @Test("Create when absent; reuse an earlier run's macvlan (bringing it up); refuse anything else holding the name")
    func decisions() {
        let base = LinkDescription(index: 3, name: "veth0", kind: "veth")
        #expect(VMACPlan.decide(spec, links: [base]) == .create(baseIndex: 3))
        let left = LinkDescription(index: 4, name: "vrrp.51", kind: "macvlan", parentIndex: 3, hardwareAddress: spec.mac)
        #expect(VMACPlan.decide(spec, links: [base, left]) == .reuse(index: 4, bringUp: true))
        var up = left
        up.isAdministrativelyUp = true
        #expect(VMACPlan.decide(spec, links: [base, up]) == .reuse(index: 4, bringUp: false))
        func refused(_ links: [LinkDescription]) -> Bool {
            if case .refuse = VMACPlan.decide(spec, links: links) { return true }
            return false
        }
        #expect(refused([]))                                                       // no base
        #expect(refused([base, LinkDescription(index: 4, name: "vrrp.51", kind: "veth")]))
        #expect(refused([base, LinkDescription(index: 4, name: "vrrp.51", kind: "macvlan", parentIndex: 8,
                                               hardwareAddress: spec.mac)]))          // another base
        #expect(refused([base, LinkDescription(index: 4, name: "vrrp.51", kind: "macvlan", parentIndex: 3,
                                               hardwareAddress: [2, 0, 0, 0, 0, 1])]))   // another MAC
        #expect(refused([LinkDescription(index: 3, name: "veth0", kind: "macvlan")]))   // the base is a macvlan
    }

    @Test("Two instances may not share a macvlan name, nor a MAC on one base")
    func conflicts() {
        let other = VMACSpec(name: "vrrp.52", base: "veth0", mac: VMACSpec.virtualRouterMAC(vrid: 52, ipv6: false))
        #expect(VMACPlan.conflicts([("A", spec), ("B", other)]) == nil)
        #expect(VMACPlan.conflicts([("A", spec), ("B", VMACSpec(name: "vrrp.51", base: "eth1", mac: other.mac))])?.1 == "B")
        #expect(VMACPlan.conflicts([("A", spec), ("B", VMACSpec(name: "x", base: "veth0", mac: spec.mac))]) != nil)
        #expect(VMACPlan.conflicts([("A", spec), ("B", VMACSpec(name: "x", base: "eth1", mac: spec.mac))]) == nil)
    }

    @Test("From the macvlans a run has to those wanted: unchanged kept, changed replaced, new made, unwanted dropped")
    func changes() {
        let b = VMACSpec(name: "vrrp.52", base: "veth0", mac: [0, 0, 0x5e, 0, 1, 52])
        var moved = b
        moved.mac = [2, 0, 0, 0, 0, 52]
        let c = VMACSpec(name: "vrrp.53", base: "veth0", mac: [0, 0, 0x5e, 0, 1, 53])
        let plan = VMACPlan.changes(have: ["vrrp.51": spec, "vrrp.52": b, "old": c],
                                    want: [("A", spec), ("B", moved), ("C", c.renamed("vrrp.53"))])
        #expect(plan.replace == ["vrrp.52"])
        #expect(plan.make.map(\.instance) == ["B", "C"])
        #expect(plan.drop == ["old"])
        #expect(VMACPlan.changes(have: [:], want: []).make.isEmpty)
    }

    @Test("Switches: keepalived's on the macvlan, arp_ignore and arp_filter once per IPv4 base")
    func switches() {
        let on = VMACPlan.macvlanSwitches(spec).map { "\($0.path)=\($0.value)" }
        #expect(on == ["/proc/sys/net/ipv4/conf/vrrp.51/arp_ignore=1", "/proc/sys/net/ipv4/conf/vrrp.51/accept_local=1",
                       "/proc/sys/net/ipv4/conf/vrrp.51/rp_filter=0",
                       "/proc/sys/net/ipv4/conf/vrrp.51/promote_secondaries=1",
                       "/proc/sys/net/ipv6/conf/vrrp.51/addr_gen_mode=1", "/proc/sys/net/ipv6/conf/vrrp.51/disable_ipv6=1"])
        var v6 = spec
        v6.ipv6 = true
        #expect(VMACPlan.macvlanSwitches(v6).last?.value == "0")
        let second = VMACSpec(name: "vrrp.52", base: "veth0", mac: [0, 0, 0x5e, 0, 1, 52])
        #expect(VMACPlan.baseSwitches([spec, second, v6]).map(\.name) == ["arp_ignore", "arp_filter"])
        #expect(VMACPlan.baseSwitches([v6]).isEmpty)
        #expect(VMACPlan.promoteSecondaries(["eth0", "eth1", "eth0"]).map { "\($0.path)=\($0.value)" }
            == ["/proc/sys/net/ipv4/conf/eth0/promote_secondaries=1", "/proc/sys/net/ipv4/conf/eth1/promote_secondaries=1"])
    }

    @Test("RTM_NEWLINK creating the macvlan: name, parent, MAC, kind macvlan, mode private; set-up and delete requests")
    func requests() {
        let b = VMACRequest.create(spec, baseIndex: 3, sequence: 1)
        #expect(Int(b[0]) | Int(b[1]) << 8 == b.count)
        #expect(b[4] == 16 && b[6] == 0x05 && b[7] == 0x06)   // RTM_NEWLINK; REQUEST|ACK, CREATE|EXCL
        #expect(Array(b[32..<44]) == hex("0c000300767272702e353100"))   // IFLA_IFNAME "vrrp.51"
        #expect(Array(b[44..<52]) == hex("0800050003000000"))           // IFLA_LINK 3
        #expect(Array(b[52..<64]) == hex("0a00010000005e0001330000"))   // IFLA_ADDRESS
        // IFLA_LINKINFO (nested): IFLA_INFO_KIND "macvlan", IFLA_INFO_DATA { IFLA_MACVLAN_MODE 1 }.
        #expect(Array(b[64...]) == hex("1c001280") + [0x0b, 0, 1, 0] + Array("macvlan".utf8) + [0]
                    + hex("0c000280") + hex("0800010001000000"))
        let up = VMACRequest.setUp(index: 4, sequence: 2)
        #expect(up.count == 32 && Array(up[20..<32]) == [4, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0])
        let del = VMACRequest.delete(index: 4, sequence: 3)
        #expect(del[4] == 17 && Array(del[20..<24]) == [4, 0, 0, 0])
        let ll = VMACRequest.addLinkLocal(.v6(0xfe80_0000_0000_0000, 1), index: 4, sequence: 4)
        #expect(ll[4] == 20 && Array(ll[16..<20]) == [10, 64, 2, 253])
    }
}

@Suite("use_ipvlan: the ipvlan variant of the VMAC plan")
struct IPVLANPlanTests {
    let spec = VMACSpec(name: "ipv51", base: "eth0", mac: [], ipvlan: IPVLANSpec(flags: 1))

    @Test("Create on the base; reuse an earlier run's ipvlan whatever its MAC; refuse a macvlan of that name")
    func decisions() {
        let base = LinkDescription(index: 2, name: "eth0", hardwareAddress: [2, 0, 0, 0, 0, 1])
        #expect(VMACPlan.decide(spec, links: [base]) == .create(baseIndex: 2))
        let old = LinkDescription(index: 7, name: "ipv51", kind: "ipvlan", parentIndex: 2, hardwareAddress: [2, 0, 0, 0, 0, 1])
        #expect(VMACPlan.decide(spec, links: [base, old]) == .reuse(index: 7, bringUp: true))
        var mac = old
        mac.kind = "macvlan"
        if case .refuse = VMACPlan.decide(spec, links: [base, mac]) {} else { Issue.record("a macvlan was taken for the ipvlan") }
    }

    @Test("Two ipvlans on one base do not conflict (they share its MAC); only IPv6 is switched, off for IPv4")
    func conflictsAndSwitches() {
        let other = VMACSpec(name: "ipv52", base: "eth0", mac: [], ipvlan: IPVLANSpec())
        #expect(VMACPlan.conflicts([("A", spec), ("B", other)]) == nil)
        #expect(VMACPlan.macvlanSwitches(spec).map { "\($0.path)=\($0.value)" } == ["/proc/sys/net/ipv6/conf/ipv51/disable_ipv6=1"])
        #expect(VMACPlan.baseSwitches([spec]).isEmpty)
    }

    @Test("RTM_NEWLINK creating the ipvlan: no MAC, kind ipvlan, IFLA_IPVLAN_MODE 0 (L2), IFLA_IPVLAN_FLAGS")
    func request() {
        let b = VMACRequest.create(spec, baseIndex: 3, sequence: 1)
        #expect(Int(b[0]) | Int(b[1]) << 8 == b.count)
        #expect(Array(b[32..<40]) == hex("0a00030069707635") && Array(b[40..<44]) == hex("31000000"))   // "ipv51"
        #expect(Array(b[44..<52]) == hex("0800050003000000"))           // IFLA_LINK 3
        // IFLA_LINKINFO: IFLA_INFO_KIND "ipvlan", IFLA_INFO_DATA { IFLA_IPVLAN_MODE 0, IFLA_IPVLAN_FLAGS 1 }.
        #expect(Array(b[52...]) == hex("24001280") + [0x0a, 0, 1, 0] + Array("ipvlan".utf8) + [0, 0]
                    + hex("14000280") + hex("0600010000000000") + hex("0600020001000000"))
    }
}

private extension VMACSpec {
    func renamed(_ name: String) -> VMACSpec {
        var s = self
        s.name = name
        return s
    }
}

@Suite("use_vmac without a name: keepalived's generated names, vmac_prefix")
struct VMACGeneratedNameTests {
    @Test("PREFIX.VRID, the prefix shortened to fit 15 bytes")
    func plain() {
        #expect(VMACSpec.generatedName(vrid: 51, ipv6: false, taken: []) == "vrrp.51")
        #expect(VMACSpec.generatedName(prefix: "vk", vrid: 7, ipv6: true, taken: []) == "vk.7")
        #expect(VMACSpec.generatedName(prefix: "averyverylongprefix", vrid: 200, ipv6: false, taken: []) == "averyverylo.200")
        #expect(VMACSpec.generatedName(prefix: "averyverylongprefix", vrid: 200, ipv6: false, taken: []).utf8.count == 15)
    }

    @Test("Taken: IPv6 tries PREFIX6 first, then 1, 2…; IPv4 tries 1, 2…")
    func taken() {
        #expect(VMACSpec.generatedName(vrid: 51, ipv6: true, taken: ["vrrp.51"]) == "vrrp6.51")
        #expect(VMACSpec.generatedName(vrid: 51, ipv6: true, taken: ["vrrp.51", "vrrp6.51"]) == "vrrp1.51")
        #expect(VMACSpec.generatedName(vrid: 51, ipv6: true, taken: ["vrrp.51", "vrrp6.51", "vrrp1.51", "vrrp2.51",
                                                                       "vrrp3.51", "vrrp4.51", "vrrp5.51"]) == "vrrp7.51")
        #expect(VMACSpec.generatedName(vrid: 51, ipv6: false, taken: ["vrrp.51"]) == "vrrp1.51")
        #expect(VMACSpec.generatedName(vrid: 51, ipv6: false, taken: ["vrrp.51", "vrrp1.51"]) == "vrrp2.51")
    }
}
