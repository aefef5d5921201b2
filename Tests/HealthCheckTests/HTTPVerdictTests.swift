import Testing
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
}
