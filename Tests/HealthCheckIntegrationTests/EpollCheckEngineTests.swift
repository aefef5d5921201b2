import Foundation
@testable import HealthCheck
import NIOCore
import NIOPosix
import Synchronization
import Testing
import Vocabulary
import TestSupport

/// A listening TCP socket on 127.0.0.1 that never accepts: with `backlog` 0 and one connection queued, the kernel
/// drops further SYNs, so connects to it stay in progress (a black hole on loopback).
private final class Listener {
    let fd: Int32
    let port: UInt16

    init(backlog: Int32) throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = UInt32(0x7f00_0001).bigEndian
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        guard fd >= 0, bound, listen(fd, backlog) == 0 else { close(fd); throw FixtureError.notStarted("listener") }
        self.fd = fd
        port = UInt16(bigEndian: address.sin_port)
    }

    /// Accepts and closes every connection on a thread of its own, until `stopAccepting()`.
    func acceptAndClose() {
        let listening = fd
        Thread {
            while true {
                let fd = accept(listening, nil, nil)
                if fd < 0 { return }
                close(fd)
            }
        }.start()
    }

    /// Ends `acceptAndClose()`'s thread (its accept fails).
    func stopAccepting() { shutdown(fd, Int32(SHUT_RDWR)) }

    deinit { close(fd) }
}

/// A value shared with closures.
private final class Locked<Value: Sendable>: Sendable {
    let value: Mutex<Value>
    init(_ value: Value) { self.value = Mutex(value) }
    func withLock<R>(_ body: (inout Value) -> R) -> R { value.withLock { body(&$0) } }
}

/// Collects an engine's completions.
private final class Sink: Sendable {
    let completions = Locked<[EpollCheckEngine.Completion]>([])

    /// The completions matching `predicate` once `count` of them arrived (or whatever arrived `within`).
    func wait(for count: Int, within: Duration,
              where predicate: (EpollCheckEngine.Completion) -> Bool = { _ in true }) async throws -> [EpollCheckEngine.Completion] {
        let end = ContinuousClock.now + within
        while true {
            let got = completions.withLock { $0 }.filter(predicate)
            if got.count >= count || ContinuousClock.now >= end { return got }
            try await Task.sleep(for: .milliseconds(10))
        }
    }
}

private func request(_ port: UInt16, timeout: Duration, due: Instant = Instant.now()) -> EpollCheckEngine.Request {
    EpollCheckEngine.Request(id: CheckID(realServer: RealServerID(virtualServer: "vs", address: "127.0.0.1", port: port), index: 0),
                             target: ConnectTarget(address: "127.0.0.1", port: port, timeout: timeout), due: due)
}

@Suite("EpollCheckEngine on loopback", .serialized, .enabled(if: tierEnabled))
struct EpollCheckEngineTests {
    @Test("A listening port is connected, a closed port is refused")
    func connectedAndRefused() async throws {
        let open = try Listener(backlog: 16)
        let closedPort: UInt16 = try {
            let l = try Listener(backlog: 1)
            return l.port   // closed when `l` goes away
        }()
        let sink = Sink()
        let engine = try EpollCheckEngine(threads: 1) { batch in sink.completions.withLock { $0 += batch } }
        defer { engine.shutdown() }
        engine.submit([request(open.port, timeout: .seconds(1)), request(closedPort, timeout: .seconds(1))])
        let got = try await sink.wait(for: 2, within: .seconds(3))
        let byPort = Dictionary(got.map { ($0.target.port, $0.outcome) }, uniquingKeysWith: { a, _ in a })
        #expect(byPort[open.port] == .connected)
        #expect(byPort[closedPort] == .failed(errno: ECONNREFUSED))
    }

    @Test("The timeout runs from the connect, not from the due instant: a check queued 10 s late still gets its full timeout")
    func timeoutFromConnect() async throws {
        let full = try Listener(backlog: 0)
        let sink = Sink()
        let engine = try EpollCheckEngine(threads: 1) { batch in sink.completions.withLock { $0 += batch } }
        defer { engine.shutdown() }
        // Fill the accept queue so later SYNs are dropped.
        engine.submit((0..<4).map { _ in request(full.port, timeout: .seconds(3)) })
        try await Task.sleep(for: .milliseconds(200))
        let late = request(full.port, timeout: .milliseconds(300), due: Instant.now() + .seconds(-10))
        engine.submit([late])
        let got = try await sink.wait(for: 1, within: .seconds(3)) { $0.target.timeout == .milliseconds(300) }
        guard let result = got.first else { Issue.record("no completion for the late check"); return }
        #expect(result.outcome == .timedOut)
        #expect(result.latency >= .milliseconds(300) && result.latency < .seconds(2), "latency \(result.latency)")
        #expect(result.lateness >= .seconds(10), "lateness \(result.lateness)")
    }

    @Test("A connect the kernel completed is a success even when the worker sees it only after the deadline (a stalled thread)")
    func lateIsNotDown() async throws {
        let open = try Listener(backlog: 16)
        let sink = Sink()
        // Once armed, the worker's clock jumps 10 s ahead after its first reading (the connect's start): every
        // deadline has passed when it next looks, as if the thread had been descheduled for 10 s between the
        // connect and its next look at the clock. A timer-based verdict would call this a timeout.
        let calls = Locked<Int?>(nil)
        let clock: @Sendable () -> Instant = {
            let n = calls.withLock { n -> Int? in n = n.map { $0 + 1 }; return n }
            return Instant.now() + ((n ?? 0) > 1 ? .seconds(10) : .zero)
        }
        let engine = try EpollCheckEngine(threads: 1, clock: clock) { batch in sink.completions.withLock { $0 += batch } }
        defer { engine.shutdown() }
        try await Task.sleep(for: .milliseconds(100))   // the worker is asleep in epoll_wait, with nothing pending
        calls.withLock { $0 = 0 }
        engine.submit([request(open.port, timeout: .milliseconds(100))])
        let got = try await sink.wait(for: 1, within: .seconds(3))
        #expect(got.map(\.outcome) == [.connected])
        #expect(got.first.map { $0.latency >= .seconds(10) } == true, "the verdict came after the (simulated) stall")
    }
}

private func openDescriptors() -> Int {
    (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd").count) ?? -1
}

@Suite("EpollCheckEngine socket reuse", .serialized, .enabled(if: tierEnabled))
struct EpollCheckEngineReuseTests {
    @Test("A pooled socket gives the right verdict check after check: connected, refused, timed out, connected again")
    func reusedSocketsJudgeEachCheckAfresh() async throws {
        let open = try Listener(backlog: 64)
        let full = try Listener(backlog: 0)
        let closedPort: UInt16 = try { try Listener(backlog: 1).port }()
        let sink = Sink()
        let engine = try EpollCheckEngine(threads: 1) { batch in sink.completions.withLock { $0 += batch } }
        defer { engine.shutdown() }
        // Fill the backlog-0 listener's queue so later SYNs to it are dropped. The fillers must stay pending for the
        // whole plan (up to 9 × 3 s when the machine is loaded and this task is resumed late), or their timeouts
        // would be counted as the plan's verdicts.
        engine.submit((0..<4).map { _ in request(full.port, timeout: .seconds(60)) })
        try await Task.sleep(for: .milliseconds(200))
        let baseline = sink.completions.withLock { $0.count }
        let plan: [(UInt16, EpollCheckEngine.Outcome)] = [
            (open.port, .connected), (closedPort, .failed(errno: ECONNREFUSED)), (full.port, .timedOut),
            (open.port, .connected), (full.port, .timedOut), (closedPort, .failed(errno: ECONNREFUSED)),
            (open.port, .connected), (open.port, .connected), (closedPort, .failed(errno: ECONNREFUSED)),
        ]
        for (n, (port, expected)) in plan.enumerated() {
            engine.submit([request(port, timeout: .milliseconds(200))])
            let got = try await sink.wait(for: baseline + n + 1, within: .seconds(3))
            #expect(got.count == baseline + n + 1, "check \(n) did not finish")
            #expect(got.last?.outcome == expected, "check \(n) to port \(port)")
        }
    }

    @Test("Thousands of checks reuse a few sockets: the descriptors stay bounded and every verdict is right")
    func descriptorsStayBounded() async throws {
        let open = try Listener(backlog: 4096)
        open.acceptAndClose()
        defer { open.stopAccepting() }
        let closedPort: UInt16 = try { try Listener(backlog: 1).port }()
        let sink = Sink()
        let engine = try EpollCheckEngine(threads: 1) { batch in sink.completions.withLock { $0 += batch } }
        defer { engine.shutdown() }
        let before = openDescriptors()
        for round in 0..<20 {
            engine.submit((0..<100).map { i in request(i % 2 == 0 ? open.port : closedPort, timeout: .seconds(2)) })
            _ = try await sink.wait(for: (round + 1) * 100, within: .seconds(5))
        }
        let got = sink.completions.withLock { $0 }
        #expect(got.count == 2000)
        #expect(got.filter { $0.target.port == open.port }.allSatisfy { $0.outcome == .connected })
        #expect(got.filter { $0.target.port == closedPort }.allSatisfy { $0.outcome == .failed(errno: ECONNREFUSED) })
        // At most one batch of sockets in the pool (plus slack), not one per check.
        #expect(openDescriptors() - before <= 150, "descriptors: \(before) before, \(openDescriptors()) after")
    }
}

@Suite("HealthCheckService under a stalled event loop", .serialized, .enabled(if: tierEnabled))
struct StalledLoopTests {
    @Test("Answering servers stay UP when the service's loop stalls past connect_timeout (a late probe is not a DOWN)")
    func stallIsNotDown() async throws {
        let listener = try Listener(backlog: 4096)
        listener.acceptAndClose()
        defer { listener.stopAccepting() }
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let serviceLoop = group.next()
        let timing = CheckTiming(delayLoop: .seconds(1), retry: 0, warmup: .zero)
        let check = CheckerSpec(kind: .tcp(TCPCheck(target: ConnectTarget(address: "127.0.0.1", port: listener.port,
                                                                          timeout: .milliseconds(500)))),
                                timing: timing)
        let servers = (0..<400).map { i in
            let id = VirtualServerID(.group("vs\(i)"))
            let key = RealServerID(virtualServer: id, address: "127.0.0.1", port: listener.port)
            return VirtualServerHealth(id: id, realServers: [RealServerTarget(key: key, checkers: [check])])
        }
        // Like the Director's Supervisor: one loop, no probe loops given.
        let service = HealthCheckService(loop: serviceLoop, threadPool: NIOThreadPool.singleton, seed: 1)
        let downs = Locked<[String]>([])
        let watcher = Task {
            for await event in service.events {
                if case .realServer(let change) = event, !change.state.alive { downs.withLock { $0.append(change.description) } }
            }
        }
        await service.update(servers)
        // Stall the loop for 3× the timeout right after the first round started.
        serviceLoop.execute { usleep(1_500_000) }
        try await Task.sleep(for: .seconds(3))
        let stats = await service.statistics()
        await service.shutdown()
        await watcher.value
        try await group.shutdownGracefully()
        #expect(stats.probesFinished >= 400, "probes finished: \(stats.probesFinished)")
        let reported = downs.withLock { $0 }
        #expect(reported.isEmpty, "\(reported.count) false DOWN, e.g. \(reported.first ?? "")")
    }
}
