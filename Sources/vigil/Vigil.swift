import ArgumentParser
import Director
import Foundation

/// The `vigil` command line: a keepalived-compatible load-balancer controller.
/// Each subcommand lives in its own file and only parses arguments; the work is
/// done by the library modules.
struct Vigil: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "vigil",
        abstract: "A keepalived-compatible VRRP + IPVS load-balancer controller.",
        discussion: """
        With no subcommand, vigil takes keepalived's command line (vigil -f FILE -n -l -D, -t, --signum=…, -v) and \
        runs as 'vigil run' would; through a link named 'keepalived' it also takes keepalived's defaults \
        (pid file /run/keepalived.pid). 'vigil -n -h' lists those options.
        """,
        version: VigilVersion.line,
        subcommands: [
            CheckCommand.self,
            RunCommand.self,
            StatusCommand.self,
            HandoverCommand.self,
            IPVSCommand.self,
            ProbeCommand.self,
            GenhashCommand.self,
            BGPCommand.self,
        ]
    )

    /// First words ArgumentParser handles itself: the subcommands, the root's help, and what packaging asks it
    /// for (`--generate-completion-script bash`, `--experimental-dump-help` for the man page).
    static let ownWords: Set<String> = ["check", "run", "status", "handover", "ipvs", "probe", "genhash", "bgp", "help", "-h", "--help",
                                        "--version", "--generate-completion-script", "--experimental-dump-help"]
}

/// The entry: keepalived's command line (`vigil` with no subcommand, or a link named `keepalived`) is translated
/// into `vigil run`'s (`KeepalivedCommandLine`); everything else is ArgumentParser's.
@main
enum VigilMain {
    static func main() async {
        let argv = CommandLine.arguments
        let personality = KeepalivedCommandLine.Personality.of(argv0: argv.first ?? "vigil")
        let arguments = Array(argv.dropFirst())
        if personality == .vigil, arguments.first.map(Vigil.ownWords.contains) ?? true {
            await Vigil.main(arguments)
            return
        }
        switch KeepalivedCommandLine.translate(arguments, as: personality) {
        case .run(let translated, let warnings):
            for warning in warnings { Output.err("\(personality == .keepalived ? "keepalived" : "vigil"): \(warning)\n") }
            await Vigil.main(["run"] + translated)
        case .genhash(let translated):
            await Vigil.main(["genhash"] + translated)
        case .exit(let stdout, let stderr, let code):
            Output.out(stdout)
            Output.err(stderr)
            exit(code)
        }
    }
}
