import Testing
@testable import Config

/// `minimalInstance` with `lines` after `interface eth0` (line 3 onwards) and `globals` in a global_defs block
/// after the instance.
private func load(_ lines: String..., globals: [String] = []) -> ConfigLoadResult {
    let body = minimalInstance.replacingOccurrences(
        of: "interface eth0", with: (["interface eth0"] + lines.map { "    " + $0 }).joined(separator: "\n"))
    let g = globals.isEmpty ? "" : "\nglobal_defs {\n" + globals.map { "    " + $0 }.joined(separator: "\n") + "\n}\n"
    return parse(body + g)
}

@Suite("old_unicast_checksum and v3_checksum_as_v2")
struct ChecksumConfigTests {
    @Test("old_unicast_checksum: not written, bare and 'never'; another word is an error at it")
    func oldUnicast() throws {
        #expect(try #require(load("unicast_peer {", "  10.0.0.1", "}").config.vrrpInstances.first).oldUnicastChecksum == nil)
        let bare = load("old_unicast_checksum", "unicast_peer {", "  10.0.0.1", "}")
        #expect(bare.errors.isEmpty && bare.warnings.isEmpty)
        #expect(try #require(bare.config.vrrpInstances.first).oldUnicastChecksum == .always)
        #expect(try #require(load("old_unicast_checksum never", "unicast_peer {", "  10.0.0.1", "}")
                .config.vrrpInstances.first).oldUnicastChecksum == .never)
        let bad = load("old_unicast_checksum always", "unicast_peer {", "  10.0.0.1", "}")
        #expect(positions(bad, .invalidValue) == ["3:26"])
        #expect(try #require(bad.config.vrrpInstances.first).oldUnicastChecksum == nil)
    }

    @Test("old_unicast_checksum is a unicast keyword: without a peer, keepalived's multicast fallback warning")
    func unicastKeyword() {
        let r = load("old_unicast_checksum")
        #expect(r.warnings.contains { $0.message.contains("a unicast keyword without any unicast_peer") })
    }

    @Test("v3_checksum_as_v2: the global is the default, the instance's own wins, a bare keyword means on")
    func asV2() throws {
        #expect(try #require(load().config.vrrpInstances.first).v3ChecksumAsV2 == nil)
        let global = load(globals: ["v3_checksum_as_v2"])
        #expect(global.config.globalDefs.v3ChecksumAsV2 && global.errors.isEmpty && global.warnings.isEmpty)
        #expect(try #require(load("v3_checksum_as_v2 off", globals: ["v3_checksum_as_v2"]).config.vrrpInstances.first)
                .v3ChecksumAsV2 == false)
        #expect(try #require(load("v3_checksum_as_v2").config.vrrpInstances.first).v3ChecksumAsV2 == true)
        #expect(positions(load("v3_checksum_as_v2 maybe"), .invalidValue) == ["3:23"])
    }
}

@Suite("owner_ignore_adverts and vrrp_owner_ignore_adverts, resolved as keepalived 2.4.3")
struct OwnerIgnoreAdvertsConfigTests {
    private func resolved(_ r: ConfigLoadResult) throws -> Bool? {
        try #require(r.config.vrrpInstances.first).ownerIgnoreAdverts
    }

    @Test("Not written: off, except for an owner in strict mode or with the global")
    func defaults() throws {
        #expect(try resolved(load()) == false)
        #expect(try resolved(load("priority 255")) == false)
        #expect(try resolved(load("priority 255", globals: ["vrrp_owner_ignore_adverts"])) == true)
        #expect(try resolved(load(globals: ["vrrp_owner_ignore_adverts"])) == false)
        #expect(try resolved(load("priority 255", globals: ["vrrp_strict"])) == true)
    }

    @Test("Set on an instance that is not the owner: a warning at the line, and off")
    func notOwner() throws {
        let r = load("priority 200", "owner_ignore_adverts")
        #expect(try resolved(r) == false)
        #expect(positions(r, .keepalivedIgnores) == ["4:5"])
    }

    @Test("Turned off by an owner: honoured, except in strict mode (a warning, and on)")
    func ownerTurnsItOff() throws {
        let plain = load("priority 255", "owner_ignore_adverts off", globals: ["vrrp_owner_ignore_adverts"])
        #expect(try resolved(plain) == false)
        #expect(positions(plain, .keepalivedIgnores).isEmpty)
        let strict = load("priority 255", "owner_ignore_adverts off", globals: ["vrrp_strict"])
        #expect(try resolved(strict) == true)
        #expect(positions(strict, .keepalivedIgnores).contains("4:5"))
    }
}

@Suite("vrrp_delay_after_boot")
struct DelayAfterBootConfigTests {
    @Test("Seconds with a fraction; a bad value is an error at it")
    func parse() {
        let r = load(globals: ["vrrp_delay_after_boot 15.25"])
        #expect(r.errors.isEmpty && r.warnings.isEmpty)
        #expect(r.config.globalDefs.vrrpDelayAfterBoot == .milliseconds(15_250))
        #expect(load(globals: ["vrrp_delay_after_boot soon"]).errors.count == 1)
    }
}

@Suite("timer_expired_backup and thread_timer_expired")
struct TimerExpiredBackupConfigTests {
    @Test("Bare: 254; with a priority: it; without nopreempt: warned and off; the old name: warned and read")
    func parse() throws {
        #expect(try #require(load("nopreempt", "timer_expired_backup").config.vrrpInstances.first).timerExpiredBackup == 254)
        #expect(try #require(load("nopreempt", "timer_expired_backup 150").config.vrrpInstances.first).timerExpiredBackup == 150)
        let without = load("timer_expired_backup")
        #expect(try #require(without.config.vrrpInstances.first).timerExpiredBackup == nil)
        #expect(positions(without, .keepalivedIgnores) == ["3:5"])
        let old = load("nopreempt", "thread_timer_expired 100")
        #expect(try #require(old.config.vrrpInstances.first).timerExpiredBackup == 100)
        #expect(positions(old, .nonCanonicalForm) == ["4:5"])
        #expect(load("nopreempt", "timer_expired_backup 255").errors.count == 1)
    }
}
