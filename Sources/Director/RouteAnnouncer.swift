import Control
import HA
import Logging
import Vocabulary

/// The adapter of `vigil_announce` (the decisions are `LoadBalancer.announcedAddresses` and
/// `AnnouncementPlan.startActions`): writes each announced address's host route (`dev lo`, Vigil's routing protocol,
/// `vigil_route_table`) and the address on the loopback device, over rtnetlink, and logs one line per change.
/// Owned by the `Supervisor` actor; a route the kernel refuses is kept in `failed` and retried.
struct RouteAnnouncer {
    let routes: any RouteControl
    let addresses: any AddressControl
    let logger: Logger
    let recorder: StatusRecorder?
    /// The configuration's table and addresses (nil: no `vigil_route_table`).
    private(set) var plan: AnnouncementPlan?
    /// Routes in the table now, as far as this run knows.
    private(set) var installed: Set<IPAddress> = []
    /// Routes that should be in and were refused; retried by `converge`.
    private(set) var failed: Set<IPAddress> = []
    /// Addresses this run put on the loopback device.
    private var onLoopback: Set<IPAddress> = []

    init(routes: any RouteControl, addresses: any AddressControl, logger: Logger, recorder: StatusRecorder?) {
        self.routes = routes
        self.addresses = addresses
        self.logger = logger
        self.recorder = recorder
    }

    /// The kernel route of an announced address.
    static func route(_ address: IPAddress, table: UInt32) -> IPRoute {
        IPRoute(destination: address, prefixLength: address.isIPv6 ? 128 : 32, device: "lo", table: table,
                scope: 253, routingProtocol: AnnouncementPlan.routingProtocol)
    }

    /// At start, after the first IPVS reconcile: the addresses go on the loopback device, routes an earlier run left
    /// are kept, held or deleted (`AnnouncementPlan.startActions`), and the announced addresses are routed. Returns
    /// how long the held routes wait for their pools' first verdict (then `converge` deletes those still down).
    mutating func start(_ plan: AnnouncementPlan?, announced: Set<IPAddress>, reason: (IPAddress) -> String) -> Duration? {
        self.plan = plan
        guard let plan else { return nil }
        loopback(plan)
        var leftovers: Set<IPAddress> = []
        do {
            leftovers = Set(try routes.routes(table: plan.table, routingProtocol: AnnouncementPlan.routingProtocol)
                .filter { $0.prefixLength == UInt8($0.destination.maxPrefixLength) }.map(\.destination))
        } catch {
            logger.error("announce: cannot list the routes of table \(plan.table): \(error)")
        }
        let actions = plan.startActions(leftovers: leftovers, announced: announced)
        for a in actions.remove {
            let why = plan.addresses[a] == nil ? "no longer announced by the configuration" : reason(a)
            delete(a, table: plan.table, reason: "route left by an earlier run removed: \(why)")
        }
        installed = Set(actions.kept + actions.held)
        for a in actions.kept {
            logger.notice("\(a) announced in table \(plan.table) (route kept from an earlier run): \(reason(a))")
            record(a, announced: true, reason: reason(a))
        }
        for a in actions.held {
            let why = "route kept from an earlier run while the first checks run (at most \(actions.holdFor))"
            logger.notice("\(a) announced in table \(plan.table) (\(why))")
            record(a, announced: true, reason: why)
        }
        for a in actions.add { add(a, table: plan.table, reason: reason(a)) }
        for a in plan.sortedAddresses where !announced.contains(a) && !leftovers.contains(a) {
            record(a, announced: false, reason: reason(a))
        }
        return actions.held.isEmpty ? nil : actions.holdFor
    }

    /// One announcement change from the core.
    mutating func change(_ address: IPAddress, announced: Bool, reason: String) {
        guard let plan else { return }
        if announced { add(address, table: plan.table, reason: reason) } else {
            delete(address, table: plan.table, reason: reason)
        }
    }

    /// A reload: a new table moves every route; addresses that left the configuration leave the loopback device
    /// (their routes were withdrawn by the core's changes).
    mutating func replace(_ new: AnnouncementPlan?, announced: Set<IPAddress>, reason: (IPAddress) -> String) {
        let old = plan
        if let old, old.table != new?.table {
            for a in installed.sorted() {
                delete(a, table: old.table, reason: new == nil ? "vigil_route_table removed from the configuration"
                                                                : "vigil_route_table changed to \(new?.table ?? 0)")
            }
        }
        plan = new
        let keep = Set(new?.addresses.keys.map { $0 } ?? [])
        let gone = onLoopback.subtracting(keep).sorted()
        if !gone.isEmpty {
            do { try addresses.remove(gone.map { VirtualAddress(address: $0) }, interface: "lo") } catch {
                logger.error("announce: cannot remove \(gone.map(\.description).joined(separator: ", ")) from lo: \(error)")
            }
            onLoopback.subtract(gone)
        }
        if let new { loopback(new) }
        converge(announced: announced, reason: reason)
    }

    /// Adds what is announced and missing (refused earlier, or moved by a reload) and deletes what is not announced.
    mutating func converge(announced: Set<IPAddress>, reason: (IPAddress) -> String) {
        guard let plan else { return }
        for a in installed.subtracting(announced).sorted() { delete(a, table: plan.table, reason: reason(a)) }
        for a in announced.subtracting(installed).sorted() { add(a, table: plan.table, reason: reason(a)) }
    }

    /// At stop, first of all: every route goes (the routers stop sending before the services go), then the loopback
    /// addresses unless the services stay (`--dont-release-ipvs`).
    mutating func stop(releaseAddresses: Bool) {
        guard let plan else { return }
        for a in installed.sorted() { delete(a, table: plan.table, reason: "the daemon is stopping") }
        failed = []
        if releaseAddresses, !onLoopback.isEmpty {
            do { try addresses.remove(onLoopback.sorted().map { VirtualAddress(address: $0) }, interface: "lo") } catch {
                logger.error("announce: cannot remove the announced addresses from lo: \(error)")
            }
            onLoopback = []
        }
    }

    private mutating func loopback(_ plan: AnnouncementPlan) {
        let missing = plan.sortedAddresses.filter { !onLoopback.contains($0) }
        guard !missing.isEmpty else { return }
        do {
            try addresses.add(missing.map { VirtualAddress(address: $0) }, interface: "lo")
            onLoopback.formUnion(missing)
        } catch {
            logger.error("announce: cannot add \(missing.map(\.description).joined(separator: ", ")) to lo (IPVS will not see their packets): \(error)")
        }
    }

    private mutating func add(_ a: IPAddress, table: UInt32) -> AddressControlError? {
        do {
            try routes.add([Self.route(a, table: table)])
            installed.insert(a)
            failed.remove(a)
            return nil
        } catch {
            failed.insert(a)
            return error
        }
    }

    private mutating func add(_ a: IPAddress, table: UInt32, reason: String) {
        if let error = add(a, table: table) {
            if !failedLogged.contains(a) {
                logger.error("\(a) not announced in table \(table): the kernel refused the route (\(error)); retrying every second")
                failedLogged.insert(a)
            }
            record(a, announced: false, reason: "route refused: \(error)")
        } else {
            failedLogged.remove(a)
            logger.notice("\(a) announced in table \(table): \(reason)")
            record(a, announced: true, reason: reason)
        }
    }

    /// Addresses whose refusal was logged (a retry that fails again is not logged again).
    private var failedLogged: Set<IPAddress> = []

    private mutating func delete(_ a: IPAddress, table: UInt32, reason: String) {
        failed.remove(a)
        failedLogged.remove(a)
        do {
            try routes.remove([Self.route(a, table: table)])
            installed.remove(a)
            logger.notice("\(a) withdrawn from table \(table): \(reason)")
            record(a, announced: false, reason: reason)
        } catch {
            // Still in the table as far as we know: the next converge tries again.
            logger.error("\(a) withdrawal from table \(table) failed (\(error)): \(reason)")
        }
    }

    private func record(_ a: IPAddress, announced: Bool, reason: String) {
        guard let plan else { return }
        recorder?.announcementChanged(address: a.description, table: plan.table, announced: announced, reason: reason,
                                      order: plan.sortedAddresses.map(\.description))
    }
}
