// The BFD Control packet of RFC 5880 §4.1 (no authentication section: Vigil, as keepalived, runs BFD without it).
// Decoding applies the reception checks of §6.8.6 that concern the packet alone; the session checks the rest.

/// A BFD session state (RFC 5880 §4.1, State field).
public enum BFDState: UInt8, Sendable, Hashable, CustomStringConvertible {
    case adminDown = 0
    case down = 1
    case initializing = 2
    case up = 3

    public var description: String {
        switch self {
        case .adminDown: "AdminDown"
        case .down: "Down"
        case .initializing: "Init"
        case .up: "Up"
        }
    }
}

/// Why a session left Up, or why it is down (RFC 5880 §4.1, Diagnostic field; the codes Vigil sends or shows).
public enum BFDDiagnostic: UInt8, Sendable, Hashable, CustomStringConvertible {
    case none = 0
    case controlDetectionTimeExpired = 1
    case echoFailed = 2
    case neighborSignaledDown = 3
    case forwardingPlaneReset = 4
    case pathDown = 5
    case concatenatedPathDown = 6
    case administrativelyDown = 7
    case reverseConcatenatedPathDown = 8

    public var description: String {
        switch self {
        case .none: "no diagnostic"
        case .controlDetectionTimeExpired: "control detection time expired"
        case .echoFailed: "echo function failed"
        case .neighborSignaledDown: "neighbor signaled session down"
        case .forwardingPlaneReset: "forwarding plane reset"
        case .pathDown: "path down"
        case .concatenatedPathDown: "concatenated path down"
        case .administrativelyDown: "administratively down"
        case .reverseConcatenatedPathDown: "reverse concatenated path down"
        }
    }
}

/// Why a received packet was dropped.
public enum BFDDecodingError: Error, Sendable, Hashable, CustomStringConvertible {
    case truncated(length: Int)
    case unsupportedVersion(UInt8)
    case badLength(field: Int, received: Int)
    case zeroDetectMultiplier
    case multipoint
    case zeroMyDiscriminator
    case zeroYourDiscriminator(BFDState)
    case authenticationPresent

    public var description: String {
        switch self {
        case .truncated(let n): "truncated (\(n) bytes, at least 24 needed)"
        case .unsupportedVersion(let v): "version \(v), expected 1"
        case .badLength(let field, let received): "length field \(field) does not fit the \(received) bytes received"
        case .zeroDetectMultiplier: "detect multiplier 0"
        case .multipoint: "multipoint bit set"
        case .zeroMyDiscriminator: "my discriminator 0"
        case .zeroYourDiscriminator(let s): "your discriminator 0 in state \(s)"
        case .authenticationPresent: "authentication present (not configured)"
        }
    }
}

/// One BFD Control packet. Intervals are in microseconds, as on the wire.
public struct BFDControlPacket: Sendable, Hashable {
    public var diagnostic: BFDDiagnostic
    public var state: BFDState
    public var poll: Bool
    public var final: Bool
    public var controlPlaneIndependent: Bool
    public var demand: Bool
    public var detectMultiplier: UInt8
    public var myDiscriminator: UInt32
    public var yourDiscriminator: UInt32
    public var desiredMinTxInterval: UInt32
    public var requiredMinRxInterval: UInt32
    public var requiredMinEchoRxInterval: UInt32

    public init(diagnostic: BFDDiagnostic = .none, state: BFDState, poll: Bool = false, final: Bool = false,
                controlPlaneIndependent: Bool = false, demand: Bool = false, detectMultiplier: UInt8,
                myDiscriminator: UInt32, yourDiscriminator: UInt32, desiredMinTxInterval: UInt32,
                requiredMinRxInterval: UInt32, requiredMinEchoRxInterval: UInt32 = 0) {
        self.diagnostic = diagnostic
        self.state = state
        self.poll = poll
        self.final = final
        self.controlPlaneIndependent = controlPlaneIndependent
        self.demand = demand
        self.detectMultiplier = detectMultiplier
        self.myDiscriminator = myDiscriminator
        self.yourDiscriminator = yourDiscriminator
        self.desiredMinTxInterval = desiredMinTxInterval
        self.requiredMinRxInterval = requiredMinRxInterval
        self.requiredMinEchoRxInterval = requiredMinEchoRxInterval
    }

    /// The 24 bytes on the wire.
    public func encode() -> [UInt8] {
        var flags: UInt8 = state.rawValue << 6
        if poll { flags |= 0x20 }
        if final { flags |= 0x10 }
        if controlPlaneIndependent { flags |= 0x08 }
        if demand { flags |= 0x02 }
        var out: [UInt8] = [1 << 5 | diagnostic.rawValue, flags, detectMultiplier, 24]
        for v in [myDiscriminator, yourDiscriminator, desiredMinTxInterval, requiredMinRxInterval,
                  requiredMinEchoRxInterval] {
            out += [UInt8(v >> 24), UInt8(v >> 16 & 0xff), UInt8(v >> 8 & 0xff), UInt8(v & 0xff)]
        }
        return out
    }

    /// Decodes a received packet, with the checks of RFC 5880 §6.8.6 that need no session.
    public static func decode(_ bytes: [UInt8]) throws(BFDDecodingError) -> BFDControlPacket {
        guard bytes.count >= 24 else { throw .truncated(length: bytes.count) }
        let version = bytes[0] >> 5
        guard version == 1 else { throw .unsupportedVersion(version) }
        let length = Int(bytes[3])
        guard length >= 24, length <= bytes.count else { throw .badLength(field: length, received: bytes.count) }
        let flags = bytes[1]
        guard flags & 0x04 == 0 else { throw .authenticationPresent }
        guard bytes[2] != 0 else { throw .zeroDetectMultiplier }
        guard flags & 0x01 == 0 else { throw .multipoint }
        func word(_ at: Int) -> UInt32 {
            UInt32(bytes[at]) << 24 | UInt32(bytes[at + 1]) << 16 | UInt32(bytes[at + 2]) << 8 | UInt32(bytes[at + 3])
        }
        let my = word(4), your = word(8)
        guard my != 0 else { throw .zeroMyDiscriminator }
        guard let state = BFDState(rawValue: flags >> 6) else { throw .truncated(length: bytes.count) }
        if your == 0, state != .down, state != .adminDown { throw .zeroYourDiscriminator(state) }
        // Codes 9…31 are reserved: read as no diagnostic rather than dropping a valid packet.
        let diagnostic = BFDDiagnostic(rawValue: bytes[0] & 0x1f) ?? .none
        return BFDControlPacket(diagnostic: diagnostic, state: state, poll: flags & 0x20 != 0, final: flags & 0x10 != 0,
                                controlPlaneIndependent: flags & 0x08 != 0, demand: flags & 0x02 != 0,
                                detectMultiplier: bytes[2], myDiscriminator: my, yourDiscriminator: your,
                                desiredMinTxInterval: word(12), requiredMinRxInterval: word(16),
                                requiredMinEchoRxInterval: word(20))
    }
}
