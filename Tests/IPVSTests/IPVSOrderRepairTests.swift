import Testing
import Vocabulary

@testable import IPVS

/// The `mh` lookup table follows the kernel's destination list order; every director must hold the same order.
@Suite("mh destination order: canonical list, drift repair")
struct IPVSOrderRepairTests {
    let key = tcp("10.0.0.1", 80)
    func service(_ scheduler: String, _ hosts: [Int]) -> IPVSVirtualService {
        IPVSVirtualService(service: IPVSService(key: key, scheduler: scheduler), destinations: hosts.map { dest("10.0.1.\($0)", 80) })
    }
    func k(_ host: Int) -> IPVSDestinationKey { IPVSDestinationKey(address: addr("10.0.1.\(host)"), port: 80) }

    @Test("The canonical list is by address and port, descending (the head is the one added last)")
    func canonical() {
        #expect(IPVSPlan.canonicalListOrder([k(2), k(3), k(1)]) == [k(3), k(2), k(1)])
        #expect(IPVSPlan.orderMatters(IPVSService(key: key, scheduler: "mh")))
        #expect(!IPVSPlan.orderMatters(IPVSService(key: key, scheduler: "wrr")))
    }

    @Test("Nothing to repair: canonical order, another scheduler, or a list that is not the desired set yet")
    func nothing() {
        #expect(IPVSPlan.orderRepair(desired: service("mh", [1, 2, 3]), kernelOrder: [k(3), k(2), k(1)]).isEmpty)
        #expect(IPVSPlan.orderRepair(desired: service("wrr", [1, 2, 3]), kernelOrder: [k(1), k(3), k(2)]).isEmpty)
        #expect(IPVSPlan.orderRepair(desired: service("mh", [1, 2, 3]), kernelOrder: [k(1), k(3)]).isEmpty)
        #expect(IPVSPlan.orderRepair(desired: service("mh", [1, 2, 3]), kernelOrder: [k(4), k(3), k(1)]).isEmpty)
    }

    @Test("A destination added later sits at the head: it and those that belong before it are re-added, the tail stays")
    func repair() {
        // 2 was added last (a reload or a recovery): the kernel lists 2, 4, 3, 1; every director must list 4, 3, 2, 1.
        let fix = IPVSPlan.orderRepair(desired: service("mh", [1, 2, 3, 4]), kernelOrder: [k(2), k(4), k(3), k(1)])
        #expect(fix == [
            .deleteDestination(key, k(2)), .addDestination(key, dest("10.0.1.2", 80)),
            .deleteDestination(key, k(3)), .addDestination(key, dest("10.0.1.3", 80)),
            .deleteDestination(key, k(4)), .addDestination(key, dest("10.0.1.4", 80)),
        ])
        // Applied to a kernel list (head insertion), the repair leaves the canonical order.
        var list = [k(2), k(4), k(3), k(1)]
        for c in fix {
            switch c {
            case .deleteDestination(_, let d): list.removeAll { $0 == d }
            case .addDestination(_, let d): list.insert(d.key, at: 0)
            default: Issue.record("unexpected \(c)")
            }
        }
        #expect(list == [k(4), k(3), k(2), k(1)])
    }

    @Test("The reconciler repairs the order a reload's new destination breaks, and reports it; a second pass is a no-op")
    func reconciler() async throws {
        let fake = FakeIPVS()
        let r = IPVSReconciler(control: fake)
        var table = IPVSTable([service("mh", [1, 3, 5])])
        _ = try await r.apply(desired: table)
        #expect(fake.lists[key] == [k(5), k(3), k(1)], "a new service's destinations go in ascending order")
        table = IPVSTable([service("mh", [1, 3, 4, 5])])
        let report = try await r.apply(desired: table)
        #expect(fake.lists[key] == [k(5), k(4), k(3), k(1)])
        #expect(report.orderRepairs.map(\.service) == [key])
        #expect(report.orderRepairs.first?.found == [k(4), k(5), k(3), k(1)])
        #expect(report.orderRepairs.first?.readded == 2)
        #expect(report.failures.isEmpty)
        // Drift by hand (delete and add a destination): found by repairOrder alone, without a table change.
        _ = try fake.execute([.deleteDestination(key, k(1)), .addDestination(key, dest("10.0.1.1", 80))])
        #expect(fake.lists[key] == [k(1), k(5), k(4), k(3)])
        let again = try await r.repairOrder(desired: table)
        #expect(fake.lists[key] == [k(5), k(4), k(3), k(1)])
        #expect(again.commands.count == 8)
        #expect(try await r.repairOrder(desired: table).isEmpty)
        // A round-robin service is never touched.
        let rr = IPVSTable([service("rr", [1, 2])])
        _ = try await r.apply(desired: rr)
        _ = try fake.execute([.deleteDestination(key, k(2)), .addDestination(key, dest("10.0.1.2", 80))])
        #expect(try await r.repairOrder(desired: rr).isEmpty)
    }
}
