import NIOCore
import NIOPosix

/// Runs one attempt of a checker on NIO: the path of SSL_GET, SMTP, DNS, UDP, PING, MISC and FILE (`ProbeRoute`).
/// TCP_CHECK and plain HTTP_GET run on the epoll engine; their NIO probes here are the benchmark's reference only.
/// Every probe bounds itself by its timeout and its future never fails: failures are `ProbeResult`s with a reason.
public struct ProbeRunner: Sendable {
    /// Runs MISC_CHECK scripts.
    public var scripts: ProcessScriptRunner

    /// A runner using `scripts` for MISC_CHECK.
    public init(scripts: ProcessScriptRunner) { self.scripts = scripts }

    /// One attempt of `kind`.
    public func run(_ kind: CheckKind, on loop: any EventLoop) -> EventLoopFuture<ProbeResult> {
        switch kind {
        case .tcp(let c): TCPProbe(check: c).run(on: loop)
        case .http(let c): HTTPProbe(check: c).run(on: loop)
        case .misc(let c): ScriptProbe(check: c, runner: scripts).run(on: loop)
        case .smtp(let c): SMTPProbe(check: c).run(on: loop)
        case .dns(let c): DNSProbe(check: c).run(on: loop)
        case .udp(let c): UDPProbe(check: c).run(on: loop)
        case .ping(let c): PingProbe(check: c).run(on: loop)
        case .file(let c): loop.makeSucceededFuture(FileProbe(check: c).run())
        }
    }
}
