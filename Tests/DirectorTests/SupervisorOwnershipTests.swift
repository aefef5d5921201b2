import Config
import Foundation
import HA
import IPVS
import Logging
import Synchronization
import Testing
import TestSupport
import Vocabulary
@testable import Director

/// An in-memory kernel table for the Supervisor (adds, edits and deletes; refuses what the kernel would).
private final class MemoryIPVS: IPVSControl, Sendable {
    let current: Mutex<IPVSTable>
    /// Running sync daemons by role.
    let daemons = Mutex<[IPVSSyncDaemon.Role: IPVSSyncDaemon]>([:])

    /// The kernel's connection timeouts (its defaults), and every value set, in order.
    let timeoutsNow = Mutex(IPVSTimeouts(tcp: 900, tcpFin: 120, udp: 300))
    let timeoutsSet = Mutex<[IPVSTimeouts]>([])

    init(_ table: IPVSTable) { current = Mutex(table) }

    func table() throws(IPVSError) -> IPVSTable { current.withLock { $0 } }

    func timeouts() throws(IPVSError) -> IPVSTimeouts { timeoutsNow.withLock { $0 } }

    func execute(_ commands: [IPVSCommand]) throws(IPVSError) -> [IPVSCommandFailure] {
        current.withLock { table in
            var failures: [IPVSCommandFailure] = []
            for c in commands {
                var refused = false
                switch c {
                case .addService(let s):
                    refused = table.services[s.key] != nil
                    if !refused { table.services[s.key] = IPVSVirtualService(service: s.normalized) }
                case .editService(let s):
                    refused = table.services[s.key] == nil
                    if !refused { table.services[s.key]?.service = s.normalized }
                case .deleteService(let k):
                    refused = table.services.removeValue(forKey: k) == nil
                case .addDestination(let k, let d), .editDestination(let k, let d):
                    refused = table.services[k] == nil
                    if !refused { table.services[k]?.destinations[d.key] = d }
                case .deleteDestination(let k, let d):
                    refused = table.services[k]?.destinations.removeValue(forKey: d) == nil
                case .flush:
                    table = IPVSTable()
                case .startSyncDaemon(let d):
                    refused = daemons.withLock { running in
                        guard running[d.role] == nil else { return true }
                        running[d.role] = d
                        return false
                    }
                case .stopSyncDaemon(let role):
                    refused = daemons.withLock { $0.removeValue(forKey: role) == nil }
                case .setTimeouts(let t):
                    timeoutsSet.withLock { $0.append(t) }
                    timeoutsNow.withLock { now in
                        if t.tcp != 0 { now.tcp = t.tcp }
                        if t.tcpFin != 0 { now.tcpFin = t.tcpFin }
                        if t.udp != 0 { now.udp = t.udp }
                    }
                }
                if refused {
                    failures.append(IPVSCommandFailure(command: c, error: .kernel(c.operation, errno: EEXIST, object: c.object)))
                }
            }
            return failures
        }
    }
}

private func service(_ host: String, _ port: UInt16) -> IPVSServiceKey { tcp(host, port) }

private let configured = """
virtual_server 10.0.2.1 80 {
    lb_algo rr
    lb_kind NAT
    protocol TCP
    real_server 192.168.1.1 80 {
        weight 1
    }
}
"""

/// Runs a checks-only Supervisor over `kernel` until its table holds `until`, then stops it.
private func runOnce(_ kernel: MemoryIPVS, record: IPVSOwnershipFile, release: Bool,
                     until done: @escaping @Sendable (IPVSTable) -> Bool) async throws {
    let supervisor = Supervisor(plan: directorPlan(parsedConfig(configured)), mode: .checksOnly, releaseOnExit: release,
                                logger: Logger(label: "test"), ownershipFile: record,
                                control: { () throws(IPVSError) -> any IPVSControl in kernel })
    let run = Task { try await supervisor.run(vrrpEvents: nil) }
    for _ in 0..<500 {
        if done(try kernel.table()) { break }
        await Task.yield()
        try await Task.sleep(for: .milliseconds(2))
    }
    supervisor.stop()
    try await run.value
}

@Suite("Supervisor ownership record")
struct SupervisorOwnershipTests {
    private func tempRecord() -> IPVSOwnershipFile {
        IPVSOwnershipFile(path: NSTemporaryDirectory() + "vigil-owned-\(UUID().uuidString)/ipvs-owned")
    }

    private func removeRecordDirectory(_ record: IPVSOwnershipFile) {
        try? FileManager.default.removeItem(atPath: (record.path as NSString).deletingLastPathComponent)
    }

    @Test("A restart deletes the service the previous run installed and the new config dropped, not a hand-made one")
    func restartDeletesOnlyRecordedLeftovers() async throws {
        let record = tempRecord()
        defer { removeRecordDirectory(record) }
        let leftover = service("10.0.9.9", 80), handMade = service("10.0.8.8", 80), wanted = service("10.0.2.1", 80)
        var table = IPVSTable()
        table.services[leftover] = IPVSVirtualService(service: IPVSService(key: leftover))
        table.services[handMade] = IPVSVirtualService(service: IPVSService(key: handMade))
        let kernel = MemoryIPVS(table)
        try record.save([leftover])     // what a crashed earlier run had installed

        try await runOnce(kernel, record: record, release: false) { $0.services[wanted] != nil && $0.services[leftover] == nil }

        let after = try kernel.table()
        #expect(after.services[wanted] != nil)
        #expect(after.services[leftover] == nil)
        #expect(after.services[handMade] != nil)
        #expect(try record.load() == [wanted])
    }

    @Test("Without a record the leftover of an earlier run is not touched")
    func noRecordNoDeletion() async throws {
        let leftover = service("10.0.9.9", 80), wanted = service("10.0.2.1", 80)
        var table = IPVSTable()
        table.services[leftover] = IPVSVirtualService(service: IPVSService(key: leftover))
        let kernel = MemoryIPVS(table)
        let record = tempRecord()   // absent file: owns nothing
        defer { removeRecordDirectory(record) }

        try await runOnce(kernel, record: record, release: false) { $0.services[wanted] != nil }

        #expect(try kernel.table().services[leftover] != nil)
        #expect(try record.load() == [wanted])
    }

    @Test("Releasing on exit empties the record")
    func releaseEmptiesRecord() async throws {
        let record = tempRecord()
        defer { removeRecordDirectory(record) }
        let wanted = service("10.0.2.1", 80)
        let kernel = MemoryIPVS(IPVSTable())

        try await runOnce(kernel, record: record, release: true) { $0.services[wanted] != nil }

        #expect(try kernel.table().services.isEmpty)
        #expect(try record.load().isEmpty)
    }

    @Test("A corrupt record is moved aside and the daemon starts owning nothing, with a fresh record")
    func corruptRecordOwnsNothing() async throws {
        let record = tempRecord()
        defer { removeRecordDirectory(record) }
        let leftover = service("10.0.9.9", 80), wanted = service("10.0.2.1", 80)
        try record.save([leftover])
        try "this is not a record\n".write(toFile: record.path, atomically: true, encoding: .utf8)
        var table = IPVSTable()
        table.services[leftover] = IPVSVirtualService(service: IPVSService(key: leftover))
        let kernel = MemoryIPVS(table)

        try await runOnce(kernel, record: record, release: false) { $0.services[wanted] != nil }

        #expect(try kernel.table().services[leftover] != nil)
        #expect(try record.load() == [wanted])
        #expect(FileManager.default.fileExists(atPath: record.path + ".corrupt"))
    }
}

private let followed = """
global_defs {
    lvs_flush
    lvs_sync_daemon eth0 VI_1 id 9
}
vrrp_instance VI_1 {
    state BACKUP
    interface eth0
    virtual_router_id 51
    priority 100
    virtual_ipaddress {
        10.0.0.100/24
    }
}
virtual_server 10.0.0.100 80 {
    lb_algo rr
    lb_kind NAT
    protocol TCP
    real_server 192.168.1.1 80 {
        weight 1
    }
}
"""

/// Polls `condition` for up to a second.
private func eventually(_ condition: () throws -> Bool) async throws -> Bool {
    for _ in 0..<500 {
        if try condition() { return true }
        try await Task.sleep(for: .milliseconds(2))
    }
    return try condition()
}

@Suite("Supervisor lvs_flush and lvs_sync_daemon")
struct SupervisorSyncDaemonTests {
    @Test("lvs_flush empties the table at start; the sync daemon follows VI_1 (backup, master, backup) and stops at exit")
    func flushAndDaemonFollowVRRP() async throws {
        let handMade = tcp("10.0.8.8", 80), vipService = tcp("10.0.0.100", 80)
        var table = IPVSTable()
        table.services[handMade] = IPVSVirtualService(service: IPVSService(key: handMade))
        let kernel = MemoryIPVS(table)
        let supervisor = Supervisor(plan: directorPlan(parsedConfig(followed)), mode: .followVRRP, logger: Logger(label: "test"),
                                    control: { () throws(IPVSError) -> any IPVSControl in kernel })
        let (events, feed) = AsyncStream.makeStream(of: VRRPEvent.self)
        let run = Task { try await supervisor.run(vrrpEvents: events) }
        let backup = IPVSSyncDaemon(role: .backup, interface: "eth0", syncID: 9)
        let master = IPVSSyncDaemon(role: .master, interface: "eth0", syncID: 9)

        #expect(try await eventually { kernel.daemons.withLock { $0 } == [.backup: backup] })
        #expect(try kernel.table().services[handMade] == nil, "lvs_flush removed the hand-made service")

        feed.yield(.transition(instance: "VI_1", from: .backup, to: .master, reason: .masterLeft))
        #expect(try await eventually { kernel.daemons.withLock { $0 } == [.master: master] })
        #expect(try await eventually { try kernel.table().services[vipService] != nil })

        feed.yield(.transition(instance: "VI_1", from: .master, to: .backup, reason: .higherPriorityAdvert(priority: 200, from: .v4(0x0a00_0002))))
        #expect(try await eventually { kernel.daemons.withLock { $0 } == [.backup: backup] })
        #expect(try await eventually { try kernel.table().services[vipService] == nil })

        feed.finish()
        try await run.value
        #expect(kernel.daemons.withLock { $0 }.isEmpty)
    }
}

@Suite("Supervisor lvs_timeouts")
struct SupervisorTimeoutsTests {
    @Test("lvs_timeouts is set over the kernel's values at start, a reload dropping udp puts the kernel's udp back, and the stop restores all")
    func timeoutsFollowConfiguration() async throws {
        let withTimeouts = followed.replacingOccurrences(of: "    lvs_flush\n", with: "    lvs_timeouts tcp 7200 udp 60\n")
        let kernel = MemoryIPVS(IPVSTable())
        let supervisor = Supervisor(plan: directorPlan(parsedConfig(withTimeouts)), mode: .followVRRP,
                                    logger: Logger(label: "test"),
                                    control: { () throws(IPVSError) -> any IPVSControl in kernel })
        let (events, feed) = AsyncStream.makeStream(of: VRRPEvent.self)
        let run = Task { try await supervisor.run(vrrpEvents: events) }
        let original = IPVSTimeouts(tcp: 900, tcpFin: 120, udp: 300)

        #expect(try await eventually { kernel.timeoutsSet.withLock { $0 }.count == 1 })
        #expect(kernel.timeoutsSet.withLock { $0 } == [IPVSTimeouts(tcp: 7200, tcpFin: 120, udp: 60)])

        let tcpOnly = withTimeouts.replacingOccurrences(of: "lvs_timeouts tcp 7200 udp 60", with: "lvs_timeouts tcp 7200")
        supervisor.reload(directorPlan(parsedConfig(tcpOnly)))
        #expect(try await eventually { kernel.timeoutsSet.withLock { $0 }.count == 2 })
        #expect(kernel.timeoutsSet.withLock { $0 }.last == IPVSTimeouts(tcp: 7200, tcpFin: 120, udp: 300))

        supervisor.reload(directorPlan(parsedConfig(tcpOnly)))   // unchanged: nothing sent
        feed.finish()
        try await run.value
        #expect(kernel.timeoutsSet.withLock { $0 }.count == 3, "the same reload sends nothing; the stop restores once")
        #expect(kernel.timeoutsNow.withLock { $0 } == original)
    }

    @Test("Without lvs_timeouts the timeouts are never read nor set")
    func noTimeouts() async throws {
        let kernel = MemoryIPVS(IPVSTable())
        let supervisor = Supervisor(plan: directorPlan(parsedConfig(followed)), mode: .followVRRP,
                                    logger: Logger(label: "test"),
                                    control: { () throws(IPVSError) -> any IPVSControl in kernel })
        let (events, feed) = AsyncStream.makeStream(of: VRRPEvent.self)
        let run = Task { try await supervisor.run(vrrpEvents: events) }
        #expect(try await eventually { !kernel.daemons.withLock { $0 }.isEmpty })
        feed.finish()
        try await run.value
        #expect(kernel.timeoutsSet.withLock { $0 }.isEmpty)
    }
}

@Suite("Supervisor lvs_flush_on_stop")
struct SupervisorFlushOnStopTests {
    private func run(_ text: String, releaseOnExit: Bool = true) async throws -> MemoryIPVS {
        let handMade = tcp("10.0.8.8", 80)
        var table = IPVSTable()
        table.services[handMade] = IPVSVirtualService(service: IPVSService(key: handMade))
        let kernel = MemoryIPVS(table)
        let supervisor = Supervisor(plan: directorPlan(parsedConfig(text)), mode: .followVRRP,
                                    releaseOnExit: releaseOnExit, logger: Logger(label: "test"),
                                    control: { () throws(IPVSError) -> any IPVSControl in kernel })
        let (events, feed) = AsyncStream.makeStream(of: VRRPEvent.self)
        let task = Task { try await supervisor.run(vrrpEvents: events) }
        feed.yield(.transition(instance: "VI_1", from: .backup, to: .master, reason: .masterLeft))
        #expect(try await eventually { try kernel.table().services[tcp("10.0.0.100", 80)] != nil })
        feed.finish()
        try await task.value
        return kernel
    }

    private var noFlush: String { followed.replacingOccurrences(of: "    lvs_flush\n", with: "") }

    @Test("lvs_flush_on_stop flushes the whole table at stop, hand-made services too")
    func flushAll() async throws {
        let kernel = try await run(noFlush.replacingOccurrences(of: "global_defs {\n", with: "global_defs {\n    lvs_flush_on_stop\n"))
        #expect(try kernel.table().services.isEmpty)
    }

    @Test("Without it, or with VS, only Vigil's services go; with --dont-release-ipvs nothing goes")
    func ownedOnly() async throws {
        for text in [noFlush, noFlush.replacingOccurrences(of: "global_defs {\n", with: "global_defs {\n    lvs_flush_on_stop VS\n")] {
            let kernel = try await run(text)
            #expect(try kernel.table().services.keys.sorted { "\($0)" < "\($1)" } == [tcp("10.0.8.8", 80)])
        }
        let kept = try await run(noFlush.replacingOccurrences(of: "global_defs {\n", with: "global_defs {\n    lvs_flush_on_stop\n"),
                                 releaseOnExit: false)
        #expect(try kept.table().services.count == 2)
    }
}

/// Routes and addresses in memory, as the kernel would keep them (adding twice is success, as over rtnetlink).
private final class MemoryRoutes: RouteControl, AddressControl, Sendable {
    let routes = Mutex<Set<IPRoute>>([])
    let loopback = Mutex<Set<IPAddress>>([])
    /// Every route operation in order: `+192.0.2.80/32 table 198` or `-…`.
    let log = Mutex<[String]>([])

    init(_ leftovers: [IPRoute]) { routes.withLock { $0 = Set(leftovers) } }

    func add(_ rs: [IPRoute]) throws(AddressControlError) {
        for r in rs { _ = routes.withLock { $0.insert(r) }; log.withLock { $0.append("+\(r.destination) \(r.table)") } }
    }
    func remove(_ rs: [IPRoute]) throws(AddressControlError) {
        for r in rs {
            _ = routes.withLock { set in set.remove(set.first { $0.destination == r.destination && $0.table == r.table } ?? r) }
            log.withLock { $0.append("-\(r.destination) \(r.table)") }
        }
    }
    func add(_ rules: [IPRule]) throws(AddressControlError) {}
    func remove(_ rules: [IPRule]) throws(AddressControlError) {}
    func routes(table: UInt32, routingProtocol: UInt8) throws(AddressControlError) -> [IPRoute] {
        routes.withLock { $0.filter { $0.table == table && $0.routingProtocol == routingProtocol } }
    }
    func add(_ addresses: [VirtualAddress], interface: String) throws(AddressControlError) {
        loopback.withLock { $0.formUnion(addresses.map(\.address)) }
    }
    func remove(_ addresses: [VirtualAddress], interface: String) throws(AddressControlError) {
        loopback.withLock { $0.subtract(addresses.map(\.address)) }
    }
    func announce(_ addresses: [VirtualAddress], interface: String) throws(AddressControlError) {}
    func addresses() throws(AddressControlError) -> [InterfaceAddress] { [] }
    func prepare(_ addresses: [VirtualAddress], interface: String) {}
}

private let announcedConfig = """
global_defs {
    vigil_route_table 198
}
virtual_server 192.0.2.80 80 {
    vigil_announce
    lb_algo mh
    lb_kind NAT
    protocol TCP
    real_server 192.168.1.1 80 {
        weight 1
    }
}
"""

@Suite("Supervisor: vigil_announce routes in the kernel")
struct SupervisorAnnouncementTests {
    @Test("Start: the address goes on lo, its route in the table, sloppy_tcp/sctp on; a leftover of an earlier run is deleted, a foreign route kept; stop: routes first, then lo, sloppy restored")
    func lifecycle() async throws {
        let vip = IPAddress("192.0.2.80"), stale = IPAddress("192.0.2.99")
        let leftover = RouteAnnouncer.route(stale, table: 198)
        var foreign = RouteAnnouncer.route(IPAddress("192.0.2.98"), table: 198)
        foreign.routingProtocol = 12   // BIRD's, not Vigil's
        let memory = MemoryRoutes([leftover, foreign])
        let kernel = MemoryIPVS(IPVSTable())
        let vs = NSTemporaryDirectory() + "vigil-sysctl-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: vs, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: vs) }
        try "0\n".write(toFile: vs + "/sloppy_tcp", atomically: true, encoding: .utf8)
        try "0\n".write(toFile: vs + "/sloppy_sctp", atomically: true, encoding: .utf8)
        let sysctl = IPVSSysctl(directory: vs)
        let supervisor = Supervisor(plan: directorPlan(parsedConfig(announcedConfig)), mode: .checksOnly,
                                    logger: Logger(label: "test"), routes: memory, addresses: memory, sysctl: sysctl,
                                    control: { () throws(IPVSError) -> any IPVSControl in kernel })
        let run = Task { try await supervisor.run(vrrpEvents: nil) }
        for _ in 0..<500 where !memory.routes.withLock({ $0.contains(RouteAnnouncer.route(vip, table: 198)) }) {
            try await Task.sleep(for: .milliseconds(2))
        }
        #expect(memory.routes.withLock { $0 } == [RouteAnnouncer.route(vip, table: 198), foreign])
        #expect(memory.loopback.withLock { $0 } == [vip])
        #expect(try kernel.table().services[tcp("192.0.2.80", 80)] != nil)
        #expect(sysctl.value("sloppy_tcp") == 1 && sysctl.value("sloppy_sctp") == 1)
        supervisor.stop()
        try await run.value
        #expect(sysctl.value("sloppy_tcp") == 0 && sysctl.value("sloppy_sctp") == 0)
        #expect(memory.routes.withLock { $0 } == [foreign])
        #expect(memory.loopback.withLock { $0 }.isEmpty)
        #expect(memory.log.withLock { $0 } == ["-192.0.2.99 198", "+192.0.2.80 198", "-192.0.2.80 198"])
    }
}

private let syncHoldConfig = """
global_defs {
    lvs_sync_daemon eth0 VI_1
}
vrrp_instance VI_1 {
    interface eth0
    virtual_router_id 51
    priority 100
    virtual_ipaddress {
        10.0.0.100/24
    }
}
virtual_server 10.0.0.100 80 {
    real_server 192.168.1.1 80 {
    }
}
"""

@Suite("Supervisor: the failback hold's kernel switches")
struct SupervisorSyncSettingsTests {
    @Test("With lvs_sync_daemon and the hold on: sync_refresh_period 2 and sync_threshold '3 0' while running, the kernel's values back at stop")
    func setAndRestored() async throws {
        let kernel = MemoryIPVS(IPVSTable())
        let vs = NSTemporaryDirectory() + "vigil-sysctl-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: vs, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: vs) }
        try "3\t50\n".write(toFile: vs + "/sync_threshold", atomically: true, encoding: .utf8)
        try "0\n".write(toFile: vs + "/sync_refresh_period", atomically: true, encoding: .utf8)
        let sysctl = IPVSSysctl(directory: vs)
        let supervisor = Supervisor(plan: directorPlan(parsedConfig(syncHoldConfig)), mode: .followVRRP,
                                    logger: Logger(label: "test"), routes: MemoryRoutes([]), addresses: MemoryRoutes([]),
                                    sysctl: sysctl, control: { () throws(IPVSError) -> any IPVSControl in kernel })
        let (events, sink) = AsyncStream.makeStream(of: VRRPEvent.self)
        let run = Task { try await supervisor.run(vrrpEvents: events, stopsWithVRRP: false) }
        for _ in 0..<500 where sysctl.text("sync_refresh_period") != "2" { try await Task.sleep(for: .milliseconds(2)) }
        #expect(sysctl.text("sync_refresh_period") == "2")
        #expect(sysctl.text("sync_threshold") == "3 0")
        supervisor.stop()
        sink.finish()
        try await run.value
        #expect(sysctl.text("sync_refresh_period") == "0")
        #expect(sysctl.text("sync_threshold") == "3 50")
    }
}
