import Testing
@testable import Config

/// `vrrp_min_garp [BOOL]` as keepalived 2.2.7's handler: the GARP globals still at their defaults become one GARP at
/// the transition, no second block and no refresh repeat.
@Suite("vrrp_min_garp")
struct MinGarpTests {
    private func globals(_ lines: String...) -> GlobalDefs {
        parse("global_defs {\n" + lines.map { "  " + $0 + "\n" }.joined() + "}\n").config.globalDefs
    }

    @Test("Alone: repeat 1, delay 0 (no second block), refresh repeat 0")
    func alone() {
        let g = globals("vrrp_min_garp")
        #expect(g.vrrpGarpMasterRepeat == 1 && g.vrrpGarpMasterDelay == .zero && g.vrrpGarpMasterRefreshRepeat == 0)
        #expect(globals("vrrp_min_garp on").vrrpGarpMasterRepeat == 1)
    }

    @Test("off changes nothing")
    func off() {
        let g = globals("vrrp_min_garp off")
        #expect(g.vrrpGarpMasterRepeat == 5 && g.vrrpGarpMasterDelay == .seconds(5) && g.vrrpGarpMasterRefreshRepeat == 1)
    }

    @Test("A value set before is kept; a value set after wins")
    func order() {
        let before = globals("vrrp_garp_master_repeat 3", "vrrp_garp_master_delay 2", "vrrp_min_garp")
        #expect(before.vrrpGarpMasterRepeat == 3 && before.vrrpGarpMasterDelay == .seconds(2))
        let after = globals("vrrp_min_garp", "vrrp_garp_master_repeat 4")
        #expect(after.vrrpGarpMasterRepeat == 4 && after.vrrpGarpMasterDelay == .zero)
    }

    @Test("No warning: it is implemented")
    func noWarning() {
        #expect(parse("global_defs {\n  vrrp_min_garp\n}\n").warnings.isEmpty)
    }
}

@Suite("log_unknown_vrids")
struct LogUnknownVRIDsConfigTests {
    @Test("A flag in global_defs, off by default, reaching the model without a warning")
    func flag() {
        let on = parse("global_defs {\n  log_unknown_vrids\n}\n")
        #expect(on.config.globalDefs.logUnknownVRIDs && on.warnings.isEmpty)
        #expect(!parse("global_defs {\n}\n").config.globalDefs.logUnknownVRIDs)
    }
}
