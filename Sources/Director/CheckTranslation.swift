import Config
import HealthCheck

/// Translates the Config model into HealthCheck's input types (HealthCheck never imports Config).
///
/// Timers arrive resolved by the Config model (checker, else real server, else virtual server, else default).
/// What is not carried: `bind_if`, `fwmark`, `fast_recovery`, `log_all_failures`, regex matching in url blocks,
/// and the `X` wildcard nibbles of UDP_CHECK `require_reply` (a reply is still required, its content unchecked).
public enum CheckTranslation {
    /// Every virtual server of `config` with its real servers and checkers.
    public static func virtualServers(from config: KeepalivedConfig) -> [VirtualServerHealth] {
        config.virtualServers.map { virtualServer($0, in: config) }
    }

    /// `enable_script_security` and `script_user` of `global_defs`.
    public static func scriptSecurity(from config: KeepalivedConfig) -> ScriptSecurity {
        ScriptSecurity(enabled: config.globalDefs.enableScriptSecurity, defaultUser: config.globalDefs.scriptUser)
    }

    /// The operator's name of a virtual server: `10.0.0.1:80`, `[2001:db8::1]:443`, `fwmark 7`, `group web`.
    public static func name(of address: VirtualServerAddress) -> String {
        switch address {
        case .address(let ip, let port): hostPort(ip.description, port)
        case .fwmark(let mark): "fwmark \(mark)"
        case .group(let name): "group \(name)"
        }
    }

    /// One virtual server.
    public static func virtualServer(_ vs: VirtualServerConfig, in config: KeepalivedConfig) -> VirtualServerHealth {
        let name = name(of: vs.address)
        var vsPort: UInt16 = 0
        if case .address(_, let port) = vs.address { vsPort = port }
        let sorry = vs.sorryServer.map {
            SorryServer(host: $0.description, port: vs.sorryServerPort ?? vsPort, inhibit: vs.sorryServerInhibit)
        }
        let policy = QuorumPolicy(quorum: vs.quorum, hysteresis: vs.hysteresis, quorumUp: vs.quorumUp.map(words),
                                  quorumDown: vs.quorumDown.map(words), sorryServer: sorry)
        let realServers = vs.realServers.map { rs in
            let port = rs.port ?? vsPort
            let key = RealServerKey(virtualServer: name, host: rs.address.description, port: port)
            let checkers = rs.checkers.map { checker(for: $0, realServer: rs, port: port, virtualServer: vs, config: config) }
            return RealServerTarget(key: key, weight: rs.weight, inhibitOnFailure: rs.inhibitOnFailure || vs.inhibitOnFailure,
                                    checkers: checkers, notifyUp: rs.notifyUp.map(words), notifyDown: rs.notifyDown.map(words))
        }
        return VirtualServerHealth(name: name, quorum: policy, alpha: vs.alpha, omega: vs.omega, realServers: realServers)
    }

    /// One checker block.
    public static func checker(for c: CheckerConfig, realServer rs: RealServerConfig, port: UInt16,
                               virtualServer vs: VirtualServerConfig, config: KeepalivedConfig) -> CheckerSpec {
        let target = ConnectTarget(host: (c.connectIP ?? rs.address).description, port: c.connectPort ?? port,
                                   bindAddress: c.bindTo?.description, bindPort: c.bindPort, timeout: seconds(c.connectTimeout))
        let timing = CheckTiming(delayLoop: seconds(c.delayLoop), retry: c.retry, delayBeforeRetry: seconds(c.delayBeforeRetry),
                                 warmup: c.warmup.map(seconds), alpha: c.alpha || vs.alpha)
        let virtualHost = c.virtualhost ?? rs.virtualhost ?? vs.virtualhost
        let kind: CheckKind
        switch c.kind {
        case .tcp:
            kind = .tcp(TCPCheck(target: target))
        case .http, .ssl:
            let urls = c.urls.map { u in
                URLCheck(path: u.path, statusCodes: u.statusCodes.map { $0.lower...max($0.lower, $0.upper) },
                         digest: u.digest, virtualHost: u.virtualhost)
            }
            let version: HTTPProtocolVersion
            switch c.httpProtocol?.uppercased() {
            case "1.1": version = .http11
            case "1.0C": version = .http10Close
            default: version = .http10
            }
            let tls = c.kind == .ssl ? TLSSettings(serverName: c.enableSNI ? virtualHost : nil) : nil
            kind = .http(HTTPCheck(target: target, urls: urls, virtualHost: virtualHost, version: version, tls: tls))
        case .misc:
            kind = .misc(MiscCheck(arguments: words(c.miscPath ?? ""), timeout: seconds(c.miscTimeout ?? c.delayLoop),
                                   dynamic: c.miscDynamic, user: c.user))
        case .smtp:
            kind = .smtp(SMTPCheck(target: target, heloName: c.heloName ?? config.globalDefs.smtpHeloName ?? "localhost"))
        case .dns:
            kind = .dns(DNSCheck(target: target, type: c.dnsType, name: c.dnsName))
        case .udp:
            let reply = c.requireReply
            let prefix = reply.flatMap { $0.isEmpty || $0.lowercased().contains("x") ? nil : hexBytes($0) }
            kind = .udp(UDPCheck(target: target, payload: c.payload.flatMap(hexBytes) ?? [], requireReply: reply != nil,
                                 replyPrefix: prefix))
        case .ping:
            kind = .ping(PingCheck(target: target))
        case .file:
            let track = c.trackFile.flatMap { config.vrrpTrackFile(named: $0) }
            kind = .file(FileCheck(path: track?.file ?? (c.trackFile ?? ""), weight: c.fileWeight ?? track?.weight ?? 1,
                                   reverse: c.fileWeightReverse, dynamic: false))
        }
        return CheckerSpec(kind: kind, timing: timing)
    }

    /// A command line split into words (keepalived execs scripts without a shell); shell syntax is run with `/bin/sh -c`.
    static func words(_ command: ScriptCommand) -> [String] {
        command.needsShell ? ["/bin/sh", "-c", command.command] : words(command.command)
    }

    static func words(_ text: String) -> [String] {
        var result: [String] = []
        var current = ""
        var quote: Character?
        var inWord = false
        for ch in text {
            if let q = quote {
                if ch == q { quote = nil } else { current.append(ch) }
            } else if ch == "\"" || ch == "'" {
                quote = ch
                inWord = true
            } else if ch == " " || ch == "\t" {
                if inWord { result.append(current) }
                current = ""
                inWord = false
            } else {
                current.append(ch)
                inWord = true
            }
        }
        if inWord { result.append(current) }
        return result
    }

    /// keepalived's free-form hex (`Ab12f 3 456` → AB 12 0F 03 45 06); `nil` on a non-hex character.
    static func hexBytes(_ text: String) -> [UInt8]? {
        var bytes: [UInt8] = []
        for group in text.split(whereSeparator: { $0 == " " || $0 == "\t" }) {
            var digits = Array(group)
            while !digits.isEmpty {
                let take = min(2, digits.count)
                guard let byte = UInt8(String(digits[0..<take]), radix: 16) else { return nil }
                bytes.append(byte)
                digits.removeFirst(take)
            }
        }
        return bytes
    }

    static func seconds(_ s: Double) -> Duration {
        guard s.isFinite, s > 0 else { return .zero }
        return .milliseconds(Int64(min(s, 1e9) * 1000))
    }

    static func hostPort(_ host: String, _ port: UInt16) -> String {
        host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
    }
}
