import ArgumentParser
import Director

/// `vigil genhash`: fetches a URL once and prints the MD5 digest of its body, for a `digest` line
/// (the equivalent of `keepalived --genhash`, with the same options).
struct GenhashCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "genhash",
        abstract: "Print the MD5 digest of a URL's body, as HTTP_GET/SSL_GET digest lines expect"
    )

    @Option(name: [.customShort("s"), .customLong("server")], help: "Server address (numeric).")
    var server: String

    @Option(name: [.customShort("p"), .customLong("port")], help: "Server port.")
    var port: UInt16

    @Option(name: [.customShort("u"), .customLong("url")], help: "URL path, e.g. /index.html.")
    var url: String

    @Flag(name: [.customShort("S"), .customLong("use-ssl")], help: "Use TLS.")
    var useSSL = false

    @Option(name: [.customShort("V"), .customLong("use-virtualhost")], help: "Virtual host for the Host header.")
    var virtualHost: String?

    @Flag(name: [.customShort("I"), .customLong("use-sni")], help: "Send SNI (the virtual host) in the TLS handshake.")
    var useSNI = false

    @Option(name: [.customShort("P"), .customLong("protocol")], help: "HTTP protocol: 1.0, 1.0c or 1.1.")
    var httpProtocol: String = "1.0"

    @Option(name: [.customShort("t"), .customLong("timeout")], help: "Timeout in seconds.")
    var timeout: Double = 5

    @Flag(name: [.customShort("v"), .customLong("verbose")], help: "Print status and length too.")
    var verbose = false

    func run() async throws {
        try await Output.run { () async throws(ToolFailure) in
            Output.out(try await GenhashTool.run(
                server: server, port: port, url: url, useSSL: useSSL, virtualHost: virtualHost, useSNI: useSNI,
                httpProtocol: httpProtocol, timeout: timeout, verbose: verbose))
        }
    }
}
