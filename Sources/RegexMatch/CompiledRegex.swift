import CPCRE2

/// Why a pattern does not compile: PCRE2's message and the byte offset in the pattern where it stopped.
public struct RegexCompileError: Error, Hashable, Sendable, CustomStringConvertible {
    /// PCRE2's message (`missing closing parenthesis`).
    public var message: String
    /// The offset in the pattern, in bytes, where PCRE2 detected the error.
    public var offset: Int

    /// An error as PCRE2 reported it.
    public init(message: String, offset: Int) {
        self.message = message
        self.offset = offset
    }

    public var description: String { "\(message) at offset \(offset)" }
}

/// A PCRE2 pattern compiled once (at config load), JIT-compiled for complete and hard-partial matching when the
/// library has JIT. Immutable after `init`, so one value is shared by every check of a checker on any thread; each
/// match brings its own match data (`RegexScanner`). Equal when pattern and options are equal.
public final class CompiledRegex: Hashable, @unchecked Sendable, CustomStringConvertible {
    /// The pattern as written.
    public let pattern: String
    /// `regex_options`, in a canonical order (and `use_offset_limit` when the caller asked for an offset limit).
    public let options: [RegexOption]
    /// Whether PCRE2's JIT compiled the pattern (else the interpreter matches).
    public let usesJIT: Bool
    /// The pattern, compiled: a `pcre2_code_8 *`, freed with the value. Only read after `init`.
    let code: OpaquePointer
    /// The longest lookbehind in characters (PCRE2_INFO_MAXLOOKBEHIND; `\b` counts as one).
    let maxLookbehind: Int
    /// Whether the pattern is in UTF mode (the `utf` option or a `(*UTF)` in the pattern).
    let isUTF: Bool

    /// Compiles `pattern` with `options`; `offsetLimit` adds `use_offset_limit`, which `regex_max_offset` needs.
    public init(pattern: String, options: [RegexOption] = [], offsetLimit: Bool = false) throws(RegexCompileError) {
        var set = Set(options)
        if offsetLimit { set.insert(.useOffsetLimit) }
        let sorted = RegexOption.allCases.filter { set.contains($0) }
        let flags = sorted.reduce(UInt32(0)) { $0 | $1.flag }
        var errorCode: Int32 = 0
        var errorOffset = 0
        // A terminating zero keeps the pointer non-null for the empty pattern; the length says how much PCRE2 reads.
        let bytes = Array(pattern.utf8) + [0]
        let compiled = bytes.withUnsafeBufferPointer { buffer in
            pcre2_compile_8(buffer.baseAddress, buffer.count - 1, flags, &errorCode, &errorOffset, nil)
        }
        guard let compiled else {
            throw RegexCompileError(message: Self.message(errorCode), offset: errorOffset)
        }
        self.pattern = pattern
        self.options = sorted
        self.code = compiled
        usesJIT = pcre2_jit_compile_8(compiled, UInt32(PCRE2_JIT_COMPLETE) | UInt32(PCRE2_JIT_PARTIAL_HARD)) == 0
        var lookbehind: UInt32 = 0
        _ = pcre2_pattern_info_8(compiled, UInt32(PCRE2_INFO_MAXLOOKBEHIND), &lookbehind)
        maxLookbehind = Int(lookbehind)
        var all: UInt32 = 0
        _ = pcre2_pattern_info_8(compiled, UInt32(PCRE2_INFO_ALLOPTIONS), &all)
        isUTF = all & UInt32(PCRE2_UTF) != 0
    }

    deinit { pcre2_code_free_8(code) }

    public static func == (a: CompiledRegex, b: CompiledRegex) -> Bool {
        a.pattern == b.pattern && a.options == b.options
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(pattern)
        hasher.combine(options)
    }

    public var description: String { pattern }

    /// PCRE2's text for an error code (compile or match).
    static func message(_ code: Int32) -> String {
        var buffer = [UInt8](repeating: 0, count: 256)
        let n = buffer.withUnsafeMutableBufferPointer { pcre2_get_error_message_8(code, $0.baseAddress, $0.count) }
        guard n > 0 else { return "PCRE2 error \(code)" }
        return String(decoding: buffer[0..<Int(n)], as: UTF8.self)
    }
}
