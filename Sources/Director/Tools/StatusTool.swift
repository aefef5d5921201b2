import Control

/// `vigil status [--control ADDR:PORT] [--json] [--events]`.
public enum StatusTool {
    /// The control endpoint's default port.
    public static let defaultPort = ControlEndpoint.defaultPort

    /// The status (or recent events) of the `vigil run` listening on `control` (default 127.0.0.1:9678).
    public static func run(control: String?, json: Bool, events: Bool) throws(ToolFailure) -> String {
        let endpoint = try ControlOption.parse(control) ?? .default
        do { return try StatusClient.fetch(endpoint, events: events, json: json) } catch {
            throw ToolFailure("vigil status: \(error)\n")
        }
    }
}

/// `vigil handover`.
public enum HandoverTool {
    /// Asks the `vigil run` on `control` (a unix socket, or TCP with the token of `tokenFile`) to hand over
    /// `instances` (all when empty), or to cancel.
    public static func run(control: String?, instances: [String], cancel: Bool, tokenFile: String? = nil) throws(ToolFailure) -> String {
        let endpoint = try ControlOption.parse(control) ?? .default
        var token: ControlToken?
        if let tokenFile {
            do { token = try ControlToken(readingFile: tokenFile, checksPermissions: false) } catch {
                throw ToolFailure("vigil handover: \(error)\n", exitCode: 64)
            }
        }
        do { return try HandoverClient.request(endpoint, instances: instances, cancel: cancel, token: token) } catch {
            throw ToolFailure("vigil handover: \(error)\n")
        }
    }
}

/// `--control ADDR:PORT` as the commands take it.
enum ControlOption {
    static func parse(_ text: String?) throws(ToolFailure) -> ControlEndpoint? {
        guard let text else { return nil }
        do { return try ControlEndpoint(parsing: text) } catch { throw ToolFailure("\(error)\n", exitCode: 64) }
    }
}
