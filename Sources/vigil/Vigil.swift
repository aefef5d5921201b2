import ArgumentParser

/// The `vigil` command line: a keepalived-compatible load-balancer controller.
/// Each subcommand lives in its own file and only parses arguments; the work is
/// done by the library modules.
@main
struct Vigil: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "vigil",
        abstract: "A keepalived-compatible VRRP + IPVS load-balancer controller.",
        subcommands: [
            CheckCommand.self,
            RunCommand.self,
            StatusCommand.self,
            IPVSCommand.self,
            ProbeCommand.self,
            GenhashCommand.self,
        ]
    )
}
