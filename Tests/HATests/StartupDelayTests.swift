import Testing
import Vocabulary
@testable import HA

@Suite("vrrp_startup_delay as keepalived 2.2.7 (vrrp_init_instance_sands)")
struct StartupDelayTests {
    @Test("With a 5 s delay the instance takes over at 5 s plus its master-down interval, not before")
    func delayed() {
        var router = VRRPRouter(configuration: VRRPRuntimeConfiguration(instances: [routerSpec()]))
        router.delayedStart = at(5000)
        _ = router.transportOpened(instance: "VI_1", primaryAddress: me, now: t0)
        let before = router.deadlineReached(now: at(5000) + .nanoseconds(3_609_375_000) - .milliseconds(1))
        #expect(!before.contains(addVIPs(routerSpec())))
        #expect(router.states["VI_1"] == .backup)
        #expect(router.deadlineReached(now: at(5000) + .nanoseconds(3_609_375_000)).contains(addVIPs(routerSpec())))
    }

    @Test("Past the delay (or without one) the master-down timer runs from now")
    func pastDelay() {
        var router = VRRPRouter(configuration: VRRPRuntimeConfiguration(instances: [routerSpec()]))
        router.delayedStart = at(1000)
        _ = router.transportOpened(instance: "VI_1", primaryAddress: me, now: at(2000))
        #expect(router.deadlineReached(now: at(2000) + .nanoseconds(3_609_375_000)).contains(addVIPs(routerSpec())))
    }
}
