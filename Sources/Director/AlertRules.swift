// Theory of operation
//
// `AlertRules` decides which events are mailed, as keepalived 2.2.7 does (`vrrp_notify.c`, the checkers,
// `ipwrapper.c`), and words each alert. It is pure: events in, `Alert`s out; the time arrives with `mail(…)`.
// - A VRRP instance entering MASTER, BACKUP, FAULT or STOP is mailed when its `smtp_alert` is on, unless it is FAULT
//   under `no_email_faults`, and only when the state differs from the last one mailed for it (keepalived's
//   `last_email_state`), so the start (INIT → BACKUP) is mailed once and a repeat is not.
// - A sync group is mailed when every member has entered the same state (MASTER, BACKUP, FAULT or STOP), under the
//   same rules with the group's own `smtp_alert`.
// - A real server going UP or DOWN (not a weight change, not its first report) is mailed when its `smtp_alert` is on.
// - A virtual server's quorum gained or lost is mailed when its `smtp_alert` is on.
// The rules keep the member states and the last mailed states across a reload (`planChanged`).

import Alerts
import HA
import HealthCheck
import Vocabulary

/// One alert before it is addressed and dated.
public struct Alert: Hashable, Sendable {
    /// The subject, `[node] …`.
    public var subject: String
    /// The body's lines, without the time (added by `mail`).
    public var lines: [String]

    /// An alert.
    public init(subject: String, lines: [String]) {
        self.subject = subject
        self.lines = lines
    }

    /// The mail of this alert at `date`.
    public func mail(from: String, to: [String], date: MailDate) -> AlertMail {
        AlertMail(from: from, to: to, subject: subject,
                  body: (lines + ["Time: \(date.readable)", "", "-- Vigil"]).joined(separator: "\n"), date: date)
    }
}

/// Which events become alerts, and their wording.
public struct AlertRules: Sendable {
    /// The plan in force.
    public private(set) var plan: AlertPlan
    /// How the node is named in subjects: `router_id`, else the host name.
    public let node: String
    private var instanceStates: [String: VRRPState] = [:]
    private var mailedInstance: [String: VRRPState] = [:]
    private var mailedGroup: [String: VRRPState] = [:]

    /// Rules for `plan`; `hostName` names the node when the plan has no `router_id`.
    public init(plan: AlertPlan, hostName: String) {
        self.plan = plan
        self.node = plan.routerID ?? hostName
    }

    /// A reload: new switches; the states seen and mailed are kept.
    public mutating func planChanged(_ new: AlertPlan) {
        plan = new
    }

    /// The alerts of a VRRP event.
    public mutating func vrrpEventReceived(_ event: VRRPEvent) -> [Alert] {
        guard case .transition(let instance, let from, let to, let reason) = event else { return [] }
        instanceStates[instance] = to
        guard Self.isMailed(to) else { return [] }
        var out: [Alert] = []
        if plan.instances[instance] == true, !(to == .fault && plan.noEmailFaults), mailedInstance[instance] != to {
            mailedInstance[instance] = to
            out.append(Alert(
                subject: "[\(node)] VRRP instance \(instance): \(from) -> \(to)",
                lines: ["vrrp_instance \(instance) on \(node) went from \(from) to \(to).",
                        "Reason: \(reason).",
                        Self.meaning(to, group: false)]))
        }
        for group in plan.syncGroups where group.members.contains(instance) && group.alert {
            guard group.members.allSatisfy({ instanceStates[$0] == to }), mailedGroup[group.name] != to,
                  !(to == .fault && plan.noEmailFaults) else { continue }
            mailedGroup[group.name] = to
            out.append(Alert(
                subject: "[\(node)] VRRP sync group \(group.name): \(to)",
                lines: ["Every member of vrrp_sync_group \(group.name) on \(node) (\(group.members.joined(separator: ", "))) is now \(to).",
                        "Last to change: vrrp_instance \(instance), \(from) -> \(to): \(reason).",
                        Self.meaning(to, group: true)]))
        }
        return out
    }

    /// The alerts of a health-check event.
    public func healthEventReceived(_ event: HealthCheckEvent) -> [Alert] {
        switch event {
        case .realServer(let change):
            guard let previous = change.previous, previous.alive != change.state.alive,
                  plan.realServers[change.key] == true else { return [] }
            let was = previous.alive ? "UP" : "DOWN"
            let now = change.state.alive ? "UP" : "DOWN"
            let rs = change.key.realServer
            let vs = change.key.virtualServer
            return [Alert(
                subject: "[\(node)] real server \(rs) of virtual server \(vs): \(now)",
                lines: ["real_server \(rs) of virtual_server \(vs) on \(node) went from \(was) to \(now).",
                        "Reason: \(change.reason).",
                        change.state.alive ? "It is back in the pool." : (change.state.inhibitOnFailure
                            ? "It stays in the pool at weight 0 (inhibit_on_failure)." : "It is out of the pool.")])]
        case .quorum(let vs, let up, let weight, let reason):
            guard plan.virtualServers[vs] == true else { return [] }
            return [Alert(
                subject: "[\(node)] virtual server \(vs): quorum \(up ? "UP" : "DOWN")",
                lines: ["virtual_server \(vs) on \(node) \(up ? "gained" : "lost") its quorum: live weight \(weight), \(reason).",
                        up ? "Its real servers serve again." : "It now serves from its sorry_server, if it has one."])]
        }
    }

    private static func isMailed(_ state: VRRPState) -> Bool {
        switch state {
        case .master, .backup, .fault, .stop: true
        case .initialize: false
        }
    }

    private static func meaning(_ state: VRRPState, group: Bool) -> String {
        let who = group ? "The group's instances" : "It"
        switch state {
        case .master: return "\(who) now hold\(group ? "" : "s") the virtual addresses."
        case .backup, .fault: return "\(who) no longer hold\(group ? "" : "s") the virtual addresses."
        case .stop, .initialize: return "\(who) \(group ? "are" : "is") stopping."
        }
    }
}
