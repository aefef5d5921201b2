import ArgumentParser
import Director

/// `vigil check`: validate keepalived.conf files, alone or as the nodes of one cluster.
/// Thin: loading, validation and cluster rules live in the Config module, through the Director.
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

    @Flag(help: "Print every keyword Vigil knows, with its arguments and status, and exit.")
    var keywords = false

    @Flag(help: "With --keywords: print docs/keywords.md (the table by block, with each keyword's status).")
    var markdown = false

    @Flag(help: "Do not warn about host facts (missing interfaces, missing script paths).")
    var noHostChecks = false

    func run() async throws {
        if keywords {
            Output.out(markdown ? ConfigTool.keywordsMarkdown() : ConfigTool.keywords())
            return
        }
        let files = f.isEmpty ? ["/etc/keepalived/keepalived.conf"] : f
        let result = ConfigTool.check(files: files, configID: i, hostChecks: !noHostChecks, json: json, dump: dump)
        Output.out(result.stdout)
        Output.err(result.stderr)
        if !result.isValid { throw ExitCode(1) }
    }
}
