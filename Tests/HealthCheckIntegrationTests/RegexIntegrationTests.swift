import Config
import Director
import Foundation
@testable import HealthCheck
import Testing
import Vocabulary
import TestSupport

/// HTTP_GET and SSL_GET with `url { regex … }`, from keepalived.conf text through the Director's plan to a probe
/// against nginx: the daemon's whole path for a regex, on a body large enough to arrive in many reads.
@Suite("url regex against nginx", .serialized, .enabled(if: tierEnabled))
struct RegexIntegrationTests {
    /// A page of 1 MiB of filler and then `state: READY`: the match lies far past the scanner's window cap, so it is
    /// found only if the body is matched as it streams.
    static func writePage(_ nginx: Nginx) throws {
        var page = String(repeating: "filler line of the status page\n", count: 1024 * 1024 / 31)
        page += "state: READY\n"
        try page.write(toFile: nginx.dir + "/html/status.txt", atomically: true, encoding: .utf8)
    }

    /// The checker of a one-real-server config whose checker block is `checker`, as the Director plans it.
    static func plannedCheck(_ checker: String) throws -> CheckKind {
        let loaded = ConfigLoader.parse(text: """
        virtual_server 10.0.0.1 80 {
          protocol TCP
          real_server 127.0.0.1 80 {
            \(checker)
          }
        }
        """)
        #expect(loaded.isValid, "\(loaded.rendered())")
        let plan = try DirectorPlan(config: loaded.config)
        let spec = try #require(plan.health.first?.realServers.first?.checkers.first)
        return spec.kind
    }

    /// The checker block for `port`, with `lines` in its url and SSL_GET when `tls`.
    static func block(port: UInt16, tls: Bool, _ lines: String) -> String {
        "\(tls ? "SSL_GET" : "HTTP_GET") {\n connect_port \(port)\n connect_timeout 5\n url {\n path /status.txt\n \(lines)\n }\n}"
    }

    @Test("HTTP_GET and SSL_GET: a body that matches passes, one that does not fails with 'regex did not match'",
          arguments: [false, true])
    func matchAndNoMatch(tls: Bool) async throws {
        let nginx = try Nginx()
        defer { nginx.stop() }
        try Self.writePage(nginx)
        let port = tls ? nginx.httpsPort : nginx.httpPort
        let up = try await probe(try Self.plannedCheck(Self.block(port: port, tls: tls, "regex \"state: (ready|up)\"\n regex_options caseless")))
        #expect(up.up, "\(up.reason)")
        let down = try await probe(try Self.plannedCheck(Self.block(port: port, tls: tls, "regex \"state: DOWN\"")))
        #expect(!down.up)
        #expect(down.reason.hasSuffix("/status.txt regex did not match"), "\(down.reason)")
    }

    @Test("HTTP_GET and SSL_GET with regex_no_match: a match fails with 'regex matched (regex_no_match)'",
          arguments: [false, true])
    func noMatchSense(tls: Bool) async throws {
        let nginx = try Nginx()
        defer { nginx.stop() }
        try Self.writePage(nginx)
        let port = tls ? nginx.httpsPort : nginx.httpPort
        let down = try await probe(try Self.plannedCheck(Self.block(port: port, tls: tls, "regex READY\n regex_no_match")))
        #expect(!down.up)
        #expect(down.reason.hasSuffix("/status.txt regex matched (regex_no_match)"), "\(down.reason)")
        let up = try await probe(try Self.plannedCheck(Self.block(port: port, tls: tls, "regex \"state: DOWN\"\n regex_no_match")))
        #expect(up.up, "\(up.reason)")
    }

    @Test("regex_max_offset stops the search before a match late in the body; digest and regex together")
    func offsetAndDigest() async throws {
        let nginx = try Nginx()
        defer { nginx.stop() }
        try Self.writePage(nginx)
        let late = try await probe(try Self.plannedCheck(Self.block(port: nginx.httpPort, tls: false, "regex READY\n regex_max_offset 4096")))
        #expect(late.reason.hasSuffix("regex did not match"), "\(late.reason)")
        let digest = try run(["/usr/bin/genhash", "-s", "127.0.0.1", "-p", "\(nginx.httpPort)", "-u", "/status.txt"])
            .output.trimmingCharacters(in: .whitespacesAndNewlines)
        let both = try await probe(try Self.plannedCheck(Self.block(port: nginx.httpPort, tls: false, "digest \(digest)\n regex READY")))
        #expect(both.up, "\(both.reason)")
    }

    @Test("A chunked body is matched de-chunked, a match split across chunks, on the engine and on NIO")
    func chunked() async throws {
        let servers = try FakeServers()
        defer { servers.stop() }
        let target = servers.target("chunked")
        let kind = try Self.plannedCheck("HTTP_GET {\n connect_port \(target.port)\n url {\n path /\n regex \"hello, chunked world$\"\n }\n}")
        let engine = try await probe(kind)
        #expect(engine.up, "\(engine.reason)")
        let nio = try await nioProbe(kind)
        #expect(nio.up, "\(nio.reason)")
    }
}
