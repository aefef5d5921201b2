/// A position in a configuration file: 1-based line and column (columns count bytes).
public struct SourceLocation: Sendable, Hashable, Codable, CustomStringConvertible {
    /// The file path as it was opened (include paths are resolved relative to the including file).
    public var file: String
    /// 1-based line number.
    public var line: Int
    /// 1-based column (byte offset in the line + 1).
    public var column: Int

    /// Creates a location.
    public init(file: String, line: Int, column: Int) {
        self.file = file
        self.line = line
        self.column = column
    }

    /// `file:line:column`, as compilers print it.
    public var description: String { "\(file):\(line):\(column)" }
}

/// How serious a diagnostic is. Only errors make a configuration invalid.
public enum Severity: String, Sendable, Codable, Equatable {
    /// The configuration cannot be used.
    case error
    /// The configuration loads, but something is probably wrong (or unsupported, or a host fact).
    case warning
    /// Extra information attached to another diagnostic or a deliberate choice.
    case note
}

/// What a diagnostic is about; tests compare diagnostics by kind and position, never by message.
public enum DiagnosticKind: String, Sendable, Codable, Equatable {
    /// Lexical problem: unterminated quote, invalid bytes.
    case lexical
    /// Structure problem: unbalanced braces, a block where a value was expected.
    case syntax
    /// A word that is no keepalived keyword at all.
    case unknownKeyword
    /// A keepalived keyword Vigil does not implement yet: accepted, and what happens instead is said.
    case unsupportedKeyword
    /// A keepalived keyword that has no meaning in Vigil (SNMP, process tuning …): accepted and ignored.
    case ignoredKeyword
    /// A keyword keepalived 2.x itself ignores ("Unknown keyword", a 1.x leftover) or reads differently from
    /// what it seems to say: Vigil does what keepalived does. `keepalived -t` reports these as errors and runs.
    case keepalivedIgnores
    /// A value written in a form keepalived accepts but that is not the canonical one (an extra word, an
    /// address with a prefix where none is used): read as keepalived reads it.
    case nonCanonicalForm
    /// `include` problems: no match, loop, unreadable file.
    case include
    /// `$NAME` used but never defined.
    case undefinedMacro
    /// A required argument or block is missing.
    case missingValue
    /// A value that cannot be parsed (number, address, port, enum word).
    case invalidValue
    /// A number outside its allowed range.
    case outOfRange
    /// A keyword given twice where once is expected, or a duplicate name.
    case duplicate
    /// The same VRID twice on one interface.
    case duplicateVRID
    /// The same virtual IP in two instances.
    case duplicateVIP
    /// A reference (track_script, sync group member, virtual_server group) naming nothing.
    case undefinedReference
    /// A script string that needs a shell.
    case shellSyntax
    /// auth_pass longer than 8 characters (keepalived truncates it).
    case truncatedPassword
    /// Something about the host this check runs on (interface or file missing).
    case hostFact
    /// A value keepalived accepts but that is likely a mistake.
    case suspicious
    /// Nodes of a cluster disagree (VRID, advert_int, auth, VIPs, priorities).
    case clusterMismatch
    /// A tracked object whose weight can never change which node is MASTER.
    case ineffectiveWeight
    /// Too many diagnostics; the rest were dropped.
    case tooManyErrors
    /// The file could not be read.
    case io
}

/// One compiler-style message about a configuration.
public struct Diagnostic: Sendable, Equatable, Codable, CustomStringConvertible {
    /// Severity.
    public var severity: Severity
    /// Machine-readable kind.
    public var kind: DiagnosticKind
    /// Where it applies, if anywhere.
    public var location: SourceLocation?
    /// Human-readable message.
    public var message: String
    /// Related positions (for example the other half of a duplicate).
    public var related: [RelatedNote]

    /// A secondary position attached to a diagnostic.
    public struct RelatedNote: Sendable, Equatable, Codable {
        /// Where.
        public var location: SourceLocation
        /// What is there.
        public var message: String
        /// Creates a note.
        public init(location: SourceLocation, message: String) {
            self.location = location
            self.message = message
        }
    }

    /// Creates a diagnostic.
    public init(_ severity: Severity, _ kind: DiagnosticKind, at location: SourceLocation?, _ message: String,
                related: [RelatedNote] = []) {
        self.severity = severity
        self.kind = kind
        self.location = location
        self.message = message
        self.related = related
    }

    /// `file:line:col: error: message` (no source excerpt; see `DiagnosticRenderer`).
    public var description: String {
        let prefix = location.map { "\($0): " } ?? ""
        return "\(prefix)\(severity.rawValue): \(message)"
    }
}

/// Collects diagnostics during one load, with a cap so hostile input cannot produce unbounded output.
struct DiagnosticSink {
    private(set) var items: [Diagnostic] = []
    /// Shown so far: errors, and warnings and notes, each up to `limit`, so warnings never crowd out an error.
    private var shownErrors = 0, shownOthers = 0
    /// Dropped past the cap: errors, and warnings and notes.
    private var droppedErrors = 0, droppedOthers = 0
    /// Errors added, shown or not: at `limit` the configuration is refused whatever follows, so the reader stops
    /// (warnings never stop it: a large valid file may carry thousands).
    var errorCount: Int { shownErrors + droppedErrors }
    static let limit = 1000

    mutating func add(_ d: Diagnostic) {
        if d.severity == .error {
            if shownErrors < Self.limit { items.append(d); shownErrors += 1 } else { droppedErrors += 1 }
        } else {
            if shownOthers < Self.limit { items.append(d); shownOthers += 1 } else { droppedOthers += 1 }
        }
    }

    mutating func error(_ kind: DiagnosticKind, _ loc: SourceLocation?, _ message: String,
                        related: [Diagnostic.RelatedNote] = []) {
        add(Diagnostic(.error, kind, at: loc, message, related: related))
    }

    mutating func warning(_ kind: DiagnosticKind, _ loc: SourceLocation?, _ message: String,
                          related: [Diagnostic.RelatedNote] = []) {
        add(Diagnostic(.warning, kind, at: loc, message, related: related))
    }

    mutating func note(_ kind: DiagnosticKind, _ loc: SourceLocation?, _ message: String,
                       related: [Diagnostic.RelatedNote] = []) {
        add(Diagnostic(.note, kind, at: loc, message, related: related))
    }

    /// One sink holding `sinks`' diagnostics in order, capped as if they had been added to one sink.
    static func concatenating(_ sinks: [DiagnosticSink]) -> DiagnosticSink {
        var out = DiagnosticSink()
        for s in sinks {
            for d in s.items { out.add(d) }
            out.droppedErrors += s.droppedErrors
            out.droppedOthers += s.droppedOthers
            out.stopped = out.stopped ?? s.stopped
        }
        return out
    }

    /// Why reading stopped early, shown last whatever the cap.
    private var stopped: String?

    /// Records that the reader stopped at the error limit (shown by `finish()` after the cap's line).
    mutating func readingStopped(_ message: String) {
        stopped = message
    }

    mutating func finish() -> [Diagnostic] {
        if droppedErrors > 0 {
            items.append(Diagnostic(.error, .tooManyErrors, at: nil, "\(droppedErrors) more errors not shown"))
            droppedErrors = 0
        }
        if droppedOthers > 0 {
            // A warning: a valid configuration with thousands of warnings stays valid.
            items.append(Diagnostic(.warning, .tooManyErrors, at: nil, "\(droppedOthers) more warnings and notes not shown"))
            droppedOthers = 0
        }
        if let stopped {
            items.append(Diagnostic(.error, .tooManyErrors, at: nil, stopped))
            self.stopped = nil
        }
        return items
    }
}
