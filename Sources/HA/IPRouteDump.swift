#if canImport(Glibc)
import Glibc
import CLinux
import Vocabulary

/// One datagram of an RTM_GETROUTE dump, parsed without I/O so that malformed kernel replies are unit-testable.
public enum IPRouteDump {
    /// How the datagram ended.
    public enum End: Equatable, Sendable {
        /// More datagrams follow.
        case more
        /// NLMSG_DONE (or an acknowledgement).
        case done
        /// NLMSG_ERROR with this errno.
        case kernelError(Int32)
        /// Lengths that do not add up: the routes before the bad message are kept.
        case malformed
    }

    /// The routes of one datagram (destination, prefix length, table, protocol, scope, type; the device by index is
    /// not named here) and how it ended. Messages of other types, and routes of other families, are skipped.
    public static func parse(_ data: ArraySlice<UInt8>) -> (routes: [IPRoute], end: End) {
        let b = Array(data)
        func u16(_ o: Int) -> Int { Int(b[o]) | Int(b[o + 1]) << 8 }
        func u32(_ o: Int) -> UInt32 { UInt32(b[o]) | UInt32(b[o + 1]) << 8 | UInt32(b[o + 2]) << 16 | UInt32(b[o + 3]) << 24 }
        var out: [IPRoute] = []
        var off = 0
        while off + 16 <= b.count {
            let len = Int(u32(off)), type = u16(off + 4)
            guard len >= 16, off + len <= b.count else { return (out, .malformed) }
            if type == Int(NLMSG_DONE) { return (out, .done) }
            if type == Int(NLMSG_ERROR) {
                guard len >= 20 else { return (out, .malformed) }
                let code = Int32(bitPattern: u32(off + 16))
                // -Int32.min does not exist: no errno, a malformed reply (found by `make fuzz-rtnetlink`).
                guard code != Int32.min else { return (out, .malformed) }
                return (out, code == 0 ? .done : .kernelError(-code))
            }
            if type == Int(RTM_NEWROUTE) {
                // struct rtmsg (12 bytes): family, dst_len, src_len, tos, table, protocol, scope, type, flags.
                guard len >= 28 else { return (out, .malformed) }
                let family = b[off + 16], dstLength = b[off + 17]
                var table = UInt32(b[off + 20])
                let proto = b[off + 21], scope = b[off + 22], kind = b[off + 23]
                let fam: IPAddress.Family? = family == UInt8(AF_INET) ? .inet : family == UInt8(AF_INET6) ? .inet6 : nil
                var destination: IPAddress?
                var a = off + 28
                while a + 4 <= off + len {
                    let alen = u16(a), atype = u16(a + 2)
                    guard alen >= 4, a + alen <= off + len else { return (out, .malformed) }
                    let value = Array(b[(a + 4)..<(a + alen)])
                    if atype == Int(RTA_DST.rawValue), let fam { destination = IPAddress(family: fam, bytes: value) }
                    if atype == Int(RTA_TABLE.rawValue), value.count == 4 {
                        table = UInt32(value[0]) | UInt32(value[1]) << 8 | UInt32(value[2]) << 16 | UInt32(value[3]) << 24
                    }
                    a += (alen + 3) & ~3
                }
                if let fam {
                    let dst = destination ?? (fam == .inet6 ? .v6(0, 0) : .v4(0))
                    if dst.isIPv6 == (fam == .inet6), Int(dstLength) <= dst.maxPrefixLength {
                        out.append(IPRoute(destination: dst, prefixLength: dstLength, type: kind, table: table,
                                           scope: scope, routingProtocol: proto))
                    }
                }
            }
            off += (len + 3) & ~3
        }
        return (out, .more)
    }
}
#endif
