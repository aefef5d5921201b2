import Config
import HealthCheck
import Vocabulary

/// Checker blocks as HealthCheck's input (HealthCheck never imports Config).
///
/// Timers arrive resolved by the Config model (checker, else real server, else virtual server, else default).
/// What is not carried: `bind_if`, `fwmark`, `fast_recovery`, `log_all_failures`, regex matching in url blocks,
/// and the `X` wildcard nibbles of UDP_CHECK `require_reply` (a reply is still required, its content unchecked).
extension DirectorPlan {
    /// One checker block of real server `rs` (whose resolved port is `port`).
    static func checker(for c: CheckerConfig, realServer rs: RealServerConfig, port: UInt16,
                        virtualServer vs: VirtualServerConfig, config: KeepalivedConfig) -> CheckerSpec {
        let target = ConnectTarget(address: c.connectIP ?? rs.address, port: c.connectPort ?? port,
                                   bindAddress: c.bindTo, bindPort: c.bindPort,
                                   timeout: .clampedSeconds(c.connectTimeout))
        let timing = CheckTiming(delayLoop: .clampedSeconds(c.delayLoop), retry: c.retry,
                                 delayBeforeRetry: .clampedSeconds(c.delayBeforeRetry),
                                 warmup: c.warmup.map { .clampedSeconds($0) }, alpha: c.alpha || vs.alpha)
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
            let version: HTTPProtocolVersion = switch c.httpProtocol {
            case .http11: .http11
            case .http10Close: .http10Close
            case .http10, nil: .http10
            }
            let tls = c.kind == .ssl ? TLSSettings(serverName: c.enableSNI ? virtualHost : nil) : nil
            kind = .http(HTTPCheck(target: target, urls: urls, virtualHost: virtualHost, version: version, tls: tls))
        case .misc:
            kind = .misc(MiscCheck(command: ScriptCommand(command: c.miscPath ?? "", user: c.user),
                                   timeout: .clampedSeconds(c.miscTimeout ?? c.delayLoop), dynamic: c.miscDynamic))
        case .smtp:
            kind = .smtp(SMTPCheck(target: target, heloName: c.heloName ?? config.globalDefs.smtpHeloName ?? "localhost"))
        case .dns:
            kind = .dns(DNSCheck(target: target, type: c.dnsType, name: c.dnsName))
        case .udp:
            let reply = c.requireReply
            let prefix = reply.flatMap { $0.bytes.isEmpty || !$0.isExact ? nil : $0.bytes }
            kind = .udp(UDPCheck(target: target, payload: c.payload?.bytes ?? [], requireReply: reply != nil,
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
}
