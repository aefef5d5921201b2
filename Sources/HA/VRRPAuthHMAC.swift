// keepalived 2.4's `auth_hmac`: a 28-byte trailer after the VRRP PDU (v2 and v3, IPv4 and IPv6), read from the
// keepalived.conf(5) man page and checked against keepalived 2.4.3 on the wire:
//
//   scheme (1 = HMAC-SHA256/128) | key id | reserved (0) | seconds (32) | fraction of a second (16) | counter (16)
//   | HMAC (16 bytes)
//
// The 64-bit sequence (seconds, fraction, counter) comes from the sender's wall clock: the larger of the clock and
// the last value plus one. The HMAC is keyed with the key the id names, over a 20-byte pseudo-header (4 or 6, the
// VRRP version, the VRID, 0, the sender's address padded with zeros to 16 bytes), the PDU with its checksum read as
// zero, the first 12 bytes of the trailer and 16 zero bytes. The IP header is not covered; the IPv4 VRRP checksum
// covers the PDU only, IPv6's (the kernel's) the PDU and the trailer.
//
// Pure: the clock is passed in, the sender's sequence and the receiver's replay marks are values. The digest itself
// is in VRRPAuthHMAC+SHA256.swift (swift-crypto), which the fuzz build replaces.

import Vocabulary

/// A wall-clock reading (CLOCK_REALTIME): the sequence of `auth_hmac` carries it.
public struct WallTime: Sendable, Hashable {
    /// Seconds since the Unix epoch.
    public var seconds: Int64
    /// Nanoseconds within the second.
    public var nanoseconds: Int64

    /// Creates a reading.
    public init(seconds: Int64, nanoseconds: Int64 = 0) {
        self.seconds = seconds
        self.nanoseconds = nanoseconds
    }
}

/// What an instance with `auth_hmac` signs with and accepts.
public struct VRRPAuthHMACPolicy: Sendable, Hashable {
    /// `mode`.
    public enum Mode: Sendable, Hashable {
        /// Sign; accept only adverts with a valid trailer.
        case enforce
        /// Sign; accept adverts without a trailer too.
        case permissive
        /// Do not sign; verify a trailer that is present, accept adverts without one.
        case receiveOnly
    }

    /// The keys by id.
    public var keys: [UInt8: [UInt8]]
    /// The id adverts are signed with.
    public var activeKey: UInt8
    /// `mode`.
    public var mode: Mode
    /// `anti_replay time` (true) or `monotonic`.
    public var timeBased: Bool
    /// `time_window` in seconds (time mode).
    public var timeWindow: Int

    /// Creates a policy.
    public init(keys: [UInt8: [UInt8]], activeKey: UInt8, mode: Mode = .enforce, timeBased: Bool = true,
                timeWindow: Int = 5) {
        self.keys = keys
        self.activeKey = activeKey
        self.mode = mode
        self.timeBased = timeBased
        self.timeWindow = timeWindow
    }

    /// Whether adverts carry a trailer.
    public var signs: Bool { mode != .receiveOnly }
}

/// The trailer's fields.
public struct VRRPAuthHMACTrailer: Sendable, Hashable {
    /// Bytes on the wire.
    public static let length = 28
    /// The scheme keepalived defines: HMAC-SHA256 truncated to 128 bits.
    public static let sha256Scheme: UInt8 = 1
    /// Bytes of the truncated HMAC.
    public static let macLength = 16

    /// Scheme identifier.
    public var scheme: UInt8
    /// The key the sender signed with.
    public var keyID: UInt8
    /// Zero when sent.
    public var reserved: UInt16
    /// Seconds (high 32 bits), fraction of a second in 1/65536 (next 16), counter (low 16).
    public var sequence: UInt64
    /// The truncated HMAC.
    public var mac: [UInt8]

    /// Creates a trailer.
    public init(scheme: UInt8 = sha256Scheme, keyID: UInt8, reserved: UInt16 = 0, sequence: UInt64, mac: [UInt8]) {
        self.scheme = scheme
        self.keyID = keyID
        self.reserved = reserved
        self.sequence = sequence
        self.mac = mac
    }

    /// Reads the 28 bytes; nil when there are not exactly 28.
    public init?<C: Collection>(bytes: C) where C.Element == UInt8 {
        let b = Array(bytes)
        guard b.count == Self.length else { return nil }
        scheme = b[0]
        keyID = b[1]
        reserved = UInt16(b[2]) << 8 | UInt16(b[3])
        sequence = b[4..<12].reduce(0) { $0 << 8 | UInt64($1) }
        mac = Array(b[12..<28])
    }

    /// The first 12 bytes (everything but the HMAC).
    public var prefix: [UInt8] {
        [scheme, keyID, UInt8(reserved >> 8), UInt8(reserved & 0xff)] + (0..<8).map { UInt8(truncatingIfNeeded: sequence >> (56 - 8 * $0)) }
    }

    /// The 28 bytes.
    public var bytes: [UInt8] { prefix + mac.prefix(Self.macLength) + [UInt8](repeating: 0, count: max(0, Self.macLength - mac.count)) }

    /// The sender's seconds.
    public var seconds: UInt32 { UInt32(truncatingIfNeeded: sequence >> 32) }

    /// The HMAC of a PDU sent by `source` for an instance of `version` and `vrid`, with this trailer's first 12
    /// bytes.
    public func expectedMAC(key: [UInt8], pdu: [UInt8], version: VRRPVersion, vrid: UInt8, source: IPAddress) -> [UInt8] {
        var pseudo = [UInt8](repeating: 0, count: 20)
        pseudo[0] = source.isIPv6 ? 6 : 4
        pseudo[1] = version.rawValue
        pseudo[2] = vrid
        for (i, b) in source.bytes.prefix(16).enumerated() { pseudo[4 + i] = b }
        var message = pseudo
        if pdu.count >= 8 {
            message += pdu[0..<6]
            message += [0, 0]
            message += pdu[8...]
        } else {
            message += pdu
        }
        message += prefix
        message += [UInt8](repeating: 0, count: Self.macLength)
        return Array(Self.hmacSHA256(key: key, message: message).prefix(Self.macLength))
    }

    /// The sequence a clock reading gives: seconds in the high 32 bits, the fraction of a second in 1/65536 in the
    /// next 16, the counter zero.
    public static func clockSequence(_ t: WallTime) -> UInt64 {
        let fraction = (UInt64(max(0, min(t.nanoseconds, 999_999_999))) << 16) / 1_000_000_000
        return UInt64(UInt32(truncatingIfNeeded: t.seconds)) << 32 | fraction << 16
    }

    /// Serial-number order (RFC 1982) over the 64-bit sequence: whether `a` comes after `b`.
    public static func isAfter(_ a: UInt64, _ b: UInt64) -> Bool { Int64(bitPattern: a &- b) > 0 }

    /// Signed difference in seconds, `a - b`, across the 32-bit wrap.
    static func secondsBetween(_ a: UInt32, _ b: UInt32) -> Int { Int(Int32(bitPattern: a &- b)) }
}

/// What a received advert brings for `auth_hmac`: the PDU as received, the trailer after it (nil: none), and the
/// wall clock when it was read.
public struct VRRPAuthHMACEvidence: Sendable, Hashable {
    /// The VRRP PDU, checksum as received.
    public var pdu: [UInt8]
    /// The 28 bytes after the PDU, nil when the payload was not exactly that much longer.
    public var trailer: [UInt8]?
    /// The wall clock at receipt.
    public var wallTime: WallTime?

    /// Creates the value.
    public init(pdu: [UInt8], trailer: [UInt8]?, wallTime: WallTime?) {
        self.pdu = pdu
        self.trailer = trailer
        self.wallTime = wallTime
    }
}

/// Why an advert failed `auth_hmac`.
public enum VRRPAuthHMACFailure: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    /// `mode enforce` and the advert has no trailer.
    case missing
    /// Another scheme, or a reserved field that is not zero.
    case malformed
    /// The key id names no key of ours.
    case unknownKey = "unknown_key"
    /// The HMAC is not the one our key gives (another key, altered in transit, forged).
    case invalid
    /// `anti_replay time`: the sender's clock is further from ours than `time_window`.
    case stale
    /// The sequence is not above the last one accepted from this sender.
    case replayed

    public var description: String {
        switch self {
        case .missing: "no auth_hmac trailer (mode enforce)"
        case .malformed: "auth_hmac trailer of another scheme or with a non-zero reserved field"
        case .unknownKey: "auth_hmac key id that names none of our keys"
        case .invalid: "invalid auth_hmac HMAC: another key, or altered in transit"
        case .stale: "stale auth_hmac sequence: the sender's clock is further from ours than time_window"
        case .replayed: "auth_hmac sequence already seen (a replay)"
        }
    }
}

/// The sender's side: the sequence of the adverts sent, and their trailers.
public struct VRRPAuthHMACSigner: Sendable, Hashable {
    /// The policy.
    public var policy: VRRPAuthHMACPolicy
    /// The last sequence sent (0: none yet).
    public private(set) var lastSequence: UInt64 = 0

    /// Creates a signer that has sent nothing.
    public init(policy: VRRPAuthHMACPolicy) { self.policy = policy }

    /// The next sequence: the clock's, or the last plus one when the clock has not moved past it. In time mode, a
    /// last sequence further ahead of the clock than the window (the clock was stepped back) restarts from the
    /// clock, since receivers would refuse it anyway.
    public mutating func nextSequence(now: WallTime) -> UInt64 {
        let clock = VRRPAuthHMACTrailer.clockSequence(now)
        if VRRPAuthHMACTrailer.isAfter(clock, lastSequence) {
            lastSequence = clock
        } else if policy.timeBased, VRRPAuthHMACTrailer.secondsBetween(UInt32(truncatingIfNeeded: lastSequence >> 32),
                                                                       UInt32(truncatingIfNeeded: clock >> 32)) > policy.timeWindow {
            lastSequence = clock
        } else {
            lastSequence &+= 1
        }
        return lastSequence
    }

    /// The trailer for one advert (`pdu` as encoded; its checksum does not matter), or nil in `receive-only`.
    /// A sequence is used once per advert: the copies to every unicast peer carry the same trailer.
    public mutating func trailer(pdu: [UInt8], version: VRRPVersion, vrid: UInt8, source: IPAddress,
                                 now: WallTime) -> [UInt8]? {
        guard policy.signs else { return nil }
        var t = VRRPAuthHMACTrailer(keyID: policy.activeKey, sequence: nextSequence(now: now), mac: [])
        if let key = policy.keys[policy.activeKey] {
            t.mac = t.expectedMAC(key: key, pdu: pdu, version: version, vrid: vrid, source: source)
        } else {
            t.mac = [UInt8](repeating: 0, count: VRRPAuthHMACTrailer.macLength)  // refused by every receiver
        }
        return t.bytes
    }
}

/// The receiver's side: the last sequence accepted from each sender. Unicast senders are the configured peers;
/// multicast senders take one of four places, the least recently heard one given up for a new sender (only after
/// its HMAC verified, so forged sources cannot churn the table).
public struct VRRPAuthHMACVerifier: Sendable, Hashable {
    /// How many multicast senders are remembered.
    public static let multicastSenders = 4

    private struct Mark: Sendable, Hashable {
        var source: IPAddress
        var sequence: UInt64?
        var used: UInt64
    }

    /// The policy.
    public var policy: VRRPAuthHMACPolicy
    private var unicast: [IPAddress: UInt64] = [:]
    private var multicast: [Mark] = []
    private var clock: UInt64 = 0

    /// Creates a verifier that has accepted nothing.
    public init(policy: VRRPAuthHMACPolicy) { self.policy = policy }

    /// Checks a received advert: `pdu` without the trailer, `trailer` the 28 bytes after it when there were
    /// exactly that many more. `unicastPeers` empty means multicast. Returns nil when the advert may go on, with
    /// `skew` set to the sender's clock minus ours in seconds (time mode).
    public mutating func verify(pdu: [UInt8], trailer: [UInt8]?, source: IPAddress, version: VRRPVersion, vrid: UInt8,
                                unicastPeers: [IPAddress], now: WallTime, skew: inout Int?) -> VRRPDiscardReason? {
        guard let raw = trailer else { return policy.mode == .enforce ? .authHMAC(.missing) : nil }
        if !unicastPeers.isEmpty, !unicastPeers.contains(source) { return .unicastSourceNotPeer }
        guard let t = VRRPAuthHMACTrailer(bytes: raw), t.scheme == VRRPAuthHMACTrailer.sha256Scheme, t.reserved == 0
        else { return .authHMAC(.malformed) }
        let nowSeconds = UInt32(truncatingIfNeeded: now.seconds)
        if policy.timeBased {
            // Before the HMAC: a flood of old captures costs no digest. It only rejects; nothing is trusted yet.
            let delta = VRRPAuthHMACTrailer.secondsBetween(nowSeconds, t.seconds)
            skew = -delta
            if abs(delta) > policy.timeWindow { return .authHMAC(.stale) }
        }
        guard let key = policy.keys[t.keyID] else { return .authHMAC(.unknownKey) }
        let expected = t.expectedMAC(key: key, pdu: pdu, version: version, vrid: vrid, source: source)
        guard Self.constantTimeEqual(expected, t.mac) else { return .authHMAC(.invalid) }
        clock &+= 1
        if !unicastPeers.isEmpty {
            let mark = expiring(unicast[source], now: nowSeconds)
            if let mark, !VRRPAuthHMACTrailer.isAfter(t.sequence, mark) { unicast[source] = mark; return .authHMAC(.replayed) }
            unicast[source] = t.sequence
            return nil
        }
        let slot: Int
        if let k = multicast.firstIndex(where: { $0.source == source }) {
            slot = k
        } else if multicast.count < Self.multicastSenders {
            multicast.append(Mark(source: source, sequence: nil, used: clock))
            slot = multicast.count - 1
        } else {
            slot = multicast.indices.min { multicast[$0].used < multicast[$1].used } ?? 0
            multicast[slot] = Mark(source: source, sequence: nil, used: clock)
        }
        multicast[slot].used = clock
        let mark = expiring(multicast[slot].sequence, now: nowSeconds)
        multicast[slot].sequence = mark
        if let mark, !VRRPAuthHMACTrailer.isAfter(t.sequence, mark) { return .authHMAC(.replayed) }
        multicast[slot].sequence = t.sequence
        return nil
    }

    /// A mark older (or newer) than the window only orders adverts the window refuses anyway: it is forgotten, so
    /// a sender whose clock was stepped back is heard again.
    private func expiring(_ mark: UInt64?, now: UInt32) -> UInt64? {
        guard let mark, policy.timeBased else { return mark }
        let age = VRRPAuthHMACTrailer.secondsBetween(now, UInt32(truncatingIfNeeded: mark >> 32))
        return abs(age) > policy.timeWindow ? nil : mark
    }

    static func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        var diff: UInt8 = 0
        for i in a.indices { diff |= a[i] ^ b[i] }
        return diff == 0
    }
}
