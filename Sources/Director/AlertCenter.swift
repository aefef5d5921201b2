import Alerts
import HA
import HealthCheck
import Logging
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// The adapter between the events of `vigil run` and the mailer: it hands each VRRP and health event to
/// `AlertRules`, dates and addresses what they return, and queues it on the `AlertMailer` (never waiting for a
/// mail server). It reads the host name, the user and the clock, and decides nothing.
public final class AlertCenter: Sendable {
    private let rules: Mutex<AlertRules>
    private let mailer: AlertMailer
    private let hostName: String
    private let logger: Logger

    /// A center for `plan`.
    public init(plan: AlertPlan, logger: Logger, mailer: AlertMailer? = nil) {
        let host = Self.hostName()
        self.hostName = host
        self.logger = logger
        self.rules = Mutex(AlertRules(plan: plan, hostName: host))
        self.mailer = mailer ?? AlertMailer(settings: Self.settings(plan, hostName: host), logger: logger)
        announce(plan)
    }

    /// The mailer's counters.
    public var counters: AlertCounters { mailer.counters }

    /// A reload: new SMTP settings from the next delivery on, new switches from the next event on.
    public func configurationChanged(_ plan: AlertPlan) {
        rules.withLock { $0.planChanged(plan) }
        mailer.settingsChanged(Self.settings(plan, hostName: hostName))
        announce(plan)
    }

    /// A VRRP event (transitions become alerts).
    public func vrrpEventReceived(_ event: VRRPEvent) {
        let alerts = rules.withLock { $0.vrrpEventReceived(event) }
        queue(alerts)
    }

    /// A health-check event (real servers up/down and quorum changes become alerts).
    public func healthEventReceived(_ event: HealthCheckEvent) {
        let alerts = rules.withLock { $0.healthEventReceived(event) }
        queue(alerts)
    }

    /// Waits (bounded) for the queued alerts to be delivered.
    public func drain(limit: Duration) async -> Bool { await mailer.waitUntilIdle(limit: limit) }

    private func queue(_ alerts: [Alert]) {
        guard !alerts.isEmpty, let settings = mailer.settings else { return }
        let date = Self.now()
        for alert in alerts { mailer.send(alert.mail(from: settings.from, to: settings.recipients, date: date)) }
    }

    private func announce(_ plan: AlertPlan) {
        guard let settings = Self.settings(plan, hostName: hostName) else { return }
        logger.notice("alerts: mailed through \(settings.server) from \(settings.from) to \(settings.recipients.joined(separator: ", "))")
    }

    /// The SMTP settings of `plan` with keepalived's defaults, nil when nothing is mailed.
    static func settings(_ plan: AlertPlan, hostName: String) -> SMTPSettings? {
        guard plan.isEnabled, let host = plan.smtpHost else { return nil }
        return SMTPSettings(host: host, port: plan.smtpPort, connectTimeout: plan.connectTimeout,
                            heloName: plan.heloName ?? hostName,
                            from: plan.from ?? "\(userName())@\(hostName)", recipients: plan.recipients)
    }

    private static func hostName() -> String {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count - 1) == 0 else { return "localhost" }
        let name = String(decoding: buffer.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return name.isEmpty ? "localhost" : name
    }

    private static func userName() -> String {
        guard let pw = getpwuid(getuid()), let name = pw.pointee.pw_name else { return "root" }
        return String(cString: name)
    }

    private static func now() -> MailDate {
        var t = time(nil)
        var local = tm()
        localtime_r(&t, &local)
        return MailDate(secondsSinceEpoch: Int64(t), utcOffsetSeconds: Int(local.tm_gmtoff))
    }
}
