import Glibc

/// Which I/O path runs one probe attempt. One path per checker kind: TCP_CHECK and HTTP_GET without TLS on the epoll
/// engine (`EpollCheckEngine`), every other kind (SSL_GET, SMTP, DNS, UDP, PING, MISC, FILE) on a NIO event loop
/// (`ProbeRunner`).
public enum ProbeRoute: Hashable, Sendable {
    /// TCP_CHECK: one non-blocking connect on the engine.
    case tcpEngine(ConnectTarget)
    /// HTTP_GET without TLS: each URL's exchange on the engine, judged by `HTTPVerdict`.
    case httpEngine(HTTPCheck)
    /// Every other kind (and, for the benchmark's reference only, TCP_CHECK and HTTP_GET): `ProbeRunner` on an event loop.
    case eventLoop(CheckKind)

    /// The route of `kind` under `paths`.
    public static func of(_ kind: CheckKind, paths: ProbePaths = .engine) -> ProbeRoute {
        switch kind {
        case .tcp(let check) where paths == .engine: .tcpEngine(check.target)
        case .http(let check) where paths == .engine && check.tls == nil: .httpEngine(check)
        case .tcp, .http, .misc, .dns, .smtp, .udp, .ping, .file: .eventLoop(kind)
        }
    }
}

/// Where TCP_CHECK and plain HTTP_GET run.
public enum ProbePaths: Hashable, Sendable {
    /// On the epoll engine: the only path of the daemon and of `vigil probe`.
    case engine
    /// On NIO channels (`TCPProbe`, `HTTPProbe`): Vigil's previous path, kept only as the benchmark's reference
    /// (scripts/healthcheck/bench.sh), chosen only by `VIGIL_BENCH_NIO_PATH=1` (see `fromEnvironment()`).
    case nioBenchmarkReference

    /// The variable that selects the benchmark's reference path.
    public static let benchmarkReferenceVariable = "VIGIL_BENCH_NIO_PATH"

    /// `.nioBenchmarkReference` when `VIGIL_BENCH_NIO_PATH` is `1`, else `.engine`. The one place that reads it
    /// (`HealthCheckService.init`, which `vigil probe --watch` runs for the benchmark, calls it).
    public static func fromEnvironment() -> ProbePaths {
        guard let value = getenv(benchmarkReferenceVariable) else { return .engine }
        return String(cString: value) == "1" ? .nioBenchmarkReference : .engine
    }
}
