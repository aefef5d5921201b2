#if canImport(Glibc)
import Glibc
import Foundation
import CLinux
import Vocabulary

/// A failed transport operation.
public enum VRRPTransportError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The interface does not exist or has no usable address.
    case noSuchInterface(String)
    /// A socket call failed.
    case socket(operation: String, errno: Int32)

    public var description: String {
        switch self {
        case .noSuchInterface(let n): return "interface \(n) missing or without an address"
        case .socket(let op, let e): return "\(op): \(String(cString: strerror(e)))"
        }
    }
}

/// Sends and receives VRRP advertisements for one instance.
public protocol VRRPTransport: Sendable {
    /// Received packets, in arrival order; finishes after `close()`.
    var packets: AsyncStream<VRRPReceivedPacket> { get }
    /// The address the kernel will use as source (for tie-break and the v3 pseudo-header).
    var sourceAddress: IPAddress { get }
    /// Sends one advertisement to the multicast group or to every unicast peer, its VRRPv3 IPv4 checksum by `checksum`.
    func send(_ ad: VRRPAdvertisement, checksum: VRRPChecksumRule) throws(VRRPTransportError)
    /// Replaces the `auth_hmac` policy adverts are signed with (a reload that kept the transport).
    func setAuthHMAC(_ policy: VRRPAuthHMACPolicy?)
    /// Stops receiving and closes the socket.
    func close()
}

/// VRRP over a raw IP socket (protocol 112) bound to one interface: multicast 224.0.0.18 / ff02::12
/// joined on that interface, or unicast to `unicast_peer`s. TTL / hop limit 255 on send. A dedicated
/// thread blocks in `recvmsg` and feeds `packets`.
public final class RawSocketVRRPTransport: VRRPTransport, @unchecked Sendable {
    // fd is written once in init and read afterwards; `closed` is guarded by `lock`.
    private let fd: Int32
    private let ipv6: Bool
    private let interfaceIndex: UInt32
    private let peers: [IPAddress]
    private let group: IPAddress
    /// `auth_type AH`: the HMAC key; the socket is then of protocol 51 with IP_HDRINCL (Vigil writes the IP header,
    /// which the ICV covers).
    private let authenticationHeaderKey: [UInt8]?
    private let unicastTTL: UInt8
    private let lock = NSLock()
    private var closed = false
    /// The IP identification of the next AH datagram (guarded by `lock`); never zero.
    private var identification: UInt16 = 0
    /// `auth_hmac`: the sequence and keys adverts are signed with (guarded by `lock`).
    private var signer: VRRPAuthHMACSigner?
    public let sourceAddress: IPAddress
    public let packets: AsyncStream<VRRPReceivedPacket>
    private let continuation: AsyncStream<VRRPReceivedPacket>.Continuation

    /// IPv4 VRRP multicast group.
    public static let multicastV4 = VRRPAdvertisement.multicastV4
    /// IPv6 VRRP multicast group.
    public static let multicastV6 = IPAddress.v6(0xff02_0000_0000_0000, 0x12)

    /// Opens the socket on `interface`. `ipv6` selects the family; `unicastSource` binds the source
    /// address; non-empty `unicastPeers` switches to unicast, whose adverts go out with `unicastTTL` (default 255).
    /// Multicast joins and sends to `multicastGroup` (default `multicastV4` / `multicastV6`).
    /// `addressInterface` is where the default source address is looked up (a `use_vmac` macvlan sends from its base
    /// interface's address; default: `interface`). `authenticationHeaderKey` (IPv4 only): adverts travel in an IP
    /// Authentication Header keyed with it (`auth_type AH`), and only such datagrams are received.
    public init(interface: String, ipv6: Bool, unicastSource: IPAddress? = nil,
                unicastPeers: [IPAddress] = [], unicastTTL: UInt8? = nil,
                multicastGroup: IPAddress? = nil, addressInterface: String? = nil,
                authenticationHeaderKey: [UInt8]? = nil,
                authHMAC: VRRPAuthHMACPolicy? = nil) throws(VRRPTransportError) {
        let ahKey = ipv6 ? nil : authenticationHeaderKey
        let group = multicastGroup ?? (ipv6 ? Self.multicastV6 : Self.multicastV4)
        let index = if_nametoindex(interface)
        guard index != 0 else { throw .noSuchInterface(interface) }
        guard let source = unicastSource ?? Self.primaryAddress(interface: addressInterface ?? interface, ipv6: ipv6) else {
            throw .noSuchInterface(addressInterface ?? interface)
        }
        let proto = Int32(ahKey == nil ? VRRPAdvertisement.ipProtocol : VRRPAuthenticationHeader.ipProtocol)
        let fd = socket(ipv6 ? AF_INET6 : AF_INET, Int32(SOCK_RAW.rawValue) | Int32(SOCK_CLOEXEC.rawValue), proto)
        guard fd >= 0 else { throw .socket(operation: "socket(IPPROTO \(proto))", errno: errno) }
        func opt(_ level: Int32, _ name: Int32, _ value: Int32, _ what: String) throws(VRRPTransportError) {
            var v = value
            guard setsockopt(fd, level, name, &v, 4) == 0 else {
                let e = errno
                Glibc.close(fd)
                throw .socket(operation: what, errno: e)
            }
        }
        let bound = interface.withCString { setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, $0, socklen_t(strlen($0) + 1)) }
        guard bound == 0 else { let e = errno; Glibc.close(fd); throw .socket(operation: "SO_BINDTODEVICE \(interface)", errno: e) }
        if ipv6 {
            try opt(Int32(IPPROTO_IPV6), IPV6_MULTICAST_HOPS, 255, "IPV6_MULTICAST_HOPS")
            try opt(Int32(IPPROTO_IPV6), IPV6_UNICAST_HOPS, Int32(unicastTTL ?? 255), "IPV6_UNICAST_HOPS")
            try opt(Int32(IPPROTO_IPV6), IPV6_MULTICAST_LOOP, 0, "IPV6_MULTICAST_LOOP")
            try opt(Int32(IPPROTO_IPV6), IPV6_MULTICAST_IF, Int32(index), "IPV6_MULTICAST_IF")
            try opt(Int32(IPPROTO_IPV6), 51 /* IPV6_RECVHOPLIMIT */, 1, "IPV6_RECVHOPLIMIT")
            try opt(Int32(IPPROTO_IPV6), 49 /* IPV6_RECVPKTINFO */, 1, "IPV6_RECVPKTINFO")
            // RFC 5798 §5.2.8: the kernel computes the checksum at offset 6 over the pseudo-header.
            try opt(Int32(IPPROTO_IPV6), IPV6_CHECKSUM, 6, "IPV6_CHECKSUM")
            var src = sockaddr_in6()
            src.sin6_family = sa_family_t(AF_INET6)
            Self.fill(&src.sin6_addr, source.bytes)
            if case .v6(let hi, _) = source, hi >> 48 == 0xfe80 { src.sin6_scope_id = index }
            let rc = withUnsafePointer(to: &src) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in6>.size)) }
            }
            guard rc == 0 else { let e = errno; Glibc.close(fd); throw .socket(operation: "bind \(source)", errno: e) }
            if unicastPeers.isEmpty {
                var mreq = ipv6_mreq()
                Self.fill(&mreq.ipv6mr_multiaddr, group.bytes)
                mreq.ipv6mr_interface = index
                guard setsockopt(fd, Int32(IPPROTO_IPV6), IPV6_ADD_MEMBERSHIP, &mreq, socklen_t(MemoryLayout<ipv6_mreq>.size)) == 0
                else { let e = errno; Glibc.close(fd); throw .socket(operation: "join \(group)", errno: e) }
            }
        } else {
            try opt(Int32(IPPROTO_IP), IP_MULTICAST_TTL, 255, "IP_MULTICAST_TTL")
            try opt(Int32(IPPROTO_IP), IP_TTL, Int32(unicastTTL ?? 255), "IP_TTL")
            try opt(Int32(IPPROTO_IP), IP_MULTICAST_LOOP, 0, "IP_MULTICAST_LOOP")
            if ahKey != nil { try opt(Int32(IPPROTO_IP), IP_HDRINCL, 1, "IP_HDRINCL") }
            var mreqn = ip_mreqn()
            mreqn.imr_ifindex = Int32(index)
            mreqn.imr_multiaddr.s_addr = Self.v4(group).bigEndian
            mreqn.imr_address.s_addr = Self.v4(source).bigEndian
            guard setsockopt(fd, Int32(IPPROTO_IP), IP_MULTICAST_IF, &mreqn, socklen_t(MemoryLayout<ip_mreqn>.size)) == 0
            else { let e = errno; Glibc.close(fd); throw .socket(operation: "IP_MULTICAST_IF", errno: e) }
            if unicastPeers.isEmpty {
                guard setsockopt(fd, Int32(IPPROTO_IP), IP_ADD_MEMBERSHIP, &mreqn, socklen_t(MemoryLayout<ip_mreqn>.size)) == 0
                else { let e = errno; Glibc.close(fd); throw .socket(operation: "join \(group)", errno: e) }
            }
            if unicastSource != nil {
                var src = sockaddr_in()
                src.sin_family = sa_family_t(AF_INET)
                src.sin_addr.s_addr = Self.v4(source).bigEndian
                let rc = withUnsafePointer(to: &src) {
                    $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
                }
                guard rc == 0 else { let e = errno; Glibc.close(fd); throw .socket(operation: "bind \(source)", errno: e) }
            }
        }
        self.fd = fd
        self.ipv6 = ipv6
        self.interfaceIndex = index
        self.peers = unicastPeers
        self.group = group
        self.authenticationHeaderKey = ahKey
        self.unicastTTL = unicastTTL ?? 255
        self.sourceAddress = source
        self.signer = authHMAC.map { VRRPAuthHMACSigner(policy: $0) }
        (packets, continuation) = AsyncStream.makeStream(of: VRRPReceivedPacket.self, bufferingPolicy: .bufferingNewest(1024))
        let thread = Thread { [self] in self.receiveLoop() }
        thread.name = "vrrp-rx-\(interface)"
        thread.start()
    }

    private static func v4(_ a: IPAddress) -> UInt32 {
        if case .v4(let v) = a { return v }
        return 0
    }

    private static func fill(_ target: inout in6_addr, _ bytes: [UInt8]) {
        withUnsafeMutableBytes(of: &target) { raw in for (i, b) in bytes.prefix(16).enumerated() { raw[i] = b } }
    }

    /// The first address of the family on `interface` (IPv6: the link-local one, RFC 5798 §5.1.2.2).
    public static func primaryAddress(interface: String, ipv6: Bool) -> IPAddress? {
        var list: UnsafeMutablePointer<ifaddrs>?
        guard getifaddrs(&list) == 0, let first = list else { return nil }
        defer { freeifaddrs(list) }
        var candidates: [IPAddress] = []
        var p: UnsafeMutablePointer<ifaddrs>? = first
        while let entry = p {
            defer { p = entry.pointee.ifa_next }
            guard let sa = entry.pointee.ifa_addr, String(cString: entry.pointee.ifa_name) == interface else { continue }
            if !ipv6 && Int32(sa.pointee.sa_family) == AF_INET {
                let a = sa.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { UInt32(bigEndian: $0.pointee.sin_addr.s_addr) }
                candidates.append(.v4(a))
            } else if ipv6 && Int32(sa.pointee.sa_family) == AF_INET6 {
                let bytes = sa.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { s in
                    withUnsafeBytes(of: s.pointee.sin6_addr) { Array($0) }
                }
                if let a = IPAddress(bytes: bytes) { candidates.append(a) }
            }
        }
        if ipv6 {
            return candidates.first { if case .v6(let hi, _) = $0 { return hi >> 48 == 0xfe80 } else { return false } }
                ?? candidates.first
        }
        return candidates.first
    }

    /// `auth_hmac` after a reload that kept this transport: new keys or mode; the sequence goes on.
    public func setAuthHMAC(_ policy: VRRPAuthHMACPolicy?) {
        lock.lock()
        defer { lock.unlock() }
        guard let policy else { signer = nil; return }
        if signer == nil { signer = VRRPAuthHMACSigner(policy: policy) } else { signer?.policy = policy }
    }

    public func send(_ ad: VRRPAdvertisement, checksum rule: VRRPChecksumRule) throws(VRRPTransportError) {
        let destinations = peers.isEmpty ? [group] : peers
        // AH: one identification per advert, as keepalived (the same for every unicast peer).
        let id: UInt16 = authenticationHeaderKey == nil ? 0 : nextIdentification()
        // auth_hmac: one trailer per advert, the same for every unicast peer (the HMAC covers neither the destination
        // nor the checksum), signed over the first copy's bytes.
        var trailer: [UInt8]?
        for (k, dst) in destinations.enumerated() {
            var bytes = ad.encode(source: sourceAddress, destination: dst, checksum: rule)
            if ipv6 { bytes[6] = 0; bytes[7] = 0 }  // IPV6_CHECKSUM fills it in (over the trailer too)
            if k == 0 { trailer = signedTrailer(pdu: bytes, ad) }
            if let trailer { bytes += trailer }
            if let key = authenticationHeaderKey {
                bytes = VRRPAuthenticationHeader.seal(vrrp: bytes, source: sourceAddress, destination: dst,
                                                      ttl: peers.isEmpty ? 255 : unicastTTL, identification: id,
                                                      sequence: ad.authenticationSequence ?? 0, key: key,
                                                      unicast: !peers.isEmpty)
            }
            let rc: Int
            if ipv6 {
                var sa = sockaddr_in6()
                sa.sin6_family = sa_family_t(AF_INET6)
                Self.fill(&sa.sin6_addr, dst.bytes)
                sa.sin6_scope_id = interfaceIndex
                rc = bytes.withUnsafeBytes { buf in
                    withUnsafePointer(to: &sa) {
                        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                            sendto(fd, buf.baseAddress, buf.count, 0, $0, socklen_t(MemoryLayout<sockaddr_in6>.size))
                        }
                    }
                }
            } else {
                var sa = sockaddr_in()
                sa.sin_family = sa_family_t(AF_INET)
                sa.sin_addr.s_addr = Self.v4(dst).bigEndian
                rc = bytes.withUnsafeBytes { buf in
                    withUnsafePointer(to: &sa) {
                        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                            sendto(fd, buf.baseAddress, buf.count, 0, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                        }
                    }
                }
            }
            guard rc == bytes.count else { throw .socket(operation: "send advert to \(dst)", errno: errno) }
        }
    }

    private func signedTrailer(pdu: [UInt8], _ ad: VRRPAdvertisement) -> [UInt8]? {
        lock.lock()
        defer { lock.unlock() }
        return signer?.trailer(pdu: pdu, version: ad.version, vrid: ad.vrid, source: sourceAddress, now: .now())
    }

    private func nextIdentification() -> UInt16 {
        lock.lock()
        defer { lock.unlock() }
        identification = identification == UInt16.max ? 1 : identification + 1
        return identification
    }

    /// Stops receiving: the receive thread, blocked in recv() with no timeout (an idle daemon should not wake up
    /// to poll), is woken by shutting the socket down, sees the flag, closes the socket and finishes `packets`.
    public func close() {
        lock.lock()
        let wasClosed = closed
        closed = true
        lock.unlock()
        if !wasClosed { _ = shutdown(fd, Int32(SHUT_RDWR)) }
    }

    private var isClosed: Bool {
        lock.lock()
        defer { lock.unlock() }
        return closed
    }

    private func receiveLoop() {
        var buffer = [UInt8](repeating: 0, count: 4096)
        var control = [UInt8](repeating: 0, count: 256)
        while !isClosed {
            if ipv6 {
                if let p = receiveIPv6(&buffer, &control) { continuation.yield(p) }
            } else {
                let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
                if n > 0, var p = VRRPReceivedPacket.parseIPv4(Array(buffer[0..<n])) {
                    p.wallTime = .now()
                    continuation.yield(p)
                }
                if n < 0, errno != EINTR, !isClosed { usleep(10_000) }   // a failing socket must not spin the thread
            }
        }
        Glibc.close(fd)
        continuation.finish()
    }

    private func receiveIPv6(_ buffer: inout [UInt8], _ control: inout [UInt8]) -> VRRPReceivedPacket? {
        var from = sockaddr_in6()
        let result = receiveMessage(fd, &buffer, &control, from: &from)
        let (n, controlLength) = result
        if n < 0, errno != EINTR, !isClosed { usleep(10_000) }   // a failing socket must not spin the thread
        guard n > 0 else { return nil }
        let srcBytes = withUnsafeBytes(of: from.sin6_addr) { Array($0) }
        guard let source = IPAddress(bytes: srcBytes) else { return nil }
        // IPV6_HOPLIMIT (52): an int; IPV6_PKTINFO (50): the destination address first.
        var hop: UInt8 = 0
        var destination = group
        for m in ControlMessage.parse(control, length: controlLength) where m.level == Int32(IPPROTO_IPV6) {
            if m.type == 52, let first = m.data.first { hop = first }
            if m.type == 50, m.data.count >= 16, let d = IPAddress(bytes: m.data.prefix(16)) { destination = d }
        }
        var packet = VRRPReceivedPacket(source: source, destination: destination, ttl: hop, payload: Array(buffer[0..<n]))
        packet.wallTime = .now()
        return packet
    }
}

extension WallTime {
    /// CLOCK_REALTIME now.
    public static func now() -> WallTime {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return WallTime(seconds: Int64(ts.tv_sec), nanoseconds: Int64(ts.tv_nsec))
    }
}
#endif
