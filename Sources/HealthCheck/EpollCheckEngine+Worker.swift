import CLinux
import Dispatch
import Glibc
import Synchronization
import Vocabulary

extension EpollCheckEngine {
    /// One epoll thread: starts the connects it is handed, waits for their sockets, times them out, and delivers the
    /// verdicts in batches. Everything but `inbox` is confined to the thread running `run()`.
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
            var exchange: HTTPExchangeState?
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
        private var sockets: TCPSocketPool
        /// One receive buffer for every HTTP exchange of this worker.
        private var receiveBuffer = [UInt8](repeating: 0, count: 64 * 1024)
        /// Exchanges that yielded (see `HTTPExchangeState.Progress.yielded`); they go on in the next turn.
        private var unfinishedReads: [Int32] = []

        init(clock: @escaping @Sendable () -> Instant, deliver: @escaping @Sendable ([Completion]) -> Void) throws(ProbeError) {
            self.clock = clock
            self.deliver = deliver
            epfd = epoll_create1(Int32(EPOLL_CLOEXEC))
            guard epfd >= 0 else { throw .system("epoll_create1: \(EpollCheckEngine.errorText(errno))") }
            wakefd = eventfd(0, Int32(EFD_CLOEXEC | EFD_NONBLOCK))
            guard wakefd >= 0 else {
                let e = errno
                close(epfd)
                throw .system("eventfd: \(EpollCheckEngine.errorText(e))")
            }
            sockets = TCPSocketPool(epfd: epfd)
            var event = epoll_event()
            event.events = EPOLLIN.rawValue
            event.data.u64 = Self.wakeToken
            guard epoll_ctl(epfd, CInt(EPOLL_CTL_ADD), wakefd, &event) == 0 else {
                let e = errno
                close(epfd)
                close(wakefd)
                throw .system("epoll_ctl(eventfd): \(EpollCheckEngine.errorText(e))")
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
            pending = [:]
            sockets.closeAll()
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
            // Sockets without bindto/bind_port come from (and go back to) the idle pool.
            let pooled = TCPSocketPool.isPoolable(target)
            var fd: Int32
            var reused = false
            if pooled, let idle = sockets.takeIdle(family: address.family) {
                fd = idle
                reused = true
            } else {
                switch sockets.open(address: address, target: target) {
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
            if rc != 0, reused, TCPSocketPool.isStaleSocketError(e) {
                // The pooled socket was not reusable after all: a fresh one gets the check.
                close(fd)
                switch sockets.open(address: address, target: target) {
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
                sockets.release(fd, pooled: pooled, family: address.family)
                finish(request, .connected, started: started)
                return
            }
            guard rc == 0 || e == EINPROGRESS || e == EINTR else {
                sockets.release(fd, pooled: pooled, family: address.family)
                finish(request, .failed(errno: e), started: started)
                return
            }
            serial &+= 1
            let deadline = started + target.timeout
            let exchange = request.http.map(HTTPExchangeState.init)
            pending[fd] = Pending(request: request, started: started, deadline: deadline, serial: serial,
                                  pooled: pooled, family: address.family, exchange: exchange)
            expiries.insert(Expiry(deadline: deadline, fd: fd, serial: serial))
            if rc == 0, let exchange {
                exchange.connected = true
                if let outcome = advance(fd, exchange) { end(fd, outcome, now: clock()) }
            }
        }

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
            sockets.release(fd, pooled: entry.pooled, family: entry.family)
            finish(entry.request, outcome, started: entry.started, now: now)
        }

        /// Moves an HTTP exchange on after readiness `ready`: the connect's result, then the request, then the
        /// response. Returns the outcome once there is one.
        private func progress(_ fd: Int32, _ exchange: HTTPExchangeState, ready: UInt32, out: UInt32,
                              failed: UInt32) -> Outcome? {
            if !exchange.connected {
                guard let connect = Self.outcome(fd, ready: ready, out: out, failed: failed) else { return nil }
                guard connect == .connected else { return connect }
                exchange.connected = true
            }
            return advance(fd, exchange)
        }

        private func advance(_ fd: Int32, _ exchange: HTTPExchangeState) -> Outcome? {
            switch exchange.advance(fd: fd, buffer: &receiveBuffer) {
            case .waiting: return nil
            case .yielded:
                unfinishedReads.append(fd)
                return nil
            case .finished(let outcome): return outcome
            }
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
    }
}
