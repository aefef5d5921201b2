import Config
import Foundation
import Testing
@testable import Director

@Suite("KeepalivedExitCode")
struct KeepalivedExitCodeTests {
    let here = SourceLocation(file: "k.conf", line: 1, column: 1)

    func config(scripts: Bool, security: Bool = false, user: String? = nil) -> KeepalivedConfig {
        var c = KeepalivedConfig()
        c.globalDefs.enableScriptSecurity = security
        c.globalDefs.scriptUser = user
        if scripts {
            var s = VRRPScriptConfig(name: "chk")
            s.script = "/usr/local/bin/check"
            c.vrrpScripts = [s]
        }
        return c
    }

    @Test("No diagnostic and no script: 0")
    func ok() {
        #expect(KeepalivedExitCode.of(diagnostics: [], configs: [config(scripts: false)]) == .ok)
    }

    @Test("An error (Vigil refuses to run): 4")
    func error() {
        let d = Diagnostic(.error, .outOfRange, at: here, "virtual_router_id 300 is outside 1…255")
        #expect(KeepalivedExitCode.of(diagnostics: [d], configs: [config(scripts: true)]) == .cannotRun)
    }

    @Test("A warning keepalived reports as an error: 5; one it does not: 0")
    func warnings() {
        let reported = Diagnostic(.warning, .duplicateVIP, at: here, "VIP in two instances")
        let vigilOnly = Diagnostic(.warning, .unsupportedKeyword, at: here, "not implemented")
        #expect(KeepalivedExitCode.of(diagnostics: [reported], configs: [config(scripts: false)]) == .errorsButRuns)
        #expect(KeepalivedExitCode.of(diagnostics: [vigilOnly], configs: [config(scripts: false)]) == .ok)
    }

    @Test("Scripts without enable_script_security: 6, unless a 5 comes first")
    func security() {
        #expect(KeepalivedExitCode.of(diagnostics: [], configs: [config(scripts: true)]) == .scriptSecurity)
        #expect(KeepalivedExitCode.of(diagnostics: [], configs: [config(scripts: true, security: true)]) == .ok)
        #expect(KeepalivedExitCode.of(diagnostics: [], configs: [config(scripts: true, user: "nobody")]) == .ok)
        let reported = Diagnostic(.warning, .undefinedReference, at: here, "no such track_script")
        #expect(KeepalivedExitCode.of(diagnostics: [reported], configs: [config(scripts: true)]) == .errorsButRuns)
    }

    @Test("With script security on, a script writable by others is refused: 6 (as root, where the rule applies)")
    func insecureScript() throws {
        let path = NSTemporaryDirectory() + "vigil-exitcode-\(getpid()).sh"
        #expect(FileManager.default.createFile(atPath: path, contents: Data("#!/bin/sh\n".utf8),
                                               attributes: [.posixPermissions: 0o777]))
        defer { try? FileManager.default.removeItem(atPath: path) }
        var c = config(scripts: false, security: true)
        var s = VRRPScriptConfig(name: "chk")
        s.script = path
        c.vrrpScripts = [s]
        let expected: KeepalivedExitCode = getuid() == 0 ? .scriptSecurity : .ok
        #expect(KeepalivedExitCode.of(diagnostics: [], configs: [c]) == expected)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: path)
        #expect(KeepalivedExitCode.of(diagnostics: [], configs: [c]) == .ok)
    }

    @Test("The codes are keepalived 2.2.7's numbers")
    func numbers() {
        #expect(KeepalivedExitCode.allCases.map(\.rawValue) == [0, 4, 5, 6])
    }
}
