import NIOCore

/// `MISC_CHECK`: runs `misc_path`; exit 0 is up, anything else down, except with `misc_dynamic` where
/// exit 2–255 is up with weight = code − 2. A script that outlives `misc_timeout` is killed and counts as down.
public struct ScriptProbe: Sendable {
    /// The check's settings.
    public var check: MiscCheck
    /// The runner.
    public var runner: ProcessScriptRunner

    /// A probe of `check` run by `runner`.
    public init(check: MiscCheck, runner: ProcessScriptRunner) {
        self.check = check
        self.runner = runner
    }

    /// Runs one attempt; the future never fails.
    public func run(on loop: any EventLoop) -> EventLoopFuture<ProbeResult> {
        let start = NIODeadline.now()
        let what = "MISC_CHECK \(check.command)"
        let check = self.check
        return runner.run(check.command, timeout: check.timeout, on: loop).map { exit in
            let latency = elapsed(since: start)
            switch exit {
            case .exited(0):
                return .success("\(what) exited 0", latency: latency)
            case .exited(let code) where check.dynamic && code >= 2:
                return .success("\(what) exited \(code), weight \(code - 2)", latency: latency, dynamicWeight: Int(code) - 2)
            case .exited(let code):
                return .failure("\(what) exited \(code)", latency: latency)
            case .signaled(let signal):
                return .failure("\(what) killed by signal \(signal)", latency: latency)
            case .timedOut:
                return .failure("\(what) timed out after \(ProbeError.format(check.timeout)), killed", latency: latency)
            case .failedToStart(let message):
                return .failure("\(what) \(message)", latency: latency)
            }
        }
    }
}
