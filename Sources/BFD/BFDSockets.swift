#if canImport(Glibc)
import Glibc
import Foundation
import Vocabulary

/// A BFD datagram as received: its source, the TTL or hop limit it arrived with, and its bytes.
public struct BFDDatagram: Sendable, Hashable {
    public var source: IPAddress
    public var ttl: UInt8
    public var bytes: [UInt8]
}

/// A socket failure, naming the call.
public struct BFDSocketError: Error, Sendable, CustomStringConvertible {
    public var operation: String
    public var errno: Int32
    public var description: String { "\(operation): \(String(cString: strerror(errno)))" }
}

/// The UDP sockets of single-hop BFD (RFC 5881): one per address family receiving on port 3784 with each packet's
/// TTL, and one per session sending from a port in 49152…65535 with the session's TTL. No decisions here.
final class BFDSocket: @unchecked Sendable {
    let fd: Int32
    let ipv6: Bool
    private let lock = NSLock()
    private var closed = false

    private init(fd: Int32, ipv6: Bool) {
        self.fd = fd
        self.ipv6 = ipv6
    }

    private static func open(ipv6: Bool) throws(BFDSocketError) -> Int32 {
        let fd = socket(ipv6 ? AF_INET6 : AF_INET, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw BFDSocketError(operation: "socket", errno: errno) }
        return fd
    }

    private static func option(_ fd: Int32, _ level: Int32, _ name: Int32, _ value: Int32, _ what: String) throws(BFDSocketError) {
        var v = value
        guard setsockopt(fd, level, name, &v, 4) == 0 else {
            let e = errno
            Glibc.close(fd)
            throw BFDSocketError(operation: what, errno: e)
        }
    }

    private static func bind(_ fd: Int32, address: IPAddress?, port: UInt16, ipv6: Bool) -> Bool {
        if ipv6 {
            var sa = sockaddr_in6()
            sa.sin6_family = sa_family_t(AF_INET6)
            sa.sin6_port = port.bigEndian
            if let a = address { withUnsafeMutableBytes(of: &sa.sin6_addr) { raw in for (i, b) in a.bytes.prefix(16).enumerated() { raw[i] = b } } }
            return withUnsafePointer(to: &sa) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in6>.size)) }
            } == 0
        }
        var sa = sockaddr_in()
        sa.sin_family = sa_family_t(AF_INET)
        sa.sin_port = port.bigEndian
        if case .v4(let v)? = address { sa.sin_addr.s_addr = v.bigEndian }
        return withUnsafePointer(to: &sa) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        } == 0
    }

    /// The receiving socket of a family: port 3784 on every address, with the TTL of each packet.
    static func receiver(ipv6: Bool) throws(BFDSocketError) -> BFDSocket {
        let fd = try open(ipv6: ipv6)
        try option(fd, SOL_SOCKET, SO_REUSEADDR, 1, "SO_REUSEADDR")
        if ipv6 {
            try option(fd, Int32(IPPROTO_IPV6), IPV6_V6ONLY, 1, "IPV6_V6ONLY")
            try option(fd, Int32(IPPROTO_IPV6), IPV6_RECVHOPLIMIT, 1, "IPV6_RECVHOPLIMIT")
        } else {
            try option(fd, Int32(IPPROTO_IP), IP_RECVTTL, 1, "IP_RECVTTL")
        }
        guard bind(fd, address: nil, port: 3784, ipv6: ipv6) else {
            let e = errno
            Glibc.close(fd)
            throw BFDSocketError(operation: "bind to port 3784", errno: e)
        }
        return BFDSocket(fd: fd, ipv6: ipv6)
    }

    /// A session's sending socket: from `source` (or the kernel's choice) and the first free port of 49152…65535
    /// from `firstPort` on, with `ttl`.
    static func sender(source: IPAddress?, ipv6: Bool, ttl: UInt8, firstPort: UInt16) throws(BFDSocketError) -> BFDSocket {
        let fd = try open(ipv6: ipv6)
        if ipv6 {
            try option(fd, Int32(IPPROTO_IPV6), IPV6_V6ONLY, 1, "IPV6_V6ONLY")
            try option(fd, Int32(IPPROTO_IPV6), IPV6_UNICAST_HOPS, Int32(ttl), "IPV6_UNICAST_HOPS")
        } else {
            try option(fd, Int32(IPPROTO_IP), IP_TTL, Int32(ttl), "IP_TTL")
        }
        let span = 65535 - 49152 + 1
        for i in 0..<span {
            let port = UInt16(49152 + (Int(firstPort) - 49152 + i) % span)
            if bind(fd, address: source, port: port, ipv6: ipv6) { return BFDSocket(fd: fd, ipv6: ipv6) }
            guard errno == EADDRINUSE else { break }
        }
        let e = errno
        Glibc.close(fd)
        throw BFDSocketError(operation: "bind to \(source.map { "\($0)" } ?? "any address") in 49152…65535", errno: e)
    }

    func send(_ bytes: [UInt8], to destination: IPAddress) throws(BFDSocketError) {
        let rc: Int
        if ipv6 {
            var sa = sockaddr_in6()
            sa.sin6_family = sa_family_t(AF_INET6)
            sa.sin6_port = UInt16(3784).bigEndian
            withUnsafeMutableBytes(of: &sa.sin6_addr) { raw in for (i, b) in destination.bytes.prefix(16).enumerated() { raw[i] = b } }
            rc = bytes.withUnsafeBytes { buf in
                withUnsafePointer(to: &sa) {
                    $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                        sendto(fd, buf.baseAddress, buf.count, 0, $0, socklen_t(MemoryLayout<sockaddr_in6>.size))
                    }
                }
            }
        } else {
            guard case .v4(let v) = destination else { throw BFDSocketError(operation: "send to \(destination)", errno: EAFNOSUPPORT) }
            var sa = sockaddr_in()
            sa.sin_family = sa_family_t(AF_INET)
            sa.sin_port = UInt16(3784).bigEndian
            sa.sin_addr.s_addr = v.bigEndian
            rc = bytes.withUnsafeBytes { buf in
                withUnsafePointer(to: &sa) {
                    $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                        sendto(fd, buf.baseAddress, buf.count, 0, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                    }
                }
            }
        }
        guard rc == bytes.count else { throw BFDSocketError(operation: "send to \(destination)", errno: errno) }
    }

    /// Receives until `close()`, on a thread of its own, handing each datagram to `deliver`.
    func receive(_ deliver: @escaping @Sendable (BFDDatagram) -> Void) {
        let thread = Thread { [self] in
            var buffer = [UInt8](repeating: 0, count: 512)
            var control = [UInt8](repeating: 0, count: 128)
            while !isClosed {
                if let d = receiveOne(&buffer, &control) { deliver(d) }
            }
            Glibc.close(fd)
        }
        thread.name = "vigil-bfd-rx"
        thread.start()
    }

    /// Ends the receiving thread (it closes the socket), or closes a sending socket.
    func close(receiving: Bool) {
        lock.lock()
        let was = closed
        closed = true
        lock.unlock()
        guard !was else { return }
        if receiving { _ = shutdown(fd, Int32(SHUT_RDWR)) } else { Glibc.close(fd) }
    }

    private var isClosed: Bool {
        lock.lock()
        defer { lock.unlock() }
        return closed
    }

    private func receiveOne(_ buffer: inout [UInt8], _ control: inout [UInt8]) -> BFDDatagram? {
        var from = sockaddr_storage()
        let result = receiveMessage(fd, &buffer, &control, from: &from)
        let (n, controlLength) = result
        if n < 0, errno != EINTR, !isClosed { usleep(10_000) }   // a failing socket must not spin the thread
        guard n > 0 else { return nil }
        let source: IPAddress?
        if ipv6 {
            source = withUnsafeBytes(of: &from) { raw in
                IPAddress(bytes: Array(raw[8..<24]))   // sockaddr_in6.sin6_addr
            }
        } else {
            source = withUnsafeBytes(of: &from) { raw in
                IPAddress(bytes: Array(raw[4..<8]))    // sockaddr_in.sin_addr
            }
        }
        guard let source else { return nil }
        // IP_TTL (2) / IPV6_HOPLIMIT (52): an int (little-endian: its first byte is the value).
        var ttl: UInt8 = 0
        for m in ControlMessage.parse(control, length: controlLength)
        where (m.level == Int32(IPPROTO_IP) && m.type == IP_TTL) || (m.level == Int32(IPPROTO_IPV6) && m.type == 52) {
            if let first = m.data.first { ttl = first }
        }
        return BFDDatagram(source: source, ttl: ttl, bytes: Array(buffer[0..<n]))
    }
}
#endif
