import Config
import Foundation
import Vocabulary

/// `vigil check` and `vigil run -t`: the configuration checks of the Config module, rendered.
public enum ConfigTool {
    /// What a check printed and decided.
    public struct Output: Sendable {
        /// For stdout (`--json`, `--dump`).
        public var stdout: String
        /// For stderr (the rendered diagnostics).
        public var stderr: String
        /// No error was found.
        public var isValid: Bool
        /// The exit code `keepalived -t` would give this report (see `KeepalivedExitCode`).
        public var keepalivedExitCode: KeepalivedExitCode = .ok
    }

    /// keepalived's `-e/--all-config`: the include lines that matched no file or could not be read, as
    /// `file:line:col: …` lines; empty when every file is there.
    public static func missingIncludes(file: String, configID: String?) -> [String] {
        CheckReport.run(files: [file], configID: configID, hostChecks: false).allDiagnostics
            .filter { $0.kind == .include || $0.kind == .io }
            .map { "\($0)" }
    }

    /// Every keyword Vigil knows, with its arguments (`vigil check --keywords`).
    public static func keywords() -> String { Keyword.renderTree() }

    /// `vigil check --keywords --markdown`: docs/keywords.md, generated from the same table.
    public static func keywordsMarkdown() -> String { KeywordTable.markdown() }

    /// Checks `files` (several: as the nodes of one cluster).
    public static func check(files: [String], configID: String?, hostChecks: Bool, json: Bool = false,
                             dump: Bool = false) -> Output {
        let report = CheckReport.run(files: files, configID: configID, hostChecks: hostChecks)
        var out = json ? report.diagnosticsJSON() + "\n" : ""
        if dump { out += report.modelJSON() + "\n" }
        var stderr = json ? "" : report.rendered()
        let code = KeepalivedExitCode.of(diagnostics: report.allDiagnostics,
                                         configs: report.results.map { $0.result.config })
        if code == .scriptSecurity, !json {
            let refused = report.results.flatMap { KeepalivedExitCode.scriptSecurityRefusals($0.result.config) }
            stderr += refused.isEmpty
                ? "warning: scripts are configured but enable_script_security is not set: they run as root "
                    + "(keepalived -t exits 6 for this)\n"
                : refused.map { "warning: \($0) (keepalived -t exits 6 for this)\n" }.joined()
        }
        return Output(stdout: out, stderr: stderr, isValid: report.isValid, keepalivedExitCode: code)
    }
}

/// The exit codes of `keepalived -t` (keepalived 2.2.7, checked on Debian's build), and how a Vigil check report
/// maps to them. keepalived keeps the most severe of what it met: cannot run (4) before errors it runs anyway (5)
/// before script security (6).
public enum KeepalivedExitCode: Int32, Sendable, Equatable, CaseIterable {
    /// Nothing to report.
    case ok = 0
    /// The configuration cannot be run: Vigil found errors (it refuses to run).
    case cannotRun = 4
    /// keepalived reports errors but would run the configuration: Vigil's warnings of the kinds in
    /// `reportedAsErrorsByKeepalived`.
    case errorsButRuns = 5
    /// Scripts are configured while `enable_script_security` is off, so they run as root (keepalived's
    /// "SECURITY VIOLATION"), or script security is on and refuses a script (`ScriptRunner`'s rule, the one the
    /// daemon applies: writable by a non-root user, or in such a directory).
    case scriptSecurity = 6

    /// Diagnostic kinds that Vigil only warns about but that keepalived reports as configuration errors (which
    /// make `keepalived -t` exit 5): a missing reference, the same VIP twice, a value keepalived rewrites or drops
    /// (a truncated password, a prefix stripped, a word out of place), a missing interface, a missing include.
    /// Not in the set (exit 0, as keepalived): keywords keepalived knows that Vigil does not implement, and
    /// Vigil's own lints (suspicious values, ineffective weights, shell syntax, cluster mismatches).
    public static let reportedAsErrorsByKeepalived: Set<DiagnosticKind> = [
        .lexical, .syntax, .include, .undefinedMacro, .missingValue, .invalidValue, .outOfRange, .duplicate,
        .duplicateVRID, .duplicateVIP, .undefinedReference, .truncatedPassword, .hostFact, .io,
    ]

    /// The code for a report's diagnostics and the configurations it loaded.
    public static func of(diagnostics: [Diagnostic], configs: [KeepalivedConfig]) -> KeepalivedExitCode {
        if diagnostics.contains(where: { $0.severity == .error }) { return .cannotRun }
        if diagnostics.contains(where: { $0.severity == .warning && reportedAsErrorsByKeepalived.contains($0.kind) }) {
            return .errorsButRuns
        }
        if configs.contains(where: runsScriptsAsRootWithoutSecurity) { return .scriptSecurity }
        if configs.contains(where: { !scriptSecurityRefusals($0).isEmpty }) { return .scriptSecurity }
        return .ok
    }

    /// With `enable_script_security`, running as root: each configured script the daemon's `ScriptRunner` would
    /// refuse, with why. A script that does not exist is not counted here (the check reports it as a host fact).
    static func scriptSecurityRefusals(_ config: KeepalivedConfig) -> [String] {
        guard config.globalDefs.enableScriptSecurity, getuid() == 0 else { return [] }
        let runner = ScriptRunner(security: ScriptSecurity(enabled: true, defaultUser: config.globalDefs.scriptUser))
        return scripts(in: config).compactMap { command in
            guard case .failure(let failure) = runner.argv(ScriptCommand(command: command)),
                  failure.reason.hasPrefix("script security:"), !failure.reason.contains("cannot stat") else { return nil }
            return "\(command): \(failure.reason)"
        }
    }

    /// Every script command line of a configuration, found in its encoding (see `runsScriptsAsRootWithoutSecurity`).
    static func scripts(in config: KeepalivedConfig) -> [String] {
        guard let data = try? JSONEncoder().encode(config),
              let tree = try? JSONSerialization.jsonObject(with: data) else { return [] }
        var out: [String] = []
        func walk(_ node: Any) {
            if let object = node as? [String: Any] {
                if let command = object["command"] as? String, !command.isEmpty { out.append(command) }
                if let script = object["script"] as? String, !script.isEmpty { out.append(script) }
                object.values.forEach(walk)
            } else if let array = node as? [Any] {
                array.forEach(walk)
            }
        }
        walk(tree)
        return out
    }

    /// keepalived's SECURITY VIOLATION: at least one script, `enable_script_security` off, and no non-root
    /// `script_user`. Scripts are found in the model's encoding (every script line is a `ScriptCommand`, and a
    /// `vrrp_script`'s is its `script` string), so a script keyword added later is covered without a list here.
    static func runsScriptsAsRootWithoutSecurity(_ config: KeepalivedConfig) -> Bool {
        if config.globalDefs.enableScriptSecurity { return false }
        if let user = config.globalDefs.scriptUser, user != "root", user != "0" { return false }
        return !scripts(in: config).isEmpty
    }
}
