#if canImport(Glibc)
import Foundation
import Glibc
import CLinux

/// Why the link monitor could not open or dump.
public enum LinkMonitorError: Error, Sendable, Hashable, CustomStringConvertible {
    /// A socket call failed.
    case socket(operation: String, errno: Int32)
    /// The kernel answered the RTM_GETLINK dump with an error.
    case kernel(operation: String, errno: Int32)

    public var description: String {
        switch self {
        case .socket(let op, let e): return "\(op): \(String(cString: strerror(e)))"
        case .kernel(let op, let e): return "\(op): kernel: \(String(cString: strerror(e)))"
        }
    }
}

/// What the link monitor reports, in order.
public enum LinkMonitorEvent: Sendable, Hashable {
    /// Link messages (RTM_NEWLINK / RTM_DELLINK, decoded or not) from one datagram.
    case messages([LinkMessage.Entry])
    /// The socket overran (ENOBUFS: events were lost); a fresh dump of every link follows, to replace the table.
    case resynchronized([LinkMessage.Entry])
    /// Receiving failed for good; no more events come.
    case failed(LinkMonitorError)
}

/// rtnetlink link events: a NETLINK_ROUTE socket subscribed to RTMGRP_LINK whose datagrams a dedicated thread
/// decodes (`LinkMessage.entries`) and feeds to `events`. `dump()` lists every link once (RTM_GETLINK) over a
/// socket of its own, for the state at start. The monitor decides nothing: `LinkTable` and the router do.
public final class NetlinkLinkMonitor: @unchecked Sendable {
    // fd and the wake-up eventfd are written once in init; the flags are guarded by `lock`, which is also held while
    // the descriptors are closed or written, so `close()` never writes to a descriptor the thread has closed.
    private let fd: Int32
    private let wake: Int32
    private let lock = NSLock()
    private var closed = false
    private var started = false
    private var released = false
    /// Link events, in arrival order; finishes after `close()` (or `.failed`).
    public let events: AsyncStream<LinkMonitorEvent>
    private let continuation: AsyncStream<LinkMonitorEvent>.Continuation

    /// Opens and subscribes the socket; events are queued in the kernel until `start()`.
    public init() throws(LinkMonitorError) {
        let fd = socket(AF_NETLINK, Int32(SOCK_RAW.rawValue) | Int32(SOCK_CLOEXEC.rawValue), NETLINK_ROUTE)
        guard fd >= 0 else { throw .socket(operation: "link monitor socket", errno: errno) }
        var size: Int32 = 1 << 20
        _ = setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, 4)
        var local = sockaddr_nl()
        local.nl_family = sa_family_t(AF_NETLINK)
        local.nl_groups = 0x1 | 0x10 | 0x100   // RTMGRP_LINK, RTMGRP_IPV4_IFADDR, RTMGRP_IPV6_IFADDR (track_src_ip)
        let rc = withUnsafePointer(to: &local) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_nl>.size))
            }
        }
        guard rc == 0 else { let e = errno; Glibc.close(fd); throw .socket(operation: "bind RTMGRP_LINK", errno: e) }
        let wake = eventfd(0, Int32(EFD_CLOEXEC))
        guard wake >= 0 else {
            let e = errno
            Glibc.close(fd)
            throw .socket(operation: "eventfd", errno: e)
        }
        self.fd = fd
        self.wake = wake
        (events, continuation) = AsyncStream.makeStream(of: LinkMonitorEvent.self, bufferingPolicy: .unbounded)
    }

    /// Starts the receiving thread (once).
    public func start() {
        lock.lock()
        let first = !started && !closed
        started = true
        lock.unlock()
        guard first else { return }
        let thread = Thread { [self] in self.receiveLoop() }
        thread.name = "vrrp-links"
        thread.start()
    }

    /// Stops receiving; `events` finishes.
    public func close() {
        lock.lock()
        defer { lock.unlock() }
        guard !closed else { return }
        closed = true
        if !started {
            releaseLocked()
        } else if !released {
            var one: UInt64 = 1
            _ = write(wake, &one, 8)
        }
    }

    private var isClosed: Bool {
        lock.lock()
        defer { lock.unlock() }
        return closed
    }

    /// Closes the descriptors and finishes `events`, once.
    private func release() {
        lock.lock()
        defer { lock.unlock() }
        releaseLocked()
    }

    private func releaseLocked() {
        guard !released else { return }
        released = true
        Glibc.close(fd)
        Glibc.close(wake)
        continuation.finish()
    }

    private func receiveLoop() {
        var buffer = [UInt8](repeating: 0, count: 65536)
        var fds = [pollfd(fd: fd, events: Int16(POLLIN), revents: 0),
                   pollfd(fd: wake, events: Int16(POLLIN), revents: 0)]
        while !isClosed {
            let ready = poll(&fds, 2, -1)
            if ready < 0 {
                if errno == EINTR { continue }
                continuation.yield(.failed(.socket(operation: "poll link monitor", errno: errno)))
                break
            }
            if fds[1].revents != 0 || isClosed { break }
            guard fds[0].revents != 0 else { continue }
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, Int32(MSG_DONTWAIT)) }
            if n > 0 {
                continuation.yield(.messages(LinkMessage.entries(in: Array(buffer[0..<n]))))
            } else if n < 0 {
                switch errno {
                case EINTR, EAGAIN:
                    continue
                case ENOBUFS:
                    // The kernel dropped events: what is true now comes from a dump.
                    do { continuation.yield(.resynchronized(try Self.dump())) } catch {
                        continuation.yield(.failed(error))
                        usleep(100_000)   // retry at the next overrun or event, without spinning
                    }
                default:
                    continuation.yield(.failed(.socket(operation: "receive link events", errno: errno)))
                    release()
                    return
                }
            }
        }
        release()
    }

    /// Lists every link once: an RTM_GETLINK dump over a socket of its own, until NLMSG_DONE.
    public static func dump() throws(LinkMonitorError) -> [LinkMessage.Entry] {
        let op = "dump links"
        let fd = socket(AF_NETLINK, Int32(SOCK_RAW.rawValue) | Int32(SOCK_CLOEXEC.rawValue), NETLINK_ROUTE)
        guard fd >= 0 else { throw .socket(operation: op, errno: errno) }
        defer { Glibc.close(fd) }
        var kernel = sockaddr_nl()
        kernel.nl_family = sa_family_t(AF_NETLINK)
        let request = LinkMessage.dumpRequest(sequence: 1)
        let sent = request.withUnsafeBytes { buf in
            withUnsafePointer(to: &kernel) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    sendto(fd, buf.baseAddress, buf.count, 0, $0, socklen_t(MemoryLayout<sockaddr_nl>.size))
                }
            }
        }
        guard sent == request.count else { throw .socket(operation: op, errno: errno) }
        var out: [LinkMessage.Entry] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n < 0, errno == EINTR { continue }
            guard n > 0 else { throw .socket(operation: op, errno: n < 0 ? errno : EPROTO) }
            for entry in LinkMessage.entries(in: Array(buffer[0..<n])) {
                switch entry {
                case .done:
                    return out
                case .kernelError(let e):
                    if e != 0 { throw .kernel(operation: op, errno: e) }
                    return out
                case .link, .address, .malformed:
                    out.append(entry)
                }
            }
        }
    }
}
#endif
