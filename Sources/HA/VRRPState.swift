/// A VRRP state as operators know it from keepalived's logs.
public enum VRRPState: String, Sendable, Hashable, CustomStringConvertible {
    /// Not started yet.
    case initialize = "INIT"
    /// Listening to a master; takes over when the master-down timer expires.
    case backup = "BACKUP"
    /// Holding the virtual addresses and advertising.
    case master = "MASTER"
    /// A tracked interface or script forbids serving; neither advertises nor holds addresses.
    case fault = "FAULT"
    /// Shut down.
    case stop = "STOP"

    public var description: String { rawValue }
}
