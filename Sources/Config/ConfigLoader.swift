/// The outcome of loading a configuration: the model (as complete as the input allowed) and every
/// diagnostic. The model is only trustworthy when `isValid`.
public struct ConfigLoadResult: Sendable {
    /// The typed model.
    public var config: KeepalivedConfig
    /// Errors, warnings and notes in the order found.
    public var diagnostics: [Diagnostic]
    /// The text of every file read, by path (for source excerpts in rendered diagnostics).
    public var sources: [String: [UInt8]]

    /// True when there is no error (warnings are allowed).
    public var isValid: Bool { !diagnostics.contains { $0.severity == .error } }
    /// Only the errors.
    public var errors: [Diagnostic] { diagnostics.filter { $0.severity == .error } }
    /// Only the warnings.
    public var warnings: [Diagnostic] { diagnostics.filter { $0.severity == .warning } }

    /// Renders all diagnostics compiler-style, each with its source line and a caret.
    public func rendered() -> String {
        DiagnosticRenderer(sources: sources).render(diagnostics)
    }
}

/// Entry points: read keepalived.conf (with includes) into the typed model plus diagnostics.
///
/// Pipeline: `SourceReader` (lines, `@ID`, `$NAME`, `include`, lexing) → `TreeParser` (keyword grammar)
/// → `ModelBuilder` (typed values) → `ConfigValidator` (cross-references and semantic rules).
/// Nothing here traps on any input; every problem is a `Diagnostic`.
public enum ConfigLoader {
    /// Loads the file at `path` and everything it includes.
    /// - Parameters:
    ///   - configID: the id matched by `@ID` lines (default: the host name up to the first dot).
    ///   - fileSystem: where files come from (default: the disk).
    ///   - hostChecks: also warn about host facts (missing interfaces, missing script paths).
    public static func load(path: String, configID: String? = nil,
                            fileSystem: any ConfigFileSystem = DiskFileSystem(),
                            hostChecks: Bool = false) -> ConfigLoadResult {
        var reader = SourceReader(fileSystem: fileSystem, configID: configID ?? defaultConfigID(),
                                  sink: DiagnosticSink())
        reader.readFile(path, from: nil, chain: [])
        return finish(reader, fileSystem: fileSystem, hostChecks: hostChecks)
    }

    /// Parses text directly (tests, fuzzing). `include` lines resolve against `fileSystem`.
    public static func parse(text: String, fileName: String = "keepalived.conf", configID: String = "",
                             fileSystem: any ConfigFileSystem = MemoryFileSystem([:])) -> ConfigLoadResult {
        parse(bytes: Array(text.utf8), fileName: fileName, configID: configID, fileSystem: fileSystem)
    }

    /// Parses raw bytes (which need not be UTF-8).
    public static func parse(bytes: [UInt8], fileName: String = "keepalived.conf", configID: String = "",
                             fileSystem: any ConfigFileSystem = MemoryFileSystem([:])) -> ConfigLoadResult {
        var reader = SourceReader(fileSystem: fileSystem, configID: configID, sink: DiagnosticSink())
        reader.sources[fileName] = bytes
        reader.readText(bytes, path: fileName, chain: [fileName])
        return finish(reader, fileSystem: fileSystem, hostChecks: false)
    }

    /// Parses while reading: each top-level statement is built into the model as soon as it is
    /// complete. Each phase keeps its own diagnostics, concatenated in phase order at the end (lexing
    /// and includes, structure, values, cross-references), exactly as if the phases ran one after another.
    private static func finish(_ reader: SourceReader, fileSystem: any ConfigFileSystem,
                               hostChecks: Bool) -> ConfigLoadResult {
        var parser = TreeParser(reader: reader, sink: DiagnosticSink())
        var builder = ModelBuilder(sink: DiagnosticSink())
        builder.routeTableNames = ModelBuilder.routeTableNames(fileSystem)
        builder.fileSystem = fileSystem
        var config = KeepalivedConfig()
        while let node = parser.nextTopLevel() {
            if builder.files.count != parser.reader.files.count { builder.files = parser.reader.files }
            builder.arena = parser.arena
            builder.add(node, to: &config)
            builder.arena = []  // the parser's arena is unique again, so it is reused without a copy
        }
        builder.finish(&config)
        let sink = DiagnosticSink.concatenating([parser.reader.sink, parser.sink, builder.sink])
        var validator = ConfigValidator(sink: sink)
        validator.validate(config)
        if hostChecks { validator.hostFacts(config, fileSystem: fileSystem) }
        return ConfigLoadResult(config: config, diagnostics: validator.sink.finish(), sources: parser.reader.sources)
    }
}
