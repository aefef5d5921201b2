import Foundation
@testable import HealthCheck
import NIOCore
import NIOPosix
import Synchronization
import Testing

/// Runs one HTTP_GET check to its result through a `EpollCheckEngine` (the daemon's path), URL after URL.
private func engineProbe(_ check: HTTPCheck) async throws -> ProbeResult {
    let completions = Mutex<[EpollCheckEngine.Completion]>([])
    let engine = try EpollCheckEngine(threads: 1) { batch in completions.withLock { $0 += batch } }
    defer { engine.shutdown() }
    let id = CheckID(realServer: RealServerKey(virtualServer: "vs", host: check.target.host, port: check.target.port), index: 0)
    var run = HTTPEngineCheck(check: check)
    engine.submit([run.request(id: id, due: CheckInstant.now())])
    let end = ContinuousClock.now + .seconds(30)
    while ContinuousClock.now < end {
        let got = completions.withLock { c -> EpollCheckEngine.Completion? in c.isEmpty ? nil : c.removeFirst() }
        guard let completion = got else {
            try await Task.sleep(for: .milliseconds(5))
            continue
        }
        switch run.finished(completion, now: CheckInstant.now()) {
        case .next(let request): engine.submit([request])
        case .done(let result): return result
        }
    }
    Issue.record("the engine gave no result")
    return .failure("no result")
}

@Suite("HTTP_GET on the epoll engine", .serialized, .enabled(if: tierEnabled))
struct HTTPEngineTests {
    @Test("HTTP_GET passes against nginx with the digest genhash computes, over two URLs")
    func nginxDigest() async throws {
        let nginx = try Nginx()
        defer { nginx.stop() }
        let reference = try run(["/usr/bin/genhash", "-s", "127.0.0.1", "-p", "\(nginx.httpPort)", "-u", "/big.txt"])
            .output.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(reference.count == 32)
        let check = HTTPCheck(target: ConnectTarget(host: "127.0.0.1", port: nginx.httpPort),
                              urls: [URLCheck(path: "/big.txt", statusCodes: [200...200], digest: reference),
                                     URLCheck(path: "/health/")])
        let result = try await engineProbe(check)
        #expect(result.up, "\(result.reason)")
        #expect(result.reason.hasSuffix("/health/ status 200"), "\(result.reason)")
    }

    @Test("The engine and the NIO fetcher agree on status and digest, for HTTP/1.0, 1.0C and 1.1 and a chunked body")
    func agreesWithNIO() async throws {
        let nginx = try Nginx()
        defer { nginx.stop() }
        let servers = try FakeServers()
        defer { servers.stop() }
        let nginxTarget = ConnectTarget(host: "127.0.0.1", port: nginx.httpPort)
        let cases: [(ConnectTarget, String, HTTPProtocolVersion)] = [
            (nginxTarget, "/index.html", .http10), (nginxTarget, "/big.txt", .http10Close),
            (nginxTarget, "/big.txt", .http11), (servers.target("chunked"), "/", .http11),
        ]
        for (target, path, version) in cases {
            let fetched = try await HTTPFetcher(target: target, path: path, version: version).fetch(on: loop).get()
            let wrong = String(repeating: "0", count: 32)
            let check = HTTPCheck(target: target, urls: [URLCheck(path: path, digest: wrong)], version: version)
            let result = try await engineProbe(check)
            // A wrong digest makes the engine print the one it computed.
            #expect(result.reason.contains("digest \(fetched.digest), expected \(wrong)"), "\(path) \(version): \(result.reason)")
        }
    }

    @Test("A wrong status and a wrong digest fail, naming both")
    func statusAndDigest() async throws {
        let nginx = try Nginx()
        defer { nginx.stop() }
        let target = ConnectTarget(host: "127.0.0.1", port: nginx.httpPort)
        let missing = try await engineProbe(HTTPCheck(target: target, urls: [URLCheck(path: "/missing", statusCodes: [200...200])]))
        #expect(!missing.up)
        #expect(missing.reason.hasSuffix("/missing status 404, expected 200"), "\(missing.reason)")
    }

    @Test("Misbehaving HTTP servers fail cleanly within the timeout",
          arguments: ["hang", "reset", "slow", "status503", "garbage", "refused", "truncated"])
    func misbehaving(mode: String) async throws {
        let servers = try FakeServers()
        defer { servers.stop() }
        let start = ContinuousClock.now
        let result = try await engineProbe(HTTPCheck(target: servers.target(mode, timeout: .seconds(2)), urls: [URLCheck(path: "/")]))
        let took = ContinuousClock.now - start
        #expect(!result.up, "\(mode): \(result.reason)")
        #expect(took < .milliseconds(2800), "\(mode) took \(took)")
        switch mode {
        case "hang", "slow": #expect(result.reason.contains("timeout after 2 s"), "\(result.reason)")
        case "status503": #expect(result.reason.contains("status 503"), "\(result.reason)")
        case "refused": #expect(result.reason.contains("refused"), "\(result.reason)")
        case "garbage": #expect(result.reason.contains("malformed reply"), "\(result.reason)")
        case "truncated": #expect(result.reason.contains("closed before the reply was complete"), "\(result.reason)")
        default: #expect(took < .seconds(1), "\(mode) should fail fast, took \(took)")
        }
    }

    @Test("Through the service: a 404 takes the server DOWN, a passing URL brings it UP, both from probes")
    func serviceDownAndUp() async throws {
        let nginx = try Nginx()
        defer { nginx.stop() }
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let service = HealthCheckService(loop: group.next(), threadPool: NIOThreadPool.singleton, seed: 1)
        let key = RealServerKey(virtualServer: "vs", host: "127.0.0.1", port: nginx.httpPort)
        func target(_ path: String, alpha: Bool) -> VirtualServerHealth {
            let timing = CheckTiming(delayLoop: .milliseconds(300), retry: 0, warmup: .zero, alpha: alpha)
            let check = HTTPCheck(target: ConnectTarget(host: "127.0.0.1", port: nginx.httpPort, timeout: .seconds(1)),
                                  urls: [URLCheck(path: path, statusCodes: [200...200])])
            return VirtualServerHealth(name: "vs", realServers: [RealServerTarget(key: key, checkers: [
                CheckerSpec(kind: .http(check), timing: timing)])])
        }
        let changes = Task {
            var log: [RealServerStateChange] = []
            for await event in service.events {
                guard case .realServer(let change, _) = event else { continue }
                log.append(change)
                if change.state.alive, change.reason.contains("status 200") { break }
            }
            return log
        }
        // Starts up; the first probe gets 404: DOWN. Then a URL that answers 200, with alpha (starts down): only a
        // passing probe brings it UP.
        await service.update([target("/missing", alpha: false)])
        try await Task.sleep(for: .milliseconds(1000))
        await service.update([target("/health/", alpha: true)])
        let timeout = Task { try await Task.sleep(for: .seconds(10)); changes.cancel() }
        let log = await changes.value
        timeout.cancel()
        // (Statistics hop onto the service's loop: read them before the loop shuts down.)
        let stats = await service.statistics()
        await service.shutdown()
        try await group.shutdownGracefully()
        let text = log.map(\.description)
        #expect(log.contains { !$0.state.alive && $0.reason.contains("HTTP_GET http://127.0.0.1:\(nginx.httpPort)/missing status 404, expected 200") }, "\(text)")
        #expect(log.last.map { $0.state.alive && $0.reason.hasSuffix("/health/ status 200") } == true, "\(text)")
        #expect((stats.checks.checkers["HTTP_GET"]?.count ?? 0) >= 2)
    }
}
