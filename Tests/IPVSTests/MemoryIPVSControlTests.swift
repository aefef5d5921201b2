import Glibc
import Testing
import Vocabulary

@testable import IPVS

@Suite("MemoryIPVSControl (the load benchmark's table)")
struct MemoryIPVSControlTests {
    @Test("It refuses what the kernel refuses, with the kernel's errno, and keeps the kernel's list order")
    func kernelRules() throws {
        let m = MemoryIPVSControl()
        let key = tcp("10.0.0.1", 80)
        let failures = try m.execute([
            .addService(IPVSService(key: key, scheduler: "mh")), .addService(IPVSService(key: key, scheduler: "rr")),
            .addDestination(key, dest("10.0.1.1", 80)), .addDestination(key, dest("10.0.1.2", 80)),
            .addDestination(key, dest("10.0.1.1", 80)),
            .editDestination(key, dest("10.0.1.9", 80)), .deleteDestination(tcp("10.0.0.2", 80), dest("10.0.1.1", 80).key),
        ])
        #expect(failures.map(\.error) == [
            .kernel(.addService, errno: EEXIST, object: IPVSCommand.addService(IPVSService(key: key, scheduler: "rr")).object),
            .kernel(.addDestination, errno: EEXIST, object: IPVSCommand.addDestination(key, dest("10.0.1.1", 80)).object),
            .kernel(.editDestination, errno: ENOENT, object: IPVSCommand.editDestination(key, dest("10.0.1.9", 80)).object),
            .kernel(.deleteDestination, errno: ESRCH,
                    object: IPVSCommand.deleteDestination(tcp("10.0.0.2", 80), dest("10.0.1.1", 80).key).object),
        ])
        #expect(try m.table().services[key]?.destinations.count == 2)
        #expect(try m.destinationOrder(of: key) == [dest("10.0.1.2", 80).key, dest("10.0.1.1", 80).key])
        _ = try m.execute([.setTimeouts(IPVSTimeouts(tcp: 60, tcpFin: 0, udp: 0)), .flush])
        #expect(try m.timeouts() == IPVSTimeouts(tcp: 60, tcpFin: 120, udp: 300))
        #expect(try m.table().services.isEmpty)
        #expect(try m.destinationOrder(of: key).isEmpty)
    }

    @Test("A reconciler on it reaches the desired table and then has nothing to do")
    func reconciles() async throws {
        let r = IPVSReconciler(control: MemoryIPVSControl())
        let want = IPVSTable([IPVSVirtualService(service: IPVSService(key: tcp("10.0.0.1", 80), scheduler: "wrr"),
                                                 destinations: [dest("10.0.1.1", 80), dest("10.0.1.2", 80, weight: 2)])])
        #expect(try await r.apply(desired: want).failures.isEmpty)
        #expect(try await r.apply(desired: want).isEmpty)
    }
}
