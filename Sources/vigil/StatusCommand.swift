import ArgumentParser
import Director
import Foundation

/// `vigil status`: asks a running `vigil run` for `/status` on its control endpoint and prints it as tables
/// (or the JSON as served with `--json`).
struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show the state of a running vigil (VRRP instances, pools, IPVS) from its control endpoint"
    )

    @Option(name: .customLong("control"), help: "Control endpoint ADDR:PORT or unix:PATH (default 127.0.0.1:\(StatusTool.defaultPort))")
    var control: String?

    @Flag(help: "Print the JSON as served")
    var json = false

    @Flag(help: "Print the recent events instead of the status")
    var events = false

    func run() async throws {
        try await Output.run { () throws(ToolFailure) in
            Output.out(try StatusTool.run(control: control, json: json, events: events))
        }
    }
}
