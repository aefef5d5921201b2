@testable import Config

/// Parses `text` as `t.conf` with an in-memory file system.
func parse(_ text: String, files: [String: String] = [:], configID: String = "") -> ConfigLoadResult {
    ConfigLoader.parse(text: text, fileName: "t.conf", configID: configID, fileSystem: MemoryFileSystem(files))
}

/// The diagnostics of a kind.
func diagnostics(_ r: ConfigLoadResult, _ kind: DiagnosticKind) -> [Diagnostic] {
    r.diagnostics.filter { $0.kind == kind }
}

/// `line:column` of each diagnostic of a kind.
func positions(_ r: ConfigLoadResult, _ kind: DiagnosticKind) -> [String] {
    diagnostics(r, kind).compactMap { $0.location.map { "\($0.line):\($0.column)" } }
}

/// Lexes one line into (kind, text) pairs.
func lexLine(_ s: String) -> (tokens: [(Token.Kind, String, Int)], problems: [LineLexer.Problem]) {
    let bytes = Array(s.utf8)
    var problems: [LineLexer.Problem] = []
    let toks = bytes.withUnsafeBufferPointer { LineLexer.lex($0, 0..<bytes.count, columnBase: 1, problems: &problems) }
    return (toks.map { ($0.kind, $0.text, Int($0.position.column)) }, problems)
}

/// A minimal valid instance body to embed in tests.
let minimalInstance = """
vrrp_instance VI_1 {
    interface eth0
    virtual_router_id 51
    virtual_ipaddress {
        192.168.0.80/24
    }
}
"""
