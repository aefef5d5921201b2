import Glibc
import Vocabulary

/// HTTP_GET without TLS on the epoll engine (`EpollCheckEngine`): the exchange of each `url` in turn, each on a
/// connection of its own and bounded by `connect_timeout`, and the verdict with the same reasons and digest as
/// `HTTPProbe` gives on NIO channels. SSL_GET stays on NIO (TLS).
struct HTTPEngineCheck: Sendable {
    /// The check's settings.
    let check: HTTPCheck
    /// The URL being fetched.
    private(set) var index = 0
    /// Time spent in the exchanges so far.
    private var elapsed: Duration = .zero

    /// Whether the engine can run `check` (plain HTTP with at least one URL).
    static func supports(_ check: HTTPCheck) -> Bool { check.tls == nil && !check.urls.isEmpty }

    init(check: HTTPCheck) { self.check = check }

    /// What the next step of a probe is after an exchange.
    enum Step: Sendable {
        /// Fetch the next URL.
        case next(EpollCheckEngine.Request)
        /// The probe's result.
        case done(ProbeResult)
    }

    /// The engine request for the current URL.
    func request(id: CheckID, due: Instant) -> EpollCheckEngine.Request {
        let url = check.urls[index]
        return EpollCheckEngine.Request(
            id: id, target: check.target, due: due,
            http: EpollCheckEngine.HTTPExchange(request: Self.requestBytes(check: check, url: url), hashBody: url.digest != nil))
    }

    /// Judges the current URL's exchange: the next URL's request, or the result.
    mutating func finished(_ completion: EpollCheckEngine.Completion, now: Instant) -> Step {
        elapsed += completion.latency
        let url = check.urls[index]
        let what = "HTTP_GET \(Self.display(check: check, url: url))"
        switch completion.outcome {
        case .response(let status, let digest, _):
            guard url.accepts(status: status) else {
                return .done(.failure("\(what) status \(status), expected \(url.statusDescription)", latency: elapsed))
            }
            if let expected = url.digest, let digest, expected != digest {
                return .done(.failure("\(what) digest \(digest), expected \(expected)", latency: elapsed))
            }
            if index + 1 < check.urls.count {
                index += 1
                return .next(request(id: completion.id, due: now))
            }
            return .done(.success("\(what) status \(status)", latency: elapsed))
        case .connected:
            // A request with an exchange never ends at the connect; treat it as the exchange's absence.
            return .done(.failure("\(what) \(ProbeError.closedEarly)", latency: elapsed))
        case .failed(let code):
            let error: ProbeError = code == ECONNREFUSED ? .refused : .system(EpollCheckEngine.Worker.errorText(code))
            return .done(.failure("\(what) \(error)", latency: elapsed))
        case .timedOut:
            return .done(.failure("\(what) \(ProbeError.timeout(check.target.timeout))", latency: elapsed))
        case .notStarted(let why):
            return .done(.failure("\(what) \(ProbeError.system(why))", latency: elapsed))
        case .badResponse(let problem):
            let error: ProbeError = problem == .truncated ? .closedEarly : .malformedReply(problem.description)
            return .done(.failure("\(what) \(error)", latency: elapsed))
        }
    }

    /// The URL as the log shows it (`HTTPFetcher.url`'s form).
    static func display(check: HTTPCheck, url: URLCheck) -> String {
        "http://\(url.virtualHost ?? check.virtualHost ?? check.target.hostPort)\(url.path)"
    }

    /// The GET request `HTTPFetcher` sends: request line, User-Agent, Host (the virtual host, else the address,
    /// with the port unless it is 80), and `Connection: close` except for plain HTTP/1.0.
    static func requestBytes(check: HTTPCheck, url: URLCheck) -> [UInt8] {
        let host = url.virtualHost ?? check.virtualHost
            ?? (check.target.port == 80 ? check.target.address.description : check.target.hostPort)
        var text = "GET \(url.path) HTTP/\(check.version == .http11 ? "1.1" : "1.0")\r\n"
        text += "User-Agent: KeepAliveClient\r\nHost: \(host)\r\n"
        if check.version != .http10 { text += "Connection: close\r\n" }
        text += "\r\n"
        return Array(text.utf8)
    }
}
