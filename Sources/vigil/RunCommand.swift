import ArgumentParser
import Config
import Director
import Foundation
import HA
import Logging

/// `vigil run`: the daemon. For now the VRRP side (`keepalived --vrrp`); IPVS and checks join in issue #6.
struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run the daemon (VRRP instances of a keepalived.conf)"
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

    @Flag(name: [.customShort("P"), .customLong("vrrp")], help: "VRRP only (the only mode so far)")
    var vrrpOnly = false

    // Director (issue #6): checks + IPVS.
    @Flag(name: [.customShort("C"), .customLong("check")], help: "Health checks and IPVS only, no VRRP (table always installed)")
    var checksOnly = false

    @Flag(name: .customLong("dont-release-ipvs"), help: "Leave the IPVS services installed on exit")
    var dontReleaseIPVS = false

    func run() async throws {
        let loaded = ConfigLoader.load(path: file)
        if !loaded.diagnostics.isEmpty {
            FileHandle.standardError.write(Data(loaded.rendered().utf8))
        }
        guard loaded.isValid else { throw ExitCode(1) }
        let vrrp: VRRPRuntimeConfiguration
        do { vrrp = try VRRPTranslation.runtimeConfiguration(loaded.config) } catch {
            FileHandle.standardError.write(Data("\(error)\n".utf8))
            throw ExitCode(1)
        }
        if !foreground {
            try Self.detach()
            return
        }
        var destinations: LogDestinations = []
        if logConsole { destinations.insert(.stderr) }
        if !noSyslog { destinations.insert(.syslog) }
        VigilLogHandler.bootstrap(destinations: destinations, detailed: logDetail)
        let logger = Logger(label: "vigil")
        let path = file
        let daemon = Daemon(vrrp: vrrp, pidFile: pidFile, logger: logger, reloader: {
            let again = ConfigLoader.load(path: path)
            for d in again.diagnostics {
                if d.severity == .error { logger.error("reload: \(d)") } else { logger.warning("reload: \(d)") }
            }
            guard again.isValid else { return nil }
            do { return DaemonReload(config: again.config, vrrp: try VRRPTranslation.runtimeConfiguration(again.config)) } catch {
                logger.error("reload: \(error)")
                return nil
            }
        })
        do {
            try await Supervisor.runDaemon(daemon, config: loaded.config, vrrpOnly: vrrpOnly, checksOnly: checksOnly,
                                           releaseOnExit: !dontReleaseIPVS, logger: logger)
        } catch {
            logger.critical("\(error)")
            FileHandle.standardError.write(Data("vigil: \(error)\n".utf8))
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
