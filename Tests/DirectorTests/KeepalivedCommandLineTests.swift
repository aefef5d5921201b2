import Testing
@testable import Director

@Suite("KeepalivedCommandLine")
struct KeepalivedCommandLineTests {
    let signals = DaemonSignalTable(rtmin: 34, rtmax: 64)

    func run(_ args: [String], as personality: KeepalivedCommandLine.Personality = .vigil) -> [String]? {
        if case .run(let a, _) = KeepalivedCommandLine.translate(args, as: personality, signals: signals) { return a }
        return nil
    }

    @Test("A short-option cluster -nlD becomes three options")
    func cluster() {
        #expect(run(["-f", "/x.conf", "-nlD"]) == ["--use-file", "/x.conf", "--dont-fork", "--log-console", "--log-detail"])
    }

    @Test("A value glued to a short option, or in the next word, or after = on a long one")
    func values() {
        #expect(run(["-f/x.conf"]) == ["--use-file", "/x.conf"])
        #expect(run(["--use-file=/x.conf"]) == ["--use-file", "/x.conf"])
        #expect(run(["--use-file", "/x.conf"]) == ["--use-file", "/x.conf"])
        #expect(run(["-nf", "/x.conf"]) == ["--dont-fork", "--use-file", "/x.conf"])
    }

    @Test("-t with no file, -tFILE, -t=FILE and --config-test=FILE")
    func configTest() {
        #expect(run(["-t"]) == ["--config-test"])
        #expect(run(["-t/tmp/log"]) == ["--config-test", "--config-test-log", "/tmp/log"])
        #expect(run(["-t=/tmp/log"]) == ["--config-test", "--config-test-log", "/tmp/log"])
        #expect(run(["--config-test=/tmp/log"]) == ["--config-test", "--config-test-log", "/tmp/log"])
        // Optional values are glued only: the next word is not the file.
        #expect(run(["-t", "-f", "/x"]) == ["--config-test", "--use-file", "/x"])
    }

    @Test("-g and -M take optional values with keepalived's defaults")
    func optionalDefaults() {
        #expect(run(["-g"]) == ["--log-file", KeepalivedCommandLine.defaultLogFile])
        #expect(run(["-g/var/log/k.log"]) == ["--log-file", "/var/log/k.log"])
        #expect(run(["-M"]) == ["--core-dump-pattern", "core"])
        #expect(run(["--core-dump-pattern=/tmp/core.%p"]) == ["--core-dump-pattern", "/tmp/core.%p"])
    }

    @Test("A unique prefix of a long option is that option, as getopt_long reads it")
    func prefixes() {
        #expect(run(["--dont-f"]) == ["--dont-fork"])
        if case .exit(_, let err, let code) = KeepalivedCommandLine.translate(["--dont"], as: .vigil, signals: signals) {
            #expect(code == 1)
            #expect(err.hasPrefix("Ambiguous option --dont"))
        } else {
            Issue.record("--dont is ambiguous")
        }
    }

    @Test("Through the keepalived link the pid file defaults to /run/keepalived.pid")
    func keepalivedPid() {
        #expect(run(["-n"], as: .keepalived) == ["--dont-fork", "--pid", "/run/keepalived.pid"])
        #expect(run(["-n", "-p", "/run/k.pid"], as: .keepalived) == ["--dont-fork", "--pid", "/run/k.pid"])
        #expect(run(["-n"], as: .vigil) == ["--dont-fork"])
    }

    @Test("vigil also takes vigil run's own options; the keepalived link refuses them")
    func vigilOnly() {
        #expect(run(["-n", "--control=127.0.0.1:9000"]) == ["--dont-fork", "--control", "127.0.0.1:9000"])
        // --control is exact (not a prefix of --control-token-file); the token file is vigil's too.
        #expect(run(["--control", "unix:/run/v.sock", "--control-token-file", "/etc/vigil/token"])
                == ["--control", "unix:/run/v.sock", "--control-token-file", "/etc/vigil/token"])
        if case .exit(_, let err, let code) = KeepalivedCommandLine.translate(["--control-token-file=/t"], as: .keepalived,
                                                                              signals: signals) {
            #expect(code == 1 && err.hasPrefix("Unknown option --control-token-file"))
        } else { Issue.record("--control-token-file through the link") }
        if case .exit(_, let err, let code) = KeepalivedCommandLine.translate(["--control=1.2.3.4:5"], as: .keepalived,
                                                                              signals: signals) {
            #expect(code == 1 && err.hasPrefix("Unknown option --control"))
        } else { Issue.record("--control through the link") }
    }

    @Test("The personality comes from argv[0]'s last component")
    func personality() {
        #expect(KeepalivedCommandLine.Personality.of(argv0: "/usr/sbin/keepalived") == .keepalived)
        #expect(KeepalivedCommandLine.Personality.of(argv0: "keepalived") == .keepalived)
        #expect(KeepalivedCommandLine.Personality.of(argv0: "/usr/bin/vigil") == .vigil)
    }

    @Test("--signum prints keepalived's numbers; an unknown function exits 1")
    func signum() {
        let expected = ["STOP": "15", "RELOAD": "1", "DATA": "10", "STATS": "12", "STATS_CLEAR": "63", "JSON": "36",
                        "TDUMP": "64", "TDATA": "64"]
        for (function, number) in expected {
            #expect(KeepalivedCommandLine.translate(["--signum=\(function)"], as: .vigil, signals: signals)
                    == .exit(stdout: number + "\n", stderr: "", code: 0))
        }
        #expect(KeepalivedCommandLine.translate(["--signum", "FOO"], as: .keepalived, signals: signals)
                == .exit(stdout: "", stderr: "Unknown sigfunc FOO\n", code: 1))
    }

    @Test("-T hands the rest of the line to genhash")
    func genhash() {
        #expect(KeepalivedCommandLine.translate(["-T", "-s", "10.0.0.1", "-p", "80", "-u", "/"], as: .keepalived,
                                                signals: signals)
                == .genhash(arguments: ["-s", "10.0.0.1", "-p", "80", "-u", "/"]))
    }

    @Test("-v prints the version; an unknown option or a missing value exits 1")
    func versionAndErrors() {
        #expect(KeepalivedCommandLine.translate(["-v"], as: .vigil, signals: signals)
                == .exit(stdout: VigilVersion.line + "\n", stderr: "", code: 0))
        // Through the link: on stderr, the second word `v2.2.7` (exporters parse it to choose their signals).
        guard case .exit(_, let err, 0) = KeepalivedCommandLine.translate(["-v"], as: .keepalived, signals: signals) else {
            Issue.record("keepalived -v")
            return
        }
        #expect(err.split(separator: " ").dropFirst().first == "v\(VigilVersion.keepalivedCompatibility)")
        if case .exit(_, let err, let code) = KeepalivedCommandLine.translate(["-q"], as: .vigil, signals: signals) {
            #expect(code == 1 && err.hasPrefix("Unknown option -q"))
        } else { Issue.record("-q is unknown") }
        #expect(KeepalivedCommandLine.translate(["-f"], as: .vigil, signals: signals)
                == .exit(stdout: "", stderr: "Missing parameter for option -f\n", code: 1))
    }

    @Test("Every keepalived option is accepted")
    func everyOption() {
        let line = ["-f", "/k.conf", "-P", "-C", "-B", "--all", "-l", "-D", "-S", "local3", "-g/tmp/k.log",
                    "--flush-log-file", "-G", "-u", "077", "-X", "-V", "-I", "-R", "-n", "-d", "-p", "/p", "-r", "/r",
                    "-c", "/c", "-b", "/b", "-a", "-x", "-A", "/a", "-s", "ns1", "-e", "-i", "node1", "-m", "-Mcore",
                    "-t", "--config-fd=3", "--ignore-sigint", "--perf=all", "--debug=D", "--no-mem-check"]
        let out = run(line)
        #expect(out != nil)
        #expect(out?.contains("--snmp-agent-socket") == true)
    }

    @Test("Words that are no option are warned about and ignored")
    func unexpected() {
        let outcome = KeepalivedCommandLine.translate(["-n", "extra"], as: .vigil, signals: signals)
        guard case .run(let args, let warnings) = outcome else { Issue.record("not run"); return }
        #expect(args == ["--dont-fork"])
        #expect(warnings.count == 1 && warnings[0].contains("extra"))
    }
}

@Suite("KeepalivedRunFlags")
struct KeepalivedRunFlagsTests {
    @Test("Each accepted-only option prints one warning naming it")
    func warnings() {
        #expect(KeepalivedRunFlags().warnings.isEmpty)
        let w = KeepalivedRunFlags(snmp: true, coreDumpPattern: "core").warnings
        #expect(w.count == 2)
        #expect(w.contains { $0.hasPrefix("warning: -x/--snmp: ") })
        #expect(w.contains { $0.hasPrefix("warning: -M/--core-dump-pattern: ") })
    }

    @Test("-S takes 0-7, local0-local7, user and daemon")
    func facility() {
        #expect(KeepalivedRunFlags.syslogFacility("0") == 16 << 3)
        #expect(KeepalivedRunFlags.syslogFacility("local7") == 23 << 3)
        #expect(KeepalivedRunFlags.syslogFacility("user") == 1 << 3)
        #expect(KeepalivedRunFlags.syslogFacility("daemon") == 3 << 3)
        #expect(KeepalivedRunFlags.syslogFacility("8") == nil)
        #expect(KeepalivedRunFlags.syslogFacility("kern") == nil)
    }

    @Test("-u reads octal with a leading 0, hex with 0x, else decimal")
    func umask() {
        #expect(KeepalivedRunFlags.umask("077") == 0o77)
        #expect(KeepalivedRunFlags.umask("0x1f") == 0x1f)
        #expect(KeepalivedRunFlags.umask("18") == 18)
        #expect(KeepalivedRunFlags.umask("0999") == nil)
        #expect(KeepalivedRunFlags.umask("abc") == nil)
    }
}
