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
