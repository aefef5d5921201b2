import Alerts
import Config
@testable import Director
import HA
import HealthCheck
import Testing
import Vocabulary
import TestSupport

@Suite("Alerts: which events are mailed, under which switches")
struct AlertRulesTests {
    static func plan(_ global: String, _ blocks: String = "") throws -> AlertPlan {
        let text = """
        global_defs {
          \(global)
        }
        vrrp_instance VI_1 {
          interface eth0
          virtual_router_id 51
          virtual_ipaddress { 10.0.0.100 }
        }
        vrrp_instance VI_2 {
          interface eth0
          virtual_router_id 52
          virtual_ipaddress { 10.0.0.101 }
        }
        \(blocks)
        virtual_server 10.0.0.100 80 {
          protocol TCP
          quorum 1
          real_server 10.0.1.5 80 { TCP_CHECK { connect_timeout 1 } }
        }
        """
        let loaded = ConfigLoader.parse(text: text, fileName: "t.conf")
        #expect(loaded.isValid, "\(loaded.rendered())")
        return try DirectorPlan(config: loaded.config).alerts
    }

    static let mail = "smtp_server 127.0.0.1\n notification_email { ops@example.com }"
    static let vs = VirtualServerID(.ip("10.0.0.100", port: 80))
    static let rs = RealServerID(virtualServer: vs, address: "10.0.1.5", port: 80)

    static func transition(_ name: String, _ from: VRRPState, _ to: VRRPState,
                           _ reason: VRRPTransitionReason = .masterDownTimerExpired(lastAdvertAge: nil)) -> VRRPEvent {
        .transition(instance: name, from: from, to: to, reason: reason)
    }

    static func down(_ alive: Bool) -> HealthCheckEvent {
        .realServer(RealServerStateChange(
            key: rs, state: RealServerState(alive: !alive, weight: 1, inhibitOnFailure: false),
            previous: RealServerState(alive: alive, weight: 1, inhibitOnFailure: false),
            reason: "TCP_CHECK 10.0.1.5:80 connection refused"))
    }

    @Test("keepalived's defaults: VRRP and quorum alerts off, real-server alerts on")
    func defaults() throws {
        let p = try Self.plan(Self.mail)
        #expect(p.isEnabled)
        #expect(p.instances == ["VI_1": false, "VI_2": false])
        #expect(p.virtualServers[Self.vs] == false)
        #expect(p.realServers[Self.rs] == true)
        #expect(p.connectTimeout == .seconds(30))
        #expect(p.smtpPort == 25)
    }

    @Test("Nothing is enabled without notification_email, or without smtp_server")
    func needsBoth() throws {
        #expect(try !Self.plan("smtp_server 127.0.0.1").isEnabled)
        #expect(try !Self.plan("notification_email { a@b }").isEnabled)
    }

    @Test("smtp_alert_vrrp overrides smtp_alert, and a block's own smtp_alert overrides both")
    func precedence() throws {
        let p = try Self.plan(Self.mail + "\n smtp_alert on\n smtp_alert_vrrp off\n smtp_alert_checker off",
                              "vrrp_sync_group G { group { VI_1 VI_2 } smtp_alert }")
        #expect(p.instances == ["VI_1": false, "VI_2": false])
        #expect(p.syncGroups.first?.alert == true)
        #expect(p.realServers[Self.rs] == false)
        let q = try Self.plan(Self.mail + "\n smtp_alert on")
        #expect(q.instances == ["VI_1": true, "VI_2": true])
        #expect(q.virtualServers[Self.vs] == true)
        #expect(q.realServers[Self.rs] == true)
    }

    @Test("smtp_server HOST PORT, smtp_connect_timeout, helo, from, router_id reach the plan; timeout 0 is 1 s")
    func settings() throws {
        let p = try Self.plan(Self.mail + "\n smtp_server mail.example 2525\n smtp_connect_timeout 0\n smtp_helo_name lb1.example\n notification_email_from vigil@lb1\n router_id LB1")
        #expect(p.smtpHost == "mail.example" && p.smtpPort == 2525)
        #expect(p.connectTimeout == .seconds(1))
        let s = try #require(AlertCenter.settings(p, hostName: "host"))
        #expect(s.heloName == "lb1.example" && s.from == "vigil@lb1" && s.recipients == ["ops@example.com"])
        #expect(AlertRules(plan: p, hostName: "host").node == "LB1")
    }

    @Test("Without helo name and from, the host name and user@host are used")
    func settingsDefaults() throws {
        let s = try #require(AlertCenter.settings(try Self.plan(Self.mail), hostName: "lb9"))
        #expect(s.heloName == "lb9")
        #expect(s.from.hasSuffix("@lb9"))
    }

    @Test("An instance's transition is mailed with node, instance, old -> new state and reason")
    func instanceMailed() throws {
        var rules = AlertRules(plan: try Self.plan(Self.mail + "\n smtp_alert_vrrp"), hostName: "lb1")
        let alerts = rules.vrrpEventReceived(Self.transition("VI_1", .backup, .master))
        #expect(alerts.map(\.subject) == ["[lb1] VRRP instance VI_1: BACKUP -> MASTER"])
        #expect(alerts.first?.lines.first == "vrrp_instance VI_1 on lb1 went from BACKUP to MASTER.")
        #expect(alerts.first?.lines.contains { $0.hasPrefix("Reason: master down timer expired") } == true)
    }

    @Test("With smtp_alert off nothing about VRRP is mailed")
    func instanceOff() throws {
        var rules = AlertRules(plan: try Self.plan(Self.mail), hostName: "lb1")
        #expect(rules.vrrpEventReceived(Self.transition("VI_1", .backup, .master)).isEmpty)
    }

    @Test("The same state is mailed once; INIT never; STOP is")
    func dedupe() throws {
        var rules = AlertRules(plan: try Self.plan(Self.mail + "\n smtp_alert"), hostName: "lb1")
        #expect(rules.vrrpEventReceived(Self.transition("VI_1", .initialize, .backup, .startup)).count == 1)
        // BACKUP again (last mailed BACKUP): not mailed, as keepalived's last_email_state.
        #expect(rules.vrrpEventReceived(Self.transition("VI_1", .fault, .backup)).isEmpty)
        #expect(rules.vrrpEventReceived(Self.transition("VI_1", .backup, .initialize)).isEmpty)
        #expect(rules.vrrpEventReceived(Self.transition("VI_1", .initialize, .backup)).isEmpty)
        #expect(rules.vrrpEventReceived(Self.transition("VI_1", .backup, .stop, .shutdown)).map(\.subject)
                == ["[lb1] VRRP instance VI_1: BACKUP -> STOP"])
    }

    @Test("no_email_faults: FAULT is not mailed, the way out of it is")
    func noFaults() throws {
        var rules = AlertRules(plan: try Self.plan(Self.mail + "\n smtp_alert\n no_email_faults"), hostName: "lb1")
        #expect(rules.vrrpEventReceived(Self.transition("VI_1", .master, .fault, .fault)).isEmpty)
        #expect(rules.vrrpEventReceived(Self.transition("VI_1", .fault, .backup, .faultCleared)).count == 1)
    }

    @Test("A sync group is mailed once every member is in the new state")
    func syncGroup() throws {
        var rules = AlertRules(plan: try Self.plan(Self.mail, "vrrp_sync_group G { group { VI_1 VI_2 } smtp_alert }"),
                               hostName: "lb1")
        #expect(rules.vrrpEventReceived(Self.transition("VI_1", .backup, .master)).isEmpty)
        let alerts = rules.vrrpEventReceived(Self.transition("VI_2", .backup, .master, .syncGroup("G")))
        #expect(alerts.map(\.subject) == ["[lb1] VRRP sync group G: MASTER"])
        #expect(rules.vrrpEventReceived(Self.transition("VI_2", .master, .master)).isEmpty)
    }

    @Test("A real server going down and up is mailed; a weight change or the first report is not")
    func realServer() throws {
        let rules = AlertRules(plan: try Self.plan(Self.mail), hostName: "lb1")
        let down = rules.healthEventReceived(Self.down(true))
        #expect(down.map(\.subject) == ["[lb1] real server 10.0.1.5:80 of virtual server 10.0.0.100:80: DOWN"])
        #expect(down.first?.lines.contains("Reason: TCP_CHECK 10.0.1.5:80 connection refused.") == true)
        #expect(rules.healthEventReceived(Self.down(false)).map(\.subject)
                == ["[lb1] real server 10.0.1.5:80 of virtual server 10.0.0.100:80: UP"])
        let weight = HealthCheckEvent.realServer(RealServerStateChange(
            key: Self.rs, state: RealServerState(alive: true, weight: 3, inhibitOnFailure: false),
            previous: RealServerState(alive: true, weight: 1, inhibitOnFailure: false), reason: "misc_dynamic"))
        #expect(rules.healthEventReceived(weight).isEmpty)
        let first = HealthCheckEvent.realServer(RealServerStateChange(
            key: Self.rs, state: RealServerState(alive: false, weight: 1, inhibitOnFailure: false), previous: nil, reason: "added"))
        #expect(rules.healthEventReceived(first).isEmpty)
    }

    @Test("real_server smtp_alert off silences it")
    func realServerOff() throws {
        let rules = AlertRules(plan: try Self.plan(Self.mail + "\n smtp_alert_checker off"), hostName: "lb1")
        #expect(rules.healthEventReceived(Self.down(true)).isEmpty)
    }

    @Test("Quorum changes are mailed only with the virtual server's smtp_alert")
    func quorum() throws {
        let event = HealthCheckEvent.quorum(virtualServer: Self.vs, up: false, liveWeight: 0,
                                            reason: .realServerChanged(Self.rs))
        #expect(AlertRules(plan: try Self.plan(Self.mail), hostName: "lb1").healthEventReceived(event).isEmpty)
        let on = AlertRules(plan: try Self.plan(Self.mail + "\n smtp_alert_checker"), hostName: "lb1")
        #expect(on.healthEventReceived(event).map(\.subject) == ["[lb1] virtual server 10.0.0.100:80: quorum DOWN"])
    }

    @Test("A reload changes the switches and keeps what was mailed")
    func reload() throws {
        var rules = AlertRules(plan: try Self.plan(Self.mail + "\n smtp_alert"), hostName: "lb1")
        #expect(rules.vrrpEventReceived(Self.transition("VI_1", .backup, .master)).count == 1)
        rules.planChanged(try Self.plan(Self.mail + "\n smtp_alert off"))
        #expect(rules.vrrpEventReceived(Self.transition("VI_1", .master, .backup)).isEmpty)
    }

    @Test("The mail carries the time in its Date header and its body")
    func dated() {
        let mail = Alert(subject: "s", lines: ["a"]).mail(from: "f@x", to: ["t@x"], date: MailDate(secondsSinceEpoch: 0))
        #expect(mail.body.contains("Time: 1970-01-01 00:00:00 +0000"))
        #expect(String(decoding: mail.rendered(), as: UTF8.self).hasPrefix("Date: Thu, 01 Jan 1970 00:00:00 +0000\r\n"))
    }
}
