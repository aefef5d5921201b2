import ArgumentParser
import Director

/// `vigil bgp`: the BGP engine's side of `vigil_announce` (docs/anycast.md).
struct BGPCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bgp",
        abstract: "Help a BGP engine (BIRD 2, FRR) announce the vigil_announce addresses",
        subcommands: [BGPRenderCommand.self]
    )
}

/// `vigil bgp render --bird|--frr -f FILE`: prints the engine configuration that learns `vigil_route_table` and
/// exports the announced addresses.
struct BGPRenderCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "render",
        abstract: "Print a BIRD 2 or FRR snippet that learns vigil_route_table and exports the announced addresses"
    )

    @Option(name: .shortAndLong, help: "keepalived.conf-style configuration file.")
    var file: String = "/etc/keepalived/keepalived.conf"

    @Flag(help: "Render for BIRD 2 (bird.conf syntax).")
    var bird = false

    @Flag(help: "Render for FRR (frr.conf syntax).")
    var frr = false

    @Option(name: .customLong("local-as"), help: "This director's AS number.")
    var localAS: UInt32 = 65001

    @Option(name: .customLong("peer"), help: "A router to announce to (repeat for several).")
    var peers: [String] = []

    @Option(name: .customLong("peer-as"), help: "The routers' AS number.")
    var peerAS: UInt32 = 65000

    @Flag(help: "Run BFD on the sessions (a dead director leaves the ECMP set within BFD's detection time).")
    var bfd = false

    func validate() throws {
        guard bird != frr else { throw ValidationError("give exactly one of --bird and --frr") }
        if let bad = BGPTool.Session.invalidPeer(peers) { throw ValidationError("--peer '\(bad)' is not an IP address") }
    }

    func run() async throws {
        let session = BGPTool.Session(localAS: localAS, peerTexts: peers, peerAS: peerAS, bfd: bfd)
        try await Output.run { () async throws(ToolFailure) in
            Output.out(try BGPTool.render(file: file, engine: bird ? .bird : .frr, session: session))
        }
    }
}
