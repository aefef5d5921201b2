import ArgumentParser
import Director
import Foundation
import Logging

/// `vigil run`: the daemon. VRRP, health checks and the IPVS table together (keepalived), or one side (`-P`, `-C`).
/// Its options carry keepalived's long names, and `vigil` with no subcommand (or the binary run as `keepalived`)
/// translates a keepalived command line into them (`KeepalivedCommandLine`): one option set for both.
struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run the daemon: VRRP instances, health checks and the IPVS table of a keepalived.conf"
    )

    @Option(name: [.short, .customLong("use-file")], help: "Configuration file")
    var file = "/etc/keepalived/keepalived.conf"

    @Flag(name: [.customShort("n"), .customLong("dont-fork")], help: "Stay in the foreground")
    var foreground = false

    @Option(name: [.customShort("p"), .customLong("pid")], help: "Pid file")
    var pidFile = KeepalivedCommandLine.vigilPidFile

    @Flag(name: [.customShort("l"), .customLong("log-console")], help: "Log to stderr")
    var logConsole = false

    @Flag(name: [.customShort("D"), .customLong("log-detail")], help: "Detailed (debug) log")
    var logDetail: Int

    @Flag(name: [.customShort("G"), .customLong("no-syslog")], help: "Do not log to syslog")
    var noSyslog = false

    @Option(name: [.customShort("g"), .customLong("log-file")], help: "Also log to FILE (appended)")
    var logFile: String?

    @Flag(name: .customLong("flush-log-file"), help: "Flush the log file after each line (always so)")
    var flushLogFile = false

    @Flag(name: [.customShort("P"), .customLong("vrrp")], help: "VRRP only: no health checks, no IPVS")
    var vrrpOnly = false

    // Director (issue #6): checks + IPVS.
    @Flag(name: [.customShort("C"), .customLong("check")], help: "Health checks and IPVS only, no VRRP (table always installed)")
    var checksOnly = false

    @Flag(name: [.customShort("I"), .customLong("dont-release-ipvs")], help: "Leave the IPVS services installed on exit")
    var dontReleaseIPVS = false

    @Option(name: .customLong("ipvs-state"),
            help: "Record of the IPVS services Vigil owns (default: /run/vigil/ipvs-owned.<network namespace inode>, shared with 'vigil ipvs apply')")
    var ipvsState: String?

    // Seeing it (issue #6): control endpoint, keepalived's -i/-S/-t.
    @Option(name: .customLong("control"),
            help: "Control endpoint (/status, /metrics, /events, dashboard) ADDR:PORT or unix:PATH (default 127.0.0.1:\(DirectorRunOptions.defaultControlPort))")
    var control: String?

    @Flag(name: .customLong("no-control"), help: "Do not serve the control endpoint")
    var noControl = false

    @Option(name: .customLong("control-token-file"),
            help: "A file (mode 0600) whose first line is the token that lets requests on a TCP control endpoint hand over (POST /handover); without it that is served on a unix socket only")
    var controlTokenFile: String?

    @Option(name: [.customShort("i"), .customLong("config-id")], help: "config-id for @ID lines (default: the host name)")
    var configID: String?

    @Option(name: [.customShort("S"), .customLong("log-facility")], help: "Syslog facility: 0-7 or local0-local7, user, daemon (default)")
    var logFacility: String?

    @Flag(name: [.customShort("t"), .customLong("config-test")], help: "Check the configuration and exit with keepalived's -t codes (0, 4, 5, 6)")
    var configTest = false

    @Option(name: .customLong("config-test-log"), help: "With -t: append the report to FILE instead of stderr")
    var configTestLog: String?

    @Option(name: [.customShort("u"), .customLong("umask")], help: "umask for the files Vigil creates (numeric; 0NNN octal)")
    var umaskValue: String?

    @Flag(name: [.customShort("m"), .customLong("core-dump")], help: "Allow core dumps (RLIMIT_CORE unlimited)")
    var coreDump = false

    @Option(name: [.customShort("M"), .customLong("core-dump-pattern")], help: "As -m (the kernel's core_pattern is not changed)")
    var coreDumpPattern: String?

    @Option(name: [.customShort("s"), .customLong("namespace")], help: "Run in network namespace NAME (re-executes under 'ip netns exec NAME')")
    var namespace: String?

    @Flag(name: .customLong("ignore-sigint"), help: "Log and ignore SIGINT instead of stopping")
    var ignoreSIGINT = false

    // keepalived options that Vigil accepts and warns about (KeepalivedRunFlags says what happens instead).
    @Flag(name: [.customShort("B"), .customLong("no_bfd")], help: "Run no bfd_instance session") var noBFD = false
    @Flag(name: .customLong("all"), help: "Accepted, warned") var all = false
    @Flag(name: [.customShort("X"), .customLong("release-vips")], help: "Accepted, warned") var releaseVIPs = false
    @Flag(name: [.customShort("V"), .customLong("dont-release-vrrp")], help: "Accepted, warned") var dontReleaseVRRP = false
    @Flag(name: [.customShort("R"), .customLong("dont-respawn")], help: "One process: nothing respawns") var dontRespawn = false
    @Flag(name: [.customShort("d"), .customLong("dump-conf")], help: "Log the configuration data (keepalived.data's layout) at start") var dumpConf = false
    @Option(name: [.customShort("r"), .customLong("vrrp_pid")], help: "Accepted, warned") var vrrpPid: String?
    @Option(name: [.customShort("c"), .customLong("checkers_pid")], help: "Accepted, warned") var checkersPid: String?
    @Option(name: [.customShort("b"), .customLong("bfd_pid")], help: "Accepted, warned") var bfdPid: String?
    @Flag(name: [.customShort("a"), .customLong("address-monitoring")], help: "Accepted, warned") var addressMonitoring = false
    @Flag(name: [.customShort("x"), .customLong("snmp")], help: "Accepted, warned") var snmp = false
    @Option(name: [.customShort("A"), .customLong("snmp-agent-socket")], help: "Accepted, warned") var snmpSocket: String?
    @Flag(name: [.customShort("e"), .customLong("all-config")], help: "Refuse to start (with -t: exit 4) when an include matches no file") var allConfig = false
    @Option(name: .customLong("config-fd"), help: "Accepted, warned") var configFD: String?
    @Flag(name: .customLong("perf"), help: "Accepted, warned") var perf = false
    @Flag(name: .customLong("debug"), help: "Accepted, warned") var debug = false
    @Flag(name: .customLong("no-mem-check"), help: "Accepted, warned") var noMemCheck = false

    /// What this command line asks of keepalived's options, for the warnings.
    var flags: KeepalivedRunFlags {
        KeepalivedRunFlags(all: all, releaseVIPs: releaseVIPs, dontReleaseVRRP: dontReleaseVRRP,
                           vrrpPid: vrrpPid, checkersPid: checkersPid, bfdPid: bfdPid, addressMonitoring: addressMonitoring,
                           snmp: snmp, snmpSocket: snmpSocket, configFD: configFD,
                           coreDumpPattern: coreDumpPattern, perf: perf, debug: debug, noMemCheck: noMemCheck)
    }

    func validate() throws {
        do { _ = try DirectorRunOptions(control: control, controlTokenFile: controlTokenFile) } catch { throw ValidationError("\(error)") }
    }

    func run() async throws {
        if let namespace, !configTest { try Self.enterNamespace(namespace) }
        for warning in flags.warnings { Output.err("vigil: \(warning)\n") }
        if let logFacility, KeepalivedRunFlags.syslogFacility(logFacility) == nil {
            // keepalived says so and goes on with its default.
            Output.err("vigil: warning: invalid log facility '\(logFacility)' (0-7, local0-local7, user, daemon): daemon is used\n")
        }
        if let umaskValue {
            if let mask = KeepalivedRunFlags.umask(umaskValue) {
                umask(mode_t(mask))
            } else {
                Output.err("vigil: warning: invalid umask '\(umaskValue)' (a number, 0NNN octal, at most 0777): the umask is left as it is\n")
            }
        }
        if coreDump || coreDumpPattern != nil {
            var limit = rlimit(rlim_cur: rlim_t.max, rlim_max: rlim_t.max)  // RLIM_INFINITY
            if setrlimit(__rlimit_resource_t(RLIMIT_CORE.rawValue), &limit) != 0 { Output.err("vigil: -m: cannot raise RLIMIT_CORE: \(String(cString: strerror(errno)))\n") }
        }
        let missing = allConfig ? ConfigTool.missingIncludes(file: file, configID: configID) : []
        if configTest {
            let result = ConfigTool.check(files: [file], configID: configID, hostChecks: true)
            // -e: a missing file is one keepalived cannot run (its code 4).
            let code = missing.isEmpty ? result.keepalivedExitCode : .cannotRun
            if let configTestLog {
                guard let handle = FileHandle(forWritingAtPath: configTestLog)
                        ?? (FileManager.default.createFile(atPath: configTestLog, contents: nil)
                            ? FileHandle(forWritingAtPath: configTestLog) : nil) else {
                    Output.err("vigil: cannot open config-test log file \(configTestLog)\n")
                    throw ExitCode(1)
                }
                handle.seekToEndOfFile()
                handle.write(Data(result.stderr.utf8))
                try? handle.close()
            } else {
                Output.err(result.stderr)
            }
            throw ExitCode(code.rawValue)
        }
        if !missing.isEmpty {
            Output.err(missing.map { "vigil: -e/--all-config: \($0)\n" }.joined())
            throw ExitCode(1)
        }
        if foreground { DirectorRun.ignoreSignalsUntilRunning(ignoresSIGINT: ignoreSIGINT) }
        let loaded = DirectorRun.load(path: file, configID: configID)
        Output.err(loaded.rendered)
        guard let plan = loaded.plan else { throw ExitCode(1) }
        if !foreground {
            try Self.detach()
            return
        }
        var destinations: LogDestinations = []
        if logConsole { destinations.insert(.stderr) }
        if !noSyslog { destinations.insert(.syslog) }
        let facility = logFacility.flatMap(KeepalivedRunFlags.syslogFacility) ?? LOG_DAEMON
        VigilLogHandler.bootstrap(destinations: destinations, detailed: logDetail > 0, facility: facility, file: logFile)
        let logger = Logger(label: "vigil")
        do {
            var options = try DirectorRunOptions(
                vrrpOnly: vrrpOnly, checksOnly: checksOnly, releaseOnExit: !dontReleaseIPVS, pidFile: pidFile,
                control: control, serveControl: !noControl, ipvsState: ipvsState, ignoresSIGINT: ignoreSIGINT,
                dumpConfiguration: dumpConf, controlTokenFile: controlTokenFile)
            options.noBFD = noBFD
            try await DirectorRun.run(path: file, configID: configID, plan: plan, options: options, logger: logger)
        } catch {
            logger.critical("\(error)")
            Output.err("vigil: \(error)\n")
            throw ExitCode(1)
        }
    }

    /// `-s NAME`: re-executes this command line under `ip netns exec NAME`, unless already there
    /// (`VIGIL_NAMESPACE` names the namespace entered, so the second run goes on).
    static func enterNamespace(_ name: String) throws {
        if ProcessInfo.processInfo.environment["VIGIL_NAMESPACE"] == name { return }
        var args = CommandLine.arguments
        let argv0 = args.removeFirst()
        setenv("VIGIL_NAMESPACE", name, 1)
        let argv = ["ip", "netns", "exec", name, executablePath(argv0)] + args
        // `ip netns exec` runs its command with execvp: the path keeps argv[0]'s name, so a `keepalived` link
        // stays one.
        let cargs = argv.map { strdup($0) } + [nil]
        execvp("ip", cargs)
        Output.err("vigil: -s \(name): cannot run 'ip netns exec': \(String(cString: strerror(errno)))\n")
        throw ExitCode(1)
    }

    /// A path to this binary under the name it was invoked by: argv[0] if it has a slash, else its first match on
    /// PATH, else the binary itself.
    static func executablePath(_ argv0: String) -> String {
        if argv0.contains("/") { return argv0 }
        for dir in (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":") {
            let candidate = "\(dir)/\(argv0)"
            if access(candidate, X_OK) == 0 { return candidate }
        }
        return (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? argv0
    }

    /// Re-executes this binary with `-n` in a new session, detached from the terminal, and returns.
    static func detach() throws {
        var args = CommandLine.arguments  // argv[0] stays as typed, so ps shows "vigil run …"
        // Right after `run` (or argv[0]): appended, it would follow a `--` and be no option, and the child would
        // detach again.
        let at = args.count > 1 && args[1] == "run" ? 2 : 1
        args.insert("-n", at: min(at, args.count))
        var attr = posix_spawnattr_t()
        posix_spawnattr_init(&attr)
        defer { posix_spawnattr_destroy(&attr) }
        posix_spawnattr_setflags(&attr, Int16(0x80))  // POSIX_SPAWN_SETSID
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        for fd in Int32(0)...2 { posix_spawn_file_actions_addopen(&actions, fd, "/dev/null", fd == 0 ? O_RDONLY : O_WRONLY, 0) }
        let cargs = args.map { strdup($0) } + [nil]
        defer { for p in cargs { free(p) } }
        var pid: pid_t = 0
        let rc = posix_spawn(&pid, "/proc/self/exe", &actions, &attr, cargs, environ)
        guard rc == 0 else {
            FileHandle.standardError.write(Data("vigil: cannot detach: \(String(cString: strerror(rc)))\n".utf8))
            throw ExitCode(1)
        }
    }
}
