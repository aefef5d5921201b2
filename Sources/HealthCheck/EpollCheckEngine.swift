// Theory of operation
//
// `EpollCheckEngine` runs the TCP_CHECKs and plain HTTP_GETs of `HealthCheckService` without NIO channels: a TCP
// check is one non-blocking `connect()`, an HTTP_GET a connect, one request and a response read with
// `HTTPResponseParser`; at 10,000 servers a channel, pipeline, bootstrap and a scheduled task per check cost more than
// the check. Each worker is one thread with its own epoll set:
//   - `submit` hands a batch of requests to the next worker (a locked inbox, an eventfd wakes it when it sleeps);
//   - the worker calls `connect()` at once and records how late that is against the request's due instant;
//   - the timeout runs from that `connect()`, not from when the check was scheduled, and is checked against the
//     socket itself when it expires: a connect the kernel completed but the worker had not yet seen (a thread that
//     was descheduled, a burst) is a success, late — never a false DOWN;
//   - verdicts are delivered in batches through `deliver`, one call per worker iteration.
// Sockets end a check with a RST (SO_LINGER 0 for a close; a disconnect, `connect(AF_UNSPEC)`, sends one too), like
// HAProxy's checks, so checks leave no TIME_WAIT sockets behind. A socket without bindto/bind_port is disconnected and
// kept in an idle pool for the next check instead of being closed: a check then costs a connect and a disconnect, not
// also socket(), setsockopt(), epoll_ctl() and a file's allocation and release. Sockets stay
// registered with epoll edge-triggered; readiness flags give the verdict (writable: connected; error or hang-up:
// failed, errno from SO_ERROR). It makes no health decisions (the scheduler does).

import CLinux
import Crypto
import Dispatch
import Glibc
import NIOPosix
import Synchronization
import Vocabulary

/// Runs TCP connect checks and HTTP exchanges on one or a few epoll threads (an adapter of `HealthCheckService`).
final class EpollCheckEngine: Sendable {
    /// One connect to run.
    struct Request: Sendable {
        /// The checker; returned in the completion.
        var id: CheckID
        /// Where to connect, bind, and the timeout.
        var target: ConnectTarget
        /// When the scheduler wanted it to start.
        var due: Instant
        /// An HTTP exchange to run once connected (HTTP_GET without TLS); nil: the connect is the check.
        var http: HTTPExchange? = nil
    }

    /// An HTTP request to send and how to read the response.
    struct HTTPExchange: Sendable {
        /// The request's bytes (head only: a GET).
        var request: [UInt8]
        /// Hash the body with MD5 (a `digest` is configured).
        var hashBody: Bool
    }

    /// How a connect ended.
    enum Outcome: Hashable, Sendable {
        /// The three-way handshake completed.
        case connected
        /// The connect failed with `errno` (ECONNREFUSED, EHOSTUNREACH...).
        case failed(errno: Int32)
        /// `timeout` elapsed after `connect()` and the socket was still connecting.
        case timedOut
        /// The request could not be started (not a numeric address, out of file descriptors...).
        case notStarted(String)
        /// The HTTP exchange completed: the status, the MD5 of the (de-chunked) body when asked, its length.
        case response(status: Int, digest: String?, bodyLength: Int)
        /// The HTTP reply could not be read (malformed, or the connection ended before it was complete).
        case badResponse(HTTPResponseError)
    }

    /// The verdict on one request.
    struct Completion: Sendable {
        var id: CheckID
        var target: ConnectTarget
        var outcome: Outcome
        /// From `connect()` to the verdict.
        var latency: Duration
        /// From the due instant to `connect()`.
        var lateness: Duration
    }

    private let workers: [Worker]
    private let pool: NIOThreadPool
    private let nextWorker = Mutex<Int>(0)

    /// An engine with `threads` workers delivering verdicts through `deliver` (called on a worker thread).
    /// Raises the soft open-files limit to the hard one: every pending connect holds a descriptor.
    init(threads: Int, clock: @escaping @Sendable () -> Instant = { Instant.now() },
         deliver: @escaping @Sendable ([Completion]) -> Void) throws(ProbeError) {
        Self.raiseFileLimit()
        var workers: [Worker] = []
        for _ in 0..<max(1, threads) {
            let worker = try Worker(clock: clock, deliver: deliver)
            workers.append(worker)
        }
        self.workers = workers
        pool = NIOThreadPool(numberOfThreads: workers.count)
        pool.start()
        for worker in workers {
            pool.submit { _ in worker.run() }
        }
    }

    /// Starts `requests` on the next worker in turn. Thread-safe.
    func submit(_ requests: [Request]) {
        guard !requests.isEmpty else { return }
        let index = nextWorker.withLock { n in
            defer { n = (n + 1) % workers.count }
            return n
        }
        workers[index].enqueue(requests)
    }

    /// Stops the workers and waits (up to 2 s) until each has left its loop, so nothing is delivered after this
    /// returns (the caller may shut down the loop its `deliver` hops to); pending connects are closed, never delivered.
    func shutdown() {
        for worker in workers { worker.stop() }
        for worker in workers { _ = worker.exited.wait(timeout: .now() + .seconds(2)) }
        pool.shutdownGracefully { _ in }
    }

    private static func raiseFileLimit() {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0, limit.rlim_cur < limit.rlim_max else { return }
        limit.rlim_cur = limit.rlim_max
        _ = setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
    }
}

extension EpollCheckEngine {
    /// One epoll thread. Everything but `inbox` is confined to the thread running `run()`.
    final class Worker: @unchecked Sendable {
        private struct Inbox {
            var requests: [Request] = []
            var sleeping = false
            var stopped = false
        }

        private struct Pending {
            var request: Request
            var started: Instant
            var deadline: Instant
            var serial: UInt64
            /// The socket goes back to the idle pool afterwards.
            var pooled: Bool
            var family: Int32
            /// The HTTP exchange after the connect, if the check has one.
            var exchange: ExchangeState?
        }

        /// Where an HTTP exchange stands (a class: advanced in place while it sits in `pending`).
        private final class ExchangeState {
            let request: [UInt8]
            var sent = 0
            var connected = false
            var parser = HTTPResponseParser()
            var md5: Insecure.MD5?

            init(_ exchange: HTTPExchange) {
                request = exchange.request
                md5 = exchange.hashBody ? Insecure.MD5() : nil
            }
        }

        private struct Expiry: HeapOrdered {
            var deadline: Instant
            var fd: Int32
            var serial: UInt64

            static func precedes(_ a: Expiry, _ b: Expiry) -> Bool {
                a.deadline != b.deadline ? a.deadline < b.deadline : a.serial < b.serial
            }
        }

        private static let wakeToken: UInt64 = .max

        private let epfd: Int32
        private let wakefd: Int32
        private let clock: @Sendable () -> Instant
        private let deliver: @Sendable ([Completion]) -> Void
        private let inbox = Mutex(Inbox())
        /// Signalled when `run()` returns.
        let exited = DispatchSemaphore(value: 0)
        // Thread-confined.
        private var pending: [Int32: Pending] = [:]
        private var expiries = DeadlineHeap<Expiry>()
        private var serial: UInt64 = 0
        private var done: [Completion] = []
        /// Disconnected sockets ready for the next check, per address family (registered with epoll).
        private var idle4: [Int32] = []
        private var idle6: [Int32] = []
        /// One receive buffer for every HTTP exchange of this worker.
        private var receiveBuffer = [UInt8](repeating: 0, count: 64 * 1024)
        /// Exchanges that stopped reading at `maxReadsPerTurn` with data perhaps still waiting (edge-triggered: no
        /// new event would come for it); they go on in the next turn, so one endless body cannot hold the thread.
        private var unfinishedReads: [Int32] = []
        private static let maxReadsPerTurn = 16

        init(clock: @escaping @Sendable () -> Instant, deliver: @escaping @Sendable ([Completion]) -> Void) throws(ProbeError) {
            self.clock = clock
            self.deliver = deliver
            epfd = epoll_create1(Int32(EPOLL_CLOEXEC))
            guard epfd >= 0 else { throw .system("epoll_create1: \(Self.errorText(errno))") }
            wakefd = eventfd(0, Int32(EFD_CLOEXEC | EFD_NONBLOCK))
            guard wakefd >= 0 else {
                let e = errno
                close(epfd)
                throw .system("eventfd: \(Self.errorText(e))")
            }
            var event = epoll_event()
            event.events = EPOLLIN.rawValue
            event.data.u64 = Self.wakeToken
            guard epoll_ctl(epfd, CInt(EPOLL_CTL_ADD), wakefd, &event) == 0 else {
                let e = errno
                close(epfd)
                close(wakefd)
                throw .system("epoll_ctl(eventfd): \(Self.errorText(e))")
            }
        }

        func enqueue(_ requests: [Request]) {
            let wake = inbox.withLock { box -> Bool in
                guard !box.stopped else { return false }
                box.requests.append(contentsOf: requests)
                defer { box.sleeping = false }
                return box.sleeping
            }
            if wake { wakeUp() }
        }

        func stop() {
            inbox.withLock { $0.stopped = true }
            wakeUp()
        }

        private func wakeUp() {
            var one: UInt64 = 1
            _ = write(wakefd, &one, 8)
        }

        /// The thread's loop; returns after `stop()`.
        func run() {
            var events = [epoll_event](repeating: epoll_event(), count: 512)
            while true {
                let (batch, stopped) = inbox.withLock { box -> ([Request], Bool) in
                    let batch = box.requests
                    box.requests = []
                    return (batch, box.stopped)
                }
                if stopped { break }
                for request in batch { start(request) }
                expire(now: clock())
                flush()
                var timeoutMs: Int32 = -1
                if let first = expiries.first {
                    let ns = max(0, (first.deadline - clock()).nanoseconds)
                    timeoutMs = Int32(clamping: (ns + 999_999) / 1_000_000)
                }
                let sleep = unfinishedReads.isEmpty && inbox.withLock { box -> Bool in
                    box.sleeping = box.requests.isEmpty && !box.stopped
                    return box.sleeping
                }
                let n = events.withUnsafeMutableBufferPointer { buffer in
                    epoll_wait(epfd, buffer.baseAddress, Int32(buffer.count), sleep ? timeoutMs : 0)
                }
                inbox.withLock { $0.sleeping = false }
                if !unfinishedReads.isEmpty {
                    let carried = unfinishedReads
                    unfinishedReads = []
                    let now = clock()
                    for fd in carried { settle(fd: fd, events: EPOLLIN.rawValue, now: now) }
                }
                guard n > 0 else { continue }
                for i in 0..<Int(n) {
                    let token = events[i].data.u64
                    if token == Self.wakeToken {
                        var value: UInt64 = 0
                        _ = read(wakefd, &value, 8)
                    } else {
                        settle(fd: Int32(truncatingIfNeeded: token), events: events[i].events, now: clock())
                    }
                }
                flush()
            }
            for fd in pending.keys { close(fd) }
            for fd in idle4 + idle6 { close(fd) }
            pending = [:]
            idle4 = []
            idle6 = []
            close(epfd)
            close(wakefd)
            exited.signal()
        }

        private func flush() {
            guard !done.isEmpty else { return }
            let batch = done
            done = []
            deliver(batch)
        }

        private func start(_ request: Request) {
            let target = request.target
            guard let address = RawSocketAddress(address: target.address, port: target.port) else {
                finish(request, .notStarted("address \(target.address) is not numeric"), started: clock())
                return
            }
            // Sockets without bindto/bind_port come from (and go back to) the idle pool: a disconnected socket
            // connects again without socket(), setsockopt(), epoll_ctl() and the close of a file.
            let pooled = target.bindAddress == nil && target.bindPort == nil
            var fd: Int32
            var reused = false
            if pooled, let idle = takeIdle(family: address.family) {
                fd = idle
                reused = true
            } else {
                switch openSocket(address: address, target: target) {
                case .success(let opened): fd = opened
                case .failure(let why):
                    finish(request, .notStarted(why.text), started: clock())
                    return
                }
            }
            // The timeout runs from here: the moment the connect starts.
            var started = clock()
            var rc = address.withSockAddr { connect(fd, $0, $1) }
            var e = errno
            if rc != 0, reused, Self.isStaleSocketError(e) {
                // The pooled socket was not reusable after all: a fresh one gets the check.
                close(fd)
                switch openSocket(address: address, target: target) {
                case .success(let opened): fd = opened
                case .failure(let why):
                    finish(request, .notStarted(why.text), started: clock())
                    return
                }
                started = clock()
                rc = address.withSockAddr { connect(fd, $0, $1) }
                e = errno
            }
            if rc == 0, request.http == nil {
                release(fd, pooled: pooled, family: address.family)
                finish(request, .connected, started: started)
                return
            }
            guard rc == 0 || e == EINPROGRESS || e == EINTR else {
                release(fd, pooled: pooled, family: address.family)
                finish(request, .failed(errno: e), started: started)
                return
            }
            serial &+= 1
            let deadline = started + target.timeout
            let exchange = request.http.map(ExchangeState.init)
            pending[fd] = Pending(request: request, started: started, deadline: deadline, serial: serial,
                                  pooled: pooled, family: address.family, exchange: exchange)
            expiries.insert(Expiry(deadline: deadline, fd: fd, serial: serial))
            if rc == 0, let exchange {
                exchange.connected = true
                if let outcome = advance(fd, exchange) { end(fd, outcome, now: clock()) }
            }
        }

        private struct OpenFailure: Error {
            var text: String
        }

        /// A new non-blocking socket, closed with a RST (SO_LINGER 0), bound when the target says so, and registered
        /// with epoll (edge-triggered, so an idle socket in the pool reports nothing).
        private func openSocket(address: RawSocketAddress, target: ConnectTarget) -> Result<Int32, OpenFailure> {
            let fd = socket(address.family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
            guard fd >= 0 else { return .failure(OpenFailure(text: "socket: \(Self.errorText(errno))")) }
            // Close with a RST rather than a FIN (as HAProxy's checks do): no FIN exchange and no TIME_WAIT socket
            // per check on the director (5,000 a second at 10,000 servers), whose port search slows every connect.
            var abort = linger(l_onoff: 1, l_linger: 0)
            _ = setsockopt(fd, SOL_SOCKET, SO_LINGER, &abort, socklen_t(MemoryLayout<linger>.size))
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
                    return .failure(OpenFailure(text: "bind \(host): \(Self.errorText(e))"))
                }
            }
            var event = epoll_event()
            event.events = EPOLLOUT.rawValue | EPOLLIN.rawValue | EPOLLRDHUP.rawValue | EPOLLET.rawValue
            event.data.u64 = UInt64(UInt32(bitPattern: fd))
            guard epoll_ctl(epfd, CInt(EPOLL_CTL_ADD), fd, &event) == 0 else {
                let e = errno
                close(fd)
                return .failure(OpenFailure(text: "epoll_ctl: \(Self.errorText(e))"))
            }
            return .success(fd)
        }

        /// Errors a connect on a pooled socket returns when the socket itself, not the target, is the problem.
        private static func isStaleSocketError(_ e: Int32) -> Bool {
            e == EISCONN || e == EALREADY || e == EINVAL || e == EBADF || e == ENOTSOCK || e == EAFNOSUPPORT
        }

        private func takeIdle(family: Int32) -> Int32? {
            family == AF_INET6 ? idle6.popLast() : idle4.popLast()
        }

        /// Ends a check's use of `fd`: a pooled socket is disconnected (connect to AF_UNSPEC: a RST if the
        /// handshake completed, an abort if it is still in SYN_SENT) and kept for the next check; anything else,
        /// or a socket that does not disconnect cleanly, is closed.
        private func release(_ fd: Int32, pooled: Bool, family: Int32) {
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

        /// Idle sockets kept per address family; more are closed.
        static let idleLimit = 16_384

        /// The socket reported an event (`EPOLLOUT`: connected; `EPOLLERR`/`EPOLLHUP`: failed; for an HTTP
        /// exchange, also: the request can be written, the response can be read).
        private func settle(fd: Int32, events: UInt32, now: Instant) {
            guard let entry = pending[fd] else { return }   // an idle socket's disconnect, or a stale edge
            if let exchange = entry.exchange {
                if let outcome = progress(fd, exchange, ready: events, out: EPOLLOUT.rawValue,
                                          failed: EPOLLERR.rawValue | EPOLLHUP.rawValue) {
                    end(fd, outcome, now: now)
                }
                return
            }
            guard let outcome = Self.outcome(fd, ready: events,
                                             out: EPOLLOUT.rawValue, failed: EPOLLERR.rawValue | EPOLLHUP.rawValue) else { return }
            end(fd, outcome, now: now)
        }

        /// Finishes the pending check on `fd` with `outcome`.
        private func end(_ fd: Int32, _ outcome: Outcome, now: Instant) {
            guard let entry = pending.removeValue(forKey: fd) else { return }
            release(fd, pooled: entry.pooled, family: entry.family)
            finish(entry.request, outcome, started: entry.started, now: now)
        }

        /// Moves an HTTP exchange on after readiness `ready`: the connect's result, then the request, then the
        /// response. Returns the outcome once there is one.
        private func progress(_ fd: Int32, _ exchange: ExchangeState, ready: UInt32, out: UInt32,
                              failed: UInt32) -> Outcome? {
            if !exchange.connected {
                guard let connect = Self.outcome(fd, ready: ready, out: out, failed: failed) else { return nil }
                guard connect == .connected else { return connect }
                exchange.connected = true
            }
            return advance(fd, exchange)
        }

        /// Writes what is left of the request, then reads what has arrived (edge-triggered: until EAGAIN).
        private func advance(_ fd: Int32, _ exchange: ExchangeState) -> Outcome? {
            while exchange.sent < exchange.request.count {
                let n = exchange.request.withUnsafeBytes { raw in
                    send(fd, raw.baseAddress.map { $0 + exchange.sent }, raw.count - exchange.sent, Int32(MSG_NOSIGNAL))
                }
                if n > 0 { exchange.sent += n; continue }
                let e = errno
                if n < 0 && (e == EAGAIN || e == EWOULDBLOCK || e == EINTR) { return nil }
                return .failed(errno: n < 0 ? e : EPIPE)
            }
            var reads = 0
            while true {
                reads += 1
                if reads > Self.maxReadsPerTurn {
                    unfinishedReads.append(fd)
                    return nil
                }
                let n = receiveBuffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
                if n > 0 {
                    do {
                        let complete = try receiveBuffer.withUnsafeBytes { raw in
                            try exchange.parser.feed(UnsafeRawBufferPointer(rebasing: raw[0..<n])) { exchange.md5?.update(bufferPointer: $0) }
                        }
                        if complete { return Self.response(exchange) }
                    } catch {
                        return .badResponse(error as? HTTPResponseError ?? .badStatusLine)
                    }
                    continue
                }
                if n == 0 {
                    do throws(HTTPResponseError) {
                        try exchange.parser.connectionClosed()
                        return Self.response(exchange)
                    } catch {
                        return .badResponse(error)
                    }
                }
                let e = errno
                if e == EAGAIN || e == EWOULDBLOCK || e == EINTR { return nil }
                return .failed(errno: e)
            }
        }

        private static func response(_ exchange: ExchangeState) -> Outcome {
            let digest = exchange.md5.map { md5 in
                md5.finalize().map { byte in
                    let hex = String(byte, radix: 16)
                    return byte < 16 ? "0" + hex : hex
                }.joined()
            }
            return .response(status: exchange.parser.status ?? 0, digest: digest, bodyLength: exchange.parser.bodyLength)
        }

        /// Times out connects past their deadline, after asking the socket itself whether it finished meanwhile.
        private func expire(now: Instant) {
            while let top = expiries.first, top.deadline <= now {
                expiries.removeFirst()
                guard let entry = pending[top.fd], entry.serial == top.serial else { continue }
                var poller = pollfd(fd: top.fd, events: Int16(POLLOUT) | Int16(POLLIN), revents: 0)
                let revents = poll(&poller, 1, 0) == 1 ? UInt32(UInt16(bitPattern: poller.revents)) : 0
                let finished: Outcome?
                if let exchange = entry.exchange {
                    // One last look at the socket: a reply that arrived while this thread was late completes it.
                    finished = progress(top.fd, exchange, ready: revents, out: UInt32(POLLOUT),
                                        failed: UInt32(POLLERR) | UInt32(POLLHUP))
                } else {
                    finished = Self.outcome(top.fd, ready: revents, out: UInt32(POLLOUT),
                                            failed: UInt32(POLLERR) | UInt32(POLLHUP))
                }
                end(top.fd, finished ?? .timedOut, now: now)
            }
        }

        /// What readiness flags say of a connect: failed (errno from SO_ERROR), connected (writable and no error
        /// or hang-up: the handshake completed), or `nil` while it is still in progress.
        private static func outcome(_ fd: Int32, ready: UInt32, out: UInt32, failed: UInt32) -> Outcome? {
            if ready & failed != 0 {
                var error: Int32 = 0
                var length = socklen_t(MemoryLayout<Int32>.size)
                guard getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &length) == 0 else { return .failed(errno: errno) }
                // A hang-up with no error: the socket is not connected (it never completed the handshake).
                return .failed(errno: error == 0 ? ENOTCONN : error)
            }
            return ready & out != 0 ? .connected : nil
        }

        private func finish(_ request: Request, _ outcome: Outcome, started: Instant, now: Instant? = nil) {
            let end = now ?? clock()
            done.append(Completion(id: request.id, target: request.target, outcome: outcome,
                                   latency: end - started, lateness: started - request.due))
        }

        static func errorText(_ code: Int32) -> String {
            guard let text = strerror(code) else { return "errno \(code)" }
            return String(cString: text)
        }
    }
}

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
