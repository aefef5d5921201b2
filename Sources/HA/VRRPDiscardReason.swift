/// Why a received advertisement was not acted upon. Counted in `VRRPCounters`.
public enum VRRPDiscardReason: Sendable, Hashable {
    /// TTL / hop limit was not 255 (RFC 3768 §7.1, RFC 5798 §7.1).
    case badTTL(UInt8)
    /// The version differs from the configured one.
    case versionMismatch(VRRPVersion)
    /// The VRID is not this instance's.
    case vridMismatch(UInt8)
    /// VRRPv2 authentication type or password differs.
    case authenticationMismatch
    /// An advert in an Authentication Header while the instance has no `auth_type AH`, or a plain one while it has.
    case authenticationTypeMismatch
    /// The Authentication Header's ICV is not the one our `auth_pass` gives, or its SPI is not the sender's address.
    case authenticationHeaderInvalid
    /// The Authentication Header's sequence number is not above the last one seen or sent (a replay).
    case authenticationSequenceReplayed(UInt32)
    /// VRRPv2 advertisement interval differs from the configured one (RFC 3768 §7.1).
    case intervalMismatch(centiseconds: UInt16)
    /// The address family differs from the configured addresses.
    case familyMismatch
    /// The advert's address list is not this instance's `virtual_ipaddress` list (keepalived drops it unless
    /// `skip_check_adv_addr` and the advert comes from the master already followed).
    case addressListMismatch
    /// A unicast advert from a source that is not a `unicast_peer`, with `check_unicast_src`.
    case unicastSourceNotPeer
    /// The instance is the address owner (priority 255) with `owner_ignore_adverts`.
    case addressOwner
    /// `auth_hmac` refused the advert.
    case authHMAC(VRRPAuthHMACFailure)
    /// The packet could not be decoded.
    case malformed(VRRPDecodingError)
}

extension VRRPDiscardReason: CustomStringConvertible {
    public var description: String {
        switch self {
        case .badTTL(let t): return "TTL \(t), expected 255"
        case .versionMismatch(let v): return "\(v) advert, configured version differs"
        case .vridMismatch(let v): return "VRID \(v) is not ours"
        case .authenticationMismatch: return "authentication mismatch"
        case .authenticationTypeMismatch: return "AH and auth_type differ (one side uses AH, the other does not)"
        case .authenticationHeaderInvalid: return "invalid AH (HMAC-MD5 or SPI): a different auth_pass, or altered in transit"
        case .authenticationSequenceReplayed(let n): return "AH sequence number \(n) already seen (replay)"
        case .intervalMismatch(let cs): return "advert interval \(String(format2: Double(cs) / 100)) s differs from ours"
        case .familyMismatch: return "address family differs from ours"
        case .addressListMismatch: return "address list differs from our virtual_ipaddress"
        case .unicastSourceNotPeer: return "source is not a unicast_peer (check_unicast_src)"
        case .addressOwner: return "we are the address owner (owner_ignore_adverts)"
        case .authHMAC(let f): return f.description
        case .malformed(let e): return "malformed: \(e)"
        }
    }
}
