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
//
// Files by role: this one (requests, verdicts, workers in turn), `EpollCheckEngine+Worker.swift` (the epoll loop and
// timeouts), `TCPSocketPool.swift` (sockets: open, bind, disconnect, reuse), `HTTPExchangeState.swift` (an HTTP
// request written and its response read on a connected socket).

import Dispatch
import Glibc
import NIOPosix
import RegexMatch
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
        /// Match the body against this (a `regex` is configured).
        var regex: BodyRegex? = nil
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
        /// The HTTP exchange completed: the status, the MD5 of the (de-chunked) body when asked, its length, and
        /// what the body's regex match came to when one was asked.
        case response(status: Int, digest: String?, bodyLength: Int, regex: RegexOutcome? = nil)
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

    /// `strerror` text of an errno value.
    static func errorText(_ code: Int32) -> String {
        guard let text = strerror(code) else { return "errno \(code)" }
        return String(cString: text)
    }

    private static func raiseFileLimit() {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0, limit.rlim_cur < limit.rlim_max else { return }
        limit.rlim_cur = limit.rlim_max
        _ = setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
    }
}

extension EpollCheckEngine.Completion {
    /// The result of a TCP_CHECK that ended this way, with keepalived-style reasons.
    var tcpCheckResult: ProbeResult {
        let what = "TCP_CHECK \(target.hostPort)"
        switch outcome {
        case .connected:
            return .success("\(what) connected", latency: latency)
        case .failed(let code) where code == ECONNREFUSED:
            return .failure("\(what) \(ProbeError.refused)", latency: latency)
        case .failed(let code):
            return .failure("\(what) \(ProbeError.system("connect: \(EpollCheckEngine.errorText(code))"))", latency: latency)
        case .timedOut:
            return .failure("\(what) \(ProbeError.timeout(target.timeout))", latency: latency)
        case .notStarted(let why):
            return .failure("\(what) \(ProbeError.system(why))", latency: latency)
        case .response, .badResponse:
            // Only HTTP exchanges end this way; a TCP_CHECK request has none.
            return .failure("\(what) \(ProbeError.malformedReply("unexpected HTTP outcome"))", latency: latency)
        }
    }
}
