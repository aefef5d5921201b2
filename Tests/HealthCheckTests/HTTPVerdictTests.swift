import Testing
import RegexMatch
import Vocabulary
import TestSupport
@testable import HealthCheck

// The one HTTP verdict, used by the epoll engine (HTTP_GET) and by NIO channels (SSL_GET).

private let target = ConnectTarget(address: "10.0.0.3", port: 80)
private let digest = "9b3a0c85a887a256d6939da88aabd8cd"
private let check = HTTPCheck(target: target, urls: [URLCheck(path: "/a", statusCodes: [200...200]),
                                                     URLCheck(path: "/b", digest: digest)])

@Suite("HTTPVerdict")
struct HTTPVerdictTests {
    @Test("Every URL must pass: the first one passing moves to the next, the last one passing is the success")
    func urlAfterURL() {
        var v = HTTPVerdict(check: check)
        #expect(v.responded(status: 200, digest: nil, latency: .milliseconds(3)) == .next)
        #expect(v.url.path == "/b")
        #expect(v.responded(status: 204, digest: digest, latency: .milliseconds(7))
                == .done(.success("HTTP_GET http://10.0.0.3:80/b status 204", latency: .milliseconds(7))))
    }

    @Test("A status outside status_code fails with the accepted codes named")
    func badStatus() {
        var v = HTTPVerdict(check: check)
        #expect(v.responded(status: 503, digest: nil, latency: .zero)
                == .done(.failure("HTTP_GET http://10.0.0.3:80/a status 503, expected 200")))
    }

    @Test("A body whose MD5 differs from digest fails with both digests")
    func badDigest() {
        var v = HTTPVerdict(check: check)
        _ = v.responded(status: 200, digest: nil, latency: .zero)
        #expect(v.responded(status: 200, digest: "00", latency: .zero)
                == .done(.failure("HTTP_GET http://10.0.0.3:80/b digest 00, expected \(digest)")))
    }

    @Test("SSL_GET reasons name https and the virtual host; a failed exchange names its error")
    func sslNames() {
        let tls = HTTPCheck(target: target, urls: [URLCheck(path: "/")], virtualHost: "www.example", tls: TLSSettings())
        #expect(HTTPVerdict(check: tls).failed(.refused, latency: .zero)
                == .failure("SSL_GET https://www.example/ connection refused"))
        #expect(HTTPVerdict.noURL(HTTPCheck(target: target, urls: [])) == .failure("HTTP_GET 10.0.0.3:80: no url configured"))
    }

    /// A one-url check whose url has `regex ok` (with `regex_no_match` when `noMatch`) and a digest when asked.
    private static func regexCheck(noMatch: Bool = false, digest: String? = nil) throws -> HTTPCheck {
        let regex = BodyRegex(regex: try CompiledRegex(pattern: "ok"), noMatch: noMatch)
        return HTTPCheck(target: target, urls: [URLCheck(path: "/r", digest: digest, regex: .success(regex))])
    }

    @Test("With regex, a body that matches passes and one that does not fails: 'regex did not match'")
    func regexMatch() throws {
        var pass = HTTPVerdict(check: try Self.regexCheck())
        #expect(pass.responded(status: 200, digest: nil, regex: .matched(at: 0), latency: .zero)
                == .done(.success("HTTP_GET http://10.0.0.3:80/r status 200", latency: .zero)))
        var fail = HTTPVerdict(check: try Self.regexCheck())
        #expect(fail.responded(status: 200, digest: nil, regex: .notMatched, latency: .zero)
                == .done(.failure("HTTP_GET http://10.0.0.3:80/r regex did not match")))
    }

    @Test("With regex_no_match, a match fails: 'regex matched (regex_no_match)'; no match passes")
    func regexNoMatch() throws {
        var fail = HTTPVerdict(check: try Self.regexCheck(noMatch: true))
        #expect(fail.responded(status: 200, digest: nil, regex: .matched(at: 4), latency: .zero)
                == .done(.failure("HTTP_GET http://10.0.0.3:80/r regex matched (regex_no_match)")))
        var pass = HTTPVerdict(check: try Self.regexCheck(noMatch: true))
        #expect(pass.responded(status: 200, digest: nil, regex: .notMatched, latency: .zero)
                == .done(.success("HTTP_GET http://10.0.0.3:80/r status 200", latency: .zero)))
    }

    @Test("status_code, digest and regex must all pass: the status and the digest are judged first")
    func regexWithStatusAndDigest() throws {
        var status = HTTPVerdict(check: try Self.regexCheck(digest: digest))
        #expect(status.responded(status: 500, digest: digest, regex: .matched(at: 0), latency: .zero)
                == .done(.failure("HTTP_GET http://10.0.0.3:80/r status 500, expected 200-299")))
        var body = HTTPVerdict(check: try Self.regexCheck(digest: digest))
        #expect(body.responded(status: 200, digest: "00", regex: .matched(at: 0), latency: .zero)
                == .done(.failure("HTTP_GET http://10.0.0.3:80/r digest 00, expected \(digest)")))
        var all = HTTPVerdict(check: try Self.regexCheck(digest: digest))
        #expect(all.responded(status: 200, digest: digest, regex: .notMatched, latency: .zero)
                == .done(.failure("HTTP_GET http://10.0.0.3:80/r regex did not match")))
    }

    @Test("A regex that did not compile fails every check with PCRE2's message")
    func regexUnusable() {
        let url = URLCheck(path: "/r", regex: .failure(RegexCompileError(message: "no memory", offset: 0)))
        var v = HTTPVerdict(check: HTTPCheck(target: target, urls: [url]))
        #expect(v.responded(status: 200, digest: nil, regex: nil, latency: .zero)
                == .done(.failure("HTTP_GET http://10.0.0.3:80/r regex does not compile: no memory at offset 0")))
    }

    @Test("tls_compliant: a url's connection ends with close_notify when its own or its checker's flag is on, quietly otherwise")
    func tlsCompliantPerURL() {
        let target = ConnectTarget(address: "10.0.0.3", port: 443)
        let quiet = URLCheck(path: "/a"), compliant = URLCheck(path: "/b", tlsCompliant: true)
        let check = HTTPCheck(target: target, urls: [quiet, compliant], tls: TLSSettings())
        #expect(check.tls(for: quiet)?.closeNotify == false)
        #expect(check.tls(for: compliant)?.closeNotify == true)
        let all = HTTPCheck(target: target, urls: [quiet], tls: TLSSettings(closeNotify: true))
        #expect(all.tls(for: quiet)?.closeNotify == true)
        #expect(HTTPCheck(target: target, urls: [compliant]).tls(for: compliant) == nil)
    }
}
