import Testing
@testable import IPVS

@Suite("IPVSPlan.diff")
struct IPVSPlanTests {
    let web = tcp("10.0.0.1", 80)

    func table(_ weights: [Int32], scheduler: String = "wrr") -> IPVSTable {
        IPVSTable([IPVSVirtualService(
            service: IPVSService(key: web, scheduler: scheduler),
            destinations: weights.enumerated().map { dest("10.0.1.\($0.offset + 1)", 80, weight: $0.element) })])
    }

    @Test("An empty kernel gets the service, then its destinations in order")
    func addsIntoEmpty() {
        let cmds = IPVSPlan.diff(desired: table([1, 2]), actual: IPVSTable(), owned: [])
        #expect(cmds == [
            .addService(IPVSService(key: web, scheduler: "wrr")),
            .addDestination(web, dest("10.0.1.1", 80, weight: 1)),
            .addDestination(web, dest("10.0.1.2", 80, weight: 2)),
        ])
    }

    @Test("A weight change is one edit, not a delete and an add")
    func weightIsEdited() {
        let cmds = IPVSPlan.diff(desired: table([1, 5]), actual: table([1, 2]), owned: [web])
        #expect(cmds == [.editDestination(web, dest("10.0.1.2", 80, weight: 5))])
    }

    @Test("Equal tables give no commands")
    func equalIsEmpty() {
        #expect(IPVSPlan.diff(desired: table([1, 2]), actual: table([1, 2]), owned: [web]).isEmpty)
    }

    @Test("A scheduler change edits the service and leaves destinations alone")
    func schedulerEdited() {
        let cmds = IPVSPlan.diff(desired: table([1], scheduler: "rr"), actual: table([1]), owned: [web])
        #expect(cmds == [.editService(IPVSService(key: web, scheduler: "rr"))])
    }

    @Test("New destinations are added before removed ones are deleted")
    func addsBeforeDeletes() {
        var desired = table([])
        desired.services[web]?.destinations[dest("10.0.1.9", 80).key] = dest("10.0.1.9", 80)
        let cmds = IPVSPlan.diff(desired: desired, actual: table([1]), owned: [web])
        #expect(cmds == [
            .addDestination(web, dest("10.0.1.9", 80)),
            .deleteDestination(web, dest("10.0.1.1", 80).key),
        ])
    }

    @Test("A service made by hand is left alone")
    func unownedServiceKept() {
        var actual = table([1])
        let manual = tcp("192.168.9.9", 22)
        actual.services[manual] = IPVSVirtualService(service: IPVSService(key: manual, scheduler: "rr"))
        #expect(IPVSPlan.diff(desired: table([1]), actual: actual, owned: [web]).isEmpty)
    }

    @Test("An owned service that is no longer desired is deleted first")
    func ownedServiceDeleted() {
        let old = tcp("10.0.0.2", 80)
        var actual = table([1])
        actual.services[old] = IPVSVirtualService(service: IPVSService(key: old))
        let cmds = IPVSPlan.diff(desired: table([2]), actual: actual, owned: [web, old])
        #expect(cmds == [.deleteService(old), .editDestination(web, dest("10.0.1.1", 80, weight: 2))])
    }

    @Test("A persistence timeout implies the persistent flag, so it is not an edit")
    func persistentFlagNormalised() {
        let want = IPVSTable([IPVSVirtualService(service: IPVSService(key: web, scheduler: "rr", persistenceTimeout: 300))])
        let have = IPVSTable([IPVSVirtualService(service: IPVSService(
            key: web, scheduler: "rr", flags: [.persistent], persistenceTimeout: 300))])
        #expect(IPVSPlan.diff(desired: want, actual: have, owned: [web]).isEmpty)
    }

    @Test("A changed forwarding method is an edit of the destination")
    func forwardingEdited() {
        var desired = table([1])
        desired.services[web]?.destinations[dest("10.0.1.1", 80).key] = dest("10.0.1.1", 80, weight: 1, .directRoute)
        let cmds = IPVSPlan.diff(desired: desired, actual: table([1]), owned: [web])
        #expect(cmds == [.editDestination(web, dest("10.0.1.1", 80, weight: 1, .directRoute))])
    }

    @Test("The plan never flushes")
    func neverFlushes() {
        let cmds = IPVSPlan.diff(desired: IPVSTable(), actual: table([1, 2, 3]), owned: [web])
        #expect(cmds == [.deleteService(web)])
    }
}

@Suite("IPVSReconciler")
struct IPVSReconcilerTests {
    @Test("After apply the kernel equals the desired table and a second apply is empty (random tables)")
    func randomTablesConverge() async throws {
        var rng = SplitMix(seed: 42)
        let fake = FakeIPVS()
        let r = IPVSReconciler(control: fake)
        for _ in 0..<200 {
            let desired = randomTable(&rng)
            let report = try await r.apply(desired: desired)
            #expect(report.failures.isEmpty)
            #expect(fake.current == IPVSTable(desired.sorted.map {
                IPVSVirtualService(service: $0.service.normalized, destinations: $0.sortedDestinations) }))
            let again = try await r.apply(desired: desired)
            #expect(again.isEmpty)
        }
    }

    @Test("apply(desired:actual:) plans against the given table and does not read the kernel's")
    func applyWithActualReadsNothing() async throws {
        let fake = FakeIPVS()
        let r = IPVSReconciler(control: fake)
        let a = IPVSVirtualService(service: IPVSService(key: tcp("10.0.0.1", 80), scheduler: "rr"))
        let report = try await r.apply(desired: IPVSTable([a]), actual: IPVSTable())
        #expect(report.commands == [.addService(a.service)])
        #expect(fake.tableReads == 0)
    }

    @Test("A refused command is reported and the rest still run")
    func failureReported() async throws {
        let fake = FakeIPVS()
        let web = tcp("10.0.0.1", 80)
        let r = IPVSReconciler(control: fake)
        fake.current.services[web] = nil
        // The fake refuses adding a destination to a missing service; force that by
        // executing directly.
        let failures = try fake.execute([.addDestination(web, dest("10.0.1.1", 80)), .addService(IPVSService(key: web))])
        #expect(failures.map(\.command.operation) == [.addDestination])
        #expect(fake.current.services[web] != nil)
        _ = r
    }
}

/// Deterministic PRNG for the property tests.
struct SplitMix: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// A random table over a small key space, so consecutive tables overlap.
func randomTable<R: RandomNumberGenerator>(_ rng: inout R) -> IPVSTable {
    let schedulers = ["rr", "wrr", "lc", "wlc", "sh", "mh"]
    var entries: [IPVSVirtualService] = []
    for i in 0..<Int.random(in: 0...6, using: &rng) {
        _ = i
        let key: IPVSServiceKey = Bool.random(using: &rng)
            ? .address(.tcp, addr("10.0.0.\(Int.random(in: 1...4, using: &rng))"), port: UInt16.random(in: 80...82, using: &rng))
            : .firewallMark(UInt32.random(in: 1...3, using: &rng), family: .inet)
        let svc = IPVSService(key: key, scheduler: schedulers.randomElement(using: &rng) ?? "rr",
                              persistenceTimeout: Bool.random(using: &rng) ? 0 : 300)
        let dests = (0..<Int.random(in: 0...5, using: &rng)).map { _ in
            dest("10.0.1.\(Int.random(in: 1...8, using: &rng))", 80, weight: Int32.random(in: 0...5, using: &rng),
                 Bool.random(using: &rng) ? .masquerade : .directRoute)
        }
        entries.append(IPVSVirtualService(service: svc, destinations: dests))
    }
    return IPVSTable(entries)
}
