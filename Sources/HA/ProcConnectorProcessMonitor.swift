#if canImport(Glibc)
import Foundation
import Glibc
import CLinux
import Synchronization

/// What the process monitor reports.
public enum ProcessMonitorEvent: Sendable {
    /// Every running process (a scan of /proc: at start, after lost events, or each second without events).
    case snapshot([Int32: ProcessRecord])
    /// A process started, exec'd or was renamed.
    case seen(Int32, ProcessRecord)
    /// A process ended.
    case exited(Int32)
}

/// Reads /proc once, then follows the kernel's process events (the proc connector), as keepalived does. Where the
/// connector is not available — it answers only in the initial network namespace, and needs CAP_NET_ADMIN — it reads
/// /proc every second instead (`polling`; keepalived then sees no process change at all). Decides nothing:
/// `ProcessCensus` counts, `ProcessQuorum` judges.
public final class ProcConnectorProcessMonitor: @unchecked Sendable {
    /// Events after the first snapshot, in order.
    public let events: AsyncStream<ProcessMonitorEvent>
    private let continuation: AsyncStream<ProcessMonitorEvent>.Continuation
    /// Why the connector could not be used (nil: it is).
    public let pollingReason: String?
    /// Command lines are read (some tracker matches them).
    public let readsCommandLines: Bool
    private let fd: Int32
    private let stopped = Atomic<Bool>(false)

    /// How often /proc is read without the connector.
    public static let pollInterval: Duration = .seconds(1)

    /// Subscribes to the connector (or decides to poll) and reads /proc once: `initial` is every process now.
    /// Command lines are read only when `readsCommandLines`.
    public init(readsCommandLines: Bool) {
        self.readsCommandLines = readsCommandLines
        (events, continuation) = AsyncStream.makeStream(of: ProcessMonitorEvent.self, bufferingPolicy: .bufferingNewest(65536))
        var reason: String?
        let s = socket(AF_NETLINK, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 11 /* NETLINK_CONNECTOR */)
        if s < 0 {
            reason = "socket(NETLINK_CONNECTOR): \(String(cString: strerror(errno)))"
        } else {
            var size: Int32 = 4 << 20
            _ = setsockopt(s, SOL_SOCKET, SO_RCVBUF, &size, 4)
            var local = sockaddr_nl()
            local.nl_family = sa_family_t(AF_NETLINK)
            local.nl_groups = ProcConnectorMessage.idxProc
            let bound = withUnsafePointer(to: &local) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(s, $0, socklen_t(MemoryLayout<sockaddr_nl>.size)) }
            }
            if bound != 0 {
                reason = "bind to the process events: \(String(cString: strerror(errno)))"
            } else {
                var kernel = sockaddr_nl()
                kernel.nl_family = sa_family_t(AF_NETLINK)
                let request = ProcConnectorMessage.listenRequest(port: UInt32(bitPattern: getpid()))
                let sent = request.withUnsafeBytes { buf in
                    withUnsafePointer(to: &kernel) {
                        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                            sendto(s, buf.baseAddress, buf.count, 0, $0, socklen_t(MemoryLayout<sockaddr_nl>.size))
                        }
                    }
                }
                if sent != request.count {
                    reason = "subscribe to the process events: \(String(cString: strerror(errno)))"
                }
            }
        }
        if reason != nil, s >= 0 { Glibc.close(s) }
        fd = reason == nil ? s : -1
        pollingReason = reason
    }

    /// Every running process now.
    public func scan() -> [Int32: ProcessRecord] {
        var out: [Int32: ProcessRecord] = [:]
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: "/proc") else { return out }
        for name in names {
            guard let pid = Int32(name), pid > 0, let record = read(pid) else { continue }
            out[pid] = record
        }
        return out
    }

    /// One process's record, nil when it is gone or a zombie.
    private func read(_ pid: Int32) -> ProcessRecord? {
        guard let text = Self.file("/proc/\(pid)/stat").map({ String(decoding: $0, as: UTF8.self) }),
              let stat = ProcConnectorMessage.stat(text), stat.running else { return nil }
        let arguments = readsCommandLines ? Self.file("/proc/\(pid)/cmdline").map(ProcConnectorMessage.arguments) : nil
        return ProcessRecord(comm: stat.comm, arguments: arguments)
    }

    /// A small /proc file's bytes (at most 64 KiB), nil when it cannot be read.
    private static func file(_ path: String) -> [UInt8]? {
        let fd = Glibc.open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { Glibc.close(fd) }
        var out: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while out.count < 65536 {
            let n = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if n < 0, errno == EINTR { continue }
            guard n > 0 else { break }
            out += buffer[0..<n]
        }
        return out
    }

    /// Starts following (a thread reading the connector, or a task reading /proc every second).
    public func start() {
        if fd >= 0 {
            let thread = Thread { [self] in receiveLoop() }
            thread.name = "vrrp-processes"
            thread.start()
        } else {
            Task { [self] in
                while !stopped.load(ordering: .relaxed) {
                    try? await Task.sleep(for: Self.pollInterval)
                    if stopped.load(ordering: .relaxed) { break }
                    continuation.yield(.snapshot(scan()))
                }
                continuation.finish()
            }
        }
    }

    /// Stops following.
    public func close() {
        guard !stopped.exchange(true, ordering: .relaxed) else { return }
        if fd >= 0 { _ = shutdown(fd, Int32(SHUT_RDWR)) }
    }

    private func receiveLoop() {
        var buffer = [UInt8](repeating: 0, count: 65536)
        while !stopped.load(ordering: .relaxed) {
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n < 0 {
                if errno == EINTR { continue }
                if errno == ENOBUFS {   // events were lost: read everything again
                    continuation.yield(.snapshot(scan()))
                    continue
                }
                break
            }
            if n == 0 { break }
            for event in ProcConnectorMessage.events(in: Array(buffer[0..<n])) {
                switch event {
                case .forked(let pid), .executed(let pid):
                    if let r = read(pid) { continuation.yield(.seen(pid, r)) }
                case .renamed(let pid, _):
                    if let r = read(pid) { continuation.yield(.seen(pid, r)) }
                case .exited(let pid):
                    continuation.yield(.exited(pid))
                }
            }
        }
        Glibc.close(fd)
        continuation.finish()
    }
}
#endif
