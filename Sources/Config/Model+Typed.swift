import Vocabulary

/// `lb_kind TUN [type ipip|gue|gre] [port N] [nocsum|csum|remcsum]`: the tunnel IPVS uses to reach the real servers.
public struct TunnelSettings: Sendable, Equatable, Codable {
    /// The encapsulation.
    public enum Kind: String, Sendable, Equatable, Codable, CaseIterable {
        /// IP in IP (the default).
        case ipip
        /// Generic UDP Encapsulation (needs `port`).
        case gue
        /// Generic Routing Encapsulation.
        case gre
    }

    /// GUE/GRE checksum handling.
    public enum Checksum: String, Sendable, Equatable, Codable, CaseIterable {
        /// No checksum (the kernel's default).
        case nocsum
        /// A checksum.
        case csum
        /// Remote checksum offload.
        case remcsum
    }

    /// The encapsulation.
    public var kind: Kind = .ipip
    /// The GUE destination port.
    public var port: UInt16?
    /// The checksum option, when written.
    public var checksum: Checksum?

    /// IPIP without options.
    public init(kind: Kind = .ipip, port: UInt16? = nil, checksum: Checksum? = nil) {
        self.kind = kind
        self.port = port
        self.checksum = checksum
    }
}

/// A scheduler flag line of a virtual server (`flag-1`, `sh-port`, …): IPVS's three scheduler flags by their
/// keepalived names.
public enum SchedulerFlag: String, Sendable, Equatable, Hashable, Codable, CaseIterable {
    /// `flag-1`.
    case flag1 = "flag-1"
    /// `flag-2`.
    case flag2 = "flag-2"
    /// `flag-3`.
    case flag3 = "flag-3"
    /// `sh-fallback` (flag-1 for the sh scheduler).
    case shFallback = "sh-fallback"
    /// `sh-port` (flag-2 for the sh scheduler).
    case shPort = "sh-port"
    /// `mh-fallback` (flag-1 for the mh scheduler).
    case mhFallback = "mh-fallback"
    /// `mh-port` (flag-2 for the mh scheduler).
    case mhPort = "mh-port"

    /// The IPVS scheduler flag it sets: 1, 2 or 3.
    public var ipvsFlag: Int {
        switch self {
        case .flag1, .shFallback, .mhFallback: 1
        case .flag2, .shPort, .mhPort: 2
        case .flag3: 3
        }
    }
}

/// `http_protocol` of HTTP_GET/SSL_GET.
public enum HTTPProtocol: String, Sendable, Equatable, Codable, CaseIterable {
    /// `1.0` (keepalived's default).
    case http10 = "1.0"
    /// `1.0C`: HTTP/1.0 with `Connection: close`.
    case http10Close = "1.0C"
    /// `1.1`.
    case http11 = "1.1"
}

/// keepalived's free-form hex (`payload`, `require_reply`): digits in groups separated by blanks, each group read two
/// digits at a time (`Ab12f 3 456` is AB 12 0F 03 45 06). In `require_reply` an `X` digit matches any nibble.
public struct HexPattern: Sendable, Equatable, Codable {
    /// The bytes (wildcard nibbles are 0).
    public var bytes: [UInt8]
    /// For each byte, the bits that must match (0xF0 when the low nibble is a wildcard, and so on).
    public var mask: [UInt8]

    /// A pattern.
    public init(bytes: [UInt8], mask: [UInt8]? = nil) {
        self.bytes = bytes
        self.mask = mask ?? bytes.map { _ in 0xFF }
    }

    /// True when no nibble is a wildcard.
    public var isExact: Bool { mask.allSatisfy { $0 == 0xFF } }

    /// Parses `text`; `wildcards` allows `X`. Returns the offending character when the text is not hex.
    public static func parse(_ text: String, wildcards: Bool) -> Result<HexPattern, HexPatternError> {
        var bytes: [UInt8] = []
        var mask: [UInt8] = []
        for group in text.split(whereSeparator: { $0 == " " || $0 == "\t" }) {
            var digits = Array(group)
            while !digits.isEmpty {
                let take = Array(digits.prefix(2))
                digits.removeFirst(take.count)
                var value: UInt8 = 0
                var m: UInt8 = 0
                for ch in take {
                    value <<= 4
                    m <<= 4
                    if let d = ch.hexDigitValue {
                        value |= UInt8(d)
                        m |= 0xF
                    } else if wildcards, ch == "x" || ch == "X" {
                        // any nibble
                    } else {
                        return .failure(HexPatternError(character: ch))
                    }
                }
                if take.count == 1 { m |= 0xF0 }  // a lone digit is a whole byte, its high nibble 0
                bytes.append(value)
                mask.append(m)
            }
        }
        return .success(HexPattern(bytes: bytes, mask: mask))
    }
}

/// A character that is no hex digit.
public struct HexPatternError: Error, Sendable, Equatable {
    /// The character.
    public var character: Character
}
