import ArgumentParser
import Config
#if canImport(Glibc)
import Glibc
#endif

/// `vigil check`: validate keepalived.conf files, alone or as the nodes of one cluster.
/// Thin: loading, validation and cluster rules live in the Config module.
struct CheckCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Validate keepalived.conf files (several -f: check them as the nodes of one cluster)."
    )

    @Option(name: .short, help: "Configuration file (repeat for the nodes of a cluster).")
    var f: [String] = []

    @Option(name: .short, help: "config-id for @ID lines (default: the host name).")
    var i: String?

    @Flag(help: "Print diagnostics as JSON on stdout.")
    var json = false

    @Flag(help: "Print the normalized model as JSON on stdout.")
    var dump = false

    @Flag(help: "Print every keyword Vigil knows, with its arguments, and exit.")
    var keywords = false

    @Flag(help: "Do not warn about host facts (missing interfaces, missing script paths).")
    var noHostChecks = false

    func run() async throws {
        if keywords {
            print(Keyword.renderTree(), terminator: "")
            return
        }
        let files = f.isEmpty ? ["/etc/keepalived/keepalived.conf"] : f
        let report = CheckReport.run(files: files, configID: i, hostChecks: !noHostChecks)
        if json {
            print(report.diagnosticsJSON())
        } else {
            let text = report.rendered()
            if !text.isEmpty { FileHandleStderr.write(text) }
        }
        if dump { print(report.modelJSON()) }
        if !report.isValid { throw ExitCode(1) }
    }
}

enum FileHandleStderr {
    static func write(_ s: String) {
        var bytes = Array(s.utf8)
        var off = 0
        while off < bytes.count {
            let n = bytes[off...].withUnsafeMutableBytes { Glibc.write(2, $0.baseAddress, $0.count) }
            if n <= 0 { return }
            off += n
        }
        bytes.removeAll()
    }
}
