// The wire format of rtnetlink link messages (RTM_NEWLINK / RTM_DELLINK), as far as link tracking needs it:
// `struct nlmsghdr` (16 bytes), `struct ifinfomsg` (16 bytes), then `struct rtattr`s aligned to 4 bytes, in the
// host's byte order (little-endian on every platform Vigil runs on). Decoding is total: any byte string gives
// messages or typed errors, never a trap. RTM_NEWADDR / RTM_DELADDR give `.address` entries (`track_src_ip`).

import Vocabulary

/// Why a link message could not be decoded.
public enum LinkDecodingError: Error, Sendable, Hashable {
    /// Fewer bytes than a netlink header (16) are left at `offset`.
    case truncatedHeader(offset: Int)
    /// The header at `offset` declares `length`, shorter than a header or longer than what is left.
    case badLength(offset: Int, length: Int)
    /// An RTM_NEWLINK / RTM_DELLINK message too short for its `struct ifinfomsg`.
    case truncatedBody(length: Int)
    /// The attribute at `offset` (within the message) declares a length below 4 or past the message's end.
    case badAttribute(offset: Int, length: Int)
    /// No IFLA_IFNAME attribute, or an empty one.
    case missingName
    /// IFLA_IFNAME is longer than IFNAMSIZ or is not UTF-8.
    case badName
    /// A negative or zero interface index.
    case badIndex(Int32)
}

/// One RTM_NEWLINK or RTM_DELLINK message, decoded.
public struct LinkMessage: Sendable, Hashable {
    /// RTM_NEWLINK (a link appeared or changed, or a dump entry) or RTM_DELLINK (the link is gone).
    public enum Kind: Sendable, Hashable {
        case new
        case deleted
    }

    /// `IFF_UP`: administratively up.
    public static let flagUp: UInt32 = 0x1
    /// `IFF_RUNNING`: operationally up (carrier, RFC 2863 OPER_UP).
    public static let flagRunning: UInt32 = 0x40

    /// Which message.
    public var kind: Kind
    /// `ifi_index`.
    public var index: Int32
    /// `IFLA_IFNAME`.
    public var name: String
    /// `ifi_flags` (`IFF_*`).
    public var flags: UInt32
    /// `IFLA_OPERSTATE` (RFC 2863: 2 down, 5 lower-layer down, 6 up, 0 unknown…), if present. Carried for logs;
    /// keepalived does not decide on it, and neither does Vigil.
    public var operState: UInt8?
    /// `IFLA_LINKINFO`'s `IFLA_INFO_KIND` ("macvlan", "veth", …), if present.
    public var linkKind: String?
    /// `IFLA_LINK`: the lower device's index, if present.
    public var parentIndex: Int32?
    /// `IFLA_ADDRESS`: the hardware address, if present.
    public var hardwareAddress: [UInt8]?

    /// Creates a message (tests, and the encoder below).
    public init(kind: Kind, index: Int32, name: String, flags: UInt32, operState: UInt8? = nil, linkKind: String? = nil,
                parentIndex: Int32? = nil, hardwareAddress: [UInt8]? = nil) {
        self.kind = kind
        self.index = index
        self.name = name
        self.flags = flags
        self.operState = operState
        self.linkKind = linkKind
        self.parentIndex = parentIndex
        self.hardwareAddress = hardwareAddress
    }

    /// The link as the VMAC decision reads it.
    public var linkDescription: LinkDescription {
        LinkDescription(index: index, name: name, kind: linkKind, parentIndex: parentIndex, hardwareAddress: hardwareAddress,
                        isAdministrativelyUp: flags & Self.flagUp != 0)
    }

    /// Up as keepalived 2.2.7 counts it (`FLAGS_UP` in vrrp_if.h): both IFF_UP and IFF_RUNNING, so an
    /// administratively down link and an up link without carrier are both down. A deleted link is never up.
    public var isUp: Bool {
        kind == .new && flags & (Self.flagUp | Self.flagRunning) == Self.flagUp | Self.flagRunning
    }

    static let typeNewLink: UInt16 = 16   // RTM_NEWLINK
    static let typeDelLink: UInt16 = 17   // RTM_DELLINK
    static let typeGetLink: UInt16 = 18   // RTM_GETLINK
    static let typeDone: UInt16 = 3       // NLMSG_DONE
    static let typeError: UInt16 = 2      // NLMSG_ERROR
    static let attributeName: UInt16 = 3       // IFLA_IFNAME
    static let attributeOperState: UInt16 = 16 // IFLA_OPERSTATE
    static let attributeAddress: UInt16 = 1    // IFLA_ADDRESS
    static let attributeLink: UInt16 = 5       // IFLA_LINK
    static let attributeLinkInfo: UInt16 = 18  // IFLA_LINKINFO (nested: IFLA_INFO_KIND = 1)
    static let nameLimit = 16                  // IFNAMSIZ, with the terminating NUL

    /// Decodes one whole netlink message (header included) of type RTM_NEWLINK or RTM_DELLINK.
    public static func decode(_ bytes: [UInt8]) throws(LinkDecodingError) -> LinkMessage {
        guard bytes.count >= 16 else { throw .truncatedHeader(offset: 0) }
        let length = Int(u32(bytes, 0))
        guard length >= 16, length <= bytes.count else { throw .badLength(offset: 0, length: length) }
        let type = u16(bytes, 4)
        return try decodeBody(bytes, length: length, deleted: type == typeDelLink)
    }

    /// The body of a link message of `length` bytes at the start of `b`.
    private static func decodeBody(_ b: [UInt8], length: Int, deleted: Bool) throws(LinkDecodingError) -> LinkMessage {
        // struct ifinfomsg: family(1) pad(1) type(2) index(4) flags(4) change(4).
        guard length >= 32 else { throw .truncatedBody(length: length) }
        let index = Int32(bitPattern: u32(b, 20))
        guard index > 0 else { throw .badIndex(index) }
        let flags = u32(b, 24)
        var name: String?
        var operState: UInt8?
        var linkKind: String?
        var parentIndex: Int32?
        var hardwareAddress: [UInt8]?
        var a = 32
        while a + 4 <= length {
            let alen = Int(u16(b, a)), atype = u16(b, a + 2) & 0x3fff   // without NLA_F_NESTED / NET_BYTEORDER
            guard alen >= 4, a + alen <= length else { throw .badAttribute(offset: a, length: alen) }
            let value = b[(a + 4)..<(a + alen)]
            switch atype {
            case attributeName:
                let text = value.prefix { $0 != 0 }
                guard !text.isEmpty else { throw .missingName }
                guard text.count < nameLimit, let s = String(validating: text, as: UTF8.self) else { throw .badName }
                name = s
            case attributeOperState:
                operState = value.first
            case attributeAddress:
                if !value.isEmpty && value.count <= 32 { hardwareAddress = Array(value) }
            case attributeLink:
                if value.count == 4 { parentIndex = Int32(bitPattern: u32(b, a + 4)) }
            case attributeLinkInfo:
                linkKind = kindInLinkInfo(b, from: a + 4, to: a + alen)
            default:
                break
            }
            a += (alen + 3) & ~3
        }
        guard let name else { throw .missingName }
        return LinkMessage(kind: deleted ? .deleted : .new, index: index, name: name, flags: flags, operState: operState,
                           linkKind: linkKind, parentIndex: parentIndex, hardwareAddress: hardwareAddress)
    }

    /// IFLA_INFO_KIND within the nested IFLA_LINKINFO attributes in `b[start..<end]`; nil when absent or malformed
    /// (the kind only informs the VMAC decision, a bad one is no reason to drop the link).
    private static func kindInLinkInfo(_ b: [UInt8], from start: Int, to end: Int) -> String? {
        var a = start
        while a + 4 <= end {
            let alen = Int(u16(b, a)), atype = u16(b, a + 2) & 0x3fff
            guard alen >= 4, a + alen <= end else { return nil }
            if atype == 1 {
                let text = b[(a + 4)..<(a + alen)].prefix { $0 != 0 }
                return text.isEmpty || text.count > 32 ? nil : String(validating: text, as: UTF8.self)
            }
            a += (alen + 3) & ~3
        }
        return nil
    }

    /// One entry of a datagram from an rtnetlink socket.
    public enum Entry: Sendable, Hashable {
        /// A decoded RTM_NEWLINK / RTM_DELLINK.
        case link(LinkMessage)
        /// RTM_NEWADDR / RTM_DELADDR (`track_src_ip`): `address` added to or deleted from the link of `index`.
        case address(index: Int32, address: IPAddress, deleted: Bool)
        /// A link message that could not be decoded (the next message is still read).
        case malformed(LinkDecodingError)
        /// NLMSG_DONE: the end of a dump.
        case done
        /// NLMSG_ERROR with this errno (0 is an acknowledgement).
        case kernelError(Int32)
    }

    /// Splits a datagram into its messages and decodes the link ones; other message types are skipped. A header
    /// whose length does not fit ends the walk with `.malformed` (nothing after it can be framed).
    public static func entries(in datagram: [UInt8]) -> [Entry] {
        var out: [Entry] = []
        var off = 0
        while off < datagram.count {
            guard datagram.count - off >= 16 else {
                out.append(.malformed(.truncatedHeader(offset: off)))
                break
            }
            let length = Int(u32(datagram, off)), type = u16(datagram, off + 4)
            guard length >= 16, length <= datagram.count - off else {
                out.append(.malformed(.badLength(offset: off, length: length)))
                break
            }
            let message = Array(datagram[off..<(off + length)])
            switch type {
            case typeNewLink, typeDelLink:
                do { out.append(.link(try decodeBody(message, length: length, deleted: type == typeDelLink))) } catch {
                    out.append(.malformed(error))
                }
            case 20, 21:   // RTM_NEWADDR, RTM_DELADDR: struct ifaddrmsg (8 bytes), then IFA_LOCAL (IPv4) or IFA_ADDRESS
                if let entry = addressEntry(message, length: length, deleted: type == 21) { out.append(entry) }
            case typeDone:
                out.append(.done)
            case typeError:
                let code = length >= 20 ? Int32(bitPattern: u32(message, 16)) : 0
                out.append(.kernelError(code == Int32.min ? Int32.max : -code))
            default:
                break
            }
            // NLMSG_ALIGN; a length near Int.max cannot reach here (it is at most the datagram's size).
            off += (length + 3) & ~3
        }
        return out
    }

    /// An address message's entry; nil when too short or without an address of its family's size (skipped, as the
    /// other message types are).
    static func addressEntry(_ m: [UInt8], length: Int, deleted: Bool) -> Entry? {
        guard length >= 24 else { return nil }
        let family = m[16], size = family == 10 ? 16 : 4
        let index = Int32(bitPattern: u32(m, 20))
        var local: IPAddress?, address: IPAddress?
        var off = 24
        while off + 4 <= length {
            let alen = Int(u16(m, off)), atype = u16(m, off + 2) & 0x3fff
            guard alen >= 4, off + alen <= length else { break }
            if alen - 4 == size {
                let value = IPAddress(bytes: m[(off + 4)..<(off + alen)])
                if atype == 2 { local = value } else if atype == 1 { address = value }
            }
            off += (alen + 3) & ~3
        }
        guard let a = local ?? address else { return nil }
        return .address(index: index, address: a, deleted: deleted)
    }

    /// An RTM_GETLINK dump request (every link, every family) with `sequence`.
    public static func dumpRequest(sequence: UInt32) -> [UInt8] {
        var out: [UInt8] = []
        put32(&out, 32)
        put16(&out, typeGetLink)
        put16(&out, 0x1 | 0x300)   // NLM_F_REQUEST | NLM_F_DUMP
        put32(&out, sequence)
        put32(&out, 0)
        out += [UInt8](repeating: 0, count: 16)   // struct ifinfomsg, AF_UNSPEC
        return out
    }

    /// Encodes a message as the kernel would send it (for tests and fuzzing).
    public func encoded(sequence: UInt32 = 0) -> [UInt8] {
        var attributes: [UInt8] = []
        func attribute(_ type: UInt16, _ data: [UInt8]) {
            Self.put16(&attributes, UInt16(4 + data.count))
            Self.put16(&attributes, type)
            attributes += data
            while attributes.count % 4 != 0 { attributes.append(0) }
        }
        attribute(Self.attributeName, Array(name.utf8) + [0])
        if let operState { attribute(Self.attributeOperState, [operState]) }
        if let hardwareAddress { attribute(Self.attributeAddress, hardwareAddress) }
        if let parentIndex {
            var v: [UInt8] = []
            Self.put32(&v, UInt32(bitPattern: parentIndex))
            attribute(Self.attributeLink, v)
        }
        if let linkKind {
            var kind: [UInt8] = []
            Self.put16(&kind, UInt16(4 + linkKind.utf8.count))
            Self.put16(&kind, 1)
            kind += Array(linkKind.utf8)
            while kind.count % 4 != 0 { kind.append(0) }
            attribute(Self.attributeLinkInfo | 0x8000, kind)
        }
        var out: [UInt8] = []
        Self.put32(&out, UInt32(32 + attributes.count))
        Self.put16(&out, kind == .new ? Self.typeNewLink : Self.typeDelLink)
        Self.put16(&out, 0)
        Self.put32(&out, sequence)
        Self.put32(&out, 0)
        out += [0, 0, 1, 0]   // AF_UNSPEC, pad, ARPHRD_ETHER
        Self.put32(&out, UInt32(bitPattern: index))
        Self.put32(&out, flags)
        Self.put32(&out, 0)
        return out + attributes
    }

    private static func u16(_ b: [UInt8], _ o: Int) -> UInt16 { UInt16(b[o]) | UInt16(b[o + 1]) << 8 }
    private static func u32(_ b: [UInt8], _ o: Int) -> UInt32 {
        UInt32(b[o]) | UInt32(b[o + 1]) << 8 | UInt32(b[o + 2]) << 16 | UInt32(b[o + 3]) << 24
    }
    private static func put16(_ out: inout [UInt8], _ v: UInt16) { out += [UInt8(v & 0xff), UInt8(v >> 8)] }
    private static func put32(_ out: inout [UInt8], _ v: UInt32) {
        out += [UInt8(v & 0xff), UInt8(v >> 8 & 0xff), UInt8(v >> 16 & 0xff), UInt8(v >> 24)]
    }
}
