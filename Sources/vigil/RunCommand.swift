import ArgumentParser
import Director
import Foundation
import Logging

/// `vigil run`: the daemon. VRRP, health checks and the IPVS table together (keepalived), or one side (`-P`, `-C`).
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
    var pidFile = "/run/vigil.pid"

    @Flag(name: [.customShort("l"), .customLong("log-console")], help: "Log to stderr")
    var logConsole = false

    @Flag(name: [.customShort("D"), .customLong("log-detail")], help: "Detailed (debug) log")
    var logDetail = false

    @Flag(name: .customLong("no-syslog"), help: "Do not log to syslog")
    var noSyslog = false

    @Flag(name: [.customShort("P"), .customLong("vrrp")], help: "VRRP only: no health checks, no IPVS")
    var vrrpOnly = false

    // Director (issue #6): checks + IPVS.
    @Flag(name: [.customShort("C"), .customLong("check")], help: "Health checks and IPVS only, no VRRP (table always installed)")
    var checksOnly = false

    @Flag(name: .customLong("dont-release-ipvs"), help: "Leave the IPVS services installed on exit")
    var dontReleaseIPVS = false

    @Option(name: .customLong("ipvs-state"),
            help: "Record of the IPVS services Vigil owns (default: /run/vigil/ipvs-owned.<network namespace inode>, shared with 'vigil ipvs apply')")
    var ipvsState: String?

    // Seeing it (issue #6): control endpoint, keepalived's -i/-S/-t.
    @Option(name: .customLong("control"),
            help: "Control endpoint (/status, /metrics, /events, dashboard) ADDR:PORT (default 127.0.0.1:\(DirectorRunOptions.defaultControlPort))")
    var control: String?

    @Flag(name: .customLong("no-control"), help: "Do not serve the control endpoint")
    var noControl = false

    @Option(name: [.customShort("i"), .customLong("config-id")], help: "config-id for @ID lines (default: the host name)")
    var configID: String?

    @Option(name: [.customShort("S"), .customLong("log-facility")], help: "Syslog facility local0..local7 (0-7; default daemon)")
    var logFacility: Int?

    @Flag(name: [.customShort("t"), .customLong("config-test")], help: "Check the configuration and exit (like vigil check)")
    var configTest = false

    func validate() throws {
        if let logFacility, !(0...7).contains(logFacility) {
            throw ValidationError("--log-facility must be 0-7 (local0..local7), not \(logFacility)")
        }
        do { _ = try DirectorRunOptions(control: control) } catch { throw ValidationError("\(error)") }
    }

    func run() async throws {
        if configTest {
            let result = ConfigTool.check(files: [file], configID: configID, hostChecks: true)
            Output.err(result.stderr)
            throw ExitCode(result.isValid ? 0 : 1)
        }
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
        VigilLogHandler.bootstrap(destinations: destinations, detailed: logDetail, facility: logFacility)
        let logger = Logger(label: "vigil")
        do {
            let options = try DirectorRunOptions(
                vrrpOnly: vrrpOnly, checksOnly: checksOnly, releaseOnExit: !dontReleaseIPVS, pidFile: pidFile,
                control: control, serveControl: !noControl, ipvsState: ipvsState)
            try await DirectorRun.run(path: file, configID: configID, plan: plan, options: options, logger: logger)
        } catch {
            logger.critical("\(error)")
            Output.err("vigil: \(error)\n")
            throw ExitCode(1)
        }
    }

    /// Re-executes this binary with `-n` in a new session, detached from the terminal, and returns.
    static func detach() throws {
        var args = CommandLine.arguments  // argv[0] stays as typed, so ps shows "vigil run …"
        args.append("-n")
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
