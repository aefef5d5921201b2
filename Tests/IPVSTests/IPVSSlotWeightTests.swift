import Testing
import Vocabulary

@testable import IPVS

/// The kernel's rule for the weight that gives a destination its `mh` slots (`last_weight` in ip_vs_ctl.c): set by
/// an add, and by an edit to a non-zero weight; an edit to 0 keeps it. A model of the kernel's destinations as the
/// scheduler sees them: weight and slot weight by destination.
struct KernelSlots {
    var weight: [IPVSDestinationKey: Int32] = [:]
    var slot: [IPVSDestinationKey: Int32] = [:]

    mutating func apply(_ commands: [IPVSCommand]) {
        for c in commands {
            switch c {
            case .addDestination(_, let d): weight[d.key] = d.weight; slot[d.key] = d.weight
            case .editDestination(_, let d):
                weight[d.key] = d.weight
                if d.weight != 0 { slot[d.key] = d.weight }
            case .deleteDestination(_, let k): weight[k] = nil; slot[k] = nil
            default: break
            }
        }
    }

    /// The table as `IPVSPlan.diff` reads it back (weights only: the kernel does not report slot weights).
    func table(_ service: IPVSService) -> IPVSTable {
        IPVSTable([IPVSVirtualService(service: service, destinations: weight.map { dest("10.0.1.0", 80).with($0.key, $0.value) })])
    }
}

/// The destination a command is about, if any.
private func destinationKey(_ c: IPVSCommand) -> IPVSDestinationKey? {
    switch c {
    case .addDestination(_, let d), .editDestination(_, let d): d.key
    case .deleteDestination(_, let k): k
    default: nil
    }
}

private extension IPVSDestination {
    func with(_ key: IPVSDestinationKey, _ weight: Int32) -> IPVSDestination {
        var d = self
        d.key = key
        d.weight = weight
        return d
    }
}

@Suite("mh slots of a destination down since its service was created (issue #16)")
struct IPVSSlotWeightTests {
    let key = tcp("10.0.0.1", 80)
    func k(_ host: Int) -> IPVSDestinationKey { IPVSDestinationKey(address: addr("10.0.1.\(host)"), port: 80) }

    /// The desired pool 1…3 at weight 3, with host 2 down (weight 0, inhibited) when `down`.
    func desired(_ scheduler: String, down: Bool) -> IPVSTable {
        let service = IPVSService(key: key, scheduler: scheduler)
        let dests = [1, 2, 3].map { dest("10.0.1.\($0)", 80, weight: down && $0 == 2 ? 0 : 3) }
        return IPVSTable([IPVSVirtualService(service: service, destinations: dests,
                                             slotWeights: down ? [k(2): 3] : [:])])
    }

    /// Director A: created with host 2 already down. Director B: created with all up, host 2 going down later.
    func directors(_ scheduler: String) -> (a: KernelSlots, b: KernelSlots) {
        let service = IPVSService(key: key, scheduler: scheduler)
        var a = KernelSlots(), b = KernelSlots()
        a.apply(IPVSPlan.diff(desired: desired(scheduler, down: true), actual: IPVSTable(), owned: []))
        b.apply(IPVSPlan.diff(desired: desired(scheduler, down: false), actual: IPVSTable(), owned: []))
        b.apply(IPVSPlan.diff(desired: desired(scheduler, down: true), actual: b.table(service), owned: [key]))
        return (a, b)
    }

    @Test("mh: added at its configured weight, then set to 0: both directors give it the same slots")
    func sameSlots() {
        let (a, b) = directors("mh")
        #expect(a.weight == b.weight)
        #expect(a.weight[k(2)] == 0)
        #expect(a.slot == b.slot)
        #expect(a.slot[k(2)] == 3)
    }

    @Test("The commands: add at 3 and edit to 0, for a new service and for a new destination of an existing one")
    func commands() {
        let wanted = desired("mh", down: true)
        let down = dest("10.0.1.2", 80, weight: 0)
        var up = down
        up.weight = 3
        let fresh = IPVSPlan.diff(desired: wanted, actual: IPVSTable(), owned: [])
        #expect(fresh.filter { destinationKey($0) == k(2) } == [.addDestination(key, up), .editDestination(key, down)])
        var partial = wanted
        partial.services[key]?.destinations[k(2)] = nil
        partial.services[key]?.slotWeights = [:]
        #expect(IPVSPlan.diff(desired: wanted, actual: partial, owned: [key])
                == [.addDestination(key, up), .editDestination(key, down)])
    }

    @Test("In steady state nothing is sent again: the kernel's weight 0 is the desired one")
    func steady() {
        let (a, _) = directors("mh")
        #expect(IPVSPlan.diff(desired: desired("mh", down: true), actual: a.table(IPVSService(key: key, scheduler: "mh")),
                              owned: [key]).isEmpty)
    }

    @Test("Other schedulers, where slots do not exist, add at 0 as before (the kernel model shows the difference)")
    func otherSchedulers() {
        let (a, b) = directors("wrr")
        #expect(a.slot[k(2)] == 0 && b.slot[k(2)] == 3)
    }

    @Test("The order repair re-adds a down destination the same way")
    func orderRepair() {
        guard let wanted = desired("mh", down: true).services[key] else { Issue.record("no service"); return }
        let fix = IPVSPlan.orderRepair(desired: wanted, kernelOrder: [k(2), k(3), k(1)])
        var model = KernelSlots()
        model.apply([1, 2, 3].map { .addDestination(key, dest("10.0.1.\($0)", 80, weight: $0 == 2 ? 0 : 3)) })
        model.apply(fix)
        #expect(model.slot[k(2)] == 3 && model.weight[k(2)] == 0)
    }
}
