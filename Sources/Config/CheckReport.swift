import Foundation

/// The result of `vigil check` over one or more files: each file's load result plus the cluster
/// diagnostics when there are several.
public struct CheckReport: Sendable {
    /// Per file, in command-line order.
    public var results: [(path: String, result: ConfigLoadResult)]
    /// Cluster-level diagnostics (empty for one file).
    public var clusterDiagnostics: [Diagnostic]

    /// Loads every file and, with two or more, checks them as one cluster.
    public static func run(files: [String], configID: String? = nil, hostChecks: Bool = true,
                           fileSystem: any ConfigFileSystem = DiskFileSystem()) -> CheckReport {
        let results = files.map { (path: $0, result: ConfigLoader.load(path: $0, configID: configID,
                                                                        fileSystem: fileSystem, hostChecks: hostChecks)) }
        let cluster = files.count > 1
            ? ClusterChecker.check(results.map { ClusterChecker.NodeConfig(name: $0.path, config: $0.result.config) })
            : []
        return CheckReport(results: results, clusterDiagnostics: cluster)
    }

    /// Every diagnostic, files first, then the cluster.
    public var allDiagnostics: [Diagnostic] { results.flatMap { $0.result.diagnostics } + clusterDiagnostics }

    /// True when no file and no cluster rule has an error.
    public var isValid: Bool { !allDiagnostics.contains { $0.severity == .error } }

    /// Compiler-style text with source excerpts.
    public func rendered() -> String {
        var sources: [String: [UInt8]] = [:]
        for r in results { sources.merge(r.result.sources) { a, _ in a } }
        let renderer = DiagnosticRenderer(sources: sources)
        var out = renderer.render(allDiagnostics)
        let errors = allDiagnostics.filter { $0.severity == .error }.count
        let warnings = allDiagnostics.filter { $0.severity == .warning }.count
        if errors + warnings > 0 { out += "\(errors) error(s), \(warnings) warning(s)\n" }
        return out
    }

    /// `{"valid": …, "diagnostics": [...]}`.
    public func diagnosticsJSON() -> String {
        struct Out: Encodable { var valid: Bool; var diagnostics: [Diagnostic] }
        return encode(Out(valid: isValid, diagnostics: allDiagnostics))
    }

    /// The normalized model(s): one object per file, keyed by path.
    public func modelJSON() -> String {
        if results.count == 1, let r = results.first { return encode(r.result.config) }
        var d: [String: KeepalivedConfig] = [:]
        for r in results { d[r.path] = r.result.config }
        return encode(d)
    }

    private func encode<T: Encodable>(_ v: T) -> String {
        let enc = JSONEncoder()
        enc.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        guard let data = try? enc.encode(v) else { return "{}" }
        return String(decoding: data, as: UTF8.self)
    }
}
