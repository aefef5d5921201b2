import CPCRE2

// Theory of operation
//
// `RegexScanner` matches a `BodyRegex` against a response body as it arrives, piece after piece, without keeping
// the body: PCRE2's multi-segment matching (pcre2partial(3)). It holds a window of the body, `window`, that starts
// at body offset `base`, and the offset where the next search starts, `next` (first `regex_min_offset`).
//   - Each piece is appended, and the window is searched from `next` with PCRE2_PARTIAL_HARD (and PCRE2_NOTBOL
//     once the window no longer starts at the body's first byte), under the offset limit of `regex_max_offset`:
//       - a match decides: `.matched`;
//       - a partial match (the body ended inside a possible match) moves `next` to where it started, and the window
//         keeps everything from there: the next piece may complete it;
//       - no match moves `next` to the window's end: no start before it can match, whatever follows.
//     Then the window drops what lies before `next` less a small context (`context`: the pattern's longest
//     lookbehind, and at least one byte for `\b` and a multiline `^`), so with no partial match open it stays small.
//   - While a partial match is open, the window is searched again only once the bytes that arrived since the last
//     search are a quarter of the open match's length (or the window reaches the cap): a body dribbled a byte at a
//     time costs a bounded number of searches (geometric growth), not one search of the whole window per byte. The
//     outcome does not change: the bytes are kept, and the search starts where the open match starts.
//   - A window that grows past `windowCap` (a partial match open over that many bytes, as `a.*z` with `dotall` over
//     a large body) decides `.windowExceeded`: the check fails rather than keeping unbounded data.
//   - `finished()` at the end of the body searches once more without partial matching (`$`, `\z` and greedy repeats
//     at the end of the data decide only then).
// In UTF mode a character cut by a piece boundary is held back until its last byte arrives. `firstline` and `\G`
// see the window's search start, not the body's first line or start (see docs/healthcheck.md).
// It does no I/O; each value belongs to one exchange, on one thread.

/// Matches one body against a `BodyRegex` as it arrives (see the theory of operation). One per exchange.
public final class RegexScanner {
    /// The largest window kept, in bytes: a partial match open over more than this is `.windowExceeded`.
    public static let windowCap = 256 * 1024

    private let body: BodyRegex
    private let matchData: OpaquePointer?
    private let matchContext: OpaquePointer?
    private let jitStack: OpaquePointer?
    private var window: [UInt8] = []
    /// The body offset of `window[0]`; always `base + window.count == total`.
    private var base = 0
    /// The body offset where the next search starts.
    private var next: Int
    /// Body bytes fed so far.
    private var total = 0
    /// Bytes kept before `next` for lookbehinds, `\b` and `^` after a newline.
    private let context: Int
    /// The body offset where the last search's subject ended.
    private var searchedTo = 0
    /// The last search ended in a partial match (one that more bytes may complete), starting at `next`.
    private var partialOpen = false
    /// Searches run so far (the tests bound it).
    private(set) var searches = 0
    private var outcome: RegexOutcome?

    /// A scanner for one body.
    public init(_ body: BodyRegex) {
        self.body = body
        next = max(0, body.minOffset)
        // UTF-8 characters are up to 4 bytes; a nested lookbehind may look a little further than the longest one.
        context = 4 * body.regex.maxLookbehind + 8
        matchData = pcre2_match_data_create_from_pattern_8(body.regex.code, nil)
        matchContext = pcre2_match_context_create_8(nil)
        if let stack = body.stack, body.regex.usesJIT {
            jitStack = pcre2_jit_stack_create_8(max(1, stack.start), max(1, stack.max), nil)
            if let jitStack { pcre2_jit_stack_assign_8(matchContext, nil, UnsafeMutableRawPointer(jitStack)) }
        } else {
            jitStack = nil
        }
        if matchData == nil || matchContext == nil || (body.stack != nil && body.regex.usesJIT && jitStack == nil) {
            outcome = .failed("cannot allocate PCRE2 match data")
        }
    }

    deinit {
        pcre2_jit_stack_free_8(jitStack)
        pcre2_match_context_free_8(matchContext)
        pcre2_match_data_free_8(matchData)
    }

    /// The outcome once it is decided before the body's end (a match, the search past `regex_max_offset`, the
    /// window past its cap, an error); later pieces are then ignored.
    public var decided: RegexOutcome? { outcome }

    /// The next piece of the body.
    public func feed(_ bytes: UnsafeRawBufferPointer) {
        let start = total
        total += bytes.count
        guard outcome == nil, !bytes.isEmpty else { return }
        let keepFrom = max(0, next - context)
        if base + window.count <= keepFrom {
            // Nothing held is needed again: keep only what of this piece lies at or past `keepFrom`.
            window.removeAll(keepingCapacity: true)
            let skip = min(bytes.count, keepFrom - start)
            base = start + skip
            window.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[skip...]))
        } else {
            window.append(contentsOf: bytes)
        }
        if partialOpen, total - searchedTo < (searchedTo - next) / 4, window.count <= Self.windowCap { return }
        search(final: false)
    }

    /// The body ended: the outcome.
    public func finished() -> RegexOutcome {
        if outcome == nil { search(final: true) }
        return outcome ?? .notMatched
    }

    private func search(final: Bool) {
        if let maxOffset = body.maxOffset, next > maxOffset {
            return decide(.notMatched)
        }
        // The subject ends at the last whole character: in UTF mode a character cut by the piece boundary waits.
        let end = final || !body.regex.isUTF ? window.count : window.count - Self.cutCharacter(window)
        let from = next - base
        guard from >= 0, from <= end, final || from < end else {
            if final { decide(.notMatched) }
            return
        }
        if let maxOffset = body.maxOffset { pcre2_set_offset_limit_8(matchContext, maxOffset - base) }
        var flags: UInt32 = final ? 0 : UInt32(PCRE2_PARTIAL_HARD)
        if base > 0 { flags |= UInt32(PCRE2_NOTBOL) }
        searches += 1
        searchedTo = base + end
        partialOpen = false
        let code = body.regex.code, matchData = matchData, matchContext = matchContext
        // An empty window still needs a non-null subject pointer; the length says how much PCRE2 reads.
        let rc = (window.isEmpty ? [0] : window).withUnsafeBufferPointer { buffer in
            pcre2_match_8(code, buffer.baseAddress, end, from, flags, matchData, matchContext)
        }
        let ovector = pcre2_get_ovector_pointer_8(matchData)
        if rc >= 0 {
            return decide(.matched(at: base + (ovector.map { Int($0[0]) } ?? from)))
        } else if rc == PCRE2_ERROR_PARTIAL {
            next = base + (ovector.map { Int($0[0]) } ?? from)
            partialOpen = true
        } else if rc == PCRE2_ERROR_NOMATCH {
            if final { return decide(.notMatched) }
            next = base + end
        } else {
            return decide(.failed(CompiledRegex.message(rc)))
        }
        trim()
        if window.count > Self.windowCap { decide(.windowExceeded) }
    }

    /// Drops what lies before `next` less the context, at a character's first byte in UTF mode.
    private func trim() {
        var keepFrom = max(base, next - context)
        if body.regex.isUTF {
            while keepFrom > base, keepFrom - base < window.count, window[keepFrom - base] & 0xC0 == 0x80 { keepFrom -= 1 }
        }
        if keepFrom > base {
            window.removeFirst(keepFrom - base)
            base = keepFrom
        }
    }

    private func decide(_ result: RegexOutcome) {
        outcome = result
        window = []
    }

    /// How many bytes at the end of `bytes` are a UTF-8 character still missing its last bytes.
    static func cutCharacter(_ bytes: [UInt8]) -> Int {
        var i = bytes.count - 1
        var seen = 1
        while i >= 0, seen <= 4 {
            let b = bytes[i]
            if b & 0xC0 != 0x80 {
                let length = b >= 0xF0 ? 4 : b >= 0xE0 ? 3 : b >= 0xC0 ? 2 : 1
                return length > seen ? seen : 0
            }
            i -= 1
            seen += 1
        }
        return 0
    }
}
