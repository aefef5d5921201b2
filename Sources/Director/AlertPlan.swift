import Config
import Vocabulary

/// The e-mail alerts of a configuration, as keepalived 2.2.7 decides them (`global_defs`, then each block's
/// `smtp_alert`), with every switch resolved once per load:
/// - a `vrrp_instance` or `vrrp_sync_group`: its `smtp_alert`, else `smtp_alert_vrrp`, else `smtp_alert`, else off;
/// - a `virtual_server` (quorum changes): its `smtp_alert`, else `smtp_alert_checker`, else `smtp_alert`, else off;
/// - a `real_server` (up/down): its `smtp_alert`, else `smtp_alert_checker`, else `smtp_alert`, else **on** (keepalived's
///   own default, unlike the others).
/// Nothing is mailed unless both `smtp_server` and `notification_email` are written.
public struct AlertPlan: Sendable, Hashable {
    /// A sync group's members and switch.
    public struct SyncGroup: Sendable, Hashable {
        /// Its name.
        public var name: String
        /// Its members' names.
        public var members: [String]
        /// Whether its changes are mailed.
        public var alert: Bool
    }

    /// `smtp_server` host (nil: none written).
    public var smtpHost: String?
    /// `smtp_server` port.
    public var smtpPort: UInt16 = 25
    /// `smtp_connect_timeout`.
    public var connectTimeout: Duration = .seconds(30)
    /// `smtp_helo_name` (nil: the host name).
    public var heloName: String?
    /// `notification_email_from` (nil: `user@host name`).
    public var from: String?
    /// `notification_email`.
    public var recipients: [String] = []
    /// `router_id` (nil: the host name): names the node in each subject.
    public var routerID: String?
    /// `no_email_faults`.
    public var noEmailFaults = false
    /// Each instance's resolved `smtp_alert`.
    public var instances: [String: Bool] = [:]
    /// The sync groups.
    public var syncGroups: [SyncGroup] = []
    /// Each virtual server's resolved `smtp_alert` (quorum changes).
    public var virtualServers: [VirtualServerID: Bool] = [:]
    /// Each real server's resolved `smtp_alert` (up/down).
    public var realServers: [RealServerID: Bool] = [:]

    /// No alerts.
    public init() {}

    /// Whether anything can be mailed: a server and at least one recipient.
    public var isEnabled: Bool { smtpHost != nil && !recipients.isEmpty }
}

extension DirectorPlan {
    /// The alert plan of a configuration.
    static func alerts(_ config: KeepalivedConfig) -> AlertPlan {
        let g = config.globalDefs
        var plan = AlertPlan()
        plan.smtpHost = g.smtpServer
        plan.smtpPort = g.smtpPort
        // keepalived: 0 is read as 1 ("must be greater than 0").
        plan.connectTimeout = max(g.smtpConnectTimeout, .seconds(1))
        plan.heloName = g.smtpHeloName
        plan.from = g.notificationEmailFrom
        plan.recipients = g.notificationEmail
        plan.routerID = g.routerID
        plan.noEmailFaults = g.noEmailFaults
        let vrrpDefault = g.smtpAlertVRRP ?? g.smtpAlert ?? false
        let checkerDefault = g.smtpAlertChecker ?? g.smtpAlert
        for instance in config.vrrpInstances {
            plan.instances[instance.name] = instance.smtpAlert ?? vrrpDefault
        }
        plan.syncGroups = config.vrrpSyncGroups.map {
            AlertPlan.SyncGroup(name: $0.name, members: $0.group.map(\.name), alert: $0.smtpAlert ?? vrrpDefault)
        }
        for vs in config.virtualServers {
            let id = id(of: vs)
            plan.virtualServers[id] = vs.smtpAlert ?? checkerDefault ?? false
            for rs in vs.realServers {
                let key = RealServerID(virtualServer: id, address: rs.address, port: rs.port ?? id.port ?? 0)
                plan.realServers[key] = rs.smtpAlert ?? checkerDefault ?? true
            }
        }
        return plan
    }
}
