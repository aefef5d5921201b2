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

    @Test("Without a FIFO nothing is written")
    func none() {
        var (router, start) = startedRouter(VRRPRuntimeConfiguration(instances: [routerSpec()]))
        let all = start + router.deadlineReached(now: masterDown100)
        #expect(!all.contains { if case .writeNotifyFifo = $0 { true } else { false } })
    }
}
