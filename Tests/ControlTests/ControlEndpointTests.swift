import Testing
import TestSupport
@testable import Control

@Suite("ControlEndpoint")
struct ControlEndpointTests {
    @Test("ADDR:PORT, [IPv6]:PORT and a bare PORT parse", arguments: [
        ("127.0.0.1:9678", "127.0.0.1", 9678), ("[::1]:80", "::1", 80), ("9000", "127.0.0.1", 9000),
        ("0.0.0.0:65535", "0.0.0.0", 65535),
    ])
    func parses(text: String, host: String, port: Int) throws {
        #expect(try ControlEndpoint(parsing: text) == ControlEndpoint(host: host, port: port))
    }

    @Test("Malformed endpoints are refused with a typed error", arguments: ["", "host:", ":80", "1.2.3.4:0", "1.2.3.4:70000",
                                                                           "[::1]80", "::1:80", "[::1", "a:b"])
    func refuses(text: String) {
        #expect(throws: ControlEndpointError.invalid(text)) { try ControlEndpoint(parsing: text) }
    }

    @Test("The default endpoint is loopback on the documented port")
    func defaultIsLoopback() {
        #expect(ControlEndpoint.default.description == "127.0.0.1:9678")
        #expect(ControlEndpoint(host: "::1", port: 1).description == "[::1]:1")
    }

    @Test("unix:PATH names a unix socket; its description round-trips")
    func unixSocket() throws {
        let e = try ControlEndpoint(parsing: "unix:/run/vigil/control.sock")
        #expect(e.socketPath == "/run/vigil/control.sock")
        #expect(e == ControlEndpoint(socketPath: "/run/vigil/control.sock"))
        #expect(e.description == "unix:/run/vigil/control.sock")
        #expect(try ControlEndpoint(parsing: e.description) == e)
        #expect(ControlEndpoint.default.socketPath == nil)
    }

    @Test("A unix path that is relative, empty, a directory or longer than sun_path holds is refused", arguments: [
        "unix:", "unix:control.sock", "unix:./x", "unix:/run/vigil/", "unix:/" + String(repeating: "a", count: 107),
    ])
    func refusesUnixPaths(text: String) {
        #expect(throws: ControlEndpointError.invalid(text)) { try ControlEndpoint(parsing: text) }
    }

    @Test("The longest unix path sun_path holds is accepted")
    func longestUnixPath() throws {
        let path = "/" + String(repeating: "a", count: 106)
        #expect(try ControlEndpoint(parsing: "unix:" + path).socketPath == path)
    }
}
