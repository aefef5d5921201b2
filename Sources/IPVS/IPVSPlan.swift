// The reconciliation diff: desired table + kernel table + ownership → ordered commands.
//
// Theory of operation: a pure function. Services are matched by key, destinations by
// address and port within their service. What differs is edited in place (a weight
// change is one `editDestination`, never a delete and an add, so live connections
// survive); what is missing is added; what is extra is deleted — but only in services
// Vigil owns: a service in the kernel that is neither desired nor owned (made by hand
// with ipvsadm, or by another tool) is left untouched. A desired service that already
// exists is adopted. The plan never flushes.
//
// Order: owned services that are no longer desired are deleted first (freeing their
// keys); then, service by service in key order, the service is added or edited, its
// destinations are edited, then added, then deleted (so a service never passes through
// an empty state while it is being changed).


/// Computes the minimal ordered command list that turns the kernel's table into the desired one.
public enum IPVSPlan {
    /// The commands that make `actual` equal to `desired` for every desired service, and
    /// remove owned services that are no longer desired.
    /// - Parameters:
    ///   - desired: the table Vigil wants (config plus health checks).
    ///   - actual: the table read from the kernel.
    ///   - owned: keys of services Vigil created or adopted earlier; only these may be deleted.
    public static func diff(desired: IPVSTable, actual: IPVSTable, owned: Set<IPVSServiceKey>) -> [IPVSCommand] {
        var out: [IPVSCommand] = []
        for key in actual.services.keys.sorted() where desired.services[key] == nil && owned.contains(key) {
            out.append(.deleteService(key))
        }
        for want in desired.sorted {
            let key = want.service.key
            guard let have = actual.services[key] else {
                out.append(.addService(want.service))
                for d in want.sortedDestinations { out += addCommands(want, d) }
                continue
            }
            if want.service.normalized != have.service.normalized {
                out.append(.editService(want.service))
            }
            var adds: [IPVSCommand] = []
            for d in want.sortedDestinations {
                if let h = have.destinations[d.key] {
                    if h != d { out.append(.editDestination(key, d)) }
                } else {
                    adds += addCommands(want, d)
                }
            }
            out += adds
            for h in have.sortedDestinations where want.destinations[h.key] == nil {
                out.append(.deleteDestination(key, h.key))
            }
        }
        return out
    }

    /// Whether the kernel's list order of a service's destinations decides where flows go: the `mh` scheduler fills
    /// its lookup table from the list in list order (with fixed hash keys), so two directors with the same pool agree
    /// on every flow only when their lists are in the same order.
    public static func orderMatters(_ service: IPVSService) -> Bool { service.scheduler == "mh" }

    /// The list order every director should have, as the kernel lists it (head first): by address and port,
    /// descending — what adding the destinations in ascending order gives, as `diff` does for a new service, since
    /// the kernel inserts each new destination at the head.
    public static func canonicalListOrder(_ keys: [IPVSDestinationKey]) -> [IPVSDestinationKey] { keys.sorted(by: >) }

    /// The commands that put the kernel's list (`kernelOrder`, head first) of an order-sensitive service in the
    /// canonical order, when it holds the desired destinations in another order (a destination added later, by a
    /// reload, a recovery or by hand, went to the head). The destinations at the tail that are already in place stay;
    /// each of the others is deleted and added again at once, the one that belongs furthest back first, so that the
    /// list ends canonical. A destination deleted and re-added in one batch comes back from the kernel's trash with
    /// its connections. Nothing when the order is right, or when the list is not yet the desired set (`diff` first).
    public static func orderRepair(desired: IPVSVirtualService, kernelOrder: [IPVSDestinationKey]) -> [IPVSCommand] {
        guard orderMatters(desired.service) else { return [] }
        let wanted = canonicalListOrder(Array(desired.destinations.keys))
        guard kernelOrder.count == wanted.count, Set(kernelOrder) == Set(wanted), kernelOrder != wanted else { return [] }
        var inPlace = 0
        while inPlace < wanted.count, kernelOrder[wanted.count - 1 - inPlace] == wanted[wanted.count - 1 - inPlace] {
            inPlace += 1
        }
        let key = desired.service.key
        return wanted[..<(wanted.count - inPlace)].reversed().flatMap { k -> [IPVSCommand] in
            guard let d = desired.destinations[k] else { return [] }
            return [.deleteDestination(key, k)] + addCommands(desired, d)
        }
    }

    /// The commands that add destination `d` of `service`: one add; but a destination wanted at weight 0 in an
    /// order-sensitive service is added at its slot weight (`IPVSVirtualService.slotWeights`) and set to 0 at once,
    /// since the kernel fills the `mh` table by the weight a destination was added with or last set to above 0: added
    /// at 0 it would have no slots, and two directors whose server went down at different times (one before the
    /// service existed) would send flows differently. Between the two commands, microseconds apart, a new flow may be
    /// scheduled to it.
    static func addCommands(_ service: IPVSVirtualService, _ d: IPVSDestination) -> [IPVSCommand] {
        let key = service.service.key
        guard d.weight == 0, orderMatters(service.service), let slot = service.slotWeights[d.key], slot > 0 else {
            return [.addDestination(key, d)]
        }
        var first = d
        first.weight = slot
        return [.addDestination(key, first), .editDestination(key, d)]
    }

    /// The ownership set after applying `diff(desired:actual:owned:)` successfully:
    /// every desired service.
    public static func ownedAfterApply(desired: IPVSTable) -> Set<IPVSServiceKey> {
        Set(desired.services.keys)
    }
}
