import Testing
import Vocabulary
@testable import HA

@Suite("notify_fifo: keepalived's lines, from the router")
struct NotifyFifoTests {
    @Test("The line format: TYPE \"NAME\" STATE PRIORITY")
    func format() {
        #expect(NotifyFifoSpec.line(type: "INSTANCE", name: "VI_1", state: "MASTER", priority: 150)
                    == "INSTANCE \"VI_1\" MASTER 150\n")
    }

    @Test("With a FIFO: a line per instance transition after its notify scripts, one per group transition, one per lower-priority advert")
    func lines() {
        let a = routerSpec("A", vrid: 51, notify: VRRPNotifyScripts(master: cmd("/m")))
        let b = routerSpec("B", vrid: 52, priority: 50, address: IPAddress("10.0.0.200")!)
        var configuration = VRRPRuntimeConfiguration(instances: [a, b],
                                                     syncGroups: [VRRPSyncGroupSpec(name: "G", members: ["A", "B"])])
        configuration.notifyFifos = [NotifyFifoSpec(path: "/run/fifo")]
        var (router, start) = startedRouter(configuration)
        #expect(start.contains(.writeNotifyFifo("INSTANCE \"A\" BACKUP 100\n")))
        #expect(start.contains(.writeNotifyFifo("GROUP \"G\" BACKUP 0\n")))
        let up = router.deadlineReached(now: masterDown100)
        let script = up.firstIndex(of: .runNotifyScript(cmd("/m"), arguments: [])) ?? 99
        let line = up.firstIndex(of: .writeNotifyFifo("INSTANCE \"A\" MASTER 100\n")) ?? -1
        #expect(script < line)
        #expect(up.contains(.writeNotifyFifo("INSTANCE \"B\" MASTER 50\n")))
        #expect(up.contains(.writeNotifyFifo("GROUP \"G\" MASTER 0\n")))
        let lower = router.packetReceived(packet(routerAdvert(a, 20)), instance: "A", now: at(4000))
        #expect(lower.contains(.writeNotifyFifo("INSTANCE \"A\" MASTER_RX_LOWER_PRI 100\n")))
    }

    @Test("notify_priority_changes: BACKUP_PRIORITY before the start's BACKUP line, MASTER_PRIORITY once MASTER, none when unchanged or off")
    func priorityChanges() {
        var a = routerSpec("A", files: [VRRPTrackReference(name: "tf", weight: 1)])
        a.notifiesPriorityChanges = true
        var configuration = VRRPRuntimeConfiguration(instances: [a], trackFiles: [VRRPTrackFileSpec(name: "tf", path: "/tmp/tf")])
        configuration.notifyFifos = [NotifyFifoSpec(path: "/run/fifo")]
        var router = VRRPRouter(configuration: configuration)
        _ = router.trackFileRead("tf", value: 10, now: t0)
        let start = router.transportOpened(instance: "A", primaryAddress: me, now: t0)
        let lines = start.compactMap { if case .writeNotifyFifo(let l) = $0 { l } else { nil } }
        #expect(lines == ["INSTANCE \"A\" BACKUP_PRIORITY 110\n", "INSTANCE \"A\" BACKUP 110\n"])
        _ = router.deadlineReached(now: at(10_000))
        #expect(router.trackFileRead("tf", value: -20, now: at(11_000)).contains(.writeNotifyFifo("INSTANCE \"A\" MASTER_PRIORITY 80\n")))
        #expect(!router.trackFileRead("tf", value: -20, now: at(12_000)).contains { if case .writeNotifyFifo = $0 { true } else { false } })
        var off = VRRPRouter(configuration: { var c = configuration; c.instances[0].notifiesPriorityChanges = false; return c }())
        _ = off.trackFileRead("tf", value: 0, now: t0)
        _ = off.transportOpened(instance: "A", primaryAddress: me, now: t0)
        #expect(!off.trackFileRead("tf", value: 30, now: at(1)).contains(.writeNotifyFifo("INSTANCE \"A\" BACKUP_PRIORITY 130\n")))
        #expect(off.priorities["A"]?.effective == 130)
    }

    @Test("Without a FIFO nothing is written")
    func none() {
        var (router, start) = startedRouter(VRRPRuntimeConfiguration(instances: [routerSpec()]))
        let all = start + router.deadlineReached(now: masterDown100)
        #expect(!all.contains { if case .writeNotifyFifo = $0 { true } else { false } })
    }
}

@Suite("fifo_write_vrrp_states_on_reload")
struct FifoStatesOnReloadTests {
    /// A (priority 100) MASTER after `masterDown100`; B (peer at 200 heard) stays BACKUP.
    private func router(flag: Bool) -> (VRRPRouter, VRRPRuntimeConfiguration) {
        let a = routerSpec("A", vrid: 51)
        let b = routerSpec("B", vrid: 52, priority: 50, address: IPAddress("10.0.0.200")!)
        var configuration = VRRPRuntimeConfiguration(instances: [a, b])
        configuration.notifyFifos = [NotifyFifoSpec(path: "/run/fifo")]
        configuration.fifoWriteStatesOnReload = flag
        var (router, _) = startedRouter(configuration)
        _ = router.packetReceived(packet(routerAdvert(b, 200)), instance: "B", now: at(3000))
        _ = router.deadlineReached(now: masterDown100)
        return (router, configuration)
    }

    @Test("With the flag, an unchanged reload writes the BACKUP instance's line and none for the MASTER")
    func linesOnReload() {
        var (r, configuration) = router(flag: true)
        #expect(r.states == ["A": .master, "B": .backup])
        let out = r.configurationReloaded(configuration, now: at(4000))
        #expect(out == [.writeNotifyFifo("INSTANCE \"B\" BACKUP 50\n")])
    }

    @Test("Without it, an unchanged reload writes nothing")
    func nothingWithout() {
        var (r, configuration) = router(flag: false)
        #expect(r.configurationReloaded(configuration, now: at(4000)) == [])
    }
}
