import Foundation

/// One sd_notify(3) message. Pure: `text` is what goes in the datagram.
public enum SystemdNotification: Sendable, Equatable {
    /// Start-up finished (`READY=1`).
    case ready
    /// A reload begins (`RELOADING=1`); send `.ready` when it is done.
    case reloading
    /// Shutdown begins (`STOPPING=1`).
    case stopping
    /// Free-form status line shown by `systemctl status` (`STATUS=…`, one line).
    case status(String)
    /// Keep-alive ping (`WATCHDOG=1`).
    case watchdog
    /// The main pid (`MAINPID=…`), for a daemon that forked.
    case mainPID(Int32)

    /// The message text (newlines in a status are replaced by spaces: a newline separates assignments).
    public var text: String {
        switch self {
        case .ready: "READY=1"
        case .reloading: "RELOADING=1"
        case .stopping: "STOPPING=1"
        case .status(let s): "STATUS=" + s.replacingOccurrences(of: "\n", with: " ")
        case .watchdog: "WATCHDOG=1"
        case .mainPID(let pid): "MAINPID=\(pid)"
        }
    }

    /// Several notifications in one datagram.
    public static func message(_ parts: [SystemdNotification]) -> String { parts.map(\.text).joined(separator: "\n") }

    /// The watchdog ping interval for `WATCHDOG_USEC` (half the period, as sd_watchdog_enabled(3) advises); nil when
    /// unset, not a positive number, or `WATCHDOG_PID` names another process.
    public static func watchdogInterval(environment: [String: String], pid: Int32) -> Duration? {
        guard let text = environment["WATCHDOG_USEC"], let usec = UInt64(text), usec > 0 else { return nil }
        if let p = environment["WATCHDOG_PID"], let owner = Int32(p), owner != pid { return nil }
        return .microseconds(Int64(clamping: usec / 2))
    }
}

/// Why a notification could not be sent.
public enum SystemdNotifierError: Error, Sendable, Equatable, CustomStringConvertible {
    /// `NOTIFY_SOCKET` is not an absolute path or an abstract (`@…`) name, or is too long.
    case invalidSocket(String)
    /// socket(2) or sendto(2) failed.
    case send(errno: Int32)

    public var description: String {
        switch self {
        case .invalidSocket(let s): "NOTIFY_SOCKET '\(s)' is not a usable unix socket address"
        case .send(let e): "sd_notify: \(String(cString: strerror(e)))"
        }
    }
}

/// Sends sd_notify(3) datagrams to `NOTIFY_SOCKET` (an `AF_UNIX` datagram socket; `@name` is the abstract namespace).
public struct SystemdNotifier: Sendable {
    /// The socket address from the environment.
    public let socketPath: String

    /// A notifier when `NOTIFY_SOCKET` is set, nil otherwise (not started by systemd with Type=notify).
    public init?(environment: [String: String] = ProcessInfo.processInfo.environment) {
        guard let path = environment["NOTIFY_SOCKET"], !path.isEmpty else { return nil }
        socketPath = path
    }

    /// Sends one datagram.
    public func send(_ parts: SystemdNotification...) throws(SystemdNotifierError) {
        try send(text: SystemdNotification.message(parts))
    }

    /// Sends one datagram with this text.
    public func send(text: String) throws(SystemdNotifierError) {
        var addr = sockaddr_un()
        addr.sun_family = sa_family_t(AF_UNIX)
        var bytes = Array(socketPath.utf8)
        guard bytes.first == UInt8(ascii: "/") || bytes.first == UInt8(ascii: "@") else { throw .invalidSocket(socketPath) }
        let abstract = bytes.first == UInt8(ascii: "@")
        if abstract { bytes[0] = 0 }
        let capacity = MemoryLayout.size(ofValue: addr.sun_path)
        guard bytes.count < capacity else { throw .invalidSocket(socketPath) }
        withUnsafeMutableBytes(of: &addr.sun_path) { raw in
            for (i, b) in bytes.enumerated() { raw[i] = b }
        }
        let length = socklen_t(MemoryLayout<sa_family_t>.size + bytes.count + (abstract ? 0 : 1))
        let fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw .send(errno: errno) }
        defer { close(fd) }
        let payload = Array(text.utf8)
        let sent = withUnsafePointer(to: &addr) { p in
            p.withMemoryRebound(to: sockaddr.self, capacity: 1) { sa in
                payload.withUnsafeBytes { sendto(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL), sa, length) }
            }
        }
        guard sent >= 0 else { throw .send(errno: errno) }
    }
}
