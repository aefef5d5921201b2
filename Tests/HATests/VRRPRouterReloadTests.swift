import Testing
import Vocabulary
@testable import HA

private let otherVIP = IPAddress("10.0.0.201")!

/// A router whose only instance (`spec`) became MASTER at `masterDown100`; returns it.
private func masterRouter(_ spec: VRRPInstanceSpec) -> VRRPRouter {
    var (router, _) = startedRouter(VRRPRuntimeConfiguration(instances: [spec]))
    _ = router.deadlineReached(now: masterDown100)
    return router
}

/// `spec` with `priority` and the given VIPs.
private func changed(_ spec: VRRPInstanceSpec, priority: UInt8, vips: [VirtualAddress]) -> VRRPInstanceSpec {
    var s = spec
    s.configuration.priority = priority
    s.configuration.virtualAddresses = vips.map(\.address)
    s.virtualAddresses = vips
    return s
}

@Suite("VRRP router: a reload keeps the state of a changed instance, as keepalived 2.2.7")
struct VRRPRouterReloadTests {
    @Test("A MASTER whose priority changes stays MASTER: no priority 0, no transition, an advert at once")
    func masterKeepsState() {
        let spec = routerSpec()
        var router = masterRouter(spec)
        #expect(router.states == ["VI_1": .master])
        let new = changed(spec, priority: 120, vips: spec.virtualAddresses)
        let t = at(5000)
        #expect(router.configurationReloaded(VRRPRuntimeConfiguration(instances: [new]), now: t) == [
            .send(instance: "VI_1", routerAdvert(new, 120)),
        ])
        #expect(router.states == ["VI_1": .master])
        #expect(router.awaitingTransport.isEmpty)
        #expect(router.priorities["VI_1"]?.effective == 120)
    }

    @Test("A MASTER's removed VIPs go and its new ones are added and announced; the kept one is untouched")
    func masterVIPsFollow() {
        let spec = routerSpec()
        var router = masterRouter(spec)
        let other = VirtualAddress(address: otherVIP)
        let new = changed(spec, priority: 100, vips: [other])
        #expect(router.configurationReloaded(VRRPRuntimeConfiguration(instances: [new]), now: at(5000)) == [
            .removeVIPs(instance: "VI_1", interface: "eth0", addresses: spec.virtualAddresses),
            .addVIPs(instance: "VI_1", interface: "eth0", addresses: [other], announcements: 5),
            .send(instance: "VI_1", routerAdvert(new, 100)),
        ])
        let both = changed(spec, priority: 100, vips: [other, VirtualAddress(address: vip)])
        #expect(router.configurationReloaded(VRRPRuntimeConfiguration(instances: [both]), now: at(6000)) == [
            .addVIPs(instance: "VI_1", interface: "eth0", addresses: [VirtualAddress(address: vip)], announcements: 5),
            .send(instance: "VI_1", routerAdvert(both, 100)),
        ])
    }

    @Test("A BACKUP stays BACKUP and restarts its master-down timer from the reload, with the new priority's skew")
    func backupRestartsTimer() {
        let spec = routerSpec()
        var (router, _) = startedRouter(VRRPRuntimeConfiguration(instances: [spec]))
        let new = changed(spec, priority: 200, vips: spec.virtualAddresses)
        #expect(router.configurationReloaded(VRRPRuntimeConfiguration(instances: [new]), now: at(2000)) == [])
        #expect(router.states == ["VI_1": .backup])
        // 3 s + (256 − 200) / 256 s = 3.21875 s after the reload.
        let down = at(2000) + .nanoseconds(3_218_750_000)
        #expect(router.deadlineReached(now: down - .nanoseconds(1)).allSatisfy {
            if case .transition = $0 { return false } else { return true }
        })
        #expect(router.deadlineReached(now: down).contains(.transition(
            instance: "VI_1", from: .backup, to: .master, reason: .masterDownTimerExpired(lastAdvertAge: nil))))
    }

    @Test("A changed interface is another transport: the instance leaves as on shutdown and is reopened")
    func otherInterfaceRestarts() {
        let spec = routerSpec()
        var router = masterRouter(spec)
        var moved = spec
        moved.interface = "eth1"
        let out = router.configurationReloaded(VRRPRuntimeConfiguration(instances: [moved]), now: at(5000))
        #expect(out.contains(.transition(instance: "VI_1", from: .master, to: .stop, reason: .shutdown)))
        #expect(out.contains(.closeTransport(instance: "VI_1")))
        #expect(router.awaitingTransport == [moved])
    }

    /// Notify scripts with every state's, the generic one, and optionally `notify_deleted`.
    private func scripts(deleted: Bool, script: ScriptCommand? = nil) -> VRRPNotifyScripts {
        var n = VRRPNotifyScripts(master: cmd("/m"), backup: cmd("/b"), fault: cmd("/f"), stop: cmd("/s"), generic: cmd("/g"))
        n.notifiesDeleted = deleted
        n.deleted = script
        return n
    }

    /// A router with VI_1 MASTER and VI_2 (`notify`) MASTER, with a notify FIFO; VI_2 is removed by a reload.
    private func removeSecond(_ notify: VRRPNotifyScripts) -> [VRRPRouterAction] {
        let one = routerSpec("VI_1"), two = routerSpec("VI_2", vrid: 52, address: otherVIP, notify: notify)
        var configuration = VRRPRuntimeConfiguration(instances: [one, two])
        configuration.notifyFifos = [NotifyFifoSpec(path: "/run/fifo")]
        var (router, _) = startedRouter(configuration)
        _ = router.deadlineReached(now: masterDown100)
        #expect(router.states == ["VI_1": .master, "VI_2": .master])
        var kept = configuration
        kept.instances = [one]
        let out = router.configurationReloaded(kept, now: at(5000))
        #expect(router.states == ["VI_1": .master])
        #expect(out.contains(.removeVIPs(instance: "VI_2", interface: "eth0", addresses: two.virtualAddresses)))
        #expect(out.contains(.transition(instance: "VI_2", from: .master, to: .stop, reason: .removedByReload)))
        return out.filter {
            switch $0 {
            case .runNotifyScript, .writeNotifyFifo: true
            default: false
            }
        }
    }

    @Test("An instance a reload removes notifies as keepalived 2.2.7 by default: the generic script and the FIFO with FAULT, no STOP")
    func removedNotifiesFault() {
        #expect(removeSecond(scripts(deleted: false)) == [
            .runNotifyScript(cmd("/g"), arguments: ["INSTANCE", "VI_2", "FAULT", "100"]),
            .writeNotifyFifo(NotifyFifoSpec.line(type: "INSTANCE", name: "VI_2", state: "FAULT", priority: 100)),
        ])
    }

    @Test("With notify_deleted SCRIPT a removed instance runs SCRIPT, then the generic script and the FIFO with DELETED")
    func removedNotifiesDeleted() {
        #expect(removeSecond(scripts(deleted: true, script: cmd("/d"))) == [
            .runNotifyScript(cmd("/d"), arguments: []),
            .runNotifyScript(cmd("/g"), arguments: ["INSTANCE", "VI_2", "DELETED", "100"]),
            .writeNotifyFifo(NotifyFifoSpec.line(type: "INSTANCE", name: "VI_2", state: "DELETED", priority: 100)),
        ])
        // notify_deleted without a script: the same notifications, no script of its own.
        #expect(removeSecond(scripts(deleted: true)).count == 2)
    }

    @Test("A removed instance that was in FAULT notifies nothing without notify_deleted")
    func removedFromFaultIsQuiet() {
        let one = routerSpec("VI_1")
        let two = routerSpec("VI_2", vrid: 52, address: otherVIP, notify: scripts(deleted: false),
                             interfaces: [VRRPTrackReference(name: "eth9", weight: 0)])
        var router = VRRPRouter(configuration: VRRPRuntimeConfiguration(instances: [one, two]))
        _ = router.interfaceStateRead("eth9", up: false, now: t0)
        _ = router.transportOpened(instance: "VI_1", primaryAddress: me, now: t0)
        _ = router.transportOpened(instance: "VI_2", primaryAddress: me, now: t0)
        #expect(router.states["VI_2"] == .fault)
        let out = router.configurationReloaded(VRRPRuntimeConfiguration(instances: [one]), now: at(5000))
        #expect(out.contains(.transition(instance: "VI_2", from: .fault, to: .stop, reason: .removedByReload)))
        #expect(!out.contains { if case .runNotifyScript = $0 { true } else { false } })
    }

    @Test("A shutdown still runs the STOP notifications (notify_deleted is for reloads only)")
    func shutdownStillStops() {
        var router = masterRouter(routerSpec(notify: scripts(deleted: true, script: cmd("/d"))))
        let out = router.shutdown(now: at(5000))
        #expect(out.contains(.runNotifyScript(cmd("/s"), arguments: [])))
        #expect(out.contains(.runNotifyScript(cmd("/g"), arguments: ["INSTANCE", "VI_1", "STOP", "100"])))
        #expect(!out.contains(.runNotifyScript(cmd("/d"), arguments: [])))
    }
}
