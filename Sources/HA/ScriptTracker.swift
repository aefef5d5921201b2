// Theory of operation
// -------------------
// The rise/fall hysteresis of one `vrrp_script`, as a plain value. Each finished run of the script
// (exit 0 = success; non-zero, signal or timeout = failure) is fed to `resultReceived`; the tracker
// flips to down after `fall` consecutive failures and back up after `rise` consecutive successes.
// Running the script and timing it out is the adapter's job (`VRRPScripts` in the runtime).


/// Rise/fall state of one tracked script.
public struct ScriptTracker: Sendable, Hashable {
    /// Consecutive successes needed to go up.
    public let rise: Int
    /// Consecutive failures needed to go down.
    public let fall: Int
    /// Whether the script currently counts as succeeding.
    public private(set) var isUp: Bool
    private var streak = 0

    /// Creates a tracker; `initFail` starts it down (keepalived's `init_fail`), otherwise up.
    public init(rise: Int = 1, fall: Int = 1, initFail: Bool = false) {
        self.rise = max(1, rise)
        self.fall = max(1, fall)
        self.isUp = !initFail
    }

    /// Feeds one result. Returns true when `isUp` changed.
    public mutating func resultReceived(success: Bool) -> Bool {
        if success == isUp {
            streak = 0
            return false
        }
        streak += 1
        if streak >= (success ? rise : fall) {
            isUp = success
            streak = 0
            return true
        }
        return false
    }
}
