import Vocabulary

/// How the checksum of a VRRPv3 advert over IPv4 is computed and verified. IPv6 and VRRPv2 have one rule each
/// (RFC 5798's pseudo-header, RFC 3768's plain checksum), which this does not change.
public enum VRRPChecksumRule: Sendable, Hashable {
    /// RFC 5798 §5.2.8: over the RFC 768 pseudo-header with the IP header's destination (keepalived's default).
    case rfc
    /// keepalived 1.3.6 and earlier for unicast adverts: the pseudo-header carries the multicast group
    /// (`vrrp_mcast_group4`) instead of the peer's address (`old_unicast_checksum`).
    case multicastGroup(IPAddress)
    /// Without any pseudo-header, as VRRPv2 (`v3_checksum_as_v2`, keepalived 2.2.8; some routers read RFC 5798 so,
    /// and RFC 9568 asks for it).
    case withoutPseudoHeader
}

/// An instance's checksum settings for VRRPv3 over IPv4, from keepalived's `old_unicast_checksum [never]` and
/// `v3_checksum_as_v2`.
public struct VRRPChecksumPolicy: Sendable, Hashable {
    /// What an instance with unicast peers does about keepalived 1.3.6's unicast checksum.
    public enum OldUnicast: Sendable, Hashable {
        /// The RFC checksum, until a unicast advert arrives whose checksum verifies only the old way: from then on
        /// this instance sends and expects the old one (keepalived's default).
        case detect
        /// The RFC checksum, never switching (`old_unicast_checksum never`).
        case never
        /// The old checksum from the start (`old_unicast_checksum`).
        case always
    }

    public var oldUnicast: OldUnicast
    /// `v3_checksum_as_v2`: no pseudo-header (takes precedence over `oldUnicast`, as in keepalived).
    public var withoutPseudoHeader: Bool
    /// The group the old unicast checksum puts in its pseudo-header (`vrrp_mcast_group4`, default 224.0.0.18).
    public var multicastGroup: IPAddress

    public init(oldUnicast: OldUnicast = .detect, withoutPseudoHeader: Bool = false,
                multicastGroup: IPAddress = VRRPAdvertisement.multicastV4) {
        self.oldUnicast = oldUnicast
        self.withoutPseudoHeader = withoutPseudoHeader
        self.multicastGroup = multicastGroup
    }

    /// The rule in force: `detected` once an old unicast checksum has been heard.
    public func rule(unicast: Bool, detected: Bool) -> VRRPChecksumRule {
        if withoutPseudoHeader { return .withoutPseudoHeader }
        guard unicast else { return .rfc }
        switch oldUnicast {
        case .always: return .multicastGroup(multicastGroup)
        case .never: return .rfc
        case .detect: return detected ? .multicastGroup(multicastGroup) : .rfc
        }
    }
}
