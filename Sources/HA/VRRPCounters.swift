/// Counters of received packets, by outcome.
public struct VRRPCounters: Sendable, Hashable {
    /// Advertisements that passed validation.
    public var accepted = 0
    /// Advertisements that were discarded, by reason.
    public var discarded: [VRRPDiscardReason: Int] = [:]
    /// Advertisements dropped because their address list differed from ours (keepalived's `addr_list_err`; also
    /// counted in `discarded[.addressListMismatch]`).
    public var addressListMismatches = 0
    /// Advertisements sent.
    public var sent = 0
    /// Priority-0 advertisements received.
    public var priorityZeroReceived = 0

    /// Total of discarded packets.
    public var discardedTotal: Int { discarded.values.reduce(0, +) }
}
