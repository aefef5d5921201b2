// Entry point for the Config module built alone with swiftc (scripts/config/standalone.sh): no SwiftPM,
// no dependencies, so it builds in a minute and can be profiled and compared while the package builds.
//   check [--no-host-checks] [--json] [-i ID] -f FILE [-f FILE…]   like `vigil check` (diagnostics on stderr, or
//                                                         with --json as JSON on stdout; exit 1 if invalid)
//   keywords-md | warned-md                               docs/keywords.md, the README's warned-only list
//   dump FILE… | --pair A B                               diagnostics JSON, rendered text and model JSON per
//                                                         file (differential checks between two builds)
#if canImport(Glibc)
import Glibc
#endif

@main
struct ConfigStandalone {
    static func main() {
        let args = Array(CommandLine.arguments.dropFirst())
        switch args.first {
        case "check": check(Array(args.dropFirst()))
        case "dump": dump(Array(args.dropFirst()))
        case "keywords-md": print(KeywordTable.markdown(), terminator: "")
        case "warned-md": print(KeywordTable.warnedOnlyMarkdown(), terminator: "")
        case "keywords-tsv":
            for r in KeywordTable.rows() {
                for name in [r.keyword] + r.aliases { print("\(r.path.isEmpty ? "root" : r.path)\t\(name)\t\(r.since)\t\(r.status.tag ?? "implemented")") }
            }
        default:
            printError("usage: config-standalone check [--no-host-checks] [--json] [-i ID] -f FILE… | dump FILE… | dump --pair A B\n")
            exit(2)
        }
    }

    static func check(_ args: [String]) {
        var files: [String] = []
        var hostChecks = true
        var json = false
        var configID: String?
        var i = 0
        while i < args.count {
            switch args[i] {
            case "--no-host-checks": hostChecks = false
            case "--json": json = true
            case "-f" where i + 1 < args.count: files.append(args[i + 1]); i += 1
            case "-i" where i + 1 < args.count: configID = args[i + 1]; i += 1
            default: printError("unexpected argument '\(args[i])'\n"); exit(2)
            }
            i += 1
        }
        if files.isEmpty { files = ["/etc/keepalived/keepalived.conf"] }
        let report = CheckReport.run(files: files, configID: configID, hostChecks: hostChecks)
        if json {
            print(report.diagnosticsJSON())   // as `vigil check --json`: stdout only
        } else {
            let text = report.rendered()
            if !text.isEmpty { printError(text) }
        }
        exit(report.isValid ? 0 : 1)
    }

    /// Writes to standard error (fd 2).
    static func printError(_ s: String) {
        var bytes = Array(s.utf8)
        var off = 0
        while off < bytes.count {
            let n = bytes[off...].withUnsafeMutableBytes { write(2, $0.baseAddress, $0.count) }
            if n <= 0 { return }
            off += n
        }
        bytes.removeAll()
    }

    static func dump(_ args: [String]) {
        var i = 0
        while i < args.count {
            var files = [args[i]]
            if args[i] == "--pair", i + 2 < args.count {
                files = [args[i + 1], args[i + 2]]
                i += 2
            }
            let r = CheckReport.run(files: files, configID: "main", hostChecks: false)
            print("== \(files.joined(separator: " "))")
            print(r.diagnosticsJSON())
            print(r.rendered())
            print(r.modelJSON())
            i += 1
        }
    }
}
