/// Something observable the runtime did; the Director consumes these as an `AsyncStream`.
public enum VRRPEvent: Sendable, Hashable {
    /// An instance changed state.
    case transition(instance: String, from: VRRPState, to: VRRPState, reason: VRRPTransitionReason)
    /// An I/O operation failed (send, address change); the runtime keeps running.
    case ioError(instance: String, message: String)
    /// A BACKUP instance's master went silent (`true`: a takeover may follow) or advertises again (`false`); see
    /// `VRRPAction.masterSilence`.
    case masterSilence(instance: String, silent: Bool)
    /// The runtime finished shutting down.
    case stopped
}
