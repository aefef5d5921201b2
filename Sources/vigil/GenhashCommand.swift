import ArgumentParser
import HealthCheck
import NIOPosix
import Vocabulary

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
        let version: HTTPProtocolVersion
        switch httpProtocol.lowercased() {
        case "1.0": version = .http10
        case "1.0c": version = .http10Close
        case "1.1": version = .http11
        default: throw ValidationError("protocol must be 1.0, 1.0c or 1.1, not \(httpProtocol)")
        }
        guard timeout > 0, timeout < 86_400 else { throw ValidationError("timeout must be between 0 and 86400 seconds") }
        let tls = useSSL ? TLSSettings(serverName: useSNI ? virtualHost : nil) : nil
        guard let address = IPAddress(server) else { throw ValidationError("server must be a numeric IPv4 or IPv6 address, not \(server)") }
        let target = ConnectTarget(address: address, port: port, timeout: .milliseconds(Int64(timeout * 1000)))
        let fetcher = HTTPFetcher(target: target, path: url, virtualHost: virtualHost, version: version, tls: tls)
        let group = MultiThreadedEventLoopGroup.singleton
        do {
            let result = try await fetcher.fetch(on: group.next()).get()
            if verbose {
                print("URL: \(fetcher.url)")
                print("Status: \(result.status)")
                print("Body length: \(result.bodyLength)")
                print("MD5SUM: \(result.digest)")
            } else {
                print(result.digest)
            }
        } catch {
            print("genhash: \(fetcher.url): \(error)")
            throw ExitCode(1)
        }
    }
}
