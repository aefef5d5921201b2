#if canImport(Glibc)
import Glibc
#endif

/// The keepalived options that `vigil run` accepts without doing what keepalived does, and the one-line warning
/// each prints on stderr saying what happens instead. Also the parsing of `-S` and `-u` values. Pure.
public struct KeepalivedRunFlags: Sendable, Equatable {
    /// `--all`.
    public var all = false
    /// `-X`.
    public var releaseVIPs = false
    /// `-V`.
    public var dontReleaseVRRP = false
    /// `-r FILE`.
    public var vrrpPid: String?
    /// `-c FILE`.
    public var checkersPid: String?
    /// `-b FILE`.
    public var bfdPid: String?
    /// `-a`.
    public var addressMonitoring = false
    /// `-x`.
    public var snmp = false
    /// `-A FILE`.
    public var snmpSocket: String?
    /// `--config-fd FD`.
    public var configFD: String?
    /// `-M PATTERN`.
    public var coreDumpPattern: String?
    /// `--perf`.
    public var perf = false
    /// `--debug`.
    public var debug = false
    /// `--no-mem-check`.
    public var noMemCheck = false

    /// Flags.
    public init(all: Bool = false, releaseVIPs: Bool = false, dontReleaseVRRP: Bool = false,
                vrrpPid: String? = nil, checkersPid: String? = nil, bfdPid: String? = nil,
                addressMonitoring: Bool = false, snmp: Bool = false, snmpSocket: String? = nil,
                configFD: String? = nil, coreDumpPattern: String? = nil, perf: Bool = false,
                debug: Bool = false, noMemCheck: Bool = false) {
        self.all = all
        self.releaseVIPs = releaseVIPs
        self.dontReleaseVRRP = dontReleaseVRRP
        self.vrrpPid = vrrpPid
        self.checkersPid = checkersPid
        self.bfdPid = bfdPid
        self.addressMonitoring = addressMonitoring
        self.snmp = snmp
        self.snmpSocket = snmpSocket
        self.configFD = configFD
        self.coreDumpPattern = coreDumpPattern
        self.perf = perf
        self.debug = debug
        self.noMemCheck = noMemCheck
    }

    /// One line per accepted-only option, in keepalived's option order.
    public var warnings: [String] {
        var out: [String] = []
        func warn(_ on: Bool, _ option: String, _ instead: String) {
            if on { out.append("warning: \(option): \(instead)") }
        }
        warn(all, "--all", "ignored; the health-check side starts only when the configuration has virtual servers")
        warn(releaseVIPs, "-X/--release-vips", "ignored; VIPs are removed on stop and when leaving MASTER, as without -X")
        warn(dontReleaseVRRP, "-V/--dont-release-vrrp", "ignored; VIPs are removed on stop (priority 0 is sent)")
        warn(vrrpPid != nil, "-r/--vrrp_pid", "ignored; Vigil is one process, its pid is in the -p file only")
        warn(checkersPid != nil, "-c/--checkers_pid", "ignored; Vigil is one process, its pid is in the -p file only")
        warn(bfdPid != nil, "-b/--bfd_pid", "ignored; Vigil has no BFD")
        warn(addressMonitoring, "-a/--address-monitoring", "ignored; address changes are not logged")
        warn(snmp, "-x/--snmp", "ignored; no SNMP, the control endpoint serves /metrics and /status")
        warn(snmpSocket != nil, "-A/--snmp-agent-socket", "ignored; no SNMP")
        warn(configFD != nil, "--config-fd", "ignored; keepalived-internal")
        warn(coreDumpPattern != nil, "-M/--core-dump-pattern",
             "core dumps allowed as with -m; /proc/sys/kernel/core_pattern is not changed")
        warn(perf, "--perf", "ignored; no perf recording")
        warn(debug, "--debug", "ignored; use -D for a detailed log")
        warn(noMemCheck, "--no-mem-check", "ignored; Vigil has no malloc checks")
        return out
    }

    /// `-S`: `0`–`7` and `local0`–`local7` are LOG_LOCAL0…7, `user` and `daemon` themselves; nil for anything else.
    public static func syslogFacility(_ text: String) -> Int32? {
        switch text {
        case "user": return LOG_USER
        case "daemon": return LOG_DAEMON
        default: break
        }
        let digits = text.hasPrefix("local") ? String(text.dropFirst(5)) : text
        guard let n = Int32(digits), (0...7).contains(n) else { return nil }
        return (16 + n) << 3  // LOG_LOCAL0 is facility 16
    }

    /// `-u`: a number as strtol with base 0 reads it (`0NNN` octal, `0xNN` hex, else decimal), 0…0o777.
    public static func umask(_ text: String) -> UInt32? {
        let value: UInt32?
        if text.hasPrefix("0x") || text.hasPrefix("0X") {
            value = UInt32(text.dropFirst(2), radix: 16)
        } else if text.hasPrefix("0"), text.count > 1 {
            value = UInt32(text.dropFirst(), radix: 8)
        } else {
            value = UInt32(text)
        }
        guard let value, value <= 0o777 else { return nil }
        return value
    }
}
