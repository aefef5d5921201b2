import RegexMatch

/// The verdict of an HTTP_GET or SSL_GET probe, URL after URL, written once for both of its paths: the epoll engine's
/// exchanges (`HTTPEngineCheck`, HTTP_GET) and NIO channels (`HTTPProbe`, SSL_GET). Every `url` must pass: its status
/// accepted (`status_code`, default 200–299), when a `digest` is configured the MD5 of its body equal to it, and
/// when a `regex` is configured the body matching it (or, with `regex_no_match`, not matching it).
struct HTTPVerdict: Sendable {
    /// What happens after a URL's response.
    enum Step: Hashable, Sendable {
        /// It passed; fetch the next URL (`url` now names it).
        case next
        /// The probe's result: the first URL that failed, or success after the last.
        case done(ProbeResult)
    }

    /// The check's settings.
    let check: HTTPCheck
    /// The URL being judged.
    private(set) var index = 0

    /// A verdict starting at the first URL. `check.urls` must not be empty (see `noURL(_:)`).
    init(check: HTTPCheck) { self.check = check }

    /// The URL being judged.
    var url: URLCheck { check.urls[index] }

    /// What a reason names: `HTTP_GET http://10.0.0.3:80/health`.
    var what: String { "\(Self.name(check)) \(Self.display(check: check, url: url))" }

    /// The current URL answered `status`, with the body's MD5 `digest` when one was computed and what the body's
    /// `regex` match came to when one was asked; `latency` is the probe's time so far.
    mutating func responded(status: Int, digest: String?, regex: RegexOutcome? = nil, latency: Duration) -> Step {
        guard url.accepts(status: status) else {
            return .done(.failure("\(what) status \(status), expected \(url.statusDescription)", latency: latency))
        }
        if let expected = url.digest, digest != expected {
            return .done(.failure("\(what) digest \(digest ?? "none"), expected \(expected)", latency: latency))
        }
        switch url.regex {
        case .success(let body):
            if let why = body.failure(regex ?? .failed("the body was not matched")) {
                return .done(.failure("\(what) \(why)", latency: latency))
            }
        case .failure(let error):
            return .done(.failure("\(what) regex does not compile: \(error)", latency: latency))
        case nil:
            break
        }
        if index + 1 < check.urls.count {
            index += 1
            return .next
        }
        return .done(.success("\(what) status \(status)", latency: latency))
    }

    /// The current URL's exchange failed with `error`.
    func failed(_ error: ProbeError, latency: Duration) -> ProbeResult {
        .failure("\(what) \(error)", latency: latency)
    }

    /// The result of a check with no `url` at all.
    static func noURL(_ check: HTTPCheck) -> ProbeResult {
        .failure("\(name(check)) \(check.target.hostPort): no url configured")
    }

    /// keepalived's name of the checker.
    static func name(_ check: HTTPCheck) -> String { check.tls == nil ? "HTTP_GET" : "SSL_GET" }

    /// The URL as the log shows it: the virtual host (the URL's, else the check's), else the address.
    static func display(check: HTTPCheck, url: URLCheck) -> String {
        "\(check.tls == nil ? "http" : "https")://\(url.virtualHost ?? check.virtualHost ?? check.target.hostPort)\(url.path)"
    }
}
