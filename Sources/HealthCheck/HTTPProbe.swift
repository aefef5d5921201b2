import NIOCore

/// `HTTP_GET` / `SSL_GET`: fetches every URL in order (a fresh connection each, each bounded by
/// `connect_timeout`) and passes when every status is accepted and every configured digest matches.
public struct HTTPProbe: Sendable {
    /// The check's settings.
    public var check: HTTPCheck

    /// A probe of `check`.
    public init(check: HTTPCheck) { self.check = check }

    /// Runs one attempt on `loop`; the future never fails.
    public func run(on loop: any EventLoop) -> EventLoopFuture<ProbeResult> {
        let start = NIODeadline.now()
        let name = check.tls == nil ? "HTTP_GET" : "SSL_GET"
        guard !check.urls.isEmpty else {
            return loop.makeSucceededFuture(.failure("\(name) \(check.target.hostPort): no url configured"))
        }
        return step(index: 0, on: loop, name: name, start: start)
    }

    private func step(index: Int, on loop: any EventLoop, name: String, start: NIODeadline) -> EventLoopFuture<ProbeResult> {
        let url = check.urls[index]
        let fetcher = HTTPFetcher(target: check.target, path: url.path, virtualHost: url.virtualHost ?? check.virtualHost,
                                  version: check.version, tls: check.tls)
        let what = "\(name) \(fetcher.url)"
        let timeout = check.target.timeout
        return fetcher.fetch(on: loop).flatMap { fetched -> EventLoopFuture<ProbeResult> in
            guard url.accepts(status: fetched.status) else {
                return loop.makeSucceededFuture(.failure("\(what) status \(fetched.status), expected \(url.statusDescription)",
                                                         latency: elapsed(since: start)))
            }
            if let digest = url.digest, digest != fetched.digest {
                return loop.makeSucceededFuture(.failure("\(what) digest \(fetched.digest), expected \(digest)",
                                                         latency: elapsed(since: start)))
            }
            if index + 1 < check.urls.count {
                return step(index: index + 1, on: loop, name: name, start: start)
            }
            return loop.makeSucceededFuture(.success("\(what) status \(fetched.status)", latency: elapsed(since: start)))
        }.recover { error in
            .failure("\(what) \(ProbeError.classify(error, timeout: timeout))", latency: elapsed(since: start))
        }
    }
}
