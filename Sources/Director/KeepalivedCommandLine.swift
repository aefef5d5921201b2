// Theory of operation
//
// keepalived parses its command line with getopt_long: short options cluster (`-nlD`), a short option's value may
// be glued (`-fFILE`) or the next word, three options take an *optional* value that must be glued (`-t[FILE]`,
// `-g[FILE]`, `-M[PATTERN]`, or `--config-test=FILE`), long options take `--name=value` or `--name value` and may be
// abbreviated to any unique prefix. ArgumentParser expresses none of the optional-value forms, so `vigil` with no
// subcommand (and the binary run through a link named `keepalived`) first passes argv through `translate`, a pure
// function, which returns the arguments of `vigil run` (whose options carry keepalived's long names), or
// `vigil genhash`'s for `-T`, or what to print and the exit code (`--signum`, `-v`, `-h`, a bad option).
// It decides nothing about what an option does: `vigil run` does that, and warns about what it only accepts.

/// The translation of a keepalived command line into Vigil's.
public enum KeepalivedCommandLine {
    /// How the binary was invoked.
    public enum Personality: Sendable, Equatable {
        /// As `vigil` with no subcommand: keepalived's options, Vigil's defaults (pid file `/run/vigil.pid`).
        case vigil
        /// Through a link named `keepalived`: keepalived's options and keepalived's defaults
        /// (pid file `/run/keepalived.pid`).
        case keepalived

        /// The personality of a process whose argv[0] is `argv0`.
        public static func of(argv0: String) -> Personality {
            argv0.split(separator: "/").last.map(String.init) == "keepalived" ? .keepalived : .vigil
        }
    }

    /// What to do.
    public enum Outcome: Sendable, Equatable {
        /// Run `vigil run` with these arguments, after printing each warning on stderr.
        case run(arguments: [String], warnings: [String])
        /// Run `vigil genhash` with these arguments (`-T` and everything after it).
        case genhash(arguments: [String])
        /// Print and exit: `--signum`, `--version`, `--help`, or an option keepalived would refuse.
        case exit(stdout: String, stderr: String, code: Int32)
    }

    /// The pid file keepalived uses when `-p` is not given.
    public static let keepalivedPidFile = "/run/keepalived.pid"
    /// The pid file `vigil` and `vigil run` use when `-p` is not given.
    public static let vigilPidFile = "/run/vigil.pid"
    /// Where `-g` with no file name logs (keepalived: `keepalived.log` in its working directory).
    public static let defaultLogFile = "/tmp/keepalived.log"
    /// keepalived's default core pattern for `-M` with no pattern.
    public static let defaultCorePattern = "core"

    enum Argument: Equatable {
        case none, required, optional
    }

    /// One keepalived option: its letter, its long name, its argument, and the `vigil run` option it becomes
    /// (`nil`: handled here).
    struct Option {
        var short: Character?
        var long: String
        var argument: Argument
        var run: String?
        /// A `vigil run` option that keepalived does not have: `vigil` takes it, the `keepalived` link refuses it.
        var vigilOnly = false
    }

    /// keepalived 2.2.7's options and those added up to 2.4.3 (`--ignore-sigint`, `--config-fd`).
    static let options: [Option] = [
        Option(short: "f", long: "use-file", argument: .required, run: "--use-file"),
        Option(short: "P", long: "vrrp", argument: .none, run: "--vrrp"),
        Option(short: "C", long: "check", argument: .none, run: "--check"),
        Option(short: "B", long: "no_bfd", argument: .none, run: "--no_bfd"),
        Option(short: nil, long: "all", argument: .none, run: "--all"),
        Option(short: "l", long: "log-console", argument: .none, run: "--log-console"),
        Option(short: "D", long: "log-detail", argument: .none, run: "--log-detail"),
        Option(short: "S", long: "log-facility", argument: .required, run: "--log-facility"),
        Option(short: "g", long: "log-file", argument: .optional, run: "--log-file"),
        Option(short: nil, long: "flush-log-file", argument: .none, run: "--flush-log-file"),
        Option(short: "G", long: "no-syslog", argument: .none, run: "--no-syslog"),
        Option(short: "u", long: "umask", argument: .required, run: "--umask"),
        Option(short: "X", long: "release-vips", argument: .none, run: "--release-vips"),
        Option(short: "V", long: "dont-release-vrrp", argument: .none, run: "--dont-release-vrrp"),
        Option(short: "I", long: "dont-release-ipvs", argument: .none, run: "--dont-release-ipvs"),
        Option(short: "R", long: "dont-respawn", argument: .none, run: "--dont-respawn"),
        Option(short: "n", long: "dont-fork", argument: .none, run: "--dont-fork"),
        Option(short: "d", long: "dump-conf", argument: .none, run: "--dump-conf"),
        Option(short: "p", long: "pid", argument: .required, run: "--pid"),
        Option(short: "r", long: "vrrp_pid", argument: .required, run: "--vrrp_pid"),
        Option(short: "c", long: "checkers_pid", argument: .required, run: "--checkers_pid"),
        Option(short: "b", long: "bfd_pid", argument: .required, run: "--bfd_pid"),
        Option(short: "T", long: "genhash", argument: .none, run: nil),
        Option(short: "a", long: "address-monitoring", argument: .none, run: "--address-monitoring"),
        Option(short: "x", long: "snmp", argument: .none, run: "--snmp"),
        Option(short: "A", long: "snmp-agent-socket", argument: .required, run: "--snmp-agent-socket"),
        Option(short: "s", long: "namespace", argument: .required, run: "--namespace"),
        Option(short: "e", long: "all-config", argument: .none, run: "--all-config"),
        Option(short: "i", long: "config-id", argument: .required, run: "--config-id"),
        Option(short: "m", long: "core-dump", argument: .none, run: "--core-dump"),
        Option(short: "M", long: "core-dump-pattern", argument: .optional, run: "--core-dump-pattern"),
        Option(short: nil, long: "signum", argument: .required, run: nil),
        Option(short: "t", long: "config-test", argument: .optional, run: "--config-test"),
        Option(short: nil, long: "config-fd", argument: .required, run: "--config-fd"),
        Option(short: nil, long: "ignore-sigint", argument: .none, run: "--ignore-sigint"),
        Option(short: nil, long: "perf", argument: .optional, run: "--perf"),
        Option(short: nil, long: "debug", argument: .optional, run: "--debug"),
        Option(short: nil, long: "no-mem-check", argument: .none, run: "--no-mem-check"),
        Option(short: "v", long: "version", argument: .none, run: nil),
        Option(short: "h", long: "help", argument: .none, run: nil),
        Option(short: nil, long: "control", argument: .required, run: "--control", vigilOnly: true),
        Option(short: nil, long: "no-control", argument: .none, run: "--no-control", vigilOnly: true),
        Option(short: nil, long: "ipvs-state", argument: .required, run: "--ipvs-state", vigilOnly: true),
        Option(short: nil, long: "control-token-file", argument: .required, run: "--control-token-file", vigilOnly: true),
    ]

    /// Translates `arguments` (argv without argv[0]).
    public static func translate(_ arguments: [String], as personality: Personality,
                                 signals: DaemonSignalTable = .current()) -> Outcome {
        var run: [String] = []
        var warnings: [String] = []
        var unexpected: [String] = []
        var pidGiven = false
        var index = 0
        let options = options.filter { personality == .vigil || !$0.vigilOnly }

        // Applies one parsed option; returns an outcome when it ends the translation.
        func apply(_ option: Option, _ value: String?, rest: ArraySlice<String>) -> Outcome? {
            switch option.long {
            case "signum":
                let function = value ?? ""
                guard let number = signals.number(ofFunction: function) else {
                    return .exit(stdout: "", stderr: "Unknown sigfunc \(function)\n", code: 1)
                }
                return .exit(stdout: "\(number)\n", stderr: "", code: 0)
            case "version":
                return personality == .keepalived
                    ? .exit(stdout: "", stderr: VigilVersion.keepalivedLine + "\n\n", code: 0)
                    : .exit(stdout: VigilVersion.line + "\n", stderr: "", code: 0)
            case "help":
                return .exit(stdout: usage(personality), stderr: "", code: 0)
            case "genhash":
                return .genhash(arguments: Array(rest))
            default:
                break
            }
            guard let target = option.run else { return nil }
            if option.long == "pid" { pidGiven = true }
            switch option.argument {
            case .none:
                run.append(target)
            case .required:
                run += [target, value ?? ""]
            case .optional:
                switch option.long {
                case "config-test":
                    run.append(target)
                    if let value { run += ["--config-test-log", value] }
                case "log-file": run += [target, value ?? defaultLogFile]
                case "core-dump-pattern": run += [target, value ?? defaultCorePattern]
                default: run.append(target)  // --perf, --debug: their value only tunes what Vigil does not do
                }
            }
            return nil
        }

        while index < arguments.count {
            let word = arguments[index]
            index += 1
            if word == "--" {
                unexpected += arguments[index...]
                break
            }
            if word.hasPrefix("--") {
                let body = word.dropFirst(2)
                let name = body.split(separator: "=", maxSplits: 1).first.map(String.init) ?? ""
                let glued = body.contains("=") ? String(body.drop { $0 != "=" }.dropFirst()) : nil
                let matches = options.filter { $0.long == name }.isEmpty
                    ? options.filter { $0.long.hasPrefix(name) && !name.isEmpty }
                    : options.filter { $0.long == name }
                guard matches.count == 1, let option = matches.first else {
                    let why = matches.isEmpty ? "Unknown option \(word)" : "Ambiguous option \(word)"
                    return .exit(stdout: "", stderr: why + "\n" + usageHint(personality), code: 1)
                }
                var value = glued
                switch option.argument {
                case .none:
                    if glued != nil {
                        return .exit(stdout: "", stderr: "Option --\(option.long) takes no parameter\n", code: 1)
                    }
                case .required:
                    if value == nil, index < arguments.count {
                        value = arguments[index]
                        index += 1
                    }
                    guard let v = value, !v.isEmpty else {
                        return .exit(stdout: "", stderr: "Missing parameter for option --\(option.long)\n", code: 1)
                    }
                case .optional:
                    if value?.isEmpty == true { value = nil }
                }
                if let outcome = apply(option, value, rest: arguments[index...]) { return outcome }
                continue
            }
            if word.hasPrefix("-"), word.count > 1 {
                var letters = Substring(word.dropFirst())
                while let letter = letters.first {
                    letters = letters.dropFirst()
                    guard let option = options.first(where: { $0.short == letter }) else {
                        return .exit(stdout: "", stderr: "Unknown option -\(letter)\n" + usageHint(personality), code: 1)
                    }
                    var value: String?
                    switch option.argument {
                    case .none:
                        break
                    case .required:
                        if !letters.isEmpty {
                            value = String(letters)
                        } else if index < arguments.count {
                            value = arguments[index]
                            index += 1
                        } else {
                            return .exit(stdout: "", stderr: "Missing parameter for option -\(letter)\n", code: 1)
                        }
                        letters = ""
                    case .optional:
                        // Glued only (`-tFILE`); `-t=FILE` is read as FILE (getopt would name the file "=FILE").
                        let glued = letters.hasPrefix("=") ? letters.dropFirst() : letters
                        value = glued.isEmpty ? nil : String(glued)
                        letters = ""
                    }
                    if let outcome = apply(option, value, rest: arguments[index...]) { return outcome }
                }
                continue
            }
            unexpected.append(word)
        }
        if !unexpected.isEmpty {
            warnings.append("warning: unexpected argument(s) \(unexpected.joined(separator: " ")): ignored, as keepalived ignores them")
        }
        if personality == .keepalived, !pidGiven {
            run += ["--pid", keepalivedPidFile]
        }
        return .run(arguments: run, warnings: warnings)
    }

    static func usageHint(_ personality: Personality) -> String {
        "Try '\(personality == .keepalived ? "keepalived" : "vigil") --help' for the options.\n"
    }

    /// `--help` through the `keepalived` link (and `vigil -h` after other options): the options, in Vigil's words.
    public static func usage(_ personality: Personality) -> String {
        let me = personality == .keepalived ? "keepalived" : "vigil"
        let pid = personality == .keepalived ? keepalivedPidFile : vigilPidFile
        let own = personality == .keepalived ? "" : "      --control=ADDR:PORT|unix:PATH, --no-control, --ipvs-state=FILE,\n"
            + "      --control-token-file=FILE\n"
            + "                               vigil run's own options (not through the keepalived link)\n"
        return """
        Usage: \(me) [OPTION...]
        \(VigilVersion.line); keepalived's options, run by Vigil (see docs/control.md for what each does).
          -f, --use-file=FILE          configuration file (default /etc/keepalived/keepalived.conf)
          -P, --vrrp                   VRRP only
          -C, --check                  health checks and IPVS only
          -B, --no_bfd                 run no bfd_instance session
              --all                    accepted; warns (sides with nothing configured do not start)
          -l, --log-console            log to stderr
          -D, --log-detail             detailed (debug) log
          -S, --log-facility=F         syslog facility 0-7 (local0-7), localN, user or daemon (default)
          -g, --log-file[=FILE]        also log to FILE (default \(defaultLogFile))
              --flush-log-file         lines are written unbuffered anyway
          -G, --no-syslog              do not log to syslog
          -u, --umask=MASK             umask for files Vigil creates (numeric; 0NNN is octal)
          -X, --release-vips           accepted; warns
          -V, --dont-release-vrrp      accepted; warns (VIPs are removed on stop)
          -I, --dont-release-ipvs      leave the IPVS services installed on exit
          -R, --dont-respawn           one process: nothing respawns
          -n, --dont-fork              stay in the foreground
          -d, --dump-conf              log the configuration data at start (keepalived.data's layout)
          -p, --pid=FILE               pid file (default \(pid))
          -r, --vrrp_pid=FILE          accepted; warns (one process, one pid file)
          -c, --checkers_pid=FILE      accepted; warns (one process, one pid file)
          -b, --bfd_pid=FILE           accepted; warns (no BFD)
          -T, --genhash ...            the rest of the line goes to `vigil genhash`
          -a, --address-monitoring     accepted; warns
          -x, --snmp                   accepted; warns (no SNMP: see the control endpoint's /metrics)
          -A, --snmp-agent-socket=FILE accepted; warns
          -s, --namespace=NAME         run in network namespace NAME (through `ip netns exec`)
          -e, --all-config             refuse to start (-t: exit 4) when an include matches no file
          -i, --config-id=ID           config-id for @ID lines (default: the host name)
          -m, --core-dump              allow core dumps (RLIMIT_CORE unlimited)
          -M, --core-dump-pattern[=P]  as -m; warns that the kernel's core_pattern is left as it is
              --signum=SIGFUNC         print the signal number of STOP, RELOAD, DATA, STATS, STATS_CLEAR, JSON, TDUMP
          -t, --config-test[=FILE]     check the configuration and exit (0, 4, 5 or 6 as keepalived); FILE: report there
              --config-fd=FD           accepted; warns (keepalived internal)
              --ignore-sigint          SIGINT is logged and ignored
              --perf[=...], --debug[=...], --no-mem-check
                                       accepted; warn (keepalived build options)
          -v, --version                print the version (through the keepalived link: on stderr, as keepalived)
          -h, --help                   this help
        \(own)
        """
    }
}
