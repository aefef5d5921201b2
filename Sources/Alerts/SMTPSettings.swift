/// Where and how alerts are mailed: keepalived's `global_defs` SMTP settings with their defaults applied.
public struct SMTPSettings: Hashable, Sendable {
    /// `smtp_server` host: an address or a name (resolved at each delivery).
    public var host: String
    /// `smtp_server` port (default 25).
    public var port: UInt16
    /// `smtp_connect_timeout` (default 30 s): the limit of the connect and of the wait for each reply.
    public var connectTimeout: Duration
    /// `smtp_helo_name` (default: the host name).
    public var heloName: String
    /// `notification_email_from` (default: `user@host name`).
    public var from: String
    /// `notification_email`.
    public var recipients: [String]

    /// Settings.
    public init(host: String, port: UInt16 = 25, connectTimeout: Duration = .seconds(30), heloName: String,
                from: String, recipients: [String]) {
        self.host = host
        self.port = port
        self.connectTimeout = connectTimeout
        self.heloName = heloName
        self.from = from
        self.recipients = recipients
    }

    /// The whole delivery's limit: three times the connect timeout, so a server that answers each step just in time
    /// still cannot hold the one delivery slot for long.
    public var deliveryDeadline: Duration { connectTimeout * 3 }

    /// `host:port`, with brackets around an IPv6 address.
    public var server: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
}
