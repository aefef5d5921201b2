import Testing
import RegexMatch
@testable import Config

/// A config with one HTTP_GET whose url block is `lines`, each line starting at column 5.
private func url(_ lines: String...) -> ConfigLoadResult {
    let body = lines.map { "    \($0)\n" }.joined()
    return parse("virtual_server 10.0.0.1 80 {\n  protocol TCP\n  real_server 10.0.0.2 80 {\n   HTTP_GET {\n   url {\n    path /\n\(body)   }\n   }\n  }\n}\n")
}

/// The first url's regex.
private func regex(_ r: ConfigLoadResult) -> URLRegex? {
    guard case .http(let h) = r.config.virtualServers.first?.realServers.first?.checkers.first?.settings else { return nil }
    return h.urls.first?.regex
}

/// Line 7 is the first line of `url(...)`'s body.
@Suite("url regex keywords")
struct URLRegexTests {
    @Test("regex with all five settings parses into the model, with no warning")
    func allSettings() throws {
        let r = url("regex \"status: (ok|up)\"", "regex_no_match", "regex_options caseless multiline",
                    "regex_stack 32768 1048576", "regex_min_offset 10", "regex_max_offset 4096")
        #expect(r.errors.isEmpty, "\(r.rendered())")
        #expect(r.diagnostics.filter { $0.severity == .warning }.isEmpty, "\(r.rendered())")
        let x = try #require(regex(r))
        #expect(x.pattern == "status: (ok|up)" && x.noMatch)
        #expect(x.options == [.caseless, .multiline])
        #expect(x.stack == BodyRegex.JITStack(start: 32768, max: 1048576))
        #expect(x.minOffset == 10 && x.maxOffset == 4096)
    }

    @Test("regex alone has the defaults: a match passes, from offset 0 to the body's end")
    func defaults() throws {
        let r = url("regex ok")
        #expect(r.errors.isEmpty)
        let x = try #require(regex(r))
        #expect(!x.noMatch && x.options.isEmpty && x.stack == nil && x.minOffset == 0 && x.maxOffset == nil)
    }

    @Test("Every keepalived regex_options name is accepted")
    func everyOption() throws {
        let r = url("regex ok", "regex_options " + RegexOption.allCases.filter { $0 != .neverUTF && $0 != .neverUCP }.map(\.rawValue).joined(separator: " "))
        #expect(r.errors.isEmpty, "\(r.rendered())")
        #expect(regex(r)?.options.count == RegexOption.allCases.count - 2)
    }

    @Test("An unknown regex_options name is an error at its column")
    func badOption() {
        let r = url("regex ok", "regex_options caseless nocase")
        #expect(positions(r, .invalidValue) == ["8:28"])
        #expect(r.errors.first?.message.contains("'nocase'") == true)
        #expect(url("regex ok", "regex_options caseles").errors.first?.message.contains("did you mean 'caseless'") == true)
    }

    @Test("A pattern PCRE2 refuses is an error at the offending column, with PCRE2's message and offset")
    func badPattern() {
        let r = url("regex \"ab[c\"")
        #expect(positions(r, .invalidValue) == ["7:16"])
        #expect(r.errors.first?.message.contains("missing terminating ]") == true)
        #expect(r.errors.first?.message.contains("offset 4") == true)
        let bare = url("regex (x")
        #expect(positions(bare, .invalidValue) == ["7:13"])
    }

    @Test("Options take part in the compile: a pattern valid only under extended")
    func optionsCompile() {
        #expect(!url("regex \"(?<n>a)(?<n>b)\"").errors.isEmpty)
        #expect(url("regex \"(?<n>a)|(?<n>b)\"", "regex_options dupnames").errors.isEmpty)
    }

    @Test("Offsets that are not numbers are errors")
    func badOffsets() {
        #expect(positions(url("regex ok", "regex_min_offset ten"), .invalidValue) == ["8:22"])
        #expect(positions(url("regex ok", "regex_max_offset -1"), .outOfRange) == ["8:22"])
    }

    @Test("regex_min_offset above regex_max_offset is an error at the max")
    func minAboveMax() {
        let r = url("regex ok", "regex_min_offset 100", "regex_max_offset 10")
        #expect(positions(r, .invalidValue) == ["9:22"])
    }

    @Test("regex_stack needs two numbers, START no greater than MAX")
    func badStack() {
        #expect(positions(url("regex ok", "regex_stack 64 big"), .invalidValue) == ["8:20"])
        #expect(positions(url("regex ok", "regex_stack 2048 1024"), .invalidValue) == ["8:17"])
        #expect(!url("regex ok", "regex_stack 1024").errors.isEmpty)
    }

    @Test("A regex setting without regex is a warning that it has no effect")
    func settingWithoutRegex() {
        let r = url("regex_no_match")
        #expect(r.errors.isEmpty)
        #expect(positions(r, .suspicious) == ["7:5"])
    }
}
