// Theory of operation
// -------------------
// The rise/fall hysteresis of one `vrrp_script`, as a plain value. Each finished run of the script
// (exit 0 = success; non-zero, signal or timeout = failure) is fed to `resultReceived`; the tracker
// flips to down after `fall` consecutive failures and back up after `rise` consecutive successes.
// Running the script and timing it out is the adapter's job (`ProcessScriptRunner`).

/// Rise/fall state of one tracked script.
public struct ScriptTracker: Sendable, Hashable {
    /// Consecutive successes needed to go up.
    public let rise: Int
    /// Consecutive failures needed to go down.
    public let fall: Int
    /// Whether the script currently counts as succeeding.
    public private(set) var isUp: Bool
    private var streak = 0

    /// Creates a tracker; `initFail` starts it down (keepalived's `init_fail`), otherwise up.
    public init(rise: Int = 1, fall: Int = 1, initFail: Bool = false) {
        self.rise = max(1, rise)
        self.fall = max(1, fall)
        self.isUp = !initFail
    }

    /// Feeds one result. Returns true when `isUp` changed.
    public mutating func resultReceived(success: Bool) -> Bool {
        if success == isUp {
            streak = 0
            return false
        }
        streak += 1
        if streak >= (success ? rise : fall) {
            isUp = success
            streak = 0
            return true
        }
        return false
    }
}

/// How a configured script string is executed.
public enum ScriptInvocation {
    /// True when the string uses shell syntax (`[[`, `&&`, `||`, `;`, `|`, redirections, `$`, backquotes).
    public static func needsShell(_ command: String) -> Bool {
        let words = command.split(separator: " ").map(String.init)
        if let first = words.first, ["/bin/sh", "/bin/bash", "sh", "bash"].contains(first), words.dropFirst().first == "-c" {
            return false
        }
        if words.contains(where: { ["[[", "]]", "[", "!"].contains($0) }) { return true }
        return command.contains { "&|;<>$`".contains($0) }
    }

    /// The argv to execute `command` with extra arguments appended. Shell syntax runs through
    /// `/bin/bash -c` (`/bin/sh -c` without bash); otherwise the string is split on blanks,
    /// honouring single and double quotes.
    public static func argv(_ command: String, arguments: [String] = [], bashAvailable: Bool = true) -> [String] {
        if needsShell(command) {
            return [bashAvailable ? "/bin/bash" : "/bin/sh", "-c", command, "vigil-script"] + arguments
        }
        return split(command) + arguments
    }

    /// Splits on blanks outside quotes; quotes are removed.
    static func split(_ s: String) -> [String] {
        var out: [String] = []
        var current = ""
        var quote: Character?
        var inWord = false
        for ch in s {
            if let q = quote {
                if ch == q { quote = nil } else { current.append(ch) }
            } else if ch == "'" || ch == "\"" {
                quote = ch
                inWord = true
            } else if ch == " " || ch == "\t" {
                if inWord { out.append(current); current = ""; inWord = false }
            } else {
                current.append(ch)
                inWord = true
            }
        }
        if inWord { out.append(current) }
        return out
    }
}
