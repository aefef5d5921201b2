import Testing
import Vocabulary
@testable import Config

/// Each checker block's own keywords land in the payload of its kind, and nowhere else.
@Suite("Checker settings")
struct CheckerSettingsTests {
    private func checkers(_ body: String) -> (ConfigLoadResult, [CheckerConfig]) {
        let r = parse("virtual_server 10.0.0.1 80 { protocol TCP\n delay_loop 7\n real_server 10.0.0.2 80 {\n\(body)\n }\n}\n")
        return (r, r.config.virtualServers.first?.realServers.first?.checkers ?? [])
    }

    @Test("An HTTP_GET block's settings carry its urls, virtualhost and protocol")
    func httpSettings() throws {
        let (r, cs) = checkers("  HTTP_GET {\n   url { path /a }\n   url { path /b }\n   virtualhost h.example\n   http_protocol 1.1\n  }")
        #expect(r.errors.isEmpty, "\(r.rendered())")
        let c = try #require(cs.first)
        #expect(c.kind == .http)
        guard case .http(let h) = c.settings else { Issue.record("expected .http, got \(c.settings)"); return }
        #expect(h.urls.map(\.path) == ["/a", "/b"])
        #expect(h.virtualhost == "h.example" && h.httpProtocol == .http11 && !h.fastRecovery)
    }

    @Test("A TCP_CHECK block's settings carry nothing")
    func tcpSettings() throws {
        let (r, cs) = checkers("  TCP_CHECK {\n   connect_port 81\n  }")
        #expect(r.errors.isEmpty, "\(r.rendered())")
        let c = try #require(cs.first)
        #expect(c.settings == .tcp && c.kind == .tcp && c.connectPort == 81)
    }

    @Test("An SSL_GET block's settings are HTTP_GET's plus enable_sni; the virtualhost is inherited")
    func sslSettings() throws {
        let (r, cs) = checkers("  virtualhost rs.example\n  SSL_GET {\n   url { path / }\n  }")
        #expect(r.errors.isEmpty, "\(r.rendered())")
        let c = try #require(cs.first)
        guard case .ssl(let h, let enableSNI) = c.settings else { Issue.record("expected .ssl, got \(c.settings)"); return }
        #expect(!enableSNI && h.virtualhost == "rs.example" && h.httpProtocol == nil)
    }

    @Test("A MISC_CHECK timeout defaults to the checker's delay_loop; misc_timeout overrides it")
    func miscTimeoutDefault() throws {
        let (r, cs) = checkers("  MISC_CHECK {\n   misc_path /bin/true\n  }\n  MISC_CHECK {\n   misc_path /bin/false\n   misc_timeout 3\n   user nobody nogroup\n  }")
        #expect(r.errors.isEmpty, "\(r.rendered())")
        #expect(cs.count == 2)
        guard case .misc(let first) = cs.first?.settings, case .misc(let second) = cs.last?.settings else {
            Issue.record("expected two .misc settings")
            return
        }
        #expect(first == MiscCheckerSettings(path: "/bin/true", timeout: .seconds(7)))
        #expect(second == MiscCheckerSettings(path: "/bin/false", timeout: .seconds(3), user: "nobody", group: "nogroup"))
    }

    @Test("A MISC_CHECK without misc_path is an error at the block, and its path is empty")
    func miscWithoutPath() throws {
        let (r, cs) = checkers("  MISC_CHECK {\n   misc_dynamic\n  }")
        #expect(positions(r, .missingValue) == ["4:3"])
        guard case .misc(let m) = cs.first?.settings else { Issue.record("expected .misc settings"); return }
        #expect(m.path.isEmpty && m.dynamic)
    }

    @Test("Settings defaults follow the kind")
    func defaults() {
        #expect(CheckerSettings(defaultsFor: .dns) == .dns(DNSCheckerSettings(type: "SOA", name: ".")))
        #expect(CheckerSettings(defaultsFor: .ssl) == .ssl(HTTPCheckerSettings(), enableSNI: false))
        for kind in CheckerKind.allCases {
            #expect(CheckerSettings(defaultsFor: kind).kind == kind)
            #expect(CheckerConfig(kind: kind).kind == kind)
        }
    }
}
