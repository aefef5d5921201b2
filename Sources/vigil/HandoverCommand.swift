import ArgumentParser
import Director

/// `vigil handover`: a planned handover of a running `vigil run`'s MASTER instances, make-before-break: priority 0 is
/// sent, the VIPs (and so the LVS table) stay until the new MASTER advertises, and this node then stays BACKUP
/// without preempting until `vigil handover --cancel`. Served on the unix-socket control endpoint, or on TCP with the
/// control token.
struct HandoverCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "handover",
        abstract: "Hand the MASTER role over to the peers before maintenance (make-before-break), or cancel that"
    )

    @Option(name: .customLong("control"), help: "Control endpoint of the running vigil: unix:PATH, or ADDR:PORT with --token-file")
    var control: String?

    @Option(name: .customLong("token-file"), help: "The file holding the control token (vigil run --control-token-file), for a TCP endpoint")
    var tokenFile: String?

    @Flag(help: "End the handover: the instances preempt again by their priority")
    var cancel = false

    @Argument(help: "Instances to hand over (default: every instance)")
    var instances: [String] = []

    func run() async throws {
        try await Output.run { () throws(ToolFailure) in
            Output.out(try HandoverTool.run(control: control, instances: instances, cancel: cancel, tokenFile: tokenFile))
        }
    }
}
