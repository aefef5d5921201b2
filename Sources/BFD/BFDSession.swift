// One BFD session in asynchronous mode (RFC 5880 §6), as a value: fed received packets and deadlines with the time,
// it returns what to send and the state changes. No I/O; the runtime owns sockets and timers.
//
// Timers: packets go out every max(our DesiredMinTxInterval, the peer's RequiredMinRxInterval), less 0–25 % jitter
// (§6.8.7); while not Up the desired interval is `idle_tx` (keepalived's; the RFC wants at least 1 s), once Up
// `min_tx`. A change of our intervals while the peer listens starts a Poll Sequence (§6.8.3). The session goes Down
// when nothing arrives for the detection time: the peer's Detect Mult × max(our RequiredMinRxInterval, the peer's
// DesiredMinTxInterval) (§6.8.4). A passive session sends nothing until it has heard the peer (§6.1).

import Vocabulary

/// A session's settings (keepalived's `bfd_instance`). Intervals as durations; the wire carries microseconds.
public struct BFDSessionConfiguration: Sendable, Hashable {
    public var name: String
    public var neighbor: IPAddress
    public var source: IPAddress?
    /// `min_rx` (default 10 ms).
    public var requiredMinRx: Duration
    /// `min_tx` (default 10 ms).
    public var desiredMinTx: Duration
    /// `idle_tx` (default 1 s): the interval while the session is not Up.
    public var idleTx: Duration
    /// `multiplier` (default 5).
    public var multiplier: UInt8
    /// `passive`.
    public var passive: Bool
    /// `ttl`/`hoplimit` of what is sent (default 255 for IPv4, 64 for IPv6, as keepalived).
    public var ttl: UInt8
    /// `max_hops`: how much a received TTL may be below 255 (default 0; 255 turns the check off).
    public var maxHops: UInt8

    public init(name: String, neighbor: IPAddress, source: IPAddress? = nil,
                requiredMinRx: Duration = .milliseconds(10), desiredMinTx: Duration = .milliseconds(10),
                idleTx: Duration = .seconds(1), multiplier: UInt8 = 5, passive: Bool = false, ttl: UInt8? = nil,
                maxHops: UInt8 = 0) {
        self.name = name
        self.neighbor = neighbor
        self.source = source
        self.requiredMinRx = requiredMinRx
        self.desiredMinTx = desiredMinTx
        self.idleTx = idleTx
        self.multiplier = multiplier
        self.passive = passive
        self.ttl = ttl ?? (neighbor.isIPv6 ? 64 : 255)
        self.maxHops = maxHops
    }

    /// Whether a packet that arrived with `ttl` passes the hop check (RFC 5881's GTSM, keepalived's `max_hops`).
    public func acceptsTTL(_ ttl: UInt8) -> Bool { maxHops == 255 || Int(ttl) >= 255 - Int(maxHops) }
}

/// What a session asks of the runtime.
public enum BFDSessionAction: Sendable, Hashable {
    /// Send this packet to the neighbor.
    case send(BFDControlPacket)
    /// The session changed state (log it, tell the trackers).
    case stateChanged(from: BFDState, to: BFDState, diagnostic: BFDDiagnostic)
}

/// One session.
public struct BFDSession: Sendable {
    public let configuration: BFDSessionConfiguration
    public let localDiscriminator: UInt32
    public private(set) var state: BFDState = .down
    public private(set) var diagnostic: BFDDiagnostic = .none
    public private(set) var remoteDiscriminator: UInt32 = 0
    public private(set) var remoteState: BFDState = .down
    /// The peer's RequiredMinRxInterval (µs); 1 until heard (§6.8.1).
    private var remoteMinRx: UInt32 = 1
    /// The peer's DesiredMinTxInterval (µs) and Detect Mult, from its last packet.
    private var remoteMinTx: UInt32 = 0
    private var remoteMultiplier: UInt8 = 0
    /// Our DesiredMinTxInterval as last advertised (µs).
    private var advertisedMinTx: UInt32
    /// A Poll Sequence is under way (our P bit set until the peer's F arrives).
    private var polling = false
    private var heard = false
    public private(set) var nextTransmit: Instant?
    public private(set) var detectionDeadline: Instant?
    /// Jitter source: a linear congruential generator seeded by the discriminator (deterministic for tests).
    private var random: UInt64

    public init(configuration: BFDSessionConfiguration, localDiscriminator: UInt32) {
        self.configuration = configuration
        self.localDiscriminator = localDiscriminator
        advertisedMinTx = Self.micro(configuration.idleTx)
        random = UInt64(localDiscriminator) | 1
    }

    /// The next moment something is due.
    public var nextWakeup: Instant? {
        switch (nextTransmit, detectionDeadline) {
        case (let a?, let b?): min(a, b)
        case (let a?, nil): a
        case (nil, let b?): b
        case (nil, nil): nil
        }
    }

    /// The detection time now (zero before the peer has been heard).
    public var detectionTime: Duration {
        .microseconds(Int64(remoteMultiplier) * Int64(max(Self.micro(configuration.requiredMinRx), remoteMinTx)))
    }

    /// Starts the session: an active one sends at once.
    public mutating func start(now: Instant) -> [BFDSessionAction] {
        guard !configuration.passive else { return [] }
        nextTransmit = now
        return deadlineReached(now: now)
    }

    /// A packet from the neighbor, already decoded (and its TTL checked by the runtime).
    public mutating func received(_ p: BFDControlPacket, now: Instant) -> [BFDSessionAction] {
        if p.yourDiscriminator != 0, p.yourDiscriminator != localDiscriminator { return [] }
        var out: [BFDSessionAction] = []
        heard = true
        remoteDiscriminator = p.myDiscriminator
        remoteState = p.state
        remoteMultiplier = p.detectMultiplier
        remoteMinTx = p.desiredMinTxInterval
        let oldRemoteMinRx = remoteMinRx
        remoteMinRx = p.requiredMinRxInterval
        if p.final, polling { polling = false }
        let from = state
        switch (state, p.state) {
        case (.adminDown, _):
            return []
        case (_, .adminDown):
            if state != .down { out += enter(.down, .neighborSignaledDown) }
        case (.down, .down):
            out += enter(.initializing, .none)
        case (.down, .initializing):
            out += enter(.up, .none)
        case (.initializing, .initializing), (.initializing, .up):
            out += enter(.up, .none)
        case (.up, .down):
            out += enter(.down, .neighborSignaledDown)
        default:
            break
        }
        detectionDeadline = state == .down ? nil : now + detectionTime
        if p.poll {
            // §6.8.6: answer a Poll at once with the Final bit.
            out.append(.send(packet(final: true)))
        }
        if remoteMinRx == 0 {
            // §6.8.7: a peer that asks for no packets gets none (a Final above is still sent).
            nextTransmit = nil
        } else if nextTransmit == nil || state != from {
            // A passive session starts sending now; a new state is told at once (bring-up takes three packets).
            nextTransmit = now
        } else if remoteMinRx > oldRemoteMinRx {
            nextTransmit = now + interval()
        }
        return out
    }

    /// Timers: the detection time and the periodic transmission.
    public mutating func deadlineReached(now: Instant) -> [BFDSessionAction] {
        var out: [BFDSessionAction] = []
        if let d = detectionDeadline, d <= now {
            detectionDeadline = nil
            if state == .initializing || state == .up {
                out += enter(.down, .controlDetectionTimeExpired)
                remoteDiscriminator = 0
                remoteMultiplier = 0
                remoteMinTx = 0
            }
        }
        if let t = nextTransmit, t <= now {
            if (configuration.passive && !heard) || remoteMinRx == 0 {
                nextTransmit = nil   // nothing to send until the peer speaks, or asks for packets again
            } else {
                out.append(.send(packet(final: false)))
                nextTransmit = now + interval()
            }
        }
        return out
    }

    /// Stops the session: one AdminDown packet (the peer goes Down with "neighbor signaled session down").
    public mutating func stop() -> [BFDSessionAction] {
        let from = state
        state = .adminDown
        diagnostic = .administrativelyDown
        nextTransmit = nil
        detectionDeadline = nil
        var out: [BFDSessionAction] = [.send(packet(final: false))]
        if from != .adminDown { out.insert(.stateChanged(from: from, to: .adminDown, diagnostic: .administrativelyDown), at: 0) }
        return out
    }

    private mutating func enter(_ new: BFDState, _ why: BFDDiagnostic) -> [BFDSessionAction] {
        guard new != state else { return [] }
        let from = state
        state = new
        if new == .down || new == .up { diagnostic = why }
        // Our desired interval follows the state: idle_tx while not Up, min_tx once Up; a change while the peer
        // listens is signalled by a Poll Sequence.
        let want = Self.micro(new == .up ? configuration.desiredMinTx : configuration.idleTx)
        if want != advertisedMinTx { advertisedMinTx = want }
        polling = new == .up && want != Self.micro(configuration.idleTx)
        return [.stateChanged(from: from, to: new, diagnostic: why)]
    }

    /// The packet to send now.
    public func packet(final: Bool) -> BFDControlPacket {
        BFDControlPacket(diagnostic: diagnostic, state: state, poll: polling && !final, final: final,
                         detectMultiplier: configuration.multiplier, myDiscriminator: localDiscriminator,
                         yourDiscriminator: remoteDiscriminator, desiredMinTxInterval: advertisedMinTx,
                         requiredMinRxInterval: Self.micro(configuration.requiredMinRx))
    }

    /// The interval to the next packet: max(ours, the peer's RequiredMinRx), less 0–25 % (10–25 % with a multiplier
    /// of 1), §6.8.7.
    private mutating func interval() -> Duration {
        let base = Int64(max(advertisedMinTx, remoteMinRx))
        random = random &* 6364136223846793005 &+ 1442695040888963407
        let span: Int64 = configuration.multiplier == 1 ? 15 : 25
        let cut = Int64((random >> 33) % UInt64(span + 1)) + (configuration.multiplier == 1 ? 10 : 0)
        return .microseconds(base * (100 - cut) / 100)
    }

    static func micro(_ d: Duration) -> UInt32 {
        let (s, a) = d.components
        let us = s * 1_000_000 + a / 1_000_000_000_000
        return UInt32(clamping: max(1, us))
    }
}
