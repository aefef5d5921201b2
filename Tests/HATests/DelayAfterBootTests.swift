import Testing
@testable import HA

@Suite("vrrp_delay_after_boot and vrrp_startup_delay: the longer delay applies (keepalived 2.4.0)")
struct DelayAfterBootTests {
    private func configuration(startup: Duration, afterBoot: Duration) -> VRRPRuntimeConfiguration {
        var c = VRRPRuntimeConfiguration(instances: [])
        c.startupDelay = startup
        c.delayAfterBoot = afterBoot
        return c
    }

    @Test("Booted 10 s ago with vrrp_delay_after_boot 15: 5 s more; with vrrp_startup_delay 8 as well: 8 s")
    func remaining() throws {
        let r = try #require(configuration(startup: .zero, afterBoot: .seconds(15)).startupDelay(uptime: .seconds(10)))
        #expect(r.delay == .seconds(5) && r.keyword == "vrrp_delay_after_boot")
        let s = try #require(configuration(startup: .seconds(8), afterBoot: .seconds(15)).startupDelay(uptime: .seconds(10)))
        #expect(s.delay == .seconds(8) && s.keyword == "vrrp_startup_delay")
    }

    @Test("Up longer than the delay after boot: only vrrp_startup_delay counts, and nothing without it")
    func alreadyUp() throws {
        #expect(configuration(startup: .zero, afterBoot: .seconds(15)).startupDelay(uptime: .seconds(3600)) == nil)
        let r = try #require(configuration(startup: .seconds(2), afterBoot: .seconds(15)).startupDelay(uptime: .seconds(3600)))
        #expect(r.delay == .seconds(2) && r.keyword == "vrrp_startup_delay")
        #expect(configuration(startup: .zero, afterBoot: .zero).startupDelay(uptime: .zero) == nil)
    }

    @Test("The uptime as read here is positive and below a century")
    func uptimeRead() throws {
        let up = try #require(VRRPRuntime.uptime())
        #expect(up > .zero && up < .seconds(3_155_760_000))
    }
}
