import Vocabulary

/// The static description of one VRRP instance, as the core needs it.
public struct VRRPInstanceConfiguration: Sendable, Hashable {
    /// `vrrp_instance` name, used in log lines and notify arguments.
    public var name: String
    /// Protocol version (keepalived's `version`, default 2).
    public var version: VRRPVersion
    /// Virtual router id, 1…255.
    public var vrid: UInt8
    /// Configured priority, 1…255 (255 = address owner).
    public var priority: UInt8
    /// Advertisement interval (`advert_int`); v2 rounds to whole seconds.
    public var advertInterval: Duration
    /// Whether a higher-priority backup takes over from a lower-priority master (default true).
    public var preempt: Bool
    /// Time after start (or after leaving Fault) during which this node does not preempt.
    public var preemptDelay: Duration
    /// The virtual addresses carried in advertisements (`virtual_ipaddress`, without the excluded ones).
    public var virtualAddresses: [IPAddress]
    /// VRRPv2 authentication (`authentication { auth_type PASS; auth_pass … }`).
    public var authentication: VRRPAuthentication
    /// With `authentication == .ah`: the HMAC key, `auth_pass` (8 bytes at most, as keepalived keeps it).
    public var authenticationHeaderKey: [UInt8] = []
    /// `auth_hmac` (keepalived 2.4): adverts carry an HMAC-SHA256 trailer; nil without it.
    public var authHMAC: VRRPAuthHMACPolicy?
    /// This node's primary address on the interface (or `unicast_src_ip`), for equal-priority tie-break.
    public var primaryAddress: IPAddress
    /// keepalived's `skip_check_adv_addr`: a Backup does not check the address list of adverts that come from the
    /// master it already follows (the first advert of a new master is checked all the same).
    public var skipAddressListCheck = false
    /// `unicast_peer`s; empty means multicast.
    public var unicastPeers: [IPAddress] = []
    /// keepalived's `check_unicast_src` (instance or global): unicast adverts from a source that is not one of
    /// `unicastPeers` are dropped. Off by default: keepalived accepts them.
    public var checkUnicastSource = false
    /// A Master answers a lower-priority advert with its own at once (keepalived's default; off with
    /// `lower_prio_no_advert` and in strict mode), so the other Master yields without waiting for the next interval.
    public var advertisesOnLowerPriority = true
    /// A Master sends its advert before yielding to a higher priority (`higher_prio_send_advert`, off by default).
    public var advertisesOnHigherPriority = false
    /// keepalived's `down_timer_adverts` (1…100): Master_Down_Interval is this many advert intervals plus Skew_Time
    /// instead of the RFCs' 3.
    public var downTimerAdverts = 3
    /// The checksum of VRRPv3 adverts over IPv4 (`old_unicast_checksum`, `v3_checksum_as_v2`).
    public var checksum = VRRPChecksumPolicy()
    /// keepalived's `owner_ignore_adverts`: while its effective priority is 255, the instance drops every advert
    /// it receives (counted, not acted on), so no other node can make it yield.
    public var ownerIgnoresAdverts = false
    /// keepalived's `timer_expired_backup [P]` (with `nopreempt`): a Master that finds it sent no advert for longer
    /// than the Master_Down_Interval of a node at priority P (3 × advert_int + its skew time) goes to Backup.
    public var timerExpiredBackupPriority: UInt8?

    /// Creates a configuration; defaults follow keepalived.
    public init(name: String, version: VRRPVersion = .v2, vrid: UInt8, priority: UInt8 = 100,
                advertInterval: Duration = .seconds(1), preempt: Bool = true, preemptDelay: Duration = .zero,
                virtualAddresses: [IPAddress], authentication: VRRPAuthentication = .none,
                primaryAddress: IPAddress) {
        self.name = name
        self.version = version
        self.vrid = vrid
        self.priority = priority
        self.advertInterval = advertInterval
        self.preempt = preempt
        self.preemptDelay = preemptDelay
        self.virtualAddresses = virtualAddresses
        self.authentication = authentication
        self.primaryAddress = primaryAddress
    }

    /// The advert interval in centiseconds as it goes on the wire (v2: whole seconds × 100).
    public var intervalCentiseconds: UInt16 {
        let cs = max(1, min(4095, (advertInterval.nanoseconds + 5_000_000) / 10_000_000))
        switch version {
        case .v2: return UInt16(max(1, min(255, (cs + 50) / 100)) * 100)
        case .v3: return UInt16(cs)
        }
    }
}
