#if canImport(Glibc)
import Glibc
import CLinux
import Vocabulary

/// The rtnetlink replies `NetlinkAddressControl` reads: an RTM_GETADDR dump and the acknowledgement of a request.
/// Pure (bytes in, values out; the sockets stay in `NetlinkAddressControl`), so malformed kernel replies are
/// unit-testable and fuzzable (`make fuzz-rtnetlink`). Host byte order.
enum RTNetlinkReply {
    /// One datagram of an RTM_GETADDR dump, parsed.
    enum AddressDumpPart: Equatable {
        /// Addresses; more datagrams follow.
        case more([DumpedAddress])
        /// Addresses, then NLMSG_DONE.
        case done([DumpedAddress])
        /// NLMSG_ERROR with this errno.
        case kernelError(Int32)
        /// Lengths that do not add up.
        case malformed
    }

    /// An address of the dump before its interface is named.
    struct DumpedAddress: Equatable {
        var index: UInt32
        var address: IPAddress
        var prefixLength: UInt8
    }

    /// Parses one datagram of an RTM_GETADDR dump.
    static func addressDump(_ data: ArraySlice<UInt8>) -> AddressDumpPart {
        let b = Array(data)
        func u16(_ o: Int) -> Int { Int(b[o]) | Int(b[o + 1]) << 8 }
        func u32(_ o: Int) -> UInt32 { UInt32(b[o]) | UInt32(b[o + 1]) << 8 | UInt32(b[o + 2]) << 16 | UInt32(b[o + 3]) << 24 }
        var out: [DumpedAddress] = []
        var off = 0
        while off + 16 <= b.count {
            let len = Int(u32(off)), type = u16(off + 4)
            guard len >= 16, off + len <= b.count else { return .malformed }
            if type == Int(NLMSG_DONE) { return .done(out) }
            if type == Int(NLMSG_ERROR) {
                guard len >= 20 else { return .malformed }
                let code = Int32(bitPattern: u32(off + 16))
                // -Int32.min does not exist: no errno, a malformed reply (found by `make fuzz-rtnetlink`).
                guard code != Int32.min else { return .malformed }
                return code == 0 ? .done(out) : .kernelError(-code)
            }
            if type == Int(RTM_NEWADDR), len >= 24 {
                // struct ifaddrmsg: family, prefixlen, flags, scope, index; then attributes.
                let family = b[off + 16], prefix = b[off + 17], index = u32(off + 20)
                var local: IPAddress?, address: IPAddress?
                var a = off + 24
                while a + 4 <= off + len {
                    let alen = u16(a), atype = u16(a + 2)
                    guard alen >= 4, a + alen <= off + len else { return .malformed }
                    let value = b[(a + 4)..<(a + alen)]
                    let fam: IPAddress.Family = family == UInt8(AF_INET6) ? .inet6 : .inet
                    if atype == Int(IFA_LOCAL) { local = IPAddress(family: fam, bytes: Array(value)) }
                    if atype == Int(IFA_ADDRESS) { address = IPAddress(family: fam, bytes: Array(value)) }
                    a += (alen + 3) & ~3
                }
                if family == UInt8(AF_INET) || family == UInt8(AF_INET6), let ip = local ?? address {
                    out.append(DumpedAddress(index: index, address: ip, prefixLength: prefix))
                }
            }
            off += (len + 3) & ~3
        }
        return .more(out)
    }

    /// The errno of the acknowledgement that starts `reply` (0: success); nil when it is not an NLMSG_ERROR of at
    /// least 20 bytes, or its code is no errno (Int32.min, which has no negation: found by `make fuzz-rtnetlink`).
    static func acknowledgement(_ reply: ArraySlice<UInt8>) -> Int32? {
        let b = Array(reply)
        guard b.count >= 20 else { return nil }
        let type = UInt16(b[4]) | UInt16(b[5]) << 8
        guard type == UInt16(NLMSG_ERROR) else { return nil }
        let code = Int32(bitPattern: UInt32(b[16]) | UInt32(b[17]) << 8 | UInt32(b[18]) << 16 | UInt32(b[19]) << 24)
        guard code != Int32.min else { return nil }
        return -code
    }
}
#endif
