import Foundation
import Testing
@testable import IPVS

/// Every kernel suite shares the kernel's one table, so they all run one at a time.
@Suite("IPVS against the real kernel", .serialized, .enabled(if: tierEnabled))
struct IPVSKernel {}

extension IPVSKernel {
@Suite("NetlinkIPVSClient")
struct ClientTests {
    @Test("Info reports version 1.2.1 and a connection table size")
    func info() throws {
        let c = try Lab.freshClient()
        let i = try c.info()
        #expect(i.versionString == "1.2.1")
        #expect(i.connectionTableSize > 0)
    }

    @Test("Every service kind round-trips and agrees with ipvsadm -Ln --exact")
    func servicesRoundTrip() throws {
        let c = try Lab.freshClient()
        let services = [
            IPVSService(key: .address(.tcp, addr("10.0.0.1"), port: 80), scheduler: "wrr"),
            IPVSService(key: .address(.tcp, addr("10.0.0.1"), port: 443), scheduler: "sh", flags: [.shFallback, .shPort],
                        persistenceTimeout: 300, persistencePrefixLength: 24),
            IPVSService(key: .address(.udp, addr("2001:db8::1"), port: 53), scheduler: "rr", flags: [.onePacket]),
            IPVSService(key: .address(.sctp, addr("10.0.0.2"), port: 3868), scheduler: "lc"),
            IPVSService(key: .firewallMark(7, family: .inet), scheduler: "mh", flags: [.mhPort]),
            IPVSService(key: .firewallMark(8, family: .inet6), scheduler: "wlc", persistenceTimeout: 60, persistencePrefixLength: 64),
        ]
        try c.perform(services.map { .addService($0) })
        let table = try c.table()
        #expect(table.services.count == services.count)
        for s in services { #expect(table.services[s.key]?.service == s.normalized) }
        try expectAgreesWithIPVSADM(c)

        // Edit: scheduler and persistence change in place.
        var edited = services[0]
        edited.scheduler = "lblcr"
        edited.persistenceTimeout = 30
        try c.perform([.editService(edited)])
        #expect(try c.table().services[edited.key]?.service == edited.normalized)
        try expectAgreesWithIPVSADM(c)

        try c.perform([.deleteService(services[1].key)])
        #expect(try c.table().services[services[1].key] == nil)
        try expectAgreesWithIPVSADM(c)
    }

    @Test("Destinations of every forwarding method round-trip, edit and delete")
    func destinationsRoundTrip() throws {
        let c = try Lab.freshClient()
        let key = IPVSServiceKey.address(.tcp, addr("10.0.0.1"), port: 80)
        let v6 = IPVSServiceKey.address(.tcp, addr("2001:db8::1"), port: 80)
        var masq = dest("10.0.1.1", 8080, weight: 3)
        masq.upperThreshold = 100
        masq.lowerThreshold = 10
        let route = dest("10.0.1.2", 80, weight: 2, .directRoute)
        let tun = dest("10.0.1.3", 80, weight: 1, .tunnel(.gue, port: 6080))
        let ipip = dest("10.0.1.4", 80, weight: 0, .tunnel(.ipip, port: 0))
        let six = dest("fd00:1::1", 80, weight: 5)
        try c.perform([
            .addService(IPVSService(key: key, scheduler: "wrr")),
            .addDestination(key, masq), .addDestination(key, route), .addDestination(key, tun), .addDestination(key, ipip),
            .addService(IPVSService(key: v6, scheduler: "rr")), .addDestination(v6, six),
        ])
        let t = try c.table()
        #expect(t.services[key]?.sortedDestinations == [masq, route, tun, ipip])
        #expect(t.services[v6]?.sortedDestinations == [six])
        try expectAgreesWithIPVSADM(c)

        var heavier = route
        heavier.weight = 9
        try c.perform([.editDestination(key, heavier), .deleteDestination(key, masq.key)])
        #expect(try c.table().services[key]?.sortedDestinations == [heavier, tun, ipip])
        try expectAgreesWithIPVSADM(c)
    }

    @Test("Changes made with ipvsadm are seen by the client")
    func seesIPVSADM() throws {
        let c = try Lab.freshClient()
        try sh("ipvsadm -A -t 10.0.0.9:80 -s rr -p 120 && ipvsadm -a -t 10.0.0.9:80 -r 10.0.1.7:80 -m -w 4")
        let key = IPVSServiceKey.address(.tcp, addr("10.0.0.9"), port: 80)
        let v = try #require(try c.table().services[key])
        #expect(v.service == IPVSService(key: key, scheduler: "rr", persistenceTimeout: 120).normalized)
        #expect(v.sortedDestinations == [dest("10.0.1.7", 80, weight: 4)])
        let listing = try sh("/bin/bash -c \"$VIGIL_BIN ipvs list\"")
        #expect(blocks(listing) == blocks(try sh("ipvsadm -Ln")))
    }

    @Test("Timeouts can be set and read back")
    func timeouts() throws {
        let c = try Lab.freshClient()
        let before = try c.timeouts()
        try c.perform([.setTimeouts(IPVSTimeouts(tcp: 901, tcpFin: 121, udp: 301))])
        #expect(try c.timeouts() == IPVSTimeouts(tcp: 901, tcpFin: 121, udp: 301))
        #expect(try sh("ipvsadm -L --timeout").contains("901 121 301"))
        try c.perform([.setTimeouts(before)])
    }

    @Test("The sync daemon starts, is listed and stops")
    func syncDaemon() throws {
        let c = try Lab.freshClient()
        let d = IPVSSyncDaemon(role: .master, interface: "vigil-d0", syncID: 9)
        try c.perform([.startSyncDaemon(d)])
        defer { _ = try? c.perform([.stopSyncDaemon(.master)]) }
        let listed = try c.syncDaemons()
        #expect(listed.map { [$0.role.rawValue, $0.syncID] } == [[1, 9]] && listed.first?.interface == "vigil-d0")
        // Without options the kernel reports its defaults (port 8848, TTL 1, group 224.0.0.81).
        #expect(listed.first?.port == 8848 && listed.first?.ttl == 1 && listed.first?.group == addr("224.0.0.81"))
        #expect(try sh("ipvsadm -L --daemon").contains("vigil-d0"))
        try c.perform([.stopSyncDaemon(.master)])
        #expect(try c.syncDaemons().isEmpty)
    }

    @Test("lvs_sync_daemon's maxlen, group, port and ttl reach the kernel and come back in its listing")
    func syncDaemonOptions() throws {
        let c = try Lab.freshClient()
        let d = IPVSSyncDaemon(role: .backup, interface: "vigil-d0", syncID: 4, maxLength: 1400,
                               group: addr("239.1.2.3"), port: 8850, ttl: 3)
        try c.perform([.startSyncDaemon(d)])
        defer { _ = try? c.perform([.stopSyncDaemon(.backup)]) }
        #expect(try c.syncDaemons() == [d])
        let shown = try sh("ipvsadm -L --daemon")
        #expect(shown.contains("239.1.2.3") && shown.contains("8850"), "ipvsadm -L --daemon: \(shown)")
    }

    @Test("mh: the kernel lists destinations head first (newest first); a re-added one moves to the head; the reconciler puts the canonical order back, as ipvsadm --nosort lists it")
    func mhOrder() async throws {
        let c = try Lab.freshClient()
        let key = IPVSServiceKey.address(.tcp, addr("10.0.0.1"), port: 80)
        let k = { (h: Int) in IPVSDestinationKey(address: addr("10.0.1.\(h)"), port: 80) }
        let want = IPVSTable([IPVSVirtualService(service: IPVSService(key: key, scheduler: "mh", flags: [.mhPort]),
                                                 destinations: [1, 2, 3, 4].map { dest("10.0.1.\($0)", 80) })])
        let r = IPVSReconciler(control: c)
        let first = try await r.apply(desired: want)
        #expect(first.orderRepairs.isEmpty)
        #expect(try c.destinationOrder(of: key) == [k(4), k(3), k(2), k(1)], "added in ascending order, listed head first")
        // By hand: 2 deleted and added again goes to the head.
        try c.perform([.deleteDestination(key, k(2)), .addDestination(key, dest("10.0.1.2", 80))])
        #expect(try c.destinationOrder(of: key) == [k(2), k(4), k(3), k(1)])
        let listed = { try sh("ipvsadm -Ln --nosort -t 10.0.0.1:80 | awk '$1 == \"->\" && $2 ~ /^10/ { print $2 }'").split(separator: "\n").map(String.init) }
        #expect(try listed() == ["10.0.1.2:80", "10.0.1.4:80", "10.0.1.3:80", "10.0.1.1:80"])
        let repair = try await r.repairOrder(desired: want)
        #expect(repair.failures.isEmpty)
        #expect(repair.orderRepairs.first?.readded == 3)
        #expect(try c.destinationOrder(of: key) == [k(4), k(3), k(2), k(1)])
        #expect(try listed() == ["10.0.1.4:80", "10.0.1.3:80", "10.0.1.2:80", "10.0.1.1:80"])
        #expect(try await r.repairOrder(desired: want).isEmpty)
        #expect(try c.destinationOrder(of: IPVSServiceKey.address(.tcp, addr("10.0.0.9"), port: 80)).isEmpty)
    }

    @Test("An unknown scheduler is a kernel error naming addService and the service")
    func invalidScheduler() throws {
        let c = try Lab.freshClient()
        let s = IPVSService(key: .address(.tcp, addr("10.0.0.1"), port: 80), scheduler: "nosuch")
        let failures = try c.execute([.addService(s)])
        #expect(failures.map(\.error) == [.kernel(.addService, errno: ENOENT, object: "TCP 10.0.0.1:80")])
        #expect(failures.first?.error.description.contains("scheduler not found") == true)
    }

    @Test("A duplicate destination is a kernel error naming addDestination and both ends")
    func duplicateDestination() throws {
        let c = try Lab.freshClient()
        let key = IPVSServiceKey.address(.tcp, addr("10.0.0.1"), port: 80)
        let d = dest("10.0.1.1", 80)
        let failures = try c.execute([.addService(IPVSService(key: key, scheduler: "rr")), .addDestination(key, d), .addDestination(key, d)])
        #expect(failures.map(\.error) == [.kernel(.addDestination, errno: EEXIST, object: "TCP 10.0.0.1:80 -> 10.0.1.1:80")])
        #expect(failures.first?.error.description.contains("destination already exists") == true)
    }

    @Test("Batched commands after a refused one still run")
    func batchContinuesAfterFailure() throws {
        let c = try Lab.freshClient()
        let a = IPVSServiceKey.address(.tcp, addr("10.0.0.1"), port: 80)
        let b = IPVSServiceKey.address(.tcp, addr("10.0.0.1"), port: 81)
        let failures = try c.execute([.addService(IPVSService(key: a, scheduler: "rr")), .addService(IPVSService(key: a, scheduler: "rr")),
                                      .addService(IPVSService(key: b, scheduler: "rr"))])
        #expect(failures.count == 1)
        #expect(try c.table().services.count == 2)
    }

    @Test("Refused commands in several batches are each reported against the right command")
    func failuresAcrossBatches() throws {
        _ = try Lab.freshClient()
        let c = try NetlinkIPVSClient(batchSize: 4)
        #expect(c.batchSize == 4)
        let key = IPVSServiceKey.address(.tcp, addr("10.0.0.1"), port: 80)
        var commands: [IPVSCommand] = [.addService(IPVSService(key: key, scheduler: "rr"))]
        for i in 1...12 { commands.append(.addDestination(key, dest("10.0.1.\(i)", 80))) }
        // Duplicates at positions 3, 8 and 15 (last of batch 1, first of batch 3, last of
        // batch 4); an edit of a destination that does not exist at 16 (batch 5, alone).
        commands.insert(.addDestination(key, dest("10.0.1.2", 80)), at: 3)
        commands.insert(.addDestination(key, dest("10.0.1.6", 80)), at: 8)
        commands.append(.addDestination(key, dest("10.0.1.12", 80)))
        commands.append(.editDestination(key, dest("10.0.1.99", 80, weight: 3)))
        let failures = try c.execute(commands)
        #expect(failures.map(\.command) == [commands[3], commands[8], commands[15], commands[16]])
        let errnos = failures.map { f -> Int32 in if case .kernel(_, let e, _) = f.error { e } else { -1 } }
        #expect(errnos == [EEXIST, EEXIST, EEXIST, ENOENT])
        #expect(try c.table().services[key]?.destinations.count == 12)
    }
}

@Suite("IPVSReconciler")
struct ReconcilerTests {
    @Test("Random desired tables: after apply kernel == desired, a second apply is empty, hand-made services survive")
    func randomTables() async throws {
        let c = try Lab.freshClient()
        try sh("ipvsadm -A -t 192.168.77.1:22 -s rr")
        let manual = IPVSServiceKey.address(.tcp, addr("192.168.77.1"), port: 22)
        let r = IPVSReconciler(control: c)
        var rng = SplitMix(seed: UInt64(ProcessInfo.processInfo.environment["VIGIL_IPVS_SEED"] ?? "") ?? 7)
        let rounds = Int(ProcessInfo.processInfo.environment["VIGIL_IPVS_ROUNDS"] ?? "") ?? 300
        var totalOps = 0
        for round in 0..<rounds {
            let desired = randomTable(&rng)
            let report = try await r.apply(desired: desired)
            #expect(report.failures.isEmpty, "round \(round): \(report.failures)")
            totalOps += report.commands.count
            var kernel = try c.table()
            #expect(kernel.services.removeValue(forKey: manual) != nil, "round \(round): hand-made service removed")
            let want = IPVSTable(desired.sorted.map { IPVSVirtualService(service: $0.service.normalized, destinations: $0.sortedDestinations) })
            #expect(kernel == want, "round \(round)")
            let again = try await r.apply(desired: desired)
            #expect(again.commands == [], "round \(round): second apply issued \(again.commands)")
            if kernel != want || !again.isEmpty { break }
        }
        print("reconciler property test: \(rounds) rounds, \(totalOps) operations")
    }
}

}

/// Deterministic PRNG.
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

/// A random table over a small key space (so consecutive tables overlap and produce
/// edits), covering protocols, families, fwmarks, schedulers, flags, persistence,
/// forwarding methods, weights and thresholds.
func randomTable<R: RandomNumberGenerator>(_ rng: inout R) -> IPVSTable {
    let schedulers = ["rr", "wrr", "lc", "wlc", "sh", "mh", "sed", "nq", "dh", "lblc", "lblcr", "fo", "ovf"]
    var entries: [IPVSVirtualService] = []
    for _ in 0..<Int.random(in: 0...6, using: &rng) {
        let v6 = Int.random(in: 0..<4, using: &rng) == 0
        let key: IPVSServiceKey
        switch Int.random(in: 0..<4, using: &rng) {
        case 0: key = .firewallMark(UInt32.random(in: 1...3, using: &rng), family: v6 ? .inet6 : .inet)
        case 1: key = .address(.udp, addr(v6 ? "2001:db8::\(Int.random(in: 1...2, using: &rng))" : "10.0.0.\(Int.random(in: 1...3, using: &rng))"), port: 53)
        default: key = .address(.tcp, addr(v6 ? "2001:db8::\(Int.random(in: 1...2, using: &rng))" : "10.0.0.\(Int.random(in: 1...3, using: &rng))"),
                                port: UInt16.random(in: 80...81, using: &rng))
        }
        let sched = schedulers.randomElement(using: &rng) ?? "rr"
        var flags: IPVSServiceFlags = []
        if sched == "sh" || sched == "mh" {
            if Bool.random(using: &rng) { flags.insert(.schedulerFlag1) }
            if Bool.random(using: &rng) { flags.insert(.schedulerFlag2) }
        }
        if Int.random(in: 0..<5, using: &rng) == 0 { flags.insert(.onePacket) }
        let persistent = Int.random(in: 0..<3, using: &rng) == 0
        let svc = IPVSService(key: key, scheduler: sched, flags: flags,
                              persistenceTimeout: persistent ? UInt32.random(in: 1...600, using: &rng) : 0,
                              persistencePrefixLength: persistent ? (v6 ? 64 : 24) : nil)
        var dests: [IPVSDestination] = []
        for _ in 0..<Int.random(in: 0...5, using: &rng) {
            let a = v6 ? "fd00:1::\(Int.random(in: 1...6, using: &rng))" : "10.0.1.\(Int.random(in: 1...6, using: &rng))"
            let fwd: IPVSForwarding = [.masquerade, .directRoute, .tunnel(.ipip, port: 0)].randomElement(using: &rng) ?? .masquerade
            var d = dest(a, 80, weight: Int32.random(in: 0...5, using: &rng), fwd)
            if Int.random(in: 0..<4, using: &rng) == 0 {
                d.upperThreshold = UInt32.random(in: 50...100, using: &rng)
                d.lowerThreshold = UInt32.random(in: 0...49, using: &rng)
            }
            dests.append(d)
        }
        entries.append(IPVSVirtualService(service: svc, destinations: dests))
    }
    return IPVSTable(entries)
}
