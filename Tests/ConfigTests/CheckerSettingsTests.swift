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
        #expect(c.settings == .tcp && c.kind == .tcp && c.connection.connectPort == 81)
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

    @Test("SMTP_CHECK host blocks carry their own connection; a real server's connect_timeout is their default")
    func smtpHosts() throws {
        let r = parse("virtual_server 10.0.0.1 25 { protocol TCP\n real_server 10.0.0.2 25 {\n  connect_timeout 4\n  SMTP_CHECK {\n   helo_name me\n   host {\n    connect_ip 10.0.0.7\n    connect_port 2525\n    bindto 10.0.0.1\n   }\n   host {\n    connect_timeout 2\n    fwmark 9\n    bind_if eth0\n    bind_port 1025\n   }\n  }\n }\n}\n")
        #expect(r.errors.isEmpty && r.warnings.isEmpty, "\(r.rendered())")
        let c = try #require(r.config.virtualServers.first?.realServers.first?.checkers.first)
        guard case .smtp(let s) = c.settings else { Issue.record("expected .smtp, got \(c.settings)"); return }
        #expect(s.heloName == "me" && !s.ownConnection)
        #expect(s.hosts.count == 2)
        let a = try #require(s.hosts.first), b = try #require(s.hosts.last)
        #expect(a.connection.connectIP?.description == "10.0.0.7" && a.connection.connectPort == 2525 && a.connection.bindTo?.description == "10.0.0.1" && a.connection.connectTimeout == .seconds(4))
        #expect(b.connection.connectIP == nil && b.connection.connectTimeout == .seconds(2) && b.connection.fwmark == 9 && b.connection.bindInterface == "eth0" && b.connection.bindPort == 1025)
        #expect(a.location.line == 6 && a.location.column == 4)
    }

    @Test("A connection keyword in the SMTP_CHECK block itself keeps its own target beside the hosts")
    func smtpOwnConnection() throws {
        let (r, cs) = checkers("  SMTP_CHECK {\n   connect_port 26\n   host { connect_ip 10.0.0.8 }\n  }")
        #expect(r.errors.isEmpty, "\(r.rendered())")
        guard case .smtp(let s) = try #require(cs.first).settings else { Issue.record("expected .smtp"); return }
        #expect(s.ownConnection && s.hosts.count == 1)
    }

    @Test("Timers in an SMTP_CHECK host block set the whole checker's, with a warning at the keyword")
    func smtpHostTimers() throws {
        let (r, cs) = checkers("  SMTP_CHECK {\n   retry 2\n   host {\n    retry 5\n    alpha\n   }\n  }")
        #expect(r.errors.isEmpty, "\(r.rendered())")
        let c = try #require(cs.first)
        #expect(c.retry == 5 && c.alpha)
        #expect(positions(r, .suspicious) == ["7:5", "8:5"])
    }

    @Test("Bad values in an SMTP_CHECK host block are errors at their line and column; a keyword it lacks is unknown")
    func smtpHostErrors() throws {
        let (r, _) = checkers("  SMTP_CHECK {\n   host {\n    connect_ip nowhere\n    connect_port 70000\n    helo_name x\n   }\n  }")
        #expect(positions(r, .invalidValue) == ["6:16"], "\(r.rendered())")
        #expect(positions(r, .outOfRange) == ["7:18"], "\(r.rendered())")
        #expect(!r.errors.isEmpty && r.rendered().contains("helo_name"), "\(r.rendered())")
    }
}
