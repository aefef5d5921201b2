import Glibc
import Vocabulary

/// A numeric socket address built without allocating (inet_pton into a sockaddr_in/sockaddr_in6).
struct RawSocketAddress {
    private var v4 = sockaddr_in()
    private var v6 = sockaddr_in6()
    /// AF_INET or AF_INET6.
    let family: Int32

    /// The socket address of `address` and `port` (never nil; failable for the engine's call site).
    init?(address: IPAddress, port: UInt16) {
        switch address {
        case .v4(let a):
            family = AF_INET
            v4.sin_family = sa_family_t(AF_INET)
            v4.sin_port = port.bigEndian
            v4.sin_addr.s_addr = a.bigEndian
        case .v6:
            family = AF_INET6
            v6.sin6_family = sa_family_t(AF_INET6)
            v6.sin6_port = port.bigEndian
            let bytes = address.bytes
            withUnsafeMutableBytes(of: &v6.sin6_addr) { raw in
                for (i, b) in bytes.enumerated() { raw[i] = b }
            }
        }
    }

    /// Calls `body` with the address as a `sockaddr` pointer and its length.
    func withSockAddr<R>(_ body: (UnsafePointer<sockaddr>, socklen_t) -> R) -> R {
        if family == AF_INET6 {
            var a = v6
            return withUnsafePointer(to: &a) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { body($0, socklen_t(MemoryLayout<sockaddr_in6>.size)) }
            }
        }
        var a = v4
        return withUnsafePointer(to: &a) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { body($0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
    }
}
