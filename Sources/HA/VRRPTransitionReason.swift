import Vocabulary

/// Why a state changed. Printed in the transition log line.
public enum VRRPTransitionReason: Sendable, Hashable, CustomStringConvertible {
    /// `start` of an instance that is not the address owner.
    case startup
    /// `start` of the address owner (priority 255), RFC 3768 §6.4.1.
    case addressOwner
    /// No advertisement from a master for Master_Down_Interval; `lastAdvertAge` is the time since the
    /// last accepted one (nil if none was ever seen).
    case masterDownTimerExpired(lastAdvertAge: Duration?)
    /// The previous master announced priority 0 and Skew_Time has elapsed.
    case masterLeft
    /// An advertisement with a higher priority (or equal priority and higher address) arrived.
    case higherPriorityAdvert(priority: UInt8, from: IPAddress)
    /// A tracker put the instance into Fault.
    case fault
    /// The trackers recovered.
    case faultCleared
    /// A tracked interface (the primary `interface` unless `dont_track_primary`, or a weight-0 `track_interface`)
    /// lost IFF_UP or IFF_RUNNING.
    case interfaceDown(String)
    /// A tracked interface was deleted (or renamed away).
    case interfaceDeleted(String)
    /// A tracked interface is up again and no other tracker holds the instance in FAULT.
    case interfaceUp(String)
    /// The instance was shut down.
    case shutdown
    /// The sync group moved another member into this state.
    case syncGroup(String)
    /// A planned handover: the new Master `to` advertised, so this one let its VIPs go.
    case handedOver(to: IPAddress)
    /// The configuration keeps the instance in FAULT (`unicast_fault_no_peer` without a peer); says why.
    case configurationFault(String)
    /// A reload (SIGHUP) removed the instance from the configuration.
    case removedByReload
    /// `timer_expired_backup`: the Master ran so late that it sent no advert for longer than another node's
    /// Master_Down_Interval (`silent`), so another node may have taken over.
    case timerExpired(silent: Duration)

    public var description: String {
        switch self {
        case .startup: return "startup"
        case .addressOwner: return "address owner (priority 255)"
        case .masterDownTimerExpired(let age):
            if let age {
                return "master down timer expired, last advert \(String(format2: age.seconds)) s ago"
            }
            return "master down timer expired, no advert seen"
        case .masterLeft: return "master sent priority 0, skew time elapsed"
        case .higherPriorityAdvert(let p, let from): return "higher priority advert: priority \(p) from \(from)"
        case .fault: return "tracker failed"
        case .faultCleared: return "trackers recovered"
        case .interfaceDown(let name): return "interface \(name) link down"
        case .interfaceDeleted(let name): return "interface \(name) deleted"
        case .interfaceUp(let name): return "interface \(name) link up"
        case .shutdown: return "shutdown"
        case .syncGroup(let name): return "sync group \(name)"
        case .handedOver(let to): return "handover: \(to) advertises as MASTER"
        case .configurationFault(let why): return why
        case .removedByReload: return "removed from the configuration by a reload"
        case .timerExpired(let silent):
            return "no advert sent for \(String(format2: silent.seconds)) s (ran late): another node may have taken over (timer_expired_backup)"
        }
    }
}

extension String {
    /// `value` with two decimals, without Foundation.
    init(format2 value: Double) {
        let hundredths = Int((value * 100).rounded())
        let whole = hundredths / 100
        let frac = abs(hundredths % 100)
        self = "\(whole).\(frac < 10 ? "0" : "")\(frac)"
    }
}
