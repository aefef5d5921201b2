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
                for d in want.sortedDestinations { out.append(.addDestination(key, d)) }
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
                    adds.append(.addDestination(key, d))
                }
            }
            out += adds
            for h in have.sortedDestinations where want.destinations[h.key] == nil {
                out.append(.deleteDestination(key, h.key))
            }
        }
        return out
    }

    /// The ownership set after applying `diff(desired:actual:owned:)` successfully:
    /// every desired service.
    public static func ownedAfterApply(desired: IPVSTable) -> Set<IPVSServiceKey> {
        Set(desired.services.keys)
    }
}
