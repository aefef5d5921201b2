import Testing
import Vocabulary
@testable import IPVS

@Suite("IPVSReconciler sync daemon and flush")
struct IPVSReconcilerSyncDaemonTests {
    private let master = IPVSSyncDaemon(role: .master, interface: "eth0", syncID: 51)
    private let backup = IPVSSyncDaemon(role: .backup, interface: "eth0", syncID: 51)

    @Test("A role swap stops the running daemon and starts the other; nil stops it; the same daemon twice is one start")
    func swapAndStop() async throws {
        let fake = FakeIPVS()
        let reconciler = IPVSReconciler(control: fake)
        let first = try await reconciler.apply(syncDaemon: backup)
        #expect(first.commands == [.startSyncDaemon(backup)])
        #expect(try await reconciler.apply(syncDaemon: backup).commands.isEmpty)
        let swap = try await reconciler.apply(syncDaemon: master)
        #expect(swap.commands == [.stopSyncDaemon(.backup), .startSyncDaemon(master)])
        #expect(swap.failures.isEmpty)
        #expect(fake.daemons == [.master: master])
        let stop = try await reconciler.apply(syncDaemon: nil)
        #expect(stop.commands == [.stopSyncDaemon(.master)])
        #expect(fake.daemons.isEmpty)
        #expect(await reconciler.syncDaemon == nil)
    }

    @Test("Both daemons at once (lvs_sync_daemon without an instance): two starts, one edit restarts only its role, [] stops both")
    func bothRoles() async throws {
        let fake = FakeIPVS()
        let reconciler = IPVSReconciler(control: fake)
        let both = try await reconciler.apply(syncDaemons: [master, backup])
        #expect(both.commands == [.startSyncDaemon(master), .startSyncDaemon(backup)])
        #expect(fake.daemons == [.master: master, .backup: backup])
        #expect(await reconciler.syncDaemon == nil)   // not exactly one
        var longer = backup
        longer.maxLength = 1400
        let edit = try await reconciler.apply(syncDaemons: [master, longer])
        #expect(edit.commands == [.stopSyncDaemon(.backup), .startSyncDaemon(longer)])
        let stop = try await reconciler.apply(syncDaemons: [])
        #expect(stop.commands == [.stopSyncDaemon(.master), .stopSyncDaemon(.backup)])
        #expect(fake.daemons.isEmpty)
    }

    @Test("A daemon of the same role left running by an earlier run is replaced")
    func replacesLeftover() async throws {
        let fake = FakeIPVS()
        fake.daemons[.master] = IPVSSyncDaemon(role: .master, interface: "eth1", syncID: 7)
        let reconciler = IPVSReconciler(control: fake)
        let report = try await reconciler.apply(syncDaemon: master)
        #expect(report.commands == [.startSyncDaemon(master), .stopSyncDaemon(.master), .startSyncDaemon(master)])
        #expect(report.failures.isEmpty)   // the first start's EEXIST was handled by the replacement
        #expect(fake.daemons == [.master: master])
        #expect(await reconciler.syncDaemon == master)
    }

    @Test("lvs_flush empties the whole table, owned or not")
    func flush() async throws {
        let fake = FakeIPVS()
        let key = IPVSServiceKey.address(.tcp, try #require(IPAddress("10.0.0.1")), port: 80)
        fake.current.services[key] = IPVSVirtualService(service: IPVSService(key: key))
        let reconciler = IPVSReconciler(control: fake)
        let report = try await reconciler.flushAll()
        #expect(report.commands == [.flush])
        #expect(fake.current.services.isEmpty)
    }
}

@Suite("lvs_timeouts")
struct IPVSTimeoutsTests {
    let kernelDefaults = IPVSTimeouts(tcp: 900, tcpFin: 120, udp: 300)

    @Test("The target keeps the kernel's value where a field is 0, restores the saved values when nothing is wanted")
    func target() {
        #expect(IPVSTimeouts.target(wanted: IPVSTimeouts(tcp: 60, tcpFin: 0, udp: 0), saved: nil) == nil)
        #expect(IPVSTimeouts.target(wanted: IPVSTimeouts(tcp: 60, tcpFin: 0, udp: 5), saved: kernelDefaults)
                == IPVSTimeouts(tcp: 60, tcpFin: 120, udp: 5))
        #expect(IPVSTimeouts.target(wanted: nil, saved: kernelDefaults) == kernelDefaults)
        #expect(IPVSTimeouts.target(wanted: IPVSTimeouts(tcp: 0, tcpFin: 0, udp: 0), saved: kernelDefaults) == kernelDefaults)
    }

    @Test("The reconciler reads the kernel's values once, sets only changes and restores at the end")
    func reconciler() async throws {
        let kernel = FakeIPVS()
        let reconciler = IPVSReconciler(control: kernel)
        #expect(try await reconciler.apply(timeouts: nil).commands.isEmpty, "nothing configured, nothing changed")
        let first = try await reconciler.apply(timeouts: IPVSTimeouts(tcp: 7200, tcpFin: 0, udp: 0))
        #expect(first.commands == [.setTimeouts(IPVSTimeouts(tcp: 7200, tcpFin: 120, udp: 300))])
        #expect(kernel.currentTimeouts.tcp == 7200)
        #expect(try await reconciler.apply(timeouts: IPVSTimeouts(tcp: 7200, tcpFin: 0, udp: 0)).commands.isEmpty)
        kernel.currentTimeouts.udp = 42   // someone else's change after ours is not taken for the kernel's own
        let restore = try await reconciler.apply(timeouts: nil)
        #expect(restore.commands == [.setTimeouts(kernelDefaults)])
        #expect(kernel.currentTimeouts == kernelDefaults)
        #expect(try await reconciler.apply(timeouts: nil).commands.isEmpty)
    }
}
