/// The transport protocol of a virtual server (`protocol TCP|UDP|SCTP`).
public enum TransportProtocol: String, Hashable, Sendable, Comparable, Codable, CaseIterable {
    /// TCP (keepalived's default).
    case tcp
    /// UDP.
    case udp
    /// SCTP.
    case sctp

    public static func < (a: TransportProtocol, b: TransportProtocol) -> Bool {
        allCases.firstIndex(of: a) ?? 0 < allCases.firstIndex(of: b) ?? 0
    }
}

/// Identifies a `virtual_server` block: how health checks, the LVS table, status and metrics name the same block.
///
/// Two blocks on the same address and port with different protocols (a DNS service on TCP and UDP) are two
/// virtual servers. The text form is the operator's name of the block: `10.0.0.1:80`, `[2001:db8::1]:443`,
/// `fwmark 7`, `group web`, with `/udp` or `/sctp` after it for those protocols.
public struct VirtualServerID: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// What the block is written on.
    public enum Address: Hashable, Sendable, Comparable {
        /// `virtual_server IP PORT`.
        case ip(IPAddress, port: UInt16)
        /// `virtual_server fwmark N`.
        case fwmark(UInt32)
        /// `virtual_server group NAME`.
        case group(String)
    }

    /// What the block is written on.
    public var address: Address
    /// Its `protocol`.
    public var transport: TransportProtocol

    /// An ID.
    public init(_ address: Address, transport: TransportProtocol = .tcp) {
        self.address = address
        self.transport = transport
    }

    /// The virtual server's port, when it is written on an address.
    public var port: UInt16? {
        if case .ip(_, let port) = address { return port }
        return nil
    }

    public var description: String {
        let base: String = switch address {
        case .ip(let ip, let port): ip.withPort(port)
        case .fwmark(let mark): "fwmark \(mark)"
        case .group(let name): "group \(name)"
        }
        return transport == .tcp ? base : "\(base)/\(transport.rawValue)"
    }

    public static func < (a: VirtualServerID, b: VirtualServerID) -> Bool {
        (a.address, a.transport) < (b.address, b.transport)
    }
}

/// Identifies one real server of one virtual server: the key health reports and pool entries share.
public struct RealServerID: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// The virtual server.
    public var virtualServer: VirtualServerID
    /// The real server's address.
    public var address: IPAddress
    /// The real server's port (0 when neither it nor its virtual server has one: fwmark services).
    public var port: UInt16

    /// An ID.
    public init(virtualServer: VirtualServerID, address: IPAddress, port: UInt16) {
        self.virtualServer = virtualServer
        self.address = address
        self.port = port
    }

    /// `host:port`, with brackets around IPv6 hosts.
    public var realServer: String { address.withPort(port) }

    public var description: String { realServer }

    public static func < (a: RealServerID, b: RealServerID) -> Bool {
        (a.virtualServer, a.address, a.port) < (b.virtualServer, b.address, b.port)
    }
}
