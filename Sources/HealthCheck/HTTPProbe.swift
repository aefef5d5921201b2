import NIOCore

/// `SSL_GET` (and, for the benchmark's reference only, plain `HTTP_GET`) on NIO channels: fetches every URL in
/// order (a fresh connection each, each bounded by `connect_timeout`), judged by `HTTPVerdict`. The daemon runs
/// plain HTTP_GET on the epoll engine (`HTTPEngineCheck`).
public struct HTTPProbe: Sendable {
    /// The check's settings.
    public var check: HTTPCheck

    /// A probe of `check`.
    public init(check: HTTPCheck) { self.check = check }

    /// Runs one attempt on `loop`; the future never fails.
    public func run(on loop: any EventLoop) -> EventLoopFuture<ProbeResult> {
        guard !check.urls.isEmpty else { return loop.makeSucceededFuture(HTTPVerdict.noURL(check)) }
        return step(HTTPVerdict(check: check), on: loop, start: NIODeadline.now())
    }

    private func step(_ verdict: HTTPVerdict, on loop: any EventLoop, start: NIODeadline) -> EventLoopFuture<ProbeResult> {
        let url = verdict.url
        let fetcher = HTTPFetcher(target: check.target, path: url.path, virtualHost: url.virtualHost ?? check.virtualHost,
                                  version: check.version, tls: check.tls(for: url), regex: url.bodyRegex)
        let timeout = check.target.timeout
        return fetcher.fetch(on: loop).flatMap { fetched -> EventLoopFuture<ProbeResult> in
            var verdict = verdict
            switch verdict.responded(status: fetched.status, digest: fetched.digest, regex: fetched.regex,
                                      latency: elapsed(since: start)) {
            case .next: return step(verdict, on: loop, start: start)
            case .done(let result): return loop.makeSucceededFuture(result)
            }
        }.recover { error in
            verdict.failed(ProbeError.classify(error, timeout: timeout), latency: elapsed(since: start))
        }
    }
}
