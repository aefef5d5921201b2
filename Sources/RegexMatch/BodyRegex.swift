/// A url's `regex` with its settings (`regex_no_match`, `regex_min_offset`, `regex_max_offset`, `regex_stack`):
/// what `RegexScanner` matches a response body against, and how its outcome is judged.
public struct BodyRegex: Hashable, Sendable {
    /// The compiled `regex`.
    public var regex: CompiledRegex
    /// `regex_no_match`: a match fails the check, and no match passes it.
    public var noMatch: Bool
    /// `regex_min_offset`: the body offset where matching starts.
    public var minOffset: Int
    /// `regex_max_offset`: the latest body offset where a match may start (PCRE2's offset limit).
    public var maxOffset: Int?
    /// `regex_stack START MAX`: the JIT stack's sizes in bytes, one stack per match (PCRE2's own 32 KiB when nil).
    public var stack: JITStack?

    /// `regex_stack`.
    public struct JITStack: Hashable, Sendable, Codable {
        /// Bytes allocated first.
        public var start: Int
        /// Bytes the stack may grow to.
        public var max: Int

        /// A JIT stack size.
        public init(start: Int, max: Int) {
            self.start = start
            self.max = max
        }
    }

    /// A body regex. `regex` must have been compiled with `offsetLimit: true` when `maxOffset` is set.
    public init(regex: CompiledRegex, noMatch: Bool = false, minOffset: Int = 0, maxOffset: Int? = nil, stack: JITStack? = nil) {
        self.regex = regex
        self.noMatch = noMatch
        self.minOffset = minOffset
        self.maxOffset = maxOffset
        self.stack = stack
    }

    /// Why the body fails the check, or nil when it passes: a match passes (with `regex_no_match` it fails), no
    /// match fails (with `regex_no_match` it passes); a window past the cap or a PCRE2 error fails either way.
    public func failure(_ outcome: RegexOutcome) -> String? {
        switch outcome {
        case .matched: noMatch ? "regex matched (regex_no_match)" : nil
        case .notMatched: noMatch ? nil : "regex did not match"
        case .windowExceeded: "regex undecided: a partial match grew past \(RegexScanner.windowCap / 1024) KiB (the match window)"
        case .failed(let why): "regex match error: \(why)"
        }
    }
}

/// What matching a body came to.
public enum RegexOutcome: Hashable, Sendable {
    /// The pattern matched, starting at this body offset.
    case matched(at: Int)
    /// The pattern did not match (or the body ended before `regex_min_offset`, or the search passed `regex_max_offset`).
    case notMatched
    /// A partial match still open grew past `RegexScanner.windowCap`: undecided, and the check fails.
    case windowExceeded
    /// PCRE2 gave an error (a JIT stack or match limit, invalid UTF-8 in the body under `utf`), with its message.
    case failed(String)
}
