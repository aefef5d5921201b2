/// One ancillary message of `recvmsg` (a `cmsghdr` and its data), read from the control buffer as bytes.
public struct ControlMessage: Sendable, Hashable {
    public var level: Int32
    public var type: Int32
    public var data: ArraySlice<UInt8>

    /// The messages in the first `length` bytes of `buffer`: on 64-bit Linux each is `{ size_t len; int level;
    /// int type; data… }`, little-endian, aligned to 8. A malformed length ends the walk.
    public static func parse(_ buffer: [UInt8], length: Int) -> [ControlMessage] {
        var out: [ControlMessage] = []
        let end = min(length, buffer.count)
        var off = 0
        while off + 16 <= end {
            let len = buffer[off..<off + 8].enumerated().reduce(0) { $0 | Int($1.element) << (8 * $1.offset) }
            guard len >= 16, len <= end - off else { break }
            let level = Int32(buffer[off + 8]) | Int32(buffer[off + 9]) << 8
            let type = Int32(buffer[off + 12]) | Int32(buffer[off + 13]) << 8
            out.append(ControlMessage(level: level, type: type, data: buffer[off + 16..<off + len]))
            off += (len + 7) & ~7
        }
        return out
    }
}

#if canImport(Glibc)
import Glibc

/// `recvmsg` on `fd` into `buffer`, with the ancillary data into `control` (see `ControlMessage.parse`) and the
/// sender's address into `from` (a `sockaddr_in6`, `sockaddr_storage`…). Returns what `recvmsg` returned and the
/// length of the control data.
public func receiveMessage<Address>(_ fd: Int32, _ buffer: inout [UInt8], _ control: inout [UInt8],
                                    from: inout Address) -> (count: Int, controlLength: Int) {
    let controlCount = control.count
    return buffer.withUnsafeMutableBytes { buf in
        control.withUnsafeMutableBytes { ctl in
            withUnsafeMutablePointer(to: &from) { fromPtr in
                var iov = iovec(iov_base: buf.baseAddress, iov_len: buf.count)
                return withUnsafeMutablePointer(to: &iov) { iovPtr in
                    var msg = msghdr()
                    msg.msg_name = UnsafeMutableRawPointer(fromPtr)
                    msg.msg_namelen = socklen_t(MemoryLayout<Address>.size)
                    msg.msg_iov = iovPtr
                    msg.msg_iovlen = 1
                    msg.msg_control = ctl.baseAddress
                    msg.msg_controllen = controlCount
                    let n = recvmsg(fd, &msg, 0)
                    return (n, Int(msg.msg_controllen))
                }
            }
        }
    }
}
#endif
