import Config

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
    }

    /// Every keyword Vigil knows, with its arguments (`vigil check --keywords`).
    public static func keywords() -> String { Keyword.renderTree() }

    /// Checks `files` (several: as the nodes of one cluster).
    public static func check(files: [String], configID: String?, hostChecks: Bool, json: Bool = false,
                             dump: Bool = false) -> Output {
        let report = CheckReport.run(files: files, configID: configID, hostChecks: hostChecks)
        var out = json ? report.diagnosticsJSON() + "\n" : ""
        if dump { out += report.modelJSON() + "\n" }
        return Output(stdout: out, stderr: json ? "" : report.rendered(), isValid: report.isValid)
    }
}
