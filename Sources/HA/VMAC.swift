// Theory of operation
// -------------------
// `use_vmac` gives a VRRP instance its own interface: a macvlan in private mode on the instance's `interface` (the
// base), carrying the virtual router MAC of RFC 5798 §7.3 (00:00:5e:00:01:VRID for IPv4, 00:00:5e:00:02:VRID for
// IPv6), named `vrrp.VRID` unless named in the config. The instance's VIPs go on it (those without their own `dev`),
// and its adverts and gratuitous ARPs leave from it, so a takeover moves a MAC address, not an ARP entry: switches
// relearn the port from the first frame and neighbours need no GARP to reach the new MASTER. `vmac_xmit_base`
// sends and receives the adverts on the base interface instead (the VIPs still live on the macvlan).
//
// As keepalived 2.2.7 (observed in the host lab), both roles create the interface at start and bring it up; the
// BACKUP's simply holds no address. IPv6 address generation is off on it; an IPv4 instance's macvlan has IPv6
// disabled, an IPv6 instance's gets the base interface's link-local address (not preferred, no DAD), which its
// adverts are sent from. On the macvlan `arp_ignore` is 1, `accept_local` 1, `rp_filter` 0 and
// `promote_secondaries` 1; on the base `arp_ignore` and `arp_filter` are 1, so the base never answers ARP for a VIP
// with its own MAC. A macvlan left by an earlier run is reused when it is a macvlan on the same base with the same
// MAC; anything else holding the name is an error naming the instance. At stop the macvlan is deleted and the base's
// switches are restored (keepalived 2.2.7 leaves them set; restoring is what an operator expects of a stop).
//
// Decisions (names, MACs, the sysctl table, what to do with an existing link) are pure functions here; the
// rtnetlink requests are encoded here too; `NetlinkLinkControl` only sends them and writes /proc.

import Vocabulary

/// The macvlan of one `use_vmac` instance.
public struct VMACSpec: Sendable, Hashable {
    /// The macvlan's name (`use_vmac NAME`, default `vrrp.VRID`).
    public var name: String
    /// The base interface (the instance's `interface`).
    public var base: String
    /// The macvlan's MAC address (6 bytes).
    public var mac: [UInt8]
    /// `vmac_xmit_base`: adverts are sent and received on the base interface.
    public var transmitsOnBase: Bool
    /// The instance is IPv6 (the MAC's fifth byte is 2, the macvlan keeps IPv6 and gets the base's link-local).
    public var ipv6: Bool
    /// `use_ipvlan`: an L2 ipvlan (sharing the base's MAC; `mac` is empty) instead of a macvlan.
    public var ipvlan: IPVLANSpec?

    /// Creates a spec.
    public init(name: String, base: String, mac: [UInt8], transmitsOnBase: Bool = false, ipv6: Bool = false,
                ipvlan: IPVLANSpec? = nil) {
        self.name = name
        self.base = base
        self.mac = mac
        self.transmitsOnBase = transmitsOnBase
        self.ipv6 = ipv6
        self.ipvlan = ipvlan
    }

    /// The interface kind: "macvlan" or "ipvlan".
    public var kind: String { ipvlan == nil ? "macvlan" : "ipvlan" }

    /// The name keepalived makes for a `use_vmac` without a name: `PREFIX.VRID` (`vmac_prefix`, default `vrrp`); if
    /// another instance's macvlan has that name (`taken`), `PREFIX6.VRID` then `PREFIX1.VRID`, `PREFIX2.VRID`… for an
    /// IPv6 instance, `PREFIX1.VRID`, `PREFIX2.VRID`… for an IPv4 one. The prefix is shortened so that the name fits
    /// in 15 bytes (IFNAMSIZ).
    public static func generatedName(prefix: String = "vrrp", vrid: UInt8, ipv6: Bool, taken: Set<String>) -> String {
        func name(_ number: Int?) -> String {
            let suffix = (number.map(String.init) ?? "") + ".\(vrid)"
            var head = prefix
            while head.utf8.count > 15 - suffix.utf8.count { head.removeLast() }
            return head + suffix
        }
        var candidates: [Int?] = [nil]
        candidates += ipv6 ? [6] + Array(1...5) + Array(7...999) : Array(1...999)
        return candidates.lazy.map(name).first { !taken.contains($0) } ?? name(nil)
    }

    /// The virtual router MAC of RFC 5798 §7.3.
    public static func virtualRouterMAC(vrid: UInt8, ipv6: Bool) -> [UInt8] {
        [0x00, 0x00, 0x5e, 0x00, ipv6 ? 0x02 : 0x01, vrid]
    }

    /// The MAC as `ip link` prints it.
    public static func text(_ mac: [UInt8]) -> String {
        mac.map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined(separator: ":")
    }

    /// The interface adverts are sent and received on.
    public var advertInterface: String { transmitsOnBase ? base : name }
}

/// `use_ipvlan`'s settings: the flags and the address put on the ipvlan.
public struct IPVLANSpec: Sendable, Hashable {
    /// `IFLA_IPVLAN_FLAGS`: 0 bridge, 1 private (IPVLAN_F_PRIVATE), 2 vepa (IPVLAN_F_VEPA).
    public var flags: UInt16
    /// The address (with its prefix length) added to the ipvlan; the adverts' source unless one is configured.
    public var address: VirtualAddress?

    /// Creates the value.
    public init(flags: UInt16 = 0, address: VirtualAddress? = nil) {
        self.flags = flags
        self.address = address
    }
}

/// An interface as a link dump shows it, as far as the VMAC decision needs it.
public struct LinkDescription: Sendable, Hashable {
    /// `ifi_index`.
    public var index: Int32
    /// `IFLA_IFNAME`.
    public var name: String
    /// `IFLA_INFO_KIND` ("macvlan", "veth", …), nil for a physical device.
    public var kind: String?
    /// `IFLA_LINK`: the lower device's index, if any.
    public var parentIndex: Int32?
    /// `IFLA_ADDRESS`.
    public var hardwareAddress: [UInt8]?
    /// `IFF_UP`.
    public var isAdministrativelyUp: Bool

    /// Creates a description.
    public init(index: Int32, name: String, kind: String? = nil, parentIndex: Int32? = nil,
                hardwareAddress: [UInt8]? = nil, isAdministrativelyUp: Bool = false) {
        self.index = index
        self.name = name
        self.kind = kind
        self.parentIndex = parentIndex
        self.hardwareAddress = hardwareAddress
        self.isAdministrativelyUp = isAdministrativelyUp
    }
}

/// What to do to have an instance's macvlan.
public enum VMACDecision: Sendable, Hashable {
    /// Create it on the base interface of this index.
    case create(baseIndex: Int32)
    /// A macvlan of this name, base and MAC exists (an earlier run's): use it, bringing it up if it is down.
    case reuse(index: Int32, bringUp: Bool)
    /// It cannot be had; the reason names what is in the way.
    case refuse(String)
}

/// The pure VMAC decisions.
public enum VMACPlan {
    /// What to do for `spec` given the links present now.
    public static func decide(_ spec: VMACSpec, links: [LinkDescription]) -> VMACDecision {
        guard let base = links.first(where: { $0.name == spec.base }) else {
            return .refuse("its interface \(spec.base) does not exist")
        }
        guard base.kind != "macvlan" && base.kind != "ipvlan" else {
            return .refuse("its interface \(spec.base) is itself a \(base.kind ?? "")")
        }
        guard let existing = links.first(where: { $0.name == spec.name }) else { return .create(baseIndex: base.index) }
        guard existing.kind == spec.kind else {
            return .refuse("\(spec.name) exists and is not \(spec.ipvlan == nil ? "a macvlan" : "an ipvlan") (\(existing.kind ?? "a device"))")
        }
        guard existing.parentIndex == base.index else {
            return .refuse("\(spec.name) exists on another interface than \(spec.base)")
        }
        guard spec.ipvlan != nil || existing.hardwareAddress == spec.mac else {
            let has = existing.hardwareAddress.map(VMACSpec.text) ?? "no address"
            return .refuse("\(spec.name) exists with \(has), not \(VMACSpec.text(spec.mac))")
        }
        return .reuse(index: existing.index, bringUp: !existing.isAdministrativelyUp)
    }

    /// What to do to go from the macvlans a run has (`have`, by name) to those `want`ed (instance, spec): `replace`d
    /// (same name, another spec: deleted before they are made again), `make` (absent or replaced), and `drop` (no
    /// instance wants them any more; the runtime deletes them after the router has left their instances).
    public static func changes(have: [String: VMACSpec], want: [(instance: String, vmac: VMACSpec)])
        -> (replace: [String], make: [(instance: String, vmac: VMACSpec)], drop: [String]) {
        let wanted = Set(want.map(\.vmac.name))
        let make = want.filter { have[$0.vmac.name] != $0.vmac }
        let replace = make.map(\.vmac.name).filter { have[$0] != nil }
        return (replace, make, have.keys.filter { !wanted.contains($0) }.sorted())
    }

    /// Two instances wanting the same macvlan name, or the same MAC on the same base: the first pair found, for a
    /// config error.
    public static func conflicts(_ specs: [(instance: String, vmac: VMACSpec)]) -> (String, String, String)? {
        for (i, a) in specs.enumerated() {
            for b in specs[(i + 1)...] {
                if a.vmac.name == b.vmac.name { return (a.instance, b.instance, "both use the interface \(a.vmac.name)") }
                if a.vmac.ipvlan == nil, b.vmac.ipvlan == nil, a.vmac.base == b.vmac.base && a.vmac.mac == b.vmac.mac {
                    return (a.instance, b.instance, "both use \(VMACSpec.text(a.vmac.mac)) on \(a.vmac.base)")
                }
            }
        }
        return nil
    }

    /// One kernel switch: `/proc/sys/net/<family>/conf/<interface>/<name>`.
    public struct Switch: Sendable, Hashable {
        public var family: String
        public var interface: String
        public var name: String
        public var value: String

        /// Creates a switch.
        public init(family: String, interface: String, name: String, value: String) {
            self.family = family
            self.interface = interface
            self.name = name
            self.value = value
        }

        /// Its path under /proc/sys (an interface name may hold dots; /proc keeps them as they are).
        public var path: String { "/proc/sys/net/\(family)/conf/\(interface)/\(name)" }
    }

    /// The switches set on the macvlan, before it goes up. An ipvlan gets only IPv6 turned off for an IPv4 instance,
    /// as keepalived sets it.
    public static func macvlanSwitches(_ spec: VMACSpec) -> [Switch] {
        if spec.ipvlan != nil {
            return [Switch(family: "ipv6", interface: spec.name, name: "disable_ipv6", value: spec.ipv6 ? "0" : "1")]
        }
        var out = [("arp_ignore", "1"), ("accept_local", "1"), ("rp_filter", "0"), ("promote_secondaries", "1")]
            .map { Switch(family: "ipv4", interface: spec.name, name: $0.0, value: $0.1) }
        // No address of its own (IN6_ADDR_GEN_MODE_NONE): an IPv6 instance's gets the base's link-local.
        out.append(Switch(family: "ipv6", interface: spec.name, name: "addr_gen_mode", value: "1"))
        out.append(Switch(family: "ipv6", interface: spec.name, name: "disable_ipv6", value: spec.ipv6 ? "0" : "1"))
        return out
    }

    /// `promote_secondaries` on each of `interfaces` (restored at stop), each once: with it the kernel keeps the other
    /// addresses of a subnet when its primary address is deleted, instead of deleting them all.
    public static func promoteSecondaries(_ interfaces: [String]) -> [Switch] {
        var seen: Set<String> = []
        return interfaces.filter { seen.insert($0).inserted }
            .map { Switch(family: "ipv4", interface: $0, name: "promote_secondaries", value: "1") }
    }

    /// The switches set on each base interface of an IPv4 macvlan (restored at stop), each once.
    public static func baseSwitches(_ specs: [VMACSpec]) -> [Switch] {
        var seen: Set<String> = []
        var out: [Switch] = []
        for s in specs where !s.ipv6 && s.ipvlan == nil && seen.insert(s.base).inserted {
            out.append(Switch(family: "ipv4", interface: s.base, name: "arp_ignore", value: "1"))
            out.append(Switch(family: "ipv4", interface: s.base, name: "arp_filter", value: "1"))
        }
        return out
    }
}

/// The rtnetlink requests of the VMAC adapter (host byte order; little-endian on every platform Vigil runs on).
public enum VMACRequest {
    static let newLink: UInt16 = 16, delLink: UInt16 = 17, newAddress: UInt16 = 20
    static let request: UInt16 = 0x1, ack: UInt16 = 0x4, excl: UInt16 = 0x200, create: UInt16 = 0x400
    static let iflaAddress: UInt16 = 1, iflaName: UInt16 = 3, iflaLink: UInt16 = 5, iflaLinkInfo: UInt16 = 18
    static let infoKind: UInt16 = 1, infoData: UInt16 = 2, macvlanMode: UInt16 = 1, nested: UInt16 = 0x8000
    /// MACVLAN_MODE_PRIVATE.
    static let modePrivate: UInt32 = 1
    static let iffUp: UInt32 = 0x1

    /// RTM_NEWLINK creating the macvlan of `spec` on `baseIndex`, down, in private mode, with its MAC; or, for
    /// `use_ipvlan`, the ipvlan in L2 mode (IFLA_IPVLAN_MODE 0) with its flags and the base's MAC.
    public static func create(_ spec: VMACSpec, baseIndex: Int32, sequence: UInt32) -> [UInt8] {
        var m = NetlinkMessage(type: newLink, flags: request | ack | create | excl, sequence: sequence)
        infoMessage(&m, index: 0, flags: 0, change: 0)
        m.attribute(iflaName, Array(spec.name.utf8) + [0])
        m.attribute(iflaLink, le32(UInt32(bitPattern: baseIndex)))
        var data = NetlinkMessage(type: 0, flags: 0, sequence: 0)
        if let ipvlan = spec.ipvlan {
            data.attribute(1 /* IFLA_IPVLAN_MODE */, le16(0 /* IPVLAN_MODE_L2 */))
            data.attribute(2 /* IFLA_IPVLAN_FLAGS */, le16(ipvlan.flags))
        } else {
            m.attribute(iflaAddress, spec.mac)
            data.attribute(macvlanMode, le32(modePrivate))
        }
        var info = NetlinkMessage(type: 0, flags: 0, sequence: 0)
        info.attribute(infoKind, Array(spec.kind.utf8))
        info.attribute(infoData | nested, data.body)
        m.attribute(iflaLinkInfo | nested, info.body)
        // IFLA_AF_SPEC cannot come with the creation (the link has no IPv6 state yet: EAFNOSUPPORT); the address
        // generation mode is a switch set before the link goes up (`VMACPlan.macvlanSwitches`).
        return m.finished()
    }

    /// RTM_NEWLINK setting the link of `index` up.
    public static func setUp(index: Int32, sequence: UInt32) -> [UInt8] {
        var m = NetlinkMessage(type: newLink, flags: request | ack, sequence: sequence)
        infoMessage(&m, index: index, flags: iffUp, change: iffUp)
        return m.finished()
    }

    /// RTM_DELLINK of the link of `index`.
    public static func delete(index: Int32, sequence: UInt32) -> [UInt8] {
        var m = NetlinkMessage(type: delLink, flags: request | ack, sequence: sequence)
        infoMessage(&m, index: index, flags: 0, change: 0)
        return m.finished()
    }

    /// RTM_NEWADDR of an IPv6 link-local `address`/64 on `index`, without DAD and never preferred (valid forever,
    /// preferred 0), as keepalived gives an IPv6 macvlan its base's link-local address.
    public static func addLinkLocal(_ address: IPAddress, index: Int32, sequence: UInt32) -> [UInt8] {
        var m = NetlinkMessage(type: newAddress, flags: request | ack | create | 0x100 /* NLM_F_REPLACE */,
                               sequence: sequence)
        // struct ifaddrmsg: family, prefixlen, flags (IFA_F_NODAD), scope (RT_SCOPE_LINK), index.
        m.body = [10, 64, 0x02, 253]
        m.appendUInt32(UInt32(bitPattern: index))
        m.attribute(2 /* IFA_LOCAL */, address.bytes)
        m.attribute(1 /* IFA_ADDRESS */, address.bytes)
        // struct ifa_cacheinfo: preferred 0, valid INFINITY, cstamp, tstamp.
        m.attribute(6 /* IFA_CACHEINFO */, le32(0) + le32(0xffff_ffff) + le32(0) + le32(0))
        return m.finished()
    }

    /// struct ifinfomsg: family AF_UNSPEC, pad, type, index, flags, change.
    private static func infoMessage(_ m: inout NetlinkMessage, index: Int32, flags: UInt32, change: UInt32) {
        m.body += [0, 0, 0, 0]
        m.appendUInt32(UInt32(bitPattern: index))
        m.appendUInt32(flags)
        m.appendUInt32(change)
    }

    private static func le16(_ v: UInt16) -> [UInt8] { [UInt8(v & 0xff), UInt8(v >> 8)] }

    private static func le32(_ v: UInt32) -> [UInt8] {
        [UInt8(v & 0xff), UInt8(v >> 8 & 0xff), UInt8(v >> 16 & 0xff), UInt8(v >> 24)]
    }
}
