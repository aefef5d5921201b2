#if canImport(Glibc)
import Glibc
#endif
import Synchronization

/// A table in memory that answers as the kernel does (EEXIST, ESRCH, ENOENT; a new destination at the head of its
/// service's list): the load benchmark's stand-in on a host whose kernel has no IPVS (`make bench-load`, chosen only
/// by `VIGIL_BENCH_IPVS=memory`, see `fromEnvironment()`), so that 10,000 real servers checked every second and a
/// reload every 2 s can be measured where the emulated lab VM cannot keep up. It keeps no connections, no sync
/// daemons' traffic and no statistics; the daemon never picks it otherwise.
public final class MemoryIPVSControl: IPVSControl, Sendable {
    private struct State {
        var table = IPVSTable()
        var lists: [IPVSServiceKey: [IPVSDestinationKey]] = [:]
        var daemons: [IPVSSyncDaemon.Role: IPVSSyncDaemon] = [:]
        var timeouts = IPVSTimeouts(tcp: 900, tcpFin: 120, udp: 300)
    }

    private let state = Mutex(State())

    /// The variable that selects it.
    public static let benchmarkVariable = "VIGIL_BENCH_IPVS"

    /// True when `VIGIL_BENCH_IPVS` is `memory`. The one place that reads it (`DirectorRun`).
    public static func fromEnvironment() -> Bool {
        guard let value = getenv(benchmarkVariable) else { return false }
        return String(cString: value) == "memory"
    }

    /// An empty table.
    public init() {}

    public func table() throws(IPVSError) -> IPVSTable { state.withLock { $0.table } }

    public func timeouts() throws(IPVSError) -> IPVSTimeouts { state.withLock { $0.timeouts } }

    public func destinationOrder(of service: IPVSServiceKey) throws(IPVSError) -> [IPVSDestinationKey] {
        state.withLock { $0.lists[service] ?? [] }
    }

    public func execute(_ commands: [IPVSCommand]) throws(IPVSError) -> [IPVSCommandFailure] {
        state.withLock { s in
            commands.compactMap { c in
                Self.apply(c, to: &s).map { IPVSCommandFailure(command: c, error: .kernel(c.operation, errno: $0, object: c.object)) }
            }
        }
    }

    /// Applies one command; the errno the kernel would return, or nil.
    private static func apply(_ c: IPVSCommand, to s: inout State) -> Int32? {
        switch c {
        case .addService(let v):
            guard s.table.services[v.key] == nil else { return EEXIST }
            s.table.services[v.key] = IPVSVirtualService(service: v.normalized)
        case .editService(let v):
            guard s.table.services[v.key] != nil else { return ESRCH }
            s.table.services[v.key]?.service = v.normalized
        case .deleteService(let k):
            guard s.table.services.removeValue(forKey: k) != nil else { return ESRCH }
            s.lists[k] = nil
        case .addDestination(let k, let d):
            guard let v = s.table.services[k] else { return ESRCH }
            guard v.destinations[d.key] == nil else { return EEXIST }
            s.table.services[k]?.destinations[d.key] = d
            s.lists[k, default: []].insert(d.key, at: 0)
        case .editDestination(let k, let d):
            guard let v = s.table.services[k] else { return ESRCH }
            guard v.destinations[d.key] != nil else { return ENOENT }
            s.table.services[k]?.destinations[d.key] = d
        case .deleteDestination(let k, let d):
            guard let v = s.table.services[k] else { return ESRCH }
            guard v.destinations[d] != nil else { return ENOENT }
            s.table.services[k]?.destinations[d] = nil
            s.lists[k]?.removeAll { $0 == d }
        case .flush:
            s.table = IPVSTable()
            s.lists = [:]
        case .startSyncDaemon(let d):
            guard s.daemons[d.role] == nil else { return EEXIST }
            s.daemons[d.role] = d
        case .stopSyncDaemon(let role):
            guard s.daemons.removeValue(forKey: role) != nil else { return ESRCH }
        case .setTimeouts(let t):
            if t.tcp != 0 { s.timeouts.tcp = t.tcp }
            if t.tcpFin != 0 { s.timeouts.tcpFin = t.tcpFin }
            if t.udp != 0 { s.timeouts.udp = t.udp }
        }
        return nil
    }
}
