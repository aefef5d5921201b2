/// A command line from the configuration (`notify_master`, `script` of a `vrrp_script`, `misc_path`, `notify_up`,
/// `quorum_up` …) with the user and group it runs as: the one script command every module runs, with one rule for
/// how it is executed.
///
/// keepalived 2.x execs a script's words directly, without a shell. Vigil does the same unless the line uses shell
/// syntax (`[[`, `&&`, `||`, `;`, `|`, redirections, `$`, backquotes): such a line runs through `/bin/bash -c`
/// (`/bin/sh -c` without bash), and the configuration checker warns about it.
public struct ScriptCommand: Sendable, Hashable, Codable, CustomStringConvertible {
    /// The command line as written (quotes kept as written).
    public var command: String
    /// The user to run as (`notify_master "/x" USER`, a checker's `user`), if given.
    public var user: String?
    /// The group to run as, if given.
    public var group: String?

    /// A command.
    public init(command: String, user: String? = nil, group: String? = nil) {
        self.command = command
        self.user = user
        self.group = group
    }

    public var description: String { command }

    /// True when the line needs a shell (see the type's documentation).
    public var needsShell: Bool { Self.needsShell(command) }

    /// The argv to execute, with `arguments` appended (a notify script's `GROUP|INSTANCE name state priority`):
    /// the words of the line (split on blanks outside quotes, quotes removed), or the shell with the whole line.
    public func argv(arguments: [String] = [], bashAvailable: Bool = true) -> [String] {
        if needsShell {
            return [bashAvailable ? "/bin/bash" : "/bin/sh", "-c", command, "vigil-script"] + arguments
        }
        return Self.words(command) + arguments
    }

    /// True when `line` uses shell syntax. A line that already starts with `sh -c` or `bash -c` (with or without
    /// a path) needs no further shell.
    public static func needsShell(_ line: String) -> Bool {
        let words = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
        if let first = words.first, ["/bin/sh", "/bin/bash", "sh", "bash"].contains(first), words.dropFirst().first == "-c" {
            return false
        }
        if words.contains(where: { ["[[", "]]", "[", "]", "!"].contains($0) }) { return true }
        return line.contains { "&|;<>$`".contains($0) }
    }

    /// Splits on blanks (space, tab) outside single or double quotes; the quotes are removed.
    public static func words(_ line: String) -> [String] {
        var out: [String] = []
        var current = ""
        var quote: Character?
        var inWord = false
        for ch in line {
            if let q = quote {
                if ch == q { quote = nil } else { current.append(ch) }
            } else if ch == "'" || ch == "\"" {
                quote = ch
                inWord = true
            } else if ch == " " || ch == "\t" {
                if inWord { out.append(current) }
                current = ""
                inWord = false
            } else {
                current.append(ch)
                inWord = true
            }
        }
        if inWord { out.append(current) }
        return out
    }
}
