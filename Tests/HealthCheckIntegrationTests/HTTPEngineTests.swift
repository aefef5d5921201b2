import Foundation
@testable import HealthCheck
import NIOCore
import NIOPosix
import Synchronization
import Testing
import Vocabulary
import TestSupport

@Suite("HTTP_GET on the epoll engine", .serialized, .enabled(if: tierEnabled))
struct HTTPEngineTests {
    @Test("HTTP_GET passes against nginx with the digest genhash computes, over two URLs")
    func nginxDigest() async throws {
        let nginx = try Nginx()
        defer { nginx.stop() }
        let reference = try run(["/usr/bin/genhash", "-s", "127.0.0.1", "-p", "\(nginx.httpPort)", "-u", "/big.txt"])
            .output.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(reference.count == 32)
        let check = HTTPCheck(target: ConnectTarget(address: "127.0.0.1", port: nginx.httpPort),
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
        let nginxTarget = ConnectTarget(address: "127.0.0.1", port: nginx.httpPort)
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
        let target = ConnectTarget(address: "127.0.0.1", port: nginx.httpPort)
        let missing = try await engineProbe(HTTPCheck(target: target, urls: [URLCheck(path: "/missing", statusCodes: [200...200])]))
        #expect(!missing.up)
        #expect(missing.reason.hasSuffix("/missing status 404, expected 200"), "\(missing.reason)")
    }

    @Test("Through the service: a 404 takes the server DOWN, a passing URL brings it UP, both from probes")
    func serviceDownAndUp() async throws {
        let nginx = try Nginx()
        defer { nginx.stop() }
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let service = HealthCheckService(loop: group.next(), threadPool: NIOThreadPool.singleton, seed: 1)
        let key = RealServerID(virtualServer: "vs", address: "127.0.0.1", port: nginx.httpPort)
        func target(_ path: String, alpha: Bool) -> VirtualServerHealth {
            let timing = CheckTiming(delayLoop: .milliseconds(300), retry: 0, warmup: .zero, alpha: alpha)
            let check = HTTPCheck(target: ConnectTarget(address: "127.0.0.1", port: nginx.httpPort, timeout: .seconds(1)),
                                  urls: [URLCheck(path: path, statusCodes: [200...200])])
            return VirtualServerHealth(id: "vs", realServers: [RealServerTarget(key: key, checkers: [
                CheckerSpec(kind: .http(check), timing: timing)])])
        }
        let changes = Task {
            var log: [RealServerStateChange] = []
            for await event in service.events {
                guard case .realServer(let change) = event else { continue }
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
