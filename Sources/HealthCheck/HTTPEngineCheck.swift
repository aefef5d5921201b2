import Glibc
import Vocabulary

/// HTTP_GET without TLS on the epoll engine (`EpollCheckEngine`): the exchange of each `url` in turn, each on a
/// connection of its own and bounded by `connect_timeout`, judged by `HTTPVerdict` (as SSL_GET is on NIO channels).
struct HTTPEngineCheck: Sendable {
    private var verdict: HTTPVerdict
    /// Time spent in the exchanges so far.
    private var elapsed: Duration = .zero

    /// A probe of `check`, which must have at least one URL (see `HTTPVerdict.noURL(_:)`).
    init(check: HTTPCheck) { verdict = HTTPVerdict(check: check) }

    /// The URL being fetched.
    var index: Int { verdict.index }

    /// What the next step of a probe is after an exchange.
    enum Step: Sendable {
        /// Fetch the next URL.
        case next(EpollCheckEngine.Request)
        /// The probe's result.
        case done(ProbeResult)
    }

    /// The engine request for the current URL.
    func request(id: CheckID, due: Instant) -> EpollCheckEngine.Request {
        let check = verdict.check, url = verdict.url
        return EpollCheckEngine.Request(
            id: id, target: check.target, due: due,
            http: EpollCheckEngine.HTTPExchange(request: Self.requestBytes(check: check, url: url), hashBody: url.digest != nil,
                                                regex: url.bodyRegex))
    }

    /// Judges the current URL's exchange: the next URL's request, or the result.
    mutating func finished(_ completion: EpollCheckEngine.Completion, now: Instant) -> Step {
        elapsed += completion.latency
        let error: ProbeError
        switch completion.outcome {
        case .response(let status, let digest, _, let regex):
            switch verdict.responded(status: status, digest: digest, regex: regex, latency: elapsed) {
            case .next: return .next(request(id: completion.id, due: now))
            case .done(let result): return .done(result)
            }
        case .connected:
            // A request with an exchange never ends at the connect; treat it as the exchange's absence.
            error = .closedEarly
        case .failed(let code):
            error = code == ECONNREFUSED ? .refused : .system(EpollCheckEngine.errorText(code))
        case .timedOut:
            error = .timeout(verdict.check.target.timeout)
        case .notStarted(let why):
            error = .system(why)
        case .badResponse(let problem):
            error = problem == .truncated ? .closedEarly : .malformedReply(problem.description)
        }
        return .done(verdict.failed(error, latency: elapsed))
    }

    /// The GET request `HTTPFetcher` sends: request line, User-Agent, Host (`HTTPFetcher.hostHeader`), and
    /// `Connection: close` except for plain HTTP/1.0.
    static func requestBytes(check: HTTPCheck, url: URLCheck) -> [UInt8] {
        let host = HTTPFetcher.hostHeader(target: check.target, virtualHost: url.virtualHost ?? check.virtualHost, tls: false)
        var text = "GET \(url.path) HTTP/\(check.version == .http11 ? "1.1" : "1.0")\r\n"
        text += "User-Agent: KeepAliveClient\r\nHost: \(host)\r\n"
        if check.version != .http10 { text += "Connection: close\r\n" }
        text += "\r\n"
        return Array(text.utf8)
    }
}
