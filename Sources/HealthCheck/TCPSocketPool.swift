import CLinux
import Glibc
import Vocabulary

/// The sockets of one engine worker: opened non-blocking, closed with a RST, bound when a check asks for it, and
/// registered with the worker's epoll set (edge-triggered, so an idle socket reports nothing). A socket without
/// bindto/bind_port goes back to an idle pool after its check, disconnected, instead of being closed: the next
/// check connects it again without socket(), setsockopt(), epoll_ctl() and a file's allocation and release.
/// Confined to the worker's thread.
struct TCPSocketPool {
    /// Why a socket could not be opened.
    struct OpenFailure: Error {
        var text: String
    }

    /// Idle sockets kept per address family; more are closed.
    static let idleLimit = 16_384

    private let epfd: Int32
    /// Disconnected sockets ready for the next check, per address family (registered with epoll).
    private var idle4: [Int32] = []
    private var idle6: [Int32] = []

    /// A pool registering its sockets with `epfd`.
    init(epfd: Int32) { self.epfd = epfd }

    /// Whether a check to `target` may use a pooled socket (it binds nothing and marks nothing).
    static func isPoolable(_ target: ConnectTarget) -> Bool {
        target.bindAddress == nil && target.bindPort == nil && target.bindInterface == nil && target.fwmark == nil
    }

    /// An idle socket of `family`, if one is left.
    mutating func takeIdle(family: Int32) -> Int32? {
        family == AF_INET6 ? idle6.popLast() : idle4.popLast()
    }

    /// A new non-blocking socket, closed with a RST (SO_LINGER 0), bound when the target says so, and registered
    /// with epoll.
    func open(address: RawSocketAddress, target: ConnectTarget) -> Result<Int32, OpenFailure> {
        let fd = socket(address.family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { return .failure(OpenFailure(text: "socket: \(EpollCheckEngine.errorText(errno))")) }
        // Close with a RST rather than a FIN (as HAProxy's checks do): no FIN exchange and no TIME_WAIT socket
        // per check on the director (5,000 a second at 10,000 servers), whose port search slows every connect.
        var abort = linger(l_onoff: 1, l_linger: 0)
        _ = setsockopt(fd, SOL_SOCKET, SO_LINGER, &abort, socklen_t(MemoryLayout<linger>.size))
        if let problem = SocketPlacement.apply(target, fd: fd) {
            close(fd)
            return .failure(OpenFailure(text: problem.description))
        }
        if target.bindAddress != nil || target.bindPort != nil {
            let host = target.bindAddress ?? (address.family == AF_INET6 ? .v6(0, 0) : .v4(0))
            guard let local = RawSocketAddress(address: host, port: target.bindPort ?? 0) else {
                close(fd)
                return .failure(OpenFailure(text: "bindto \(host) is not numeric"))
            }
            var one: Int32 = 1
            _ = setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
            guard local.withSockAddr({ bind(fd, $0, $1) }) == 0 else {
                let e = errno
                close(fd)
                return .failure(OpenFailure(text: "bind \(host): \(EpollCheckEngine.errorText(e))"))
            }
        }
        var event = epoll_event()
        event.events = EPOLLOUT.rawValue | EPOLLIN.rawValue | EPOLLRDHUP.rawValue | EPOLLET.rawValue
        event.data.u64 = UInt64(UInt32(bitPattern: fd))
        guard epoll_ctl(epfd, CInt(EPOLL_CTL_ADD), fd, &event) == 0 else {
            let e = errno
            close(fd)
            return .failure(OpenFailure(text: "epoll_ctl: \(EpollCheckEngine.errorText(e))"))
        }
        return .success(fd)
    }

    /// Errors a connect on a pooled socket returns when the socket itself, not the target, is the problem.
    static func isStaleSocketError(_ e: Int32) -> Bool {
        e == EISCONN || e == EALREADY || e == EINVAL || e == EBADF || e == ENOTSOCK || e == EAFNOSUPPORT
    }

    /// Ends a check's use of `fd`: a pooled socket is disconnected (connect to AF_UNSPEC: a RST if the
    /// handshake completed, an abort if it is still in SYN_SENT) and kept for the next check; anything else,
    /// or a socket that does not disconnect cleanly, is closed.
    mutating func release(_ fd: Int32, pooled: Bool, family: Int32) {
        guard pooled, (family == AF_INET6 ? idle6.count : idle4.count) < Self.idleLimit else {
            close(fd)
            return
        }
        var unspec = sockaddr()
        unspec.sa_family = sa_family_t(AF_UNSPEC)
        guard connect(fd, &unspec, socklen_t(MemoryLayout<sockaddr>.size)) == 0 else {
            close(fd)
            return
        }
        // The disconnect leaves ECONNRESET in SO_ERROR; the next connect clears it (the kernel's
        // tcp_connect_init), so the pooled socket reports no stale error (the reuse host tests check it).
        if family == AF_INET6 { idle6.append(fd) } else { idle4.append(fd) }
    }

    /// Closes every idle socket.
    mutating func closeAll() {
        for fd in idle4 + idle6 { close(fd) }
        idle4 = []
        idle6 = []
    }
}
