import Foundation
import HealthCheck
import NIOCore
import NIOPosix
import Testing
import Vocabulary
import TestSupport

/// A script that passes only when it runs as uid 65534 (`nobody`).
private let asNobody = "[ \"$(id -u)\" = 65534 ] && [ \"$(id -g)\" = \"$(id -g nobody)\" ]"

@Suite("MISC_CHECK user and script_user", .serialized, .enabled(if: tierEnabled))
struct ScriptUserTests {
    @Test("MISC_CHECK `user nobody` runs the script as nobody (uid and group)")
    func checkerUser() async throws {
        try #require(getuid() == 0, "running a script as another user needs root")
        let script = try TempScript(asNobody)
        defer { script.remove() }
        let result = try await probe(.misc(MiscCheck(command: ScriptCommand(command: script.path, user: "nobody"), timeout: .seconds(5))))
        #expect(result.up, "\(result.reason)")
    }

    @Test("Without a user the script runs as the service's user (root here), so the same script fails")
    func noUserIsRoot() async throws {
        try #require(getuid() == 0, "the host tier needs root")
        let script = try TempScript(asNobody)
        defer { script.remove() }
        let result = try await probe(.misc(MiscCheck(command: ScriptCommand(command: script.path), timeout: .seconds(5))))
        #expect(!result.up, "\(result.reason)")
    }

    @Test("script_user applies to scripts without their own user")
    func scriptUserDefault() async throws {
        try #require(getuid() == 0, "the host tier needs root")
        let script = try TempScript(asNobody)
        defer { script.remove() }
        let runner = ProbeRunner(scripts: ProcessScriptRunner(pool: NIOThreadPool.singleton,
                                                              security: ScriptSecurity(defaultUser: "nobody")))
        let result = try await runner.run(.misc(MiscCheck(command: ScriptCommand(command: script.path), timeout: .seconds(5))), on: loop).get()
        #expect(result.up, "\(result.reason)")
    }
}
