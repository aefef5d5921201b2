/// One keyword of the keepalived.conf grammar, as data: its name, the aliases keepalived accepts,
/// its arguments and what follows it (nothing, a block of keywords, or a list of line entries).
///
/// The whole grammar is `Keyword.grammar`; the parser walks it and `vigil check --keywords` prints it.
public struct Keyword: Sendable, Equatable {
    /// What may follow the keyword's arguments.
    public indirect enum Body: Sendable, Equatable {
        /// A plain value keyword: arguments only.
        case none
        /// A `{ … }` block whose lines are these child keywords.
        case block([Keyword])
        /// A `{ … }` block where every line is one entry (described by `entry`), not a keyword.
        case list(entry: [Argument])
    }

    /// Canonical name (the one the model and the docs use).
    public var name: String
    /// Other spellings keepalived accepts for the same keyword.
    public var aliases: [String]
    /// Arguments on the keyword's line.
    public var arguments: [Argument]
    /// What follows.
    public var body: Body
    /// Whether the block may be left out (`real_server 10.0.0.1 80` without checkers).
    public var bodyOptional: Bool
    /// What Vigil does with the keyword.
    public var status: KeywordStatus
    /// True when the keyword's arguments and block are skipped unread (it is only accepted and warned about).
    public var skipped: Bool
    /// The first keepalived version that knows the keyword (`2.2.7` stands for "2.2.7 or earlier"; `1.x` for a
    /// keyword keepalived 2.x no longer knows; `vigil` for a Vigil extension).
    public var since: String

    /// Creates a keyword.
    public init(name: String, aliases: [String] = [], arguments: [Argument] = [], body: Body = .none,
                bodyOptional: Bool = false, status: KeywordStatus = .implemented, skipped: Bool = false,
                since: String = "2.2.7") {
        self.name = name
        self.aliases = aliases
        self.arguments = arguments
        self.body = body
        self.bodyOptional = bodyOptional
        self.status = status
        self.skipped = skipped
        self.since = since
    }

    /// True when Vigil implements the keyword.
    public var supported: Bool { status == .implemented }

    /// This keyword, accepted and stored but not acted on yet: a warning says `instead`.
    func pending(_ instead: String) -> Keyword {
        var k = self
        k.status = .notImplemented(instead)
        return k
    }

    /// This keyword with another status.
    func with(_ status: KeywordStatus) -> Keyword {
        var k = self
        k.status = status
        return k
    }

    /// This keyword, first known to keepalived `version`.
    func since(_ version: String) -> Keyword {
        var k = self
        k.since = version
        return k
    }

    /// Smallest number of arguments.
    public var minArguments: Int { arguments.filter { !$0.optional }.count }
    /// Largest number of arguments, nil when unbounded.
    public var maxArguments: Int? { arguments.contains { $0.repeats } ? nil : arguments.count }

    /// The keyword's children when it has a block of keywords.
    public var children: [Keyword] {
        if case .block(let c) = body { return c }
        return []
    }

    /// A one-line synopsis: `name ARG [OPT]... { … }`.
    public var synopsis: String {
        var s = name
        for a in arguments { s += " " + a.description }
        switch body {
        case .none: break
        case .block: s += bodyOptional ? " [{ … }]" : " { … }"
        case .list(let entry):
            s += " { " + entry.map(\.description).joined(separator: " ") + " … }"
        }
        if !aliases.isEmpty { s += "   (alias: " + aliases.joined(separator: ", ") + ")" }
        if let tag = status.tag { s += "   [\(tag)]" }
        return s
    }
}

/// What Vigil does with a keepalived keyword. Anything but `implemented` is a warning where the keyword is met,
/// saying what happens instead, so no keyword is ever silently ignored.
public enum KeywordStatus: Sendable, Equatable {
    /// Vigil does what keepalived does with it.
    case implemented
    /// Accepted, not acted on yet; the text says what happens instead.
    case notImplemented(String)
    /// Accepted and ignored: it has no meaning in Vigil; the text says why, and what to use instead.
    case ignored(String)
    /// Accepted and ignored as keepalived 2.x ignores it (a 1.x keyword, or one keepalived reads differently from
    /// what it seems to say); the text says what keepalived does.
    case keepalivedIgnores(String)

    /// A short tag for listings, nil when implemented.
    public var tag: String? {
        switch self {
        case .implemented: nil
        case .notImplemented: "not implemented yet"
        case .ignored: "ignored"
        case .keepalivedIgnores: "ignored, as keepalived 2.x ignores it"
        }
    }

    /// What happens instead, nil when implemented.
    public var explanation: String? {
        switch self {
        case .implemented: nil
        case .notImplemented(let s), .ignored(let s), .keepalivedIgnores(let s): s
        }
    }

    /// The warning's kind.
    var diagnosticKind: DiagnosticKind {
        switch self {
        case .implemented, .notImplemented: .unsupportedKeyword
        case .ignored: .ignoredKeyword
        case .keepalivedIgnores: .keepalivedIgnores
        }
    }

    /// The warning for `word` (as written), nil when implemented.
    func warning(for word: String) -> String? {
        switch self {
        case .implemented: nil
        case .notImplemented(let s): "'\(word)' is not implemented yet: \(s)"
        case .ignored(let s): "'\(word)' is ignored: \(s)"
        case .keepalivedIgnores(let s): "'\(word)' is ignored, as keepalived 2.x ignores it: \(s)"
        }
    }
}

/// One argument of a keyword.
public struct Argument: Sendable, Equatable, CustomStringConvertible {
    /// Placeholder name such as `IPADDR` or `1-255`.
    public var name: String
    /// May be left out.
    public var optional: Bool
    /// May repeat (a trailing `...`).
    public var repeats: Bool

    /// Creates an argument.
    public init(name: String, optional: Bool = false, repeats: Bool = false) {
        self.name = name
        self.optional = optional
        self.repeats = repeats
    }

    /// `NAME`, `[NAME]` or `NAME...`.
    public var description: String {
        var s = optional ? "[\(name)]" : name
        if repeats { s += "..." }
        return s
    }
}

// MARK: - Grammar DSL

/// Parses a synopsis such as `IPADDR [PORT] [ARG...]` into arguments.
private func args(_ spec: String) -> [Argument] {
    // Split on spaces outside brackets, so `[USER [GROUP]]` is one optional argument.
    var pieces: [String] = []
    var current = ""
    var depth = 0
    for ch in spec {
        if ch == "[" { depth += 1 }
        if ch == "]" { depth -= 1 }
        if ch == " " && depth == 0 {
            if !current.isEmpty { pieces.append(current) }
            current = ""
        } else {
            current.append(ch)
        }
    }
    if !current.isEmpty { pieces.append(current) }
    return pieces.map { raw in
        var s = Substring(raw)
        var optional = false
        var repeats = false
        if s.hasSuffix("...") && !s.hasSuffix("...]") { repeats = true; s = s.dropLast(3) }
        if s.hasPrefix("[") && s.hasSuffix("]") { optional = true; s = s.dropFirst().dropLast() }
        if s.hasSuffix("...") { repeats = true; s = s.dropLast(3) }
        return Argument(name: String(s), optional: optional, repeats: repeats)
    }
}

private func v(_ name: String, _ spec: String = "", _ aliases: [String] = []) -> Keyword {
    Keyword(name: name, aliases: aliases, arguments: args(spec))
}

private func flag(_ name: String, _ aliases: [String] = []) -> Keyword {
    Keyword(name: name, aliases: aliases, arguments: [])
}

private func block(_ name: String, _ spec: String = "", _ children: [Keyword], optional: Bool = false,
                   _ aliases: [String] = []) -> Keyword {
    Keyword(name: name, aliases: aliases, arguments: args(spec), body: .block(children), bodyOptional: optional)
}

private func block(_ name: String, _ spec: String = "", _ children: [Keyword], _ aliases: [String]) -> Keyword {
    Keyword(name: name, aliases: aliases, arguments: args(spec), body: .block(children))
}

private func list(_ name: String, _ spec: String = "", entry: String) -> Keyword {
    Keyword(name: name, arguments: args(spec), body: .list(entry: args(entry)))
}

/// A keepalived keyword Vigil only accepts: any arguments, a `{ … }` block after it is skipped, and a warning says
/// what happens instead.
private func skip(_ name: String, _ status: KeywordStatus, since: String = "2.2.7",
                  aliases: [String] = []) -> Keyword {
    Keyword(name: name, aliases: aliases, arguments: args("[ARG...]"), body: .none, status: status, skipped: true,
            since: since)
}

/// Not implemented yet (skipped).
private func todo(_ name: String, _ instead: String, since: String = "2.2.7", aliases: [String] = []) -> Keyword {
    skip(name, .notImplemented(instead), since: since, aliases: aliases)
}

/// Without meaning in Vigil (skipped).
private func ignored(_ name: String, _ why: String, since: String = "2.2.7", aliases: [String] = []) -> Keyword {
    skip(name, .ignored(why), since: since, aliases: aliases)
}

/// A keyword keepalived 2.x itself ignores (skipped).
private func legacy(_ name: String, _ what: String) -> Keyword {
    skip(name, .keepalivedIgnores(what), since: "1.x")
}

/// A keepalived block Vigil does not implement, with its keywords (any arguments): typos inside it are still
/// errors, the block gets one warning and its keywords none (they share its status in the table).
private func inertBlock(_ name: String, _ instead: String, _ children: [String], extra: [Keyword] = []) -> Keyword {
    Keyword(name: name, arguments: args("[ARG...]"),
            body: .block(children.map { Keyword(name: $0, arguments: args("[ARG...]")) } + extra),
            bodyOptional: true, status: .notImplemented(instead))
}

/// What happens instead, for the families of keywords that share one answer.
enum Instead {
    static let snmp = "Vigil has no SNMP agent; its counters are on the control endpoint's /metrics"
    static let dbus = "Vigil has no D-Bus interface; use the control endpoint (/status, /events)"
    static let process = "Vigil is one process at normal priority; set scheduling, CPU affinity and limits with systemd (CPUSchedulingPolicy=, CPUAffinity=, LimitRTTIME=)"
    static let processName = "Vigil is one process; its name is the binary's"
    static let netlinkBuffers = "Vigil sizes its netlink socket buffers itself"
    static let fifo = "no checker line is written to a FIFO; state changes are on the control endpoint's /events stream and in the notify scripts"
    static let firewall = "no_accept's drop rules are in nftables, table inet vigil (or `nftables TABLE`), with counters off"
    static let namespaces = "Vigil runs in the network namespace it is started in (use `ip netns exec`)"
    static let vmacGarp = "no extra periodic gratuitous ARP is sent on a use_vmac interface; garp_master_refresh still applies"
    static let vmacAddr = "a VIP on another interface than the instance's gets no macvlan of its own; it goes on its dev with that interface's MAC"
    static let bfd = "BFD_CHECK is not implemented yet: bfd_instance sessions feed track_bfd (VRRP) only"
    static let reloadFiles = "Vigil reloads on SIGHUP only, always checking the new file first and keeping the old one when it is invalid"
    static let extraInterfaces = "no GARP is sent on other interfaces"
    static let kernelLinkState = "interface state is read from the kernel"
    static let startDelay = "instances start at once"
}

extension Keyword {
    static let checkerConnection: [Keyword] = [
        v("connect_ip", "IPADDR"), v("connect_port", "PORT"), v("bindto", "IPADDR"),
        v("bind_if", "IFNAME"), v("bind_port", "PORT"), v("fwmark", "INTEGER"),
        v("connect_timeout", "SECONDS"),
    ]

    static let checkerTiming: [Keyword] = [
        v("retry", "INTEGER"), v("delay_before_retry", "SECONDS"), v("warmup", "SECONDS"), v("delay_loop", "SECONDS"),
        v("alpha", "[BOOL]"),
        v("log_all_failures", "[BOOL]"),
    ]

    /// `nb_get_retry` where keepalived 2.x does not know it (every checker but HTTP_GET and SSL_GET).
    static let nbGetRetryIgnored = legacy("nb_get_retry", "outside HTTP_GET and SSL_GET keepalived 2.x does not know it (\"Unknown keyword\") and the check keeps retry 1; write `retry N`")

    static let checkerCommon: [Keyword] = checkerConnection + checkerTiming + [nbGetRetryIgnored]

    static let url = block("url", "", [
        v("path", "PATH"), v("digest", "MD5HEX"), v("status_code", "CODE|RANGE..."), v("virtualhost", "HOST"),
        v("regex", "PATTERN"), flag("regex_no_match"), v("regex_options", "OPTION..."), v("regex_stack", "START MAX"),
        v("regex_min_offset", "OFFSET"), v("regex_max_offset", "OFFSET"),
    ])

    static let httpChildren: [Keyword] = checkerConnection + [
        v("retry", "INTEGER", ["nb_get_retry"]), v("delay_before_retry", "SECONDS"), v("warmup", "SECONDS"),
        v("delay_loop", "SECONDS"), v("alpha", "[BOOL]"),
        v("log_all_failures", "[BOOL]"),
        url, v("virtualhost", "HOST"), v("http_protocol", "1.0|1.0C|1.1"),
        v("fast_recovery", "[BOOL]").with(.ignored("Vigil always fetches every url of a check back to back, as keepalived does with fast_recovery on; with it off keepalived waits delay_loop between urls, so a server with several urls comes up later there")),
        flag("enable_sni"),
    ]

    static let tlsCompliant = v("tls_compliant", "[BOOL]").since("2.2.8")

    /// SSL_GET: HTTP_GET's keywords, and tls_compliant (also in its url blocks).
    static let sslChildren: [Keyword] = httpChildren.map { k in
        guard k.name == "url", case .block(let children) = k.body else { return k }
        var u = k
        u.body = .block(children + [tlsCompliant])
        return u
    } + [tlsCompliant]

    static let checkers: [Keyword] = [
        block("TCP_CHECK", "", checkerCommon, optional: true),
        block("HTTP_GET", "", httpChildren),
        block("SSL_GET", "", sslChildren),
        block("MISC_CHECK", "", [
            v("misc_path", "COMMAND"), v("misc_timeout", "SECONDS"), flag("misc_dynamic"),
            v("user", "USER [GROUP]"),
        ] + checkerTiming + [nbGetRetryIgnored]),
        block("SMTP_CHECK", "", checkerCommon + [
            v("helo_name", "NAME"),
            Keyword(name: "host", body: .block(checkerConnection + checkerTiming)),
        ], optional: true),
        block("DNS_CHECK", "", checkerCommon + [v("type", "A|NS|CNAME|SOA|MX|TXT|AAAA"), v("name", "DOMAIN")],
              optional: true),
        block("UDP_CHECK", "", checkerCommon + [
            v("payload", "HEX"), v("require_reply", "[HEX]"),
            v("min_reply_length", "INTEGER"), v("max_reply_length", "INTEGER"),
        ], optional: true),
        block("PING_CHECK", "", checkerCommon, optional: true),
        block("FILE_CHECK", "", [v("track_file", "NAME"), v("weight", "WEIGHT [reverse]")]),
        inertBlock("BFD_CHECK", Instead.bfd + "; the real server is not checked by it", ["name", "alpha"]),
    ]

    static let lbAndCheckTimers: [Keyword] = [
        v("connect_timeout", "SECONDS"), v("retry", "INTEGER"),
        v("delay_before_retry", "SECONDS"), v("warmup", "SECONDS"), v("delay_loop", "SECONDS"),
        legacy("nb_get_retry", "keepalived 2.x knows it only in HTTP_GET and SSL_GET; here it reports it unknown and the checkers keep retry 1; write `retry N`"),
    ]

    static let realServer = Keyword(
        name: "real_server", arguments: args("IPADDR [PORT]"),
        body: .block([
            v("weight", "0-65535"), v("inhibit_on_failure", "[BOOL]"), v("notify_up", "COMMAND [USER] [GROUP]"),
            v("notify_down", "COMMAND [USER] [GROUP]"), v("uthreshold", "INTEGER"), v("lthreshold", "INTEGER"),
            v("lb_kind", "NAT|DR|TUN [ARG...]", ["lvs_method"]), v("virtualhost", "HOST"),
            v("smtp_alert", "[BOOL]"), v("alpha", "[BOOL]"),
            ignored("snmp_name", Instead.snmp),
            legacy("CI-LINUX", "a keepalived 1.0 checker (keepalived 2.x reports it unknown); the real server has no check from it"),
        ] + lbAndCheckTimers + checkers),
        bodyOptional: true)

    static let virtualServer = block("virtual_server", "IPADDR|fwmark|group [PORT|N|NAME]", [
        v("lb_algo", "rr|wrr|lc|wlc|lblc|lblcr|sh|mh|dh|fo|ovf|sed|nq|twos", ["lvs_sched"]),
        v("lb_kind", "NAT|DR|TUN [ARG...]", ["lvs_method"]),
        v("persistence_timeout", "[SECONDS]"), v("persistence_granularity", "NETMASK"),
        v("protocol", "TCP|UDP|SCTP"), v("sorry_server", "IPADDR [PORT]"), flag("sorry_server_inhibit"),
        v("sorry_server_lvs_method", "NAT|DR|TUN [ARG...]"),
        v("virtualhost", "HOST"), v("alpha", "[BOOL]"), v("omega", "[BOOL]"), v("quorum", "INTEGER"),
        v("hysteresis", "INTEGER"), v("quorum_up", "COMMAND [USER] [GROUP]"),
        v("quorum_down", "COMMAND [USER] [GROUP]"), flag("ha_suspend"), flag("ops"),
        v("inhibit_on_failure", "[BOOL]"), v("smtp_alert", "[BOOL]"),
        v("ip_family", "inet|inet6"),
        flag("flag-1"), flag("flag-2"), flag("flag-3"), flag("sh-port"), flag("sh-fallback"),
        flag("mh-port"), flag("mh-fallback"),
        flag("vigil_announce").since("vigil"),
        ignored("hashed", "the kernel hashes every service; there is nothing to set"),
        todo("weight", "each real server keeps its own weight (default 1)"),
        v("persistence_engine", "NAME"),
        ignored("snmp_name", Instead.snmp),
        legacy("real_group", "a keepalived 1.0 keyword (keepalived 2.x reports it unknown)"),
        legacy("nat_mask", "a 1.x keyword (\"Unknown keyword\" in 2.x); the netmask comes from the VIP's prefix"),
        realServer,
    ] + lbAndCheckTimers)

    static let vrrpInstance = block("vrrp_instance", "NAME", [
        v("state", "MASTER|BACKUP"), v("interface", "IFNAME"), v("virtual_router_id", "1-255"),
        v("priority", "1-255"), v("advert_int", "SECONDS"), v("version", "2|3"),
        block("authentication", "", [
            v("auth_type", "PASS|AH"), v("auth_pass", "PASSWORD"),
        ]),
        block("auth_hmac", "", [
            v("key", "ID hex:HEX|file:PATH|TEXT"), v("active_key", "1-255"), v("time_window", "1-300"),
            v("anti_replay", "time|monotonic"), v("mode", "enforce|permissive|receive-only"),
        ]).since("2.4.0"),
        list("virtual_ipaddress", entry: "IPADDR[/PREFIX] [brd IPADDR|+|-] [dev IFNAME] [scope SCOPE] [label LABEL] [OPTION...]"),
        list("virtual_ipaddress_excluded", entry: "IPADDR[/PREFIX] [OPTION...]"),
        list("virtual_routes", entry: "ROUTE..."),
        list("virtual_rules", entry: "RULE..."),
        list("track_script", entry: "SCRIPT_NAME [weight WEIGHT [reverse]]"),
        list("track_interface", entry: "IFNAME [weight WEIGHT [reverse]]"),
        list("track_file", entry: "FILE_NAME [weight WEIGHT [reverse]]"),
        flag("nopreempt"), flag("preempt"), v("preempt_delay", "SECONDS"),
        v("unicast_src_ip", "IPADDR"), v("lvs_sync_daemon_interface", "IFNAME"),
        list("unicast_peer", entry: "IPADDR [min_ttl N] [max_ttl N]"),
        v("notify_master", "COMMAND [USER] [GROUP]"), v("notify_backup", "COMMAND [USER] [GROUP]"),
        v("notify_fault", "COMMAND [USER] [GROUP]"), v("notify_stop", "COMMAND [USER] [GROUP]"),
        v("notify", "COMMAND [USER] [GROUP]"), v("smtp_alert", "[BOOL]"),
        v("garp_master_delay", "SECONDS"), v("garp_master_repeat", "INTEGER"),
        v("garp_master_refresh", "SECONDS"),
        v("garp_master_refresh_repeat", "INTEGER"),
        v("garp_lower_prio_delay", "SECONDS"), v("garp_lower_prio_repeat", "INTEGER"),
        flag("accept"), flag("no_accept"),
        flag("dont_track_primary"),
        v("use_vmac", "[IFNAME] [MAC]"), flag("vmac_xmit_base"),
        v("mcast_src_ip", "IPADDR"),
        flag("native_ipv6").pending("the virtual addresses decide the family (keepalived calls this keyword deprecated for that reason); an instance without addresses is made VRRPv3 by it, and IPv4 addresses are not refused"),
        ignored("debug", "use -D (--log-detail) for a detailed log"),
        v("mcast_dst_ip", "IPADDR"),
        todo("vrf", "the instance uses the main routing table"),
        todo("vmac_garp_intvl", Instead.vmacGarp),
        list("track_process", entry: "PROCESS_NAME [weight WEIGHT [reverse]]"),
        list("track_bfd", entry: "BFD_NAME [weight WEIGHT [reverse]]"),
        v("use_ipvlan", "[[name] IFNAME|IPADDR[/LEN]|bridge|private|vepa|group GID...]"),
        todo("use_vmac_addr", Instead.vmacAddr),
        v("unicast_ttl", "TTL"),
        flag("check_unicast_src"),
        v("strict_mode", "[BOOL]"),
        v("skip_check_adv_addr", "[BOOL]"),
        v("higher_prio_send_advert", "[BOOL]"), v("lower_prio_no_advert", "[BOOL]"),
        v("notify_master_rx_lower_pri", "COMMAND [USER] [GROUP]"),
        v("notify_deleted", "[COMMAND] [USER] [GROUP]"),
        v("down_timer_adverts", "N"),
        ignored("kernel_rx_buf_size", Instead.netlinkBuffers),
        flag("unicast_fault_no_peer"),
        v("old_unicast_checksum", "[never]"),
        flag("track_src_ip"),
        flag("promote_secondaries"),
        ignored("linkbeat_use_polling", Instead.kernelLinkState),
        v("notify_priority_changes", "[BOOL]"),
        todo("garp_extra_if", Instead.extraInterfaces),
        flag("no_virtual_ipaddress").since("2.2.8"),
        v("v3_checksum_as_v2", "[BOOL]").since("2.2.8"),
        v("timer_expired_backup", "[PRIORITY]").since("2.2.8"),
        v("thread_timer_expired", "[PRIORITY]").since("2.3.2"),
        v("owner_ignore_adverts", "[BOOL]").since("2.3.3"),
    ])

    static let globalDefs = block("global_defs", "", [
        list("notification_email", entry: "EMAIL"),
        v("notification_email_from", "EMAIL"),
        v("smtp_server", "HOST [PORT]"),
        v("smtp_connect_timeout", "SECONDS"), v("smtp_helo_name", "NAME"),
        v("router_id", "NAME"),
        v("vrrp_garp_master_delay", "SECONDS"), v("vrrp_garp_master_repeat", "INTEGER"),
        v("vrrp_garp_master_refresh", "SECONDS"),
        v("vrrp_garp_master_refresh_repeat", "INTEGER"),
        v("vrrp_garp_lower_prio_delay", "SECONDS"), v("vrrp_garp_lower_prio_repeat", "INTEGER"),
        v("vrrp_garp_interval", "SECONDS"), v("vrrp_gna_interval", "SECONDS"),
        flag("vrrp_strict"),
        v("enable_script_security", "[ARG]"), v("script_user", "USER [GROUP]"),
        v("lvs_sync_daemon", "IFNAME [INSTANCE] [OPTION...]"), v("vrrp_version", "2|3"),
        v("vrrp_mcast_group4", "IPADDR"),
        v("vrrp_mcast_group6", "IPADDR"),
        flag("vrrp_skip_check_adv_addr"),
        flag("vrrp_check_unicast_src"),
        v("smtp_alert", "[BOOL]"), v("smtp_alert_vrrp", "[BOOL]"),
        v("smtp_alert_checker", "[BOOL]"), v("default_interface", "IFNAME"),
        flag("dynamic_interfaces").pending("interfaces are looked up when an instance starts"),
        v("lvs_timeouts", "[tcp|tcpfin|udp SECONDS]..."), flag("lvs_flush"),
        v("vigil_route_table", "TABLE").since("vigil"), v("vigil_failback_hold", "off|SECONDS").since("vigil"),
        flag("vigil_handover_on_stop").since("vigil"),
        ignored("vrrp_iptables", Instead.firewall), ignored("vrrp_ipsets", Instead.firewall),
        v("nftables", "[TABLE]"), v("nftables_priority", "PRIORITY"),
        ignored("nftables_ifindex", Instead.firewall), ignored("nftables_ipvs", Instead.firewall),
        ignored("nftables_ipvs_priority", Instead.firewall), ignored("nftables_ipvs_start_fwmark", Instead.firewall),
        ignored("nftables_counters", Instead.firewall),
        ignored("enable_snmp_vrrp", Instead.snmp, aliases: ["enable_snmp_keepalived"]),
        ignored("enable_snmp_checker", Instead.snmp), ignored("enable_snmp_rfc", Instead.snmp),
        ignored("enable_snmp_rfcv2", Instead.snmp), ignored("enable_snmp_rfcv3", Instead.snmp),
        ignored("enable_traps", Instead.snmp), ignored("snmp_socket", Instead.snmp),
        ignored("snmp_vs_stats_update_interval", Instead.snmp, since: "2.3.0"),
        ignored("snmp_rs_stats_update_interval", Instead.snmp, since: "2.3.0"),
        ignored("enable_dbus", Instead.dbus), ignored("dbus_service_name", Instead.dbus),
        ignored("dbus_no_interface_name", Instead.dbus, since: "2.3.0"),
        v("notify_fifo", "PATH [USER [GROUP]]"), v("notify_fifo_script", "COMMAND [USER] [GROUP]"),
        v("vrrp_notify_fifo", "PATH [USER [GROUP]]"), v("vrrp_notify_fifo_script", "COMMAND [USER] [GROUP]"),
        todo("lvs_notify_fifo", Instead.fifo), todo("lvs_notify_fifo_script", Instead.fifo),
        flag("fifo_write_vrrp_states_on_reload"),
        v("vrrp_notify_priority_changes", "[BOOL]"),
        ignored("vrrp_priority", Instead.process), ignored("checker_priority", Instead.process),
        ignored("bfd_priority", Instead.process), ignored("vrrp_no_swap", Instead.process),
        ignored("checker_no_swap", Instead.process), ignored("bfd_no_swap", Instead.process),
        ignored("vrrp_rt_priority", Instead.process), ignored("checker_rt_priority", Instead.process),
        ignored("bfd_rt_priority", Instead.process), ignored("vrrp_cpu_affinity", Instead.process),
        ignored("checker_cpu_affinity", Instead.process), ignored("bfd_cpu_affinity", Instead.process),
        ignored("vrrp_rlimit_rttime", Instead.process, aliases: ["vrrp_rlimit_rtime"]),
        ignored("checker_rlimit_rttime", Instead.process, aliases: ["checker_rlimit_rtime"]),
        ignored("bfd_rlimit_rttime", Instead.process, aliases: ["bfd_rlimit_rtime"]),
        ignored("process_names", Instead.processName), ignored("process_name", Instead.processName),
        ignored("vrrp_process_name", Instead.processName), ignored("checker_process_name", Instead.processName, aliases: ["lvs_process_name"]),
        ignored("bfd_process_name", Instead.processName),
        ignored("vrrp_netlink_cmd_rcv_bufs", Instead.netlinkBuffers),
        ignored("vrrp_netlink_cmd_rcv_bufs_force", Instead.netlinkBuffers),
        ignored("vrrp_netlink_monitor_rcv_bufs", Instead.netlinkBuffers),
        ignored("vrrp_netlink_monitor_rcv_bufs_force", Instead.netlinkBuffers),
        ignored("lvs_netlink_cmd_rcv_bufs", Instead.netlinkBuffers),
        ignored("lvs_netlink_cmd_rcv_bufs_force", Instead.netlinkBuffers),
        ignored("lvs_netlink_monitor_rcv_bufs", Instead.netlinkBuffers),
        ignored("lvs_netlink_monitor_rcv_bufs_force", Instead.netlinkBuffers),
        ignored("process_monitor_rcv_bufs", Instead.netlinkBuffers),
        ignored("process_monitor_rcv_bufs_force", Instead.netlinkBuffers),
        ignored("vrrp_rx_bufs_policy", Instead.netlinkBuffers), ignored("vrrp_rx_bufs_multiplier", Instead.netlinkBuffers),
        v("vrrp_startup_delay", "SECONDS"),
        v("vrrp_delay_after_boot", "SECONDS").since("2.4.0"),
        v("vrrp_min_garp", "[BOOL]"),
        v("vrrp_lower_prio_no_advert", "[BOOL]"), v("vrrp_higher_prio_send_advert", "[BOOL]"),
        v("vrrp_down_timer_adverts", "N"),
        todo("vrrp_garp_extra_if", Instead.extraInterfaces),
        todo("vrrp_vmac_garp_intvl", Instead.vmacGarp),
        v("vrrp_owner_ignore_adverts", "[BOOL]").since("2.3.3"),
        v("v3_checksum_as_v2", "[BOOL]").since("2.2.8"),
        ignored("umask", "files are created with the daemon's umask"),
        ignored("max_auto_priority", Instead.process), ignored("min_auto_priority_delay", Instead.process),
        flag("no_email_faults"),
        ignored("no_checker_emails", "Vigil mails a real server's change of state, never one checker's, which is what keepalived does with it on"),
        flag("log_unknown_vrids"),
        todo("rs_init_notifies", "notify_up/notify_down run on changes after start, not for the initial state"),
        v("checker_log_all_failures", "[BOOL]"),
        v("vmac_prefix", "STRING"), todo("vmac_addr_prefix", Instead.vmacAddr),
        v("startup_script", "SCRIPT [USER] [GROUP]"), v("startup_script_timeout", "SECONDS"),
        v("shutdown_script", "SCRIPT [USER] [GROUP]"), v("shutdown_script_timeout", "SECONDS"),
        ignored("reload_check_config", Instead.reloadFiles), ignored("reload_time_file", Instead.reloadFiles),
        ignored("reload_repeat", Instead.reloadFiles), ignored("reload_file", Instead.reloadFiles),
        ignored("config_save_dir", Instead.reloadFiles), ignored("tmp_config_directory", Instead.reloadFiles),
        ignored("data_use_instance", "the dump paths do not depend on an instance name"),
        ignored("random_seed", "Vigil seeds its own randomness"),
        legacy("lvs_id", "the 1.x name of router_id (keepalived 2.x reports it unknown)"),
        legacy("plugin_dir", "a keepalived 1.1/1.2 keyword (keepalived 2.x reports it unknown)"),
        legacy("lvs_sync_daemon_interface", "keepalived 2.x reports it unknown in global_defs; write `lvs_sync_daemon IFNAME INSTANCE`"),
        v("lvs_flush_on_stop", "[VS]", ["lvs_flush_onstop"]),
        ignored("disable_local_igmp", "Vigil does not change IGMP settings"),
        todo("include_check", "checker configuration is read from the main file and its includes"),
        ignored("json_version", "the JSON dump has one layout", since: "2.2.8"),
        ignored("use_symlink_paths", "paths are used as written", since: "2.3.0"),
        ignored("iproute_usr_dir", "Vigil does not read iproute2's tables", since: "2.3.2"),
        ignored("iproute_etc_dir", "Vigil does not read iproute2's tables", since: "2.3.2"),
        v("state_dump_file", "PATH").since("2.3.3"),
        skip("stats_dump_file", .keepalivedIgnores("keepalived 2.3.3 to 2.4.3 read it but still write the statistics to keepalived.stats in TMPDIR (default /tmp)"), since: "2.3.3"),
        skip("json_dump_file", .keepalivedIgnores("keepalived 2.3.3 to 2.4.3 read it but still write the JSON dump to keepalived.json in TMPDIR (default /tmp)"), since: "2.3.3"),
    ])


    /// Every top-level keyword of keepalived.conf that Vigil knows.
    public static let grammar: [Keyword] = [
        globalDefs,
        block("vrrp_script", "NAME", [
            v("script", "COMMAND"), v("interval", "SECONDS"), v("timeout", "SECONDS"),
            v("weight", "-253..253 [reverse]"), v("rise", "INTEGER"), v("fall", "INTEGER"),
            v("user", "USER [GROUP]"), flag("init_fail"),
        ]),
        block("vrrp_track_file", "NAME", [
            v("file", "PATH"), v("weight", "-254..254 [reverse]"),
            v("init_file", "[VALUE] [overwrite]"),
        ], ["track_file"]),
        block("vrrp_sync_group", "NAME", [
            list("group", entry: "INSTANCE_NAME"),
            v("notify_master", "COMMAND [USER] [GROUP]"), v("notify_backup", "COMMAND [USER] [GROUP]"),
            v("notify_fault", "COMMAND [USER] [GROUP]"), v("notify_stop", "COMMAND [USER] [GROUP]"),
            v("notify", "COMMAND [USER] [GROUP]"), v("smtp_alert", "[BOOL]"),
            flag("global_tracking"), flag("sync_group_tracking_weight"),
            list("track_script", entry: "SCRIPT_NAME [weight WEIGHT [reverse]]"),
            list("track_interface", entry: "IFNAME [weight WEIGHT [reverse]]"),
            list("track_file", entry: "FILE_NAME [weight WEIGHT [reverse]]"),
            list("track_process", entry: "PROCESS_NAME [weight WEIGHT [reverse]]"),
        list("track_bfd", entry: "BFD_NAME [weight WEIGHT [reverse]]"),
            v("notify_priority_changes", "[BOOL]"),
        ]),
        vrrpInstance,
        virtualServer,
        list("virtual_server_group", "NAME", entry: "IPADDR[-LAST|/PREFIX] [PORT] | fwmark N [inet|inet6]"),
        block("SSL", "", [v("password", "PASSWORD"), v("ca", "PATH"), v("certificate", "PATH"), v("key", "PATH")]),
        list("static_ipaddress", entry: "ADDRESS..."), list("static_routes", entry: "ROUTE..."),
        list("static_rules", entry: "RULE..."),
        block("vrrp_track_process", "NAME", [
            v("process", "NAME [PARAM...]"), v("param_match", "initial|partial"), v("weight", "-254..254 [reverse]"),
            v("quorum", "NUM"), v("quorum_max", "NUM"), v("delay", "SECONDS"), v("terminate_delay", "SECONDS"),
            v("fork_delay", "SECONDS"), flag("full_command"),
        ]),
        block("bfd_instance", "NAME", [
            v("neighbor_ip", "IPADDR", ["neighbour_ip"]), v("source_ip", "IPADDR"),
            v("min_rx", "MILLISECONDS"), v("min_tx", "MILLISECONDS"), v("idle_tx", "MILLISECONDS"),
            v("multiplier", "1..255"), flag("passive"), v("ttl", "1..255"), v("hoplimit", "1..255"),
            v("max_hops", "0..255"), v("weight", "-253..253 [reverse]"), flag("vrrp"), flag("checker"),
            todo("multihop", "single-hop BFD (port 3784) only", since: "2.2.8"),
        ]),
        Keyword(name: "track_group", arguments: args("NAME"), body: .block([list("group", entry: "INSTANCE_NAME")]),
                status: .notImplemented("instances in the group are not set to FAULT together")),
        todo("linkbeat_interfaces", Instead.kernelLinkState),
        todo("interface_up_down_delays", "an interface's link change is acted on at once"),
        block("garp_group", "", [
            v("garp_interval", "SECONDS"), v("gna_interval", "SECONDS"), v("interface", "IFNAME"),
            list("interfaces", entry: "IFNAME"),
        ]),
        legacy("real_server_group", "a keepalived 1.0 block (keepalived 2.x reports it unknown)"),
        todo("net_namespace", Instead.namespaces), todo("net_namespace_ipvs", Instead.namespaces),
        ignored("namespace_with_ipsets", Instead.firewall),
        ignored("instance", "the pid and dump paths do not depend on an instance name"),
        ignored("use_pid_dir", "the pid file is the one -p names (default /run/vigil.pid)"),
        ignored("child_wait_time", "Vigil has no child processes to wait for"),
        ignored("linkbeat_use_polling", Instead.kernelLinkState),
    ]

    /// A lookup table name-or-alias → keyword for a list of siblings.
    static func index(_ keywords: [Keyword]) -> [String: Keyword] {
        var d: [String: Keyword] = [:]
        for k in keywords {
            d[k.name] = k
            for a in k.aliases { d[a] = k }
        }
        return d
    }

    /// Old spellings keepalived still reads (and itself reports as deprecated) → the canonical keyword.
    static let deprecatedSpellings: [String: String] = [
        "nb_get_retry": "retry", "vrrp_rlimit_rtime": "vrrp_rlimit_rttime",
        "checker_rlimit_rtime": "checker_rlimit_rttime", "bfd_rlimit_rtime": "bfd_rlimit_rttime",
        "lvs_flush_onstop": "lvs_flush_on_stop", "enable_snmp_keepalived": "enable_snmp_vrrp",
        "lvs_process_name": "checker_process_name",
    ]

    /// Every spelling anywhere in the grammar → the blocks it belongs to (`""` for the top level), in grammar order.
    static let homes: [String: [String]] = {
        var d: [String: [String]] = [:]
        func walk(_ ks: [Keyword], parent: String) {
            for k in ks {
                for spelling in [k.name] + k.aliases where d[spelling]?.contains(parent) != true {
                    d[spelling, default: []].append(parent)
                }
                walk(k.children, parent: k.name)
            }
        }
        walk(grammar, parent: "")
        return d
    }()

    /// Every spelling anywhere in the grammar (for did-you-mean of last resort).
    static let allSpellings: [String] = {
        var set = Set<String>()
        func walk(_ ks: [Keyword]) {
            for k in ks {
                set.insert(k.name)
                set.formUnion(k.aliases)
                walk(k.children)
            }
        }
        walk(grammar)
        return set.sorted()
    }()
}
