import Config
import HealthCheck
import RegexMatch
import Vocabulary

/// Checker blocks as HealthCheck's input (HealthCheck never imports Config).
///
/// Timers arrive resolved by the Config model (checker, else real server, else virtual server, else default).
/// What is not carried: `fast_recovery`.
extension DirectorPlan {
    /// The checkers of one checker block: one, except for an SMTP_CHECK with `host` blocks. keepalived 2.2.7 makes
    /// each host an SMTP_CHECK of its own (same helo_name and timers, the host's connection), after the block's own
    /// target if the block sets a connection keyword; without one, the first host takes the block's place. The real
    /// server is alive only while all of its checkers are up, so one host that stops answering takes it down.
    static func checkers(for c: CheckerConfig, realServer rs: RealServerConfig, port: UInt16,
                         virtualServer vs: VirtualServerConfig, config: KeepalivedConfig) -> [CheckerSpec] {
        let spec = checker(for: c, realServer: rs, port: port, virtualServer: vs, config: config)
        guard case .smtp(let s) = c.settings, !s.hosts.isEmpty, case .smtp(let check) = spec.kind else { return [spec] }
        let hosts = s.hosts.map { h in
            var host = check
            host.target = target(h.connection, realServer: rs, port: port)
            return CheckerSpec(kind: .smtp(host), timing: spec.timing)
        }
        return (s.ownConnection ? [spec] : []) + hosts
    }

    /// Where a checker connects: its connection keywords over the real server's address and resolved `port`.
    static func target(_ c: CheckerConnection, realServer rs: RealServerConfig, port: UInt16) -> ConnectTarget {
        ConnectTarget(address: c.connectIP ?? rs.address, port: c.connectPort ?? port, bindAddress: c.bindTo,
                      bindPort: c.bindPort, bindInterface: c.bindInterface, fwmark: c.fwmark, timeout: c.connectTimeout)
    }

    /// One checker block of real server `rs` (whose resolved port is `port`).
    static func checker(for c: CheckerConfig, realServer rs: RealServerConfig, port: UInt16,
                        virtualServer vs: VirtualServerConfig, config: KeepalivedConfig) -> CheckerSpec {
        let target = target(c.connection, realServer: rs, port: port)
        let timing = CheckTiming(delayLoop: c.delayLoop, retry: c.retry, delayBeforeRetry: c.delayBeforeRetry,
                                 warmup: c.warmup, alpha: c.alpha || vs.alpha,
                                 logAllFailures: c.logAllFailures || config.globalDefs.checkerLogAllFailures == true)
        let kind: CheckKind
        switch c.settings {
        case .tcp:
            kind = .tcp(TCPCheck(target: target))
        case .http(let h):
            kind = .http(http(h, enableSNI: nil, target: target, realServer: rs, virtualServer: vs))
        case .ssl(let h, let enableSNI):
            kind = .http(http(h, enableSNI: enableSNI, target: target, realServer: rs, virtualServer: vs, ssl: config.ssl))
        case .misc(let m):
            kind = .misc(MiscCheck(command: ScriptCommand(command: m.path, user: m.user, group: m.group),
                                   timeout: m.timeout, dynamic: m.dynamic))
        case .smtp(let s):
            kind = .smtp(SMTPCheck(target: target, heloName: s.heloName ?? config.globalDefs.smtpHeloName ?? "localhost"))
        case .dns(let d):
            kind = .dns(DNSCheck(target: target, type: d.type, name: d.name))
        case .udp(let u):
            let reply = u.requireReply
            let pattern = reply.flatMap { $0.bytes.isEmpty ? nil : $0 }
            kind = .udp(UDPCheck(target: target, payload: u.payload?.bytes ?? [], requireReply: reply != nil,
                                 replyPrefix: pattern?.bytes, replyMask: pattern.flatMap { $0.isExact ? nil : $0.mask },
                                 minReplyLength: u.minReplyLength ?? 0, maxReplyLength: u.maxReplyLength ?? 255))
        case .ping:
            kind = .ping(PingCheck(target: target))
        case .file(let f):
            let track = config.vrrpTrackFile(named: f.trackFile)
            kind = .file(FileCheck(path: track?.file ?? f.trackFile, weight: f.weight ?? track?.weight ?? 1,
                                   reverse: f.weightReverse, dynamic: false))
        }
        return CheckerSpec(kind: kind, timing: timing)
    }

    /// An HTTP_GET block (`enableSNI` nil) or an SSL_GET block, with the `SSL` block's client certificate (the
    /// server's is not verified, as in keepalived).
    static func http(_ h: HTTPCheckerSettings, enableSNI: Bool?, target: ConnectTarget, realServer rs: RealServerConfig,
                     virtualServer vs: VirtualServerConfig, ssl: SSLConfig? = nil) -> HTTPCheck {
        let virtualHost = h.virtualhost ?? rs.virtualhost ?? vs.virtualhost
        let tls = enableSNI.map {
            TLSSettings(caFile: ssl?.caFile, certificateFile: ssl?.certificateFile, keyFile: ssl?.keyFile,
                        keyPassword: ssl?.password, serverName: $0 ? virtualHost : nil, closeNotify: h.tlsCompliant)
        }
        let urls = h.urls.map { u in
            URLCheck(path: u.path, statusCodes: u.statusCodes.map { $0.lower...max($0.lower, $0.upper) },
                     digest: u.digest, virtualHost: u.virtualhost, regex: u.regex.map(bodyRegex),
                     tlsCompliant: enableSNI != nil && u.tlsCompliant)
        }
        let version: HTTPProtocolVersion = switch h.httpProtocol {
        case .http11: .http11
        case .http10Close: .http10Close
        case .http10, nil: .http10
        }
        return HTTPCheck(target: target, urls: urls, virtualHost: virtualHost, version: version, tls: tls)
    }

    /// A url's `regex`, compiled here once for the checker (not per check). The config check compiled the same
    /// pattern with the same options, so an error here is only possible if PCRE2 runs out of memory; the checker
    /// then fails with PCRE2's message.
    static func bodyRegex(_ r: URLRegex) -> Result<BodyRegex, RegexCompileError> {
        Result { () throws(RegexCompileError) in
            let compiled = try CompiledRegex(pattern: r.pattern, options: r.options, offsetLimit: r.maxOffset != nil)
            return BodyRegex(regex: compiled, noMatch: r.noMatch, minOffset: r.minOffset, maxOffset: r.maxOffset,
                             stack: r.stack)
        }
    }
}
