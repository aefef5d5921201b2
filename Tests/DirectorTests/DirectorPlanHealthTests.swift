import Config
@testable import Director
import HealthCheck
import HA
import RegexMatch
import Testing
import Vocabulary
import TestSupport

@Suite("Director plan: Config → HealthCheck")
struct DirectorPlanHealthTests {
    static let text = """
    global_defs {
      enable_script_security
      script_user nobody
    }
    virtual_server 10.0.0.1 80 {
      protocol TCP
      delay_loop 6
      quorum 2
      hysteresis 1
      sorry_server 10.0.9.9 8080
      sorry_server_inhibit
      alpha
      real_server 10.0.1.5 8080 {
        weight 3
        inhibit_on_failure
        HTTP_GET {
          url {
            path /health
            status_code 200 503
            digest 9b3a0c85a887a256d6939da88aabd8cd
          }
          connect_timeout 2
          retry 2
        }
        MISC_CHECK { misc_path "/usr/local/bin/check 'a b'" misc_timeout 4 misc_dynamic user nobody nogroup }
      }
    }
    virtual_server fwmark 7 {
      real_server 10.0.1.6 443 { SSL_GET { url { path / } enable_sni virtualhost www.example } }
    }
    """

    @Test("Virtual servers, real servers, timers, quorum and checkers translate with keepalived's names and defaults")
    func translation() throws {
        let loaded = ConfigLoader.parse(text: Self.text)
        #expect(loaded.isValid, "\(loaded.rendered())")
        let plan = try DirectorPlan(config: loaded.config)
        let vss = plan.health
        #expect(vss.map(\.id.description) == ["10.0.0.1:80", "fwmark 7"])
        let vs = try #require(vss.first)
        #expect(vs.alpha)
        #expect(vs.quorum == QuorumPolicy(quorum: 2, hysteresis: 1))
        // The sorry server is pool policy, carried by the plan's pool to LVSTableBuilder.
        let pool = try #require(plan.lvs.pools[vs.id])
        #expect(pool.sorryServer?.key.port == 8080 && pool.sorryServerInhibit)
        let rs = try #require(vs.realServers.first)
        #expect(rs.key == RealServerID(virtualServer: "10.0.0.1:80", address: "10.0.1.5", port: 8080))
        #expect(rs.weight == 3 && rs.inhibitOnFailure)
        #expect(rs.notifyDown == nil)
        #expect(rs.checkers.count == 2)
        let http = rs.checkers[0]
        #expect(http.timing == CheckTiming(delayLoop: .seconds(6), retry: 2, delayBeforeRetry: .seconds(3), warmup: nil, alpha: true))
        guard case .http(let h) = http.kind else { Issue.record("expected HTTP_GET"); return }
        #expect(h.target == ConnectTarget(address: "10.0.1.5", port: 8080, timeout: .seconds(2)))
        #expect(h.urls == [URLCheck(path: "/health", statusCodes: [200...200, 503...503], digest: "9b3a0c85a887a256d6939da88aabd8cd")])
        #expect(h.tls == nil)
        guard case .misc(let m) = rs.checkers[1].kind else { Issue.record("expected MISC_CHECK"); return }
        #expect(m.command.argv() == ["/usr/local/bin/check", "a b"])
        #expect(m.timeout == .seconds(4) && m.dynamic)
        #expect(m.command.user == "nobody" && m.command.group == "nogroup")
        guard case .http(let s) = vss[1].realServers.first?.checkers.first?.kind else { Issue.record("expected SSL_GET"); return }
        #expect(s.tls == TLSSettings(serverName: "www.example"))
        #expect(plan.scriptSecurity == ScriptSecurity(enabled: true, defaultUser: "nobody"))
        #expect(plan.vrrp.scriptSecurity == plan.scriptSecurity)
    }

    @Test("A url's regex reaches HTTP_GET and SSL_GET compiled, with its sense, offsets, options and stack")
    func regexTranslation() throws {
        let loaded = ConfigLoader.parse(text: """
        virtual_server 10.0.0.1 80 {
          protocol TCP
          real_server 10.0.1.5 8080 {
            HTTP_GET {
              url {
                path /a
                regex "status: ok"
                regex_options caseless dotall
                regex_min_offset 2
                regex_max_offset 900
              }
              url { path /b digest 9b3a0c85a887a256d6939da88aabd8cd regex error regex_no_match regex_stack 4096 65536 }
            }
            SSL_GET {
              url {
                path /c
                regex "^up$"
                regex_options multiline
              }
            }
          }
        }
        """)
        #expect(loaded.isValid, "\(loaded.rendered())")
        let plan = try DirectorPlan(config: loaded.config)
        let checkers = try #require(plan.health.first?.realServers.first?.checkers)
        guard case .http(let h) = checkers.first?.kind, case .http(let s) = checkers.last?.kind else {
            Issue.record("expected HTTP_GET and SSL_GET"); return
        }
        let a = try #require(try h.urls.first?.regex?.get())
        #expect(a.regex == (try CompiledRegex(pattern: "status: ok", options: [.caseless, .dotAll], offsetLimit: true)))
        #expect(!a.noMatch && a.minOffset == 2 && a.maxOffset == 900 && a.stack == nil)
        let b = try #require(try h.urls.last?.regex?.get())
        #expect(b.noMatch && b.minOffset == 0 && b.maxOffset == nil && b.stack == BodyRegex.JITStack(start: 4096, max: 65536))
        #expect(b.regex.pattern == "error" && b.regex.options.isEmpty)
        #expect(h.urls.last?.digest == "9b3a0c85a887a256d6939da88aabd8cd")
        let c = try #require(try s.urls.first?.regex?.get())
        #expect(c.regex == (try CompiledRegex(pattern: "^up$", options: [.multiline])))
        #expect(s.tls != nil)
    }

    @Test("Model times reach HA and HealthCheck unchanged: 0.1 s is 100 ms, a MISC_CHECK timeout defaults to delay_loop")
    func timesPassThrough() throws {
        let loaded = ConfigLoader.parse(text: """
        vrrp_script chk { script /bin/true interval 0.2 }
        vrrp_instance VI_1 {
          interface eth0
          virtual_router_id 51
          version 3
          advert_int 0.1
          preempt_delay 0.3
          garp_master_delay 0.5
          virtual_ipaddress { 10.0.0.100 }
        }
        virtual_server 10.0.0.1 80 {
          protocol TCP
          delay_loop 1.5
          real_server 10.0.1.5 80 { MISC_CHECK { misc_path /bin/true } }
        }
        """)
        #expect(loaded.isValid, "\(loaded.rendered())")
        let plan = try DirectorPlan(config: loaded.config)
        let instance = try #require(plan.vrrp.instances.first)
        #expect(instance.configuration.advertInterval == .milliseconds(100))
        #expect(instance.configuration.preemptDelay == .milliseconds(300))
        #expect(instance.garp.masterDelay == .milliseconds(500))
        #expect(plan.vrrp.scripts.first?.interval == .milliseconds(200))
        let checker = try #require(plan.health.first?.realServers.first?.checkers.first)
        #expect(checker.timing.delayLoop == .milliseconds(1500))
        guard case .misc(let m) = checker.kind else { Issue.record("expected MISC_CHECK"); return }
        #expect(m.timeout == .milliseconds(1500))
    }

    @Test("fwmark and bind_if reach the checker's target; UDP_CHECK carries its pattern, mask and reply lengths")
    func placementAndUDPReply() throws {
        let loaded = ConfigLoader.parse(text: """
        virtual_server 10.0.0.1 53 {
          protocol UDP
          real_server 10.0.1.5 53 {
            TCP_CHECK {
              fwmark 7
              bind_if eth1
            }
            UDP_CHECK {
              require_reply 1X22
              min_reply_length 2
              max_reply_length 900
            }
          }
        }
        """)
        #expect(loaded.isValid, "\(loaded.rendered())")
        let plan = try DirectorPlan(config: loaded.config)
        let rs = try #require(plan.health.first?.realServers.first)
        guard case .tcp(let t) = rs.checkers.first?.kind else { Issue.record("expected TCP_CHECK"); return }
        #expect(t.target.fwmark == 7 && t.target.bindInterface == "eth1")
        guard case .udp(let u) = rs.checkers.last?.kind else { Issue.record("expected UDP_CHECK"); return }
        #expect(u.requireReply && u.replyPrefix == [0x10, 0x22] && u.replyMask == [0xF0, 0xFF])
        #expect(u.minReplyLength == 2 && u.maxReplyLength == 900)
        #expect(u.target.fwmark == nil && u.target.bindInterface == nil)
    }

    @Test("log_all_failures: on for a checker that says so, and for every checker under global_defs checker_log_all_failures")
    func logAllFailures() throws {
        func flags(_ global: String) throws -> [Bool] {
            let loaded = ConfigLoader.parse(text: """
            global_defs {
            \(global)
            }
            virtual_server 10.0.0.1 80 {
              protocol TCP
              real_server 10.0.1.5 80 {
                TCP_CHECK { }
                TCP_CHECK { log_all_failures }
                TCP_CHECK { log_all_failures off }
              }
            }
            """)
            #expect(loaded.isValid && loaded.warnings.isEmpty, "\(loaded.rendered())")
            let plan = try DirectorPlan(config: loaded.config)
            return try #require(plan.health.first?.realServers.first).checkers.map(\.timing.logAllFailures)
        }
        #expect(try flags("") == [false, true, false])
        // keepalived 2.2.7 tests `global || checker` at each failure: a checker cannot opt out of the global.
        #expect(try flags("checker_log_all_failures") == [true, true, true])
        #expect(try flags("checker_log_all_failures false") == [false, true, false])
    }

    @Test("SSL_GET tls_compliant reaches the checker's TLS settings, and a url's own tls_compliant that url")
    func tlsCompliant() throws {
        let loaded = ConfigLoader.parse(text: """
        virtual_server 10.0.0.1 443 {
          protocol TCP
          real_server 10.0.1.5 443 {
            SSL_GET {
              url { path /a }
              url {
                path /b
                tls_compliant
              }
            }
            SSL_GET {
              tls_compliant
              url { path /c }
            }
            SSL_GET {
              tls_compliant off
              url {
                path /d
                tls_compliant no
              }
            }
          }
        }
        """)
        #expect(loaded.isValid && loaded.warnings.isEmpty, "\(loaded.rendered())")
        let plan = try DirectorPlan(config: loaded.config)
        let checks = try #require(plan.health.first?.realServers.first).checkers.compactMap { spec -> HTTPCheck? in
            if case .http(let h) = spec.kind { h } else { nil }
        }
        #expect(checks.count == 3)
        let perURL = checks.flatMap { check in check.urls.map { check.tls(for: $0)?.closeNotify } }
        #expect(perURL == [false, true, true, false])
    }

    @Test("SMTP_CHECK host blocks become one SMTP checker each, with the block's helo_name and timers")
    func smtpHosts() throws {
        let loaded = ConfigLoader.parse(text: """
        virtual_server 10.0.0.1 25 {
          protocol TCP
          real_server 10.0.1.5 25 {
            SMTP_CHECK {
              helo_name lb.example
              retry 3
              host { connect_ip 10.0.1.6 connect_port 2525 connect_timeout 2 }
              host { bindto 10.0.0.1 }
            }
            SMTP_CHECK { connect_port 26 host { connect_ip 10.0.1.7 } }
          }
        }
        """)
        #expect(loaded.isValid && loaded.warnings.isEmpty, "\(loaded.rendered())")
        let plan = try DirectorPlan(config: loaded.config)
        let specs = try #require(plan.health.first?.realServers.first).checkers
        let smtp = specs.compactMap { spec -> SMTPCheck? in if case .smtp(let s) = spec.kind { s } else { nil } }
        // Without a connection keyword of its own the first block is its two hosts; the second keeps its own target.
        #expect(smtp.map(\.target.hostPort) == ["10.0.1.6:2525", "10.0.1.5:25", "10.0.1.5:26", "10.0.1.7:25"])
        #expect(smtp.map(\.target.timeout) == [.seconds(2), .seconds(5), .seconds(5), .seconds(5)])
        #expect(smtp[1].target.bindAddress == "10.0.0.1")
        #expect(smtp.prefix(2).allSatisfy { $0.heloName == "lb.example" })
        #expect(specs.prefix(2).allSatisfy { $0.timing.retry == 3 })
    }
}
