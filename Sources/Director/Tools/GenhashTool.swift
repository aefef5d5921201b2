import HealthCheck
import NIOPosix
import Vocabulary

/// `vigil genhash`: fetches a URL once and returns the MD5 digest of its body, for a `digest` line (keepalived's
/// `genhash`, with the same options).
public enum GenhashTool {
    /// The digest (with `verbose`: the URL, status, length and digest, one a line).
    public static func run(server: String, port: UInt16, url: String, useSSL: Bool, virtualHost: String?, useSNI: Bool,
                           httpProtocol: String, timeout: Double, verbose: Bool) async throws(ToolFailure) -> String {
        let version: HTTPProtocolVersion
        switch httpProtocol.lowercased() {
        case "1.0": version = .http10
        case "1.0c": version = .http10Close
        case "1.1": version = .http11
        default: throw ToolFailure("protocol must be 1.0, 1.0c or 1.1, not \(httpProtocol)\n", exitCode: 64)
        }
        guard timeout > 0, timeout < 86_400 else {
            throw ToolFailure("timeout must be between 0 and 86400 seconds\n", exitCode: 64)
        }
        guard let address = IPAddress(server) else {
            throw ToolFailure("server must be a numeric IPv4 or IPv6 address, not \(server)\n", exitCode: 64)
        }
        let tls = useSSL ? TLSSettings(serverName: useSNI ? virtualHost : nil) : nil
        let target = ConnectTarget(address: address, port: port, timeout: .clampedSeconds(timeout))
        let fetcher = HTTPFetcher(target: target, path: url, virtualHost: virtualHost, version: version, tls: tls)
        do {
            let result = try await fetcher.fetch(on: MultiThreadedEventLoopGroup.singleton.next()).get()
            if verbose {
                return "URL: \(fetcher.url)\nStatus: \(result.status)\nBody length: \(result.bodyLength)\nMD5SUM: \(result.digest)\n"
            }
            return "\(result.digest)\n"
        } catch {
            throw ToolFailure("genhash: \(fetcher.url): \(error)\n")
        }
    }
}
