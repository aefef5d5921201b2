#if canImport(Glibc)
import Glibc
#endif

/// The adapter of `SMTPSession`: one blocking TCP connection driven with `poll(2)` on the caller's thread (the
/// mailer's own queue, never VRRP's or the checkers'). It resolves the server, connects within the connect
/// timeout, then writes what the session says and feeds it what the server sends, each reply awaited at most the
/// connect timeout and the whole delivery at most `SMTPSettings.deliveryDeadline`. It decides nothing.
public struct SocketSMTPTransport: Sendable {
    /// A transport.
    public init() {}

    /// Delivers `message` as `settings` say; returns the outcome.
    public func deliver(_ message: [UInt8], settings: SMTPSettings) -> SMTPOutcome {
        var session = SMTPSession(heloName: settings.heloName, sender: settings.from, recipients: settings.recipients,
                                  message: message)
        let start = Self.now()
        let stepLimit = Self.milliseconds(settings.connectTimeout)
        let deadline = start + Self.milliseconds(settings.deliveryDeadline)
        let fd: Int32
        switch connect(settings, timeout: stepLimit) {
        case .success(let socket): fd = socket
        case .failure(let error):
            return Self.outcome(session.connectFailed(error.reason))
                ?? .failed(SMTPFailure(step: .connect, kind: .connectFailed(error.reason)))
        }
        defer { close(fd) }
        var actions = session.connected()
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            for action in actions {
                switch action {
                case .send(let bytes):
                    if !Self.writeAll(fd, bytes, until: deadline) {
                        if session.isFinished { continue }
                        return Self.outcome(session.closed()) ?? .failed(SMTPFailure(step: session.step, kind: .closed))
                    }
                case .finish(let outcome):
                    return outcome
                }
            }
            let wait = min(stepLimit, deadline - Self.now())
            var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            let ready = wait > 0 ? poll(&p, 1, Int32(clamping: wait)) : 0
            if ready == 0 {
                actions = session.timedOut()
                continue
            }
            if ready < 0 {
                if errno == EINTR { actions = []; continue }
                actions = session.closed()
                continue
            }
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n > 0 {
                actions = session.received(buffer[0..<n])
            } else if n < 0 && (errno == EINTR || errno == EAGAIN) {
                actions = []
            } else {
                actions = session.closed()
            }
        }
    }

    private struct ConnectError: Error { var reason: String }

    private func connect(_ settings: SMTPSettings, timeout: Int) -> Result<Int32, ConnectError> {
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_protocol = Int32(IPPROTO_TCP)
        var list: UnsafeMutablePointer<addrinfo>?
        let rc = getaddrinfo(settings.host, String(settings.port), &hints, &list)
        guard rc == 0, let first = list else {
            return .failure(ConnectError(reason: "cannot resolve \(settings.host): \(String(cString: gai_strerror(rc)))"))
        }
        defer { freeaddrinfo(first) }
        var reasons: [String] = []
        var entry: UnsafeMutablePointer<addrinfo>? = first
        while let ai = entry {
            entry = ai.pointee.ai_next
            let fd = socket(ai.pointee.ai_family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue) | Int32(SOCK_NONBLOCK.rawValue), 0)
            guard fd >= 0 else {
                reasons.append("socket: \(String(cString: strerror(errno)))")
                continue
            }
            if Glibc.connect(fd, ai.pointee.ai_addr, ai.pointee.ai_addrlen) == 0 { return .success(fd) }
            guard errno == EINPROGRESS else {
                reasons.append("\(settings.server): \(String(cString: strerror(errno)))")
                close(fd)
                continue
            }
            var p = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
            let ready = poll(&p, 1, Int32(clamping: timeout))
            if ready == 0 {
                reasons.append("\(settings.server): no connection within \(settings.connectTimeout)")
                close(fd)
                continue
            }
            var err: Int32 = 0
            var len = socklen_t(MemoryLayout<Int32>.size)
            getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len)
            if ready > 0 && err == 0 { return .success(fd) }
            reasons.append("\(settings.server): \(String(cString: strerror(err != 0 ? err : errno)))")
            close(fd)
        }
        return .failure(ConnectError(reason: reasons.isEmpty ? "no address for \(settings.host)" : reasons.joined(separator: "; ")))
    }

    private static func outcome(_ actions: [SMTPSessionAction]) -> SMTPOutcome? {
        for case .finish(let outcome) in actions { return outcome }
        return nil
    }

    private static func writeAll(_ fd: Int32, _ bytes: [UInt8], until deadline: Int) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeBytes { buffer -> Int in
                guard let base = buffer.baseAddress else { return 0 }
                return send(fd, base + offset, buffer.count - offset, Int32(MSG_NOSIGNAL))
            }
            if n > 0 {
                offset += n
                continue
            }
            guard n < 0, errno == EAGAIN || errno == EINTR else { return false }
            let wait = deadline - now()
            guard wait > 0 else { return false }
            var p = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
            if poll(&p, 1, Int32(clamping: wait)) <= 0 { return false }
        }
        return true
    }

    /// Monotonic milliseconds.
    private static func now() -> Int {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return ts.tv_sec * 1000 + ts.tv_nsec / 1_000_000
    }

    private static func milliseconds(_ d: Duration) -> Int {
        let (s, atto) = d.components
        return Int(s) * 1000 + Int(atto / 1_000_000_000_000_000)
    }
}
