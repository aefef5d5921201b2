import Foundation
import HealthCheck
import NIOCore
import NIOPosix
import Testing
import TestSupport
import Vocabulary

@Suite("Probes against real and misbehaving servers on loopback", .serialized, .enabled(if: tierEnabled))
struct ProbeIntegrationTests {
    @Test("HTTP_GET passes against nginx with the digest genhash computes")
    func httpNginxDigest() async throws {
        let nginx = try Nginx()
        defer { nginx.stop() }
        let (status, reference) = try run(["/usr/bin/genhash", "-s", "127.0.0.1", "-p", "\(nginx.httpPort)", "-u", "/big.txt"])
        #expect(status == 0)
        let digest = reference.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(digest.count == 32)
        let check = HTTPCheck(target: ConnectTarget(address: "127.0.0.1", port: nginx.httpPort),
                              urls: [URLCheck(path: "/big.txt", statusCodes: [200...200], digest: digest), URLCheck(path: "/health/")])
        let result = try await probe(.http(check))
        #expect(result.up, "\(result.reason)")
    }

    @Test("vigil genhash prints the same digest as /usr/bin/genhash, over HTTP and HTTPS")
    func genhashEquality() async throws {
        let nginx = try Nginx()
        defer { nginx.stop() }
        let vigil = repoRoot + "/.build/debug/vigil"
        #expect(FileManager.default.isExecutableFile(atPath: vigil), "build vigil first")
        for (tls, port) in [(false, nginx.httpPort), (true, nginx.httpsPort)] {
            for path in ["/index.html", "/big.txt"] {
                let args = (tls ? ["-S"] : []) + ["-s", "127.0.0.1", "-p", "\(port)", "-u", path]
                let reference = try run(["/usr/bin/genhash"] + args).output.trimmingCharacters(in: .whitespacesAndNewlines)
                let ours = try run([vigil, "genhash"] + args).output.trimmingCharacters(in: .whitespacesAndNewlines)
                #expect(reference.count == 32)
                #expect(ours == reference, "tls \(tls) \(path)")
            }
        }
    }

    @Test("SSL_GET passes against nginx HTTPS, and fails verification against an untrusted certificate")
    func sslNginx() async throws {
        let nginx = try Nginx()
        defer { nginx.stop() }
        let target = ConnectTarget(address: "127.0.0.1", port: nginx.httpsPort)
        let plain = try await probe(.http(HTTPCheck(target: target, urls: [URLCheck(path: "/index.html")], tls: TLSSettings())))
        #expect(plain.up, "\(plain.reason)")
        let trusted = try await probe(.http(HTTPCheck(target: target, urls: [URLCheck(path: "/index.html")],
                                                      tls: TLSSettings(verifyPeer: true, caFile: nginx.dir + "/cert.pem", serverName: "vigil.test"))))
        #expect(trusted.up, "\(trusted.reason)")
        let untrusted = try await probe(.http(HTTPCheck(target: target, urls: [URLCheck(path: "/index.html")],
                                                        tls: TLSSettings(verifyPeer: true, caFile: "/etc/ssl/certs/ca-certificates.crt", serverName: "vigil.test"))))
        #expect(!untrusted.up)
        #expect(untrusted.reason.contains("TLS"), "\(untrusted.reason)")
    }

    @Test("SSL_GET with SSL { certificate key [password] } against nginx that requires a client certificate")
    func sslClientCertificate() async throws {
        let nginx = try Nginx()
        defer { nginx.stop() }
        let target = ConnectTarget(address: "127.0.0.1", port: nginx.mtlsPort)
        func check(_ tls: TLSSettings) async throws -> ProbeResult {
            try await probe(.http(HTTPCheck(target: target, urls: [URLCheck(path: "/index.html")], tls: tls)))
        }
        let none = try await check(TLSSettings())
        #expect(!none.up, "nginx requires a client certificate")
        #expect(none.reason.contains("400"), "\(none.reason)")
        let plain = try await check(TLSSettings(caFile: nginx.dir + "/client-ca.pem", certificateFile: nginx.dir + "/client.pem",
                                                keyFile: nginx.dir + "/client.key"))
        #expect(plain.up, "\(plain.reason)")
        let encrypted = try await check(TLSSettings(certificateFile: nginx.dir + "/client.pem",
                                                    keyFile: nginx.dir + "/client-enc.key", keyPassword: "s3cret"))
        #expect(encrypted.up, "\(encrypted.reason)")
        let wrong = try await check(TLSSettings(certificateFile: nginx.dir + "/client.pem",
                                                keyFile: nginx.dir + "/client-enc.key", keyPassword: "nope"))
        #expect(!wrong.up)
        #expect(wrong.reason.contains("TLS"), "\(wrong.reason)")
    }

    @Test("HTTP_GET fails on a wrong status and on a wrong digest, naming both")
    func httpStatusAndDigest() async throws {
        let nginx = try Nginx()
        defer { nginx.stop() }
        let target = ConnectTarget(address: "127.0.0.1", port: nginx.httpPort)
        let missing = try await probe(.http(HTTPCheck(target: target, urls: [URLCheck(path: "/missing", statusCodes: [200...200])])))
        #expect(!missing.up)
        #expect(missing.reason.hasSuffix("/missing status 404, expected 200"), "\(missing.reason)")
        let digest = try await probe(.http(HTTPCheck(target: target, urls: [URLCheck(path: "/index.html", digest: String(repeating: "0", count: 32))])))
        #expect(!digest.up)
        #expect(digest.reason.contains("digest"), "\(digest.reason)")
    }

    @Test("Misbehaving HTTP servers fail cleanly within the timeout, on the epoll engine and on the benchmark's NIO reference path",
          arguments: ["hang", "reset", "slow", "status503", "garbage", "refused", "truncated"], [false, true])
    func misbehaving(mode: String, onEngine: Bool) async throws {
        let servers = try FakeServers()
        defer { servers.stop() }
        let start = ContinuousClock.now
        let check = HTTPCheck(target: servers.target(mode, timeout: .seconds(2)), urls: [URLCheck(path: "/")])
        let result = onEngine ? try await engineProbe(check) : try await nioProbe(.http(check))
        let took = ContinuousClock.now - start
        let path = onEngine ? "engine" : "NIO"
        #expect(!result.up, "\(path) \(mode): \(result.reason)")
        #expect(took < .milliseconds(2800), "\(path) \(mode) took \(took)")
        switch mode {
        case "hang", "slow": #expect(result.reason.contains("timeout after 2 s"), "\(path): \(result.reason)")
        case "status503": #expect(result.reason.contains("status 503"), "\(path): \(result.reason)")
        case "refused": #expect(result.reason.contains("refused"), "\(path): \(result.reason)")
        case "truncated": #expect(result.reason.contains("closed before the reply was complete"), "\(path): \(result.reason)")
        default: #expect(took < .seconds(1), "\(path) \(mode) should fail fast, took \(took)")
        }
        if onEngine, mode == "garbage" { #expect(result.reason.contains("malformed reply"), "\(result.reason)") }
    }

    @Test("SSL_GET against a server that does not speak TLS fails cleanly", arguments: ["ok", "garbage", "hang"])
    func badTLS(mode: String) async throws {
        let servers = try FakeServers()
        defer { servers.stop() }
        let result = try await probe(.http(HTTPCheck(target: servers.target(mode, timeout: .seconds(2)), urls: [URLCheck(path: "/")], tls: TLSSettings())))
        #expect(!result.up, "\(result.reason)")
    }

    @Test("SSL_GET ends its connection without close_notify by default and with one under tls_compliant (checker or url)")
    func tlsCompliant() async throws {
        let servers = try FakeServers()
        defer { servers.stop() }
        /// How the server saw the last connection end, once it has seen `count` of them.
        func lastClose(after count: Int) async throws -> String? {
            for _ in 0..<40 {
                let notes = try run(["/usr/bin/python3", "-c", """
                    import socket; print(socket.create_connection(("127.0.0.1", \(servers.ports["tlsreport"] ?? 1))).recv(4096).decode(), end="")
                    """]).output.split(separator: "\n").map(String.init)
                if notes.count >= count { return notes.count == count ? notes.last : "\(notes)" }
                try await Task.sleep(for: .milliseconds(50))
            }
            return nil
        }
        let target = servers.target("tls")
        let quiet = try await probe(.http(HTTPCheck(target: target, urls: [URLCheck(path: "/")], tls: TLSSettings())))
        #expect(quiet.up, "\(quiet.reason)")
        let close1 = try await lastClose(after: 1)
        #expect(close1 == "eof")
        let checker = try await probe(.http(HTTPCheck(target: target, urls: [URLCheck(path: "/")],
                                                      tls: TLSSettings(closeNotify: true))))
        #expect(checker.up, "\(checker.reason)")
        let close2 = try await lastClose(after: 2)
        #expect(close2 == "close_notify")
        let url = try await probe(.http(HTTPCheck(target: target, urls: [URLCheck(path: "/", tlsCompliant: true)],
                                                  tls: TLSSettings())))
        #expect(url.up, "\(url.reason)")
        let close3 = try await lastClose(after: 3)
        #expect(close3 == "close_notify")
    }

    @Test("TCP_CHECK passes on a listener and fails on a closed port")
    func tcp() async throws {
        let servers = try FakeServers()
        defer { servers.stop() }
        #expect(try await probe(.tcp(TCPCheck(target: servers.target("ok")))).up)
        let refused = try await probe(.tcp(TCPCheck(target: servers.target("refused"))))
        #expect(!refused.up && refused.reason.contains("refused"), "\(refused.reason)")
        var bound = servers.target("ok")
        bound.bindAddress = "127.0.0.1"
        #expect(try await probe(.tcp(TCPCheck(target: bound))).up)
    }

    @Test("SMTP_CHECK passes on a 220/250 server and fails on an HTTP server")
    func smtp() async throws {
        let servers = try FakeServers()
        defer { servers.stop() }
        let ok = try await probe(.smtp(SMTPCheck(target: servers.target("smtp"))))
        #expect(ok.up, "\(ok.reason)")
        #expect(!(try await probe(.smtp(SMTPCheck(target: servers.target("garbage"))))).up)
        #expect(!(try await probe(.smtp(SMTPCheck(target: servers.target("hang", timeout: .seconds(1)))))).up)
    }

    @Test("DNS_CHECK passes on a responder and fails on a closed port")
    func dns() async throws {
        let servers = try FakeServers()
        defer { servers.stop() }
        let ok = try await probe(.dns(DNSCheck(target: servers.target("dns"))))
        #expect(ok.up, "\(ok.reason)")
        let closed = try await probe(.dns(DNSCheck(target: servers.target("udpclosed", timeout: .seconds(1)))))
        #expect(!closed.up, "\(closed.reason)")
    }

    @Test("UDP_CHECK: an echo with require_reply passes; a closed port fails on the ICMP error")
    func udp() async throws {
        let servers = try FakeServers()
        defer { servers.stop() }
        let echo = try await probe(.udp(UDPCheck(target: servers.target("udpecho"), payload: [0xAB, 0xCD], requireReply: true, replyPrefix: [0xAB])))
        #expect(echo.up, "\(echo.reason)")
        let closed = try await probe(.udp(UDPCheck(target: servers.target("udpclosed", timeout: .seconds(1)))))
        #expect(!closed.up, "\(closed.reason)")
    }

    @Test("PING_CHECK gets an echo reply from 127.0.0.1")
    func ping() async throws {
        let result = try await probe(.ping(PingCheck(target: ConnectTarget(address: "127.0.0.1", port: 0, timeout: .seconds(2)))))
        #expect(result.up, "\(result.reason)")
    }

    @Test("PING_CHECK gets an ICMPv6 echo reply from ::1")
    func pingIPv6() async throws {
        let result = try await probe(.ping(PingCheck(target: ConnectTarget(address: "::1", port: 0, timeout: .seconds(2)))))
        #expect(result.up, "\(result.reason)")
        #expect(result.reason.contains("echo reply"), "\(result.reason)")
    }

    @Test("MISC_CHECK maps exit codes: 0 up, 1 down, dynamic 12 → weight 10, non-dynamic 12 down")
    func miscExitCodes() async throws {
        for (code, dynamic, up, weight) in [(0, false, true, nil), (1, true, false, nil), (12, true, true, 10), (12, false, false, nil)] as [(Int, Bool, Bool, Int?)] {
            let script = try TempScript("exit \(code)")
            defer { script.remove() }
            let result = try await probe(.misc(MiscCheck(command: ScriptCommand(command: script.path), dynamic: dynamic)))
            #expect(result.up == up, "exit \(code): \(result.reason)")
            #expect(result.dynamicWeight == weight)
        }
    }

    @Test("MISC_CHECK passes arguments and kills a hung script's whole process group at misc_timeout")
    func miscTimeoutKillsGroup() async throws {
        let pidFile = NSTemporaryDirectory() + "vigil-child-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: pidFile) }
        let script = try TempScript("sleep 300 &\necho $! > \"$1\"\nwait")
        defer { script.remove() }
        let start = ContinuousClock.now
        let result = try await probe(.misc(MiscCheck(command: ScriptCommand(command: "\(script.path) \(pidFile)"), timeout: .seconds(1))))
        let took = ContinuousClock.now - start
        #expect(!result.up)
        #expect(result.reason.contains("timed out"), "\(result.reason)")
        #expect(took < .milliseconds(1800), "took \(took)")
        let childText = try String(contentsOfFile: pidFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        let child = try #require(Int32(childText))
        try await Task.sleep(for: .milliseconds(200))
        #expect(!isRunning(child), "the script's child \(child) survived")
    }
}

/// True when `pid` exists and is not a zombie (a killed orphan may wait for its reaper).
func isRunning(_ pid: Int32) -> Bool {
    guard kill(pid, 0) == 0 else { return false }
    guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
          let close = stat.lastIndex(of: ")") else { return false }
    let state = stat[stat.index(close, offsetBy: 2)]
    return state != "Z" && state != "X"
}
