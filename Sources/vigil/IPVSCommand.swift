import ArgumentParser
import Foundation
import Director

/// `vigil ipvs`: inspect and program the kernel's IPVS table.
struct IPVSCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ipvs",
        abstract: "Inspect and program the kernel IPVS table",
        subcommands: [IPVSListCommand.self, IPVSPlanCommand.self, IPVSApplyCommand.self]
    )
}

/// `vigil ipvs list`: the kernel table, like `ipvsadm -Ln`.
struct IPVSListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "Print the kernel IPVS table (like ipvsadm -Ln)"
    )

    @Flag(help: "Print traffic counters instead of weights and connections (like ipvsadm -Ln --stats).")
    var stats = false

    @Flag(help: "Print JSON.")
    var json = false

    func run() async throws {
        try await Output.run { () throws(ToolFailure) in Output.out(try IPVSTool.list(stats: stats, json: json)) }
    }
}

/// `vigil ipvs plan -f FILE`: the commands applying FILE would issue.
struct IPVSPlanCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plan",
        abstract: "Print the IPVS operations that applying FILE's virtual servers would perform"
    )

    @Option(name: .shortAndLong, help: "keepalived.conf-style configuration file.")
    var file: String

    @Flag(help: "Also delete services an earlier 'vigil ipvs apply' declared that FILE no longer declares (never others).")
    var prune = false

    @Option(help: "Ownership record (default: /run/vigil/ipvs-owned.<network namespace inode>).")
    var state: String?

    func run() async throws {
        try await Output.run { () async throws(ToolFailure) in
            Output.out(try await IPVSTool.plan(file: file, prune: prune, state: state))
        }
    }
}

/// `vigil ipvs apply -f FILE`: a one-shot sync of the kernel table to FILE's virtual servers.
struct IPVSApplyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "apply",
        abstract: "Make the kernel IPVS table match FILE's virtual servers and print what changed"
    )

    @Option(name: .shortAndLong, help: "keepalived.conf-style configuration file.")
    var file: String

    @Flag(help: "Also delete services an earlier 'vigil ipvs apply' declared that FILE no longer declares (never others).")
    var prune = false

    @Option(help: "Ownership record (default: /run/vigil/ipvs-owned.<network namespace inode>).")
    var state: String?

    @Flag(help: "Print only the summary line.")
    var quiet = false

    @Flag(help: "Print how long each phase took (load, read kernel table, plan, execute) on stderr.")
    var timing = false

    func run() async throws {
        var succeeded = true
        try await Output.run { () async throws(ToolFailure) in
            let result = try await IPVSTool.apply(file: file, prune: prune, state: state, quiet: quiet, timing: timing)
            Output.err(result.stderr)
            Output.out(result.stdout)
            succeeded = result.succeeded
        }
        if !succeeded { throw ExitCode(1) }
    }
}
