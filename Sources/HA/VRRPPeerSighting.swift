import Vocabulary

/// The last accepted advertisement of one sender, as an instance heard it: who this node sees as MASTER (or
/// leaving, at priority 0), for the status and the dashboard. Only adverts that passed every check are recorded.
public struct VRRPPeerSighting: Sendable, Hashable {
    /// The priority it advertised.
    public var priority: UInt8
    /// Its advertisement interval.
    public var intervalCentiseconds: UInt16
    /// When its last advert arrived.
    public var lastHeard: Instant
    /// Adverts accepted from it since this instance started.
    public var adverts: Int

    public init(priority: UInt8, intervalCentiseconds: UInt16, lastHeard: Instant, adverts: Int) {
        self.priority = priority
        self.intervalCentiseconds = intervalCentiseconds
        self.lastHeard = lastHeard
        self.adverts = adverts
    }
}

/// A peer as the runtime reports it: its sighting, with how long ago it was last heard.
public struct VRRPPeerReport: Sendable, Hashable {
    /// The sender's address.
    public var address: IPAddress
    /// The priority it advertised.
    public var priority: Int
    /// Its advertisement interval.
    public var interval: Duration
    /// Time since its last advert.
    public var age: Duration
    /// Adverts accepted from it.
    public var adverts: Int

    public init(address: IPAddress, priority: Int, interval: Duration, age: Duration, adverts: Int) {
        self.address = address
        self.priority = priority
        self.interval = interval
        self.age = age
        self.adverts = adverts
    }
}
