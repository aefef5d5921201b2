import Vocabulary

/// One address assigned to an interface, as rtnetlink lists it (RTM_GETADDR).
public struct InterfaceAddress: Sendable, Hashable, CustomStringConvertible {
    /// The interface name (not the IPv4 label).
    public var interface: String
    /// The address (IFA_LOCAL for IPv4, IFA_ADDRESS for IPv6).
    public var address: IPAddress
    /// The prefix length.
    public var prefixLength: UInt8

    /// Creates an interface address.
    public init(interface: String, address: IPAddress, prefixLength: UInt8) {
        self.interface = interface
        self.address = address
        self.prefixLength = prefixLength
    }

    public var description: String { "\(address)/\(prefixLength) on \(interface)" }
}
