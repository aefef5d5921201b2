import Testing
@testable import RegexMatch

/// Compiles `pattern` (the test's own literal: a failure to compile is a test failure).
private func regex(_ pattern: String, _ options: [RegexOption] = [], noMatch: Bool = false, min: Int = 0, max: Int? = nil,
                   stack: BodyRegex.JITStack? = nil) throws -> BodyRegex {
    BodyRegex(regex: try CompiledRegex(pattern: pattern, options: options, offsetLimit: max != nil), noMatch: noMatch,
              minOffset: min, maxOffset: max, stack: stack)
}

/// Feeds `body` to a scanner in pieces of `step` bytes (0: all at once) and returns the outcome at its end.
private func scan(_ body: BodyRegex, _ text: String, step: Int = 0) -> RegexOutcome {
    scan(body, Array(text.utf8), step: step)
}

private func scan(_ body: BodyRegex, _ bytes: [UInt8], step: Int = 0) -> RegexOutcome {
    let scanner = RegexScanner(body)
    let size = step == 0 ? Swift.max(1, bytes.count) : step
    var i = 0
    while i < bytes.count {
        let end = Swift.min(bytes.count, i + size)
        bytes[i..<end].withUnsafeBytes { scanner.feed($0) }
        i = end
    }
    return scanner.finished()
}

@Suite("RegexScanner")
struct RegexScannerTests {
    @Test("A body that holds the pattern matches, in one piece or byte by byte", arguments: [0, 1, 3])
    func matches(step: Int) throws {
        let r = try regex("status: (ok|healthy)")
        #expect(scan(r, "<p>status: healthy</p>", step: step) == .matched(at: 3))
        #expect(r.failure(.matched(at: 3)) == nil)
    }

    @Test("A body without the pattern does not match, and the check fails with the reason")
    func noMatch() throws {
        let r = try regex("status: ok")
        #expect(scan(r, "status: down") == .notMatched)
        #expect(r.failure(.notMatched) == "regex did not match")
    }

    @Test("regex_no_match reverses the sense: a match fails, no match passes")
    func inverted() throws {
        let r = try regex("error", noMatch: true)
        #expect(r.failure(scan(r, "an error page")) == "regex matched (regex_no_match)")
        #expect(r.failure(scan(r, "all fine")) == nil)
    }

    @Test("caseless matches either case; without it the case must agree")
    func caseless() throws {
        #expect(scan(try regex("HEALTHY", [.caseless]), "healthy") == .matched(at: 0))
        #expect(scan(try regex("HEALTHY"), "healthy") == .notMatched)
    }

    @Test("multiline lets ^ and $ match at each line, across pieces", arguments: [0, 1, 4])
    func multiline(step: Int) throws {
        let body = "head\nready\ntail"
        #expect(scan(try regex("^ready$", [.multiline]), body, step: step) == .matched(at: 5))
        #expect(scan(try regex("^ready$"), body, step: step) == .notMatched)
    }

    @Test("dotall lets . match a newline")
    func dotall() throws {
        #expect(scan(try regex("begin.end", [.dotAll]), "begin\nend") == .matched(at: 0))
        #expect(scan(try regex("begin.end"), "begin\nend") == .notMatched)
    }

    @Test("$ at the very end of the body decides only when the body ends", arguments: [0, 1, 2])
    func dollarAtEnd(step: Int) throws {
        #expect(scan(try regex("ok$"), "all ok", step: step) == .matched(at: 4))
        #expect(scan(try regex("ok$"), "ok then", step: step) == .notMatched)
    }

    @Test("A match spanning two pieces is found (the first piece ends inside it)")
    func spansPieces() throws {
        let r = try regex("\"status\":\\s*\"UP\"")
        let scanner = RegexScanner(r)
        Array("{\"db\":1,\"sta".utf8).withUnsafeBytes { scanner.feed($0) }
        #expect(scanner.decided == nil)
        Array("tus\": \"UP\"}".utf8).withUnsafeBytes { scanner.feed($0) }
        #expect(scanner.decided == .matched(at: 8))
    }

    @Test("A lookbehind and \\b see the bytes of the previous piece")
    func lookbehindAcrossPieces() throws {
        let r = try regex("(?<=state=)up\\b")
        let scanner = RegexScanner(r)
        Array("xxxxxxxxxxxxxxxxxxxx state=".utf8).withUnsafeBytes { scanner.feed($0) }
        Array("up;".utf8).withUnsafeBytes { scanner.feed($0) }
        #expect(scanner.finished() == .matched(at: 27))
        #expect(scan(try regex("\\bup"), "setup up", step: 3) == .matched(at: 6))
    }

    @Test("regex_min_offset: a match starting before it is not found; one at or after it is")
    func minOffset() throws {
        #expect(scan(try regex("ok", min: 5), "ok   ok", step: 2) == .matched(at: 5))
        #expect(scan(try regex("ok", min: 6), "ok   ok", step: 2) == .notMatched)
        #expect(scan(try regex("ok", min: 100), "ok") == .notMatched)
    }

    @Test("regex_max_offset: a match may start at it, not after it; the search stops past it")
    func maxOffset() throws {
        #expect(scan(try regex("ok", max: 4), "1234ok", step: 1) == .matched(at: 4))
        #expect(scan(try regex("ok", max: 3), "1234ok", step: 1) == .notMatched)
        let scanner = RegexScanner(try regex("ok", max: 3))
        Array("12345678".utf8).withUnsafeBytes { scanner.feed($0) }
        Array("9".utf8).withUnsafeBytes { scanner.feed($0) }
        #expect(scanner.decided == .notMatched)
    }

    @Test("A huge body with no partial match open keeps a small window and still matches at its end")
    func hugeBodyMatchesAtEnd() throws {
        let r = try regex("THE-END")
        var body = [UInt8](repeating: UInt8(ascii: "x"), count: 4 * 1024 * 1024)
        body += Array("THE-END".utf8)
        #expect(scan(r, body, step: 16 * 1024) == .matched(at: 4 * 1024 * 1024))
    }

    @Test("A partial match open past the cap stops the scan as windowExceeded, and the check fails")
    func capExceeded() throws {
        let r = try regex("<html>.*</html>", [.dotAll])
        let scanner = RegexScanner(r)
        Array("<html>".utf8).withUnsafeBytes { scanner.feed($0) }
        let piece = [UInt8](repeating: UInt8(ascii: "y"), count: 16 * 1024)
        var fed = 0
        while scanner.decided == nil, fed < 2 * RegexScanner.windowCap {
            piece.withUnsafeBytes { scanner.feed($0) }
            fed += piece.count
        }
        #expect(scanner.decided == .windowExceeded)
        #expect(fed <= RegexScanner.windowCap + piece.count)
        #expect(r.failure(.windowExceeded) != nil)
        #expect(try regex("x", noMatch: true).failure(.windowExceeded) != nil)
    }

    @Test("A UTF-8 character cut by a piece boundary waits for its last byte", arguments: [1, 2, 3])
    func utfCut(step: Int) throws {
        #expect(scan(try regex("état: prêt", [.utf]), "l'état: prêt.", step: step) == .matched(at: 2))
        #expect(scan(try regex("^.{3}$", [.utf]), "été", step: step) == .matched(at: 0))
    }

    @Test("An empty body matches a pattern that matches the empty string, and not one that needs a byte")
    func emptyBody() throws {
        #expect(scan(try regex("^$"), "") == .matched(at: 0))
        #expect(scan(try regex("."), "") == .notMatched)
    }

    @Test("regex_stack gives the match a JIT stack of its own")
    func jitStack() throws {
        let r = try regex("(a|b)*c", stack: BodyRegex.JITStack(start: 32 * 1024, max: 512 * 1024))
        #expect(scan(r, String(repeating: "ab", count: 1000) + "c", step: 100) == .matched(at: 0))
    }

    @Test("An invalid pattern's error carries PCRE2's message and offset")
    func invalidPattern() {
        #expect(throws: RegexCompileError(message: "missing closing parenthesis", offset: 9)) {
            _ = try CompiledRegex(pattern: "(unclosed")
        }
        do {
            _ = try CompiledRegex(pattern: "ab[")
            Issue.record("ab[ compiled")
        } catch {
            #expect(error.offset == 3)
            #expect(error.message.contains("missing terminating ]"))
        }
    }

    @Test("Equal patterns and options compile to equal values; another option does not")
    func equality() throws {
        #expect(try CompiledRegex(pattern: "a", options: [.caseless, .dotAll]) == CompiledRegex(pattern: "a", options: [.dotAll, .caseless]))
        #expect(try CompiledRegex(pattern: "a", options: [.caseless]) != CompiledRegex(pattern: "a"))
    }

    @Test("A body dribbled a byte at a time with a partial match open costs few searches, and still matches")
    func dribbleIsAmortized() throws {
        let scanner = RegexScanner(try regex("<html>.*</html>", [.dotAll]))
        Array("<html>".utf8).withUnsafeBytes { scanner.feed($0) }
        let byte: [UInt8] = [UInt8(ascii: "y")]
        for _ in 0..<100_000 { byte.withUnsafeBytes { scanner.feed($0) } }
        Array("</html>".utf8).withUnsafeBytes { scanner.feed($0) }
        #expect(scanner.finished() == .matched(at: 0))
        #expect(scanner.searches < 100, "\(scanner.searches) searches")
    }
}
