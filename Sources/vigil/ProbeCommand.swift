import ArgumentParser
import Director

/// `vigil probe`: runs every configured checker of every real server once, now, and prints the results.
/// Exits 0 even when servers are down (it reports, it does not judge); 1 when the config is invalid.
struct ProbeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "probe",
        abstract: "Run every configured health check once and print the results"
    )

    @Option(name: .short, help: "Configuration file.")
    var f: String = "/etc/keepalived/keepalived.conf"

    @Flag(help: "Print a JSON array instead of a table.")
    var json = false

    @Option(help: "Instead of probing once, run the scheduler for this many seconds, printing state changes and a per-interval probe count.")
    var watch: Double?

    @Flag(help: "With --watch, print only the per-interval counts and the summary, not every state change.")
    var quiet = false

    @Option(help: "With --watch, also print (as `event UNIX-SECONDS DESCRIPTION`) the state changes whose description contains this text, even with --quiet.")
    var eventsMatching: String?

    func run() async throws {
        try await Output.run { () async throws(ToolFailure) in
            try await ProbeTool.run(file: f, json: json, watch: watch, quiet: quiet, eventsMatching: eventsMatching)
        }
    }
}
