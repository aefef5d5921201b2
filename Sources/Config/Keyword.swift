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
    /// True when Vigil implements the keyword; false for keepalived keywords accepted with a warning.
    public var supported: Bool

    /// Creates a keyword.
    public init(name: String, aliases: [String] = [], arguments: [Argument] = [], body: Body = .none,
                bodyOptional: Bool = false, supported: Bool = true) {
        self.name = name
        self.aliases = aliases
        self.arguments = arguments
        self.body = body
        self.bodyOptional = bodyOptional
        self.supported = supported
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
        if !supported { s += "   [accepted, not implemented]" }
        return s
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

private func list(_ name: String, _ spec: String = "", entry: String) -> Keyword {
    Keyword(name: name, arguments: args(spec), body: .list(entry: args(entry)))
}

/// A keepalived keyword Vigil accepts with a warning: any arguments, and a `{ … }` block is skipped if present.
private func unsupported(_ name: String) -> Keyword {
    Keyword(name: name, arguments: args("[ARG...]"), body: .none, supported: false)
}

extension Keyword {
    static let checkerCommon: [Keyword] = [
        v("connect_ip", "IPADDR"), v("connect_port", "PORT"), v("bindto", "IPADDR"), v("bind_if", "IFNAME"),
        v("bind_port", "PORT"), v("fwmark", "INTEGER"),
        v("connect_timeout", "SECONDS"), v("retry", "INTEGER", ["nb_get_retry", "nb_sock_retry"]),
        v("delay_before_retry", "SECONDS"), v("warmup", "SECONDS"), v("delay_loop", "SECONDS"),
        v("alpha", "[BOOL]"), v("log_all_failures", "[BOOL]"),
    ]

    static let url = block("url", "", [
        v("path", "PATH"), v("digest", "MD5HEX"), v("status_code", "CODE|RANGE..."), v("virtualhost", "HOST"),
        unsupported("regex"), unsupported("regex_no_match"), unsupported("regex_options"),
        unsupported("regex_stack"), unsupported("regex_min_offset"), unsupported("regex_max_offset"),
    ])

    static let httpChildren: [Keyword] = checkerCommon + [
        url, v("virtualhost", "HOST"), v("http_protocol", "1.0|1.0C|1.1"), v("fast_recovery", "[BOOL]"),
    ]

    static let checkers: [Keyword] = [
        block("TCP_CHECK", "", checkerCommon, optional: true),
        block("HTTP_GET", "", httpChildren),
        block("SSL_GET", "", httpChildren + [flag("enable_sni")]),
        block("MISC_CHECK", "", [
            v("misc_path", "COMMAND"), v("misc_timeout", "SECONDS"), flag("misc_dynamic"),
            v("user", "USER [GROUP]"), v("warmup", "SECONDS"), v("delay_loop", "SECONDS"),
            v("retry", "INTEGER", ["nb_get_retry"]), v("delay_before_retry", "SECONDS"),
            v("alpha", "[BOOL]"), v("log_all_failures", "[BOOL]"),
        ]),
        block("SMTP_CHECK", "", checkerCommon + [v("helo_name", "NAME"),
                                                 unsupported("host")], optional: true),
        block("DNS_CHECK", "", checkerCommon + [v("type", "A|NS|CNAME|SOA|MX|TXT|AAAA"), v("name", "DOMAIN")],
              optional: true),
        block("UDP_CHECK", "", checkerCommon + [v("payload", "HEX"), v("require_reply", "[HEX]"),
                                                v("min_reply_length", "INTEGER"), v("max_reply_length", "INTEGER")],
              optional: true),
        block("PING_CHECK", "", checkerCommon, optional: true),
        block("FILE_CHECK", "", [v("track_file", "NAME"), v("weight", "WEIGHT [reverse]")]),
        unsupported("BFD_CHECK"),
    ]

    static let lbAndCheckTimers: [Keyword] = [
        v("connect_timeout", "SECONDS"), v("retry", "INTEGER", ["nb_get_retry"]),
        v("delay_before_retry", "SECONDS"), v("warmup", "SECONDS"), v("delay_loop", "SECONDS"),
    ]

    static let realServer = Keyword(
        name: "real_server", arguments: args("IPADDR [PORT]"),
        body: .block([
            v("weight", "0-65535"), v("inhibit_on_failure", "[BOOL]"), v("notify_up", "COMMAND [USER] [GROUP]"),
            v("notify_down", "COMMAND [USER] [GROUP]"), v("uthreshold", "INTEGER"), v("lthreshold", "INTEGER"),
            v("lb_kind", "NAT|DR|TUN [ARG...]", ["lvs_method"]), v("virtualhost", "HOST"),
            v("smtp_alert", "[BOOL]"), v("alpha", "[BOOL]"), unsupported("snmp_name"),
        ] + lbAndCheckTimers + checkers),
        bodyOptional: true)

    static let virtualServer = block("virtual_server", "IPADDR|fwmark|group PORT|N|NAME", [
        v("lb_algo", "rr|wrr|lc|wlc|lblc|lblcr|sh|mh|dh|fo|ovf|sed|nq|twos", ["lvs_sched"]),
        v("lb_kind", "NAT|DR|TUN [ARG...]", ["lvs_method"]),
        v("persistence_timeout", "[SECONDS]"), v("persistence_granularity", "NETMASK"),
        v("protocol", "TCP|UDP|SCTP"), v("sorry_server", "IPADDR [PORT]"), flag("sorry_server_inhibit"),
        v("sorry_server_lvs_method", "NAT|DR|TUN [ARG...]"),
        v("virtualhost", "HOST"), v("alpha", "[BOOL]"), v("omega", "[BOOL]"), v("quorum", "INTEGER"),
        v("hysteresis", "INTEGER"), v("quorum_up", "COMMAND [USER] [GROUP]"),
        v("quorum_down", "COMMAND [USER] [GROUP]"), flag("ha_suspend"), flag("ops"),
        v("inhibit_on_failure", "[BOOL]"), v("smtp_alert", "[BOOL]"), v("ip_family", "inet|inet6"),
        flag("flag-1"), flag("flag-2"), flag("flag-3"), flag("sh-port"), flag("sh-fallback"),
        flag("mh-port"), flag("mh-fallback"),
        unsupported("persistence_engine"), unsupported("snmp_name"), unsupported("quorum_max"),
        realServer,
    ] + lbAndCheckTimers)

    static let vrrpInstance = block("vrrp_instance", "NAME", [
        v("state", "MASTER|BACKUP"), v("interface", "IFNAME"), v("virtual_router_id", "1-255"),
        v("priority", "1-255"), v("advert_int", "SECONDS"), v("version", "2|3"),
        block("authentication", "", [v("auth_type", "PASS|AH"), v("auth_pass", "PASSWORD")]),
        list("virtual_ipaddress", entry: "IPADDR[/PREFIX] [brd IPADDR] [dev IFNAME] [scope SCOPE] [label LABEL] [OPTION...]"),
        list("virtual_ipaddress_excluded", entry: "IPADDR[/PREFIX] [OPTION...]"),
        list("virtual_routes", entry: "ROUTE..."), list("virtual_rules", entry: "RULE..."),
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
        v("garp_master_refresh", "SECONDS"), v("garp_master_refresh_repeat", "INTEGER"),
        v("garp_lower_prio_delay", "SECONDS"), v("garp_lower_prio_repeat", "INTEGER"),
        flag("accept"), flag("no_accept"), flag("dont_track_primary"), v("use_vmac", "[IFNAME]"),
        flag("vmac_xmit_base"), v("mcast_src_ip", "IPADDR"), v("native_ipv6"), flag("debug"),
        unsupported("track_process"), unsupported("track_bfd"), unsupported("use_ipvlan"),
        unsupported("unicast_ttl"), unsupported("check_unicast_src"), unsupported("strict_mode"),
        unsupported("skip_check_adv_addr"), unsupported("higher_prio_send_advert"),
        unsupported("lower_prio_no_advert"), unsupported("notify_master_rx_lower_pri"),
        unsupported("notify_deleted"), unsupported("down_timer_adverts"), unsupported("kernel_rx_buf_size"),
        unsupported("unicast_fault_no_peer"), unsupported("old_unicast_checksum"), unsupported("track_src_ip"),
        unsupported("promote_secondaries"), unsupported("linkbeat_use_polling"), unsupported("vrrp_ipsets"),
        unsupported("notify_priority_changes"), unsupported("garp_extra_if"), unsupported("use_vmac_addr"),
        unsupported("virtual_ipaddress_excluded_ns"),
    ])

    static let globalDefs = block("global_defs", "", [
        list("notification_email", entry: "EMAIL"), v("notification_email_from", "EMAIL"),
        v("smtp_server", "HOST [PORT]"), v("smtp_connect_timeout", "SECONDS"), v("smtp_helo_name", "NAME"),
        v("router_id", "NAME"),
        v("vrrp_garp_master_delay", "SECONDS"), v("vrrp_garp_master_repeat", "INTEGER"),
        v("vrrp_garp_master_refresh", "SECONDS"), v("vrrp_garp_master_refresh_repeat", "INTEGER"),
        v("vrrp_garp_lower_prio_delay", "SECONDS"), v("vrrp_garp_lower_prio_repeat", "INTEGER"),
        v("vrrp_garp_interval", "SECONDS"), v("vrrp_gna_interval", "SECONDS"),
        v("vrrp_strict"), flag("enable_script_security"), v("script_user", "USER [GROUP]"),
        v("lvs_sync_daemon", "IFNAME INSTANCE [OPTION...]"), v("vrrp_version", "2|3"),
        v("vrrp_mcast_group4", "IPADDR"), v("vrrp_mcast_group6", "IPADDR"), flag("vrrp_skip_check_adv_addr"),
        flag("vrrp_check_unicast_src"), v("smtp_alert", "[BOOL]"), v("smtp_alert_vrrp", "[BOOL]"),
        v("smtp_alert_checker", "[BOOL]"), v("default_interface", "IFNAME"), flag("dynamic_interfaces"),
        v("lvs_timeouts", "[ARG...]"), flag("lvs_flush"),
        unsupported("vrrp_iptables"), unsupported("vrrp_ipsets"), unsupported("nftables"),
        unsupported("enable_snmp_vrrp"), unsupported("enable_snmp_checker"), unsupported("enable_snmp_rfc"),
        unsupported("enable_snmp_rfcv2"), unsupported("enable_snmp_rfcv3"), unsupported("enable_traps"),
        unsupported("snmp_socket"), unsupported("enable_dbus"), unsupported("notify_fifo"),
        unsupported("notify_fifo_script"), unsupported("vrrp_notify_fifo"), unsupported("vrrp_notify_fifo_script"),
        unsupported("lvs_notify_fifo"), unsupported("lvs_notify_fifo_script"), unsupported("vrrp_priority"),
        unsupported("checker_priority"), unsupported("vrrp_no_swap"), unsupported("checker_no_swap"),
        unsupported("vrrp_rt_priority"), unsupported("checker_rt_priority"), unsupported("vrrp_cpu_affinity"),
        unsupported("checker_cpu_affinity"), unsupported("vrrp_startup_delay"), unsupported("vrrp_min_garp"),
        unsupported("vrrp_lower_prio_no_advert"), unsupported("vrrp_higher_prio_send_advert"),
        unsupported("vrrp_down_timer_adverts"), unsupported("vrrp_garp_extra_if"),
        unsupported("vrrp_netlink_cmd_rcv_bufs"), unsupported("vrrp_netlink_monitor_rcv_bufs"),
        unsupported("lvs_netlink_cmd_rcv_bufs"), unsupported("lvs_netlink_monitor_rcv_bufs"),
        unsupported("process_monitor_rcv_bufs"), unsupported("vrrp_rx_bufs_policy"),
        unsupported("vrrp_rx_bufs_multiplier"), unsupported("net_namespace"), unsupported("namespace_with_ipsets"),
        unsupported("instance"), unsupported("use_pid_dir"), unsupported("umask"), unsupported("script_security"),
        unsupported("vrrp_process_name"), unsupported("checker_process_name"), unsupported("bfd_process_name"),
        unsupported("process_names"), unsupported("linkbeat_use_polling"), unsupported("max_auto_priority"),
        unsupported("min_auto_priority_delay"), unsupported("no_email_faults"), unsupported("log_unknown_vrids"),
        unsupported("fifo_write_vrrp_states_on_reload"), unsupported("rs_init_notifies"),
        unsupported("no_checker_emails"), unsupported("checker_log_all_failures"), unsupported("vmac_prefix"),
        unsupported("vmac_addr_prefix"), unsupported("vrrp_notify_priority_changes"),
        unsupported("startup_script"), unsupported("startup_script_timeout"), unsupported("shutdown_script"),
        unsupported("shutdown_script_timeout"), unsupported("reload_check_config"),
        unsupported("reload_time_file"), unsupported("reload_repeat"), unsupported("reload_file"),
        unsupported("config_save_dir"), unsupported("tmp_config_directory"), unsupported("child_wait_time"),
        unsupported("data_use_instance"), unsupported("dbus_service_name"), unsupported("random_seed"),
        unsupported("vrrp_rlimit_rttime"), unsupported("checker_rlimit_rttime"), unsupported("bfd_rlimit_rttime"),
        unsupported("bfd_priority"), unsupported("bfd_rt_priority"), unsupported("bfd_no_swap"),
        unsupported("bfd_cpu_affinity"), unsupported("net_namespace_ipvs"), unsupported("lvs_flush_on_stop"),
        unsupported("local_name"),
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
            v("file", "PATH"), v("weight", "-254..254 [reverse]"), v("init_file", "[VALUE] [overwrite]"),
        ]),
        block("vrrp_sync_group", "NAME", [
            list("group", entry: "INSTANCE_NAME"),
            v("notify_master", "COMMAND [USER] [GROUP]"), v("notify_backup", "COMMAND [USER] [GROUP]"),
            v("notify_fault", "COMMAND [USER] [GROUP]"), v("notify_stop", "COMMAND [USER] [GROUP]"),
            v("notify", "COMMAND [USER] [GROUP]"), v("smtp_alert", "[BOOL]"), flag("global_tracking"),
            flag("sync_group_tracking_weight"),
            list("track_script", entry: "SCRIPT_NAME [weight WEIGHT [reverse]]"),
            list("track_interface", entry: "IFNAME [weight WEIGHT [reverse]]"),
            list("track_file", entry: "FILE_NAME [weight WEIGHT [reverse]]"),
            unsupported("track_process"), unsupported("track_bfd"),
        ]),
        vrrpInstance,
        virtualServer,
        list("virtual_server_group", "NAME", entry: "IPADDR[-LAST] PORT | fwmark N"),
        unsupported("static_ipaddress"), unsupported("static_routes"), unsupported("static_rules"),
        unsupported("vrrp_track_process"), unsupported("bfd_instance"), unsupported("linkbeat_interfaces"),
        unsupported("garp_group"), unsupported("vrrp_garp_group"), unsupported("net_namespace"),
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
