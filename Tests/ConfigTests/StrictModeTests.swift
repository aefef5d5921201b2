import Testing
@testable import Config

/// `minimalInstance` with `lines` after `interface eth0` (line 3 onwards), `vrrp_strict` in global_defs at the end
/// of the file when `global` (keepalived resolves strict mode once the whole file is read).
private func strict(_ lines: String..., global: Bool = true) -> ConfigLoadResult {
    let body = minimalInstance.replacingOccurrences(
        of: "interface eth0", with: (["interface eth0"] + lines.map { "    " + $0 }).joined(separator: "\n"))
    return parse(body + (global ? "\nglobal_defs {\n    vrrp_strict\n}\n" : ""))
}

@Suite("vrrp_strict and strict_mode as keepalived 2.2.7 resolves them (vrrp_complete_instance)")
struct StrictModeTests {
    @Test("vrrp_strict, even after the instance: strict, no accept mode below priority 255, VIPs filtered")
    func strictDefaults() throws {
        let r = strict()
        let v = try #require(r.config.vrrpInstances.first)
        #expect(v.strict && v.accept == false && v.filtersVIPTraffic)
        #expect(r.errors.isEmpty)
    }

    @Test("Without strict mode accept is on; no_accept still filters; the owner never filters")
    func acceptDefaults() throws {
        let plain = try #require(strict(global: false).config.vrrpInstances.first)
        #expect(!plain.strict && plain.accept == true && !plain.filtersVIPTraffic)
        let noAccept = try #require(strict("no_accept", global: false).config.vrrpInstances.first)
        #expect(noAccept.filtersVIPTraffic)
        let owner = try #require(strict("priority 255").config.vrrpInstances.first)
        #expect(owner.accept == true && !owner.filtersVIPTraffic)
        let ownerNoAccept = try #require(strict("priority 255", "no_accept", global: false).config.vrrpInstances.first)
        #expect(ownerNoAccept.accept == false && !ownerNoAccept.filtersVIPTraffic)
    }

    @Test("strict_mode on the instance overrides vrrp_strict both ways")
    func instanceOverrides() throws {
        let off = try #require(strict("strict_mode off").config.vrrpInstances.first)
        #expect(!off.strict && off.accept == true)
        let on = try #require(strict("strict_mode", global: false).config.vrrpInstances.first)
        #expect(on.strict && on.accept == false)
        let bad = strict("strict_mode maybe", global: false)
        #expect(positions(bad, .invalidValue) == ["3:17"])
    }

    @Test("Authentication is dropped with a warning at its block")
    func authenticationDropped() throws {
        let r = strict("authentication {", "    auth_type PASS", "    auth_pass secret", "}")
        let v = try #require(r.config.vrrpInstances.first)
        #expect(v.authentication == nil)
        #expect(positions(r, .keepalivedIgnores) == ["3:5"])
    }

    @Test("unicast_peer is an error naming the strict mode")
    func unicastRefused() throws {
        let r = strict("unicast_peer {", "    192.168.0.2", "}")
        #expect(r.errors.count == 1)
        #expect(positions(r, .invalidValue) == ["3:5"])
        #expect(r.errors.first?.message.contains("vrrp_strict") == true)
    }

    @Test("An instance without virtual addresses is an error in strict mode only")
    func vipRequired() throws {
        let text = "vrrp_instance VI_1 {\n    interface eth0\n    virtual_router_id 51\n}\n"
        #expect(parse(text + "global_defs {\n    vrrp_strict\n}\n").errors.contains { $0.message.contains("no virtual_ipaddress") })
        #expect(!parse(text).errors.contains { $0.message.contains("no virtual_ipaddress") })
    }

    @Test("state MASTER below priority 255 starts as BACKUP; BACKUP at 255 as MASTER; warned at the state value")
    func stateMatchesOwnership() throws {
        let r = strict("state MASTER", "priority 150")
        let v = try #require(r.config.vrrpInstances.first)
        #expect(v.state == .backup)
        #expect(positions(r, .keepalivedIgnores) == ["3:11"])
        let o = strict("state BACKUP", "priority 255")
        #expect(o.config.vrrpInstances.first?.state == .master)
        #expect(positions(strict("state BACKUP", "priority 150"), .keepalivedIgnores).isEmpty)
    }

    @Test("preempt_delay is reset; accept with VRRPv2 below 255 is turned off, with VRRPv3 kept")
    func resets() throws {
        let r = strict("preempt_delay 10")
        #expect(r.config.vrrpInstances.first?.preemptDelay == .zero)
        #expect(positions(r, .keepalivedIgnores) == ["3:5"])
        let v2 = strict("accept")
        #expect(v2.config.vrrpInstances.first?.accept == false)
        #expect(positions(v2, .keepalivedIgnores) == ["3:5"])
        let v3 = strict("version 3", "accept")
        #expect(v3.config.vrrpInstances.first?.accept == true)
        #expect(positions(v3, .keepalivedIgnores).isEmpty)
    }

    @Test("A virtual server on a filtered VIP is warned about at the virtual server")
    func virtualServerOnFilteredVIP() throws {
        let vs = "\nvirtual_server 192.168.0.80 80 {\n    protocol TCP\n    real_server 10.0.0.1 80 {\n    }\n}\n"
        let r = parse(minimalInstance + vs + "global_defs {\n    vrrp_strict\n}\n")
        #expect(diagnostics(r, .suspicious).contains { $0.message.contains("dropped before IPVS") && $0.location?.line == 8 })
        let accepted = parse(minimalInstance + vs)
        #expect(!diagnostics(accepted, .suspicious).contains { $0.message.contains("dropped before IPVS") })
    }

    @Test("nftables names the table; a bad name is an error; nftables_priority is read")
    func nftablesGlobals() throws {
        let r = parse("global_defs {\n    nftables lb_filter\n    nftables_priority -5\n}\n")
        #expect(r.config.globalDefs.nftablesTable == "lb_filter" && r.config.globalDefs.nftablesPriority == -5)
        #expect(r.errors.isEmpty)
        let bad = parse("global_defs {\n    nftables 9;drop\n}\n")
        #expect(positions(bad, .invalidValue) == ["2:14"])
    }

    @Test("Lower-priority GARPs: the instance's, else vrrp_garp_lower_prio_*, else vrrp_garp_master_*, wherever global_defs is")
    func lowerPriorityDefaults() throws {
        let plain = try #require(strict(global: false).config.vrrpInstances.first)
        #expect(plain.garpLowerPrioRepeat == 5 && plain.garpLowerPrioDelay == .seconds(5))
        #expect(plain.lowerPrioNoAdvert == false && plain.higherPrioSendAdvert == false)
        let g = parse(minimalInstance + "\nglobal_defs {\n    vrrp_garp_master_repeat 3\n    vrrp_garp_lower_prio_delay 2\n    vrrp_lower_prio_no_advert\n}\n")
        let v = try #require(g.config.vrrpInstances.first)
        #expect(v.garpLowerPrioRepeat == 3 && v.garpLowerPrioDelay == .seconds(2) && v.lowerPrioNoAdvert == true)
        let own = try #require(strict("garp_lower_prio_repeat 1", "higher_prio_send_advert", global: false).config.vrrpInstances.first)
        #expect(own.garpLowerPrioRepeat == 1 && own.higherPrioSendAdvert == true)
    }

    @Test("Strict mode: no lower-priority GARP, no answer, no advert before yielding; values written are reset at their line")
    func strictLowerPriority() throws {
        let d = try #require(strict().config.vrrpInstances.first)
        #expect(d.garpLowerPrioRepeat == 0 && d.garpLowerPrioDelay == .zero)
        #expect(d.lowerPrioNoAdvert == true && d.higherPrioSendAdvert == false)
        let r = strict("garp_lower_prio_repeat 2", "lower_prio_no_advert off", "higher_prio_send_advert")
        let v = try #require(r.config.vrrpInstances.first)
        #expect(v.garpLowerPrioRepeat == 0 && v.lowerPrioNoAdvert == true && v.higherPrioSendAdvert == false)
        #expect(positions(r, .keepalivedIgnores) == ["3:5", "4:5", "5:5"])
    }
}

@Suite("down_timer_adverts and vrrp_down_timer_adverts (keepalived 2.2.7: 1…100, default 3)")
struct DownTimerAdvertsConfigTests {
    private func load(_ line: String, global: String = "") -> ConfigLoadResult {
        let body = minimalInstance.replacingOccurrences(of: "interface eth0", with: "interface eth0\n    " + line)
        return parse((global.isEmpty ? "" : "global_defs {\n    \(global)\n}\n") + body)
    }

    @Test("Not written: 3; the global sets the default; the instance's own wins")
    func defaults() throws {
        #expect(try #require(load("").config.vrrpInstances.first).downTimerAdverts == 3)
        #expect(try #require(load("", global: "vrrp_down_timer_adverts 5").config.vrrpInstances.first).downTimerAdverts == 5)
        let own = load("down_timer_adverts 9", global: "vrrp_down_timer_adverts 5")
        #expect(own.errors.isEmpty && own.warnings.isEmpty)
        #expect(try #require(own.config.vrrpInstances.first).downTimerAdverts == 9)
    }

    @Test("Outside 1…100 or not a number: an error at the value, as keepalived's 'Invalid down_timer_adverts'",
          arguments: ["down_timer_adverts 0", "down_timer_adverts 101", "down_timer_adverts x"])
    func invalid(line: String) throws {
        let r = load(line)
        #expect(r.errors.count == 1)
        #expect(try #require(r.config.vrrpInstances.first).downTimerAdverts == 3)
    }

    @Test("The global outside 1…100 is an error too")
    func invalidGlobal() {
        #expect(load("", global: "vrrp_down_timer_adverts 200").errors.count == 1)
    }
}
