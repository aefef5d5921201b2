import CGenl
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// What the reconciler needs from the kernel: read the table, perform commands.
/// `NetlinkIPVSClient` is the real adapter; tests can provide an in-memory one.
public protocol IPVSControl: Sendable {
    /// The whole table as the kernel has it now.
    func table() throws(IPVSError) -> IPVSTable
    /// Performs the commands in order (batched) and returns those the kernel refused.
    /// A refused command does not stop the ones after it.
    func execute(_ commands: [IPVSCommand]) throws(IPVSError) -> [IPVSCommandFailure]
    /// The connection timeouts the kernel applies now.
    func timeouts() throws(IPVSError) -> IPVSTimeouts
    /// Every service with its counters and destinations (`ipvsadm -Ln --stats`).
    func status() throws(IPVSError) -> [IPVSServiceStatus]
    /// The destinations of `service` in the kernel's list order (head first: the kernel inserts a new destination at
    /// the head); empty when the service does not exist. An `mh` service's lookup table follows this order.
    func destinationOrder(of service: IPVSServiceKey) throws(IPVSError) -> [IPVSDestinationKey]
}

extension IPVSControl {
    /// The canonical order (`IPVSPlan.canonicalListOrder`), for controls that keep no list order (test doubles).
    public func destinationOrder(of service: IPVSServiceKey) throws(IPVSError) -> [IPVSDestinationKey] {
        guard let v = try table().services[service] else { return [] }
        return IPVSPlan.canonicalListOrder(Array(v.destinations.keys))
    }

    /// The table with zero counters, for controls that keep no statistics (test doubles).
    public func status() throws(IPVSError) -> [IPVSServiceStatus] {
        try table().services.values.map { s in
            IPVSServiceStatus(service: s.service, stats: IPVSStats(), destinations: s.destinations.values.map {
                IPVSDestinationStatus(destination: $0, counters: IPVSDestinationCounters())
            }.sorted { $0.destination.key < $1.destination.key })
        }.sorted { $0.service.key < $1.service.key }
    }
}

/// A command the kernel refused, with the error naming the operation and the object.
public struct IPVSCommandFailure: Error, Hashable, Sendable, CustomStringConvertible {
    /// The command.
    public var command: IPVSCommand
    /// Why it failed (usually `.kernel(op, errno:, object:)`).
    public var error: IPVSError

    /// A refusal of `command` (for other `IPVSControl` implementations, such as test doubles).
    public init(command: IPVSCommand, error: IPVSError) {
        self.command = command
        self.error = error
    }

    public var description: String { error.description }
}

/// The IPVS client over a generic netlink socket: resolves the `IPVS` family with libnl,
/// then sends requests encoded by `IPVSMessage` and decodes the replies.
/// Changes are batched: many requests per `send`, acknowledgements read in bulk.
/// Thread-safe; calls block briefly on the socket.
public final class NetlinkIPVSClient: IPVSControl {
    private struct Socket {
        var fd: Int32
        var sequence: UInt32
        /// Reused receive buffer (64 KiB: a dump datagram is at most 32 KiB).
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        /// Reused send buffer: a whole batch of requests is encoded into it.
        var output: [UInt8] = []
    }

    private let socket: Mutex<Socket>
    /// The generic netlink family id the kernel gave `IPVS`.
    public let familyID: UInt16
    /// Most requests per `send` when executing commands (fewer when the socket buffers
    /// the kernel granted are too small to hold that many errors or bytes).
    public let batchSize: Int
    /// Most bytes per `send` (the kernel refuses a datagram larger than the send buffer).
    private let sendLimit: Int

    /// Opens the socket. Throws `.noIPVSSupport` when the kernel has no IPVS family.
    /// - Parameter batchSize: most requests per `send`; the default suits tables of any size.
    public init(batchSize: Int = 2048) throws(IPVSError) {
        familyID = try Self.resolveFamily()
        let fd = Glibc.socket(AF_NETLINK, Int32(SOCK_RAW.rawValue) | Int32(SOCK_CLOEXEC.rawValue), NETLINK_GENERIC)
        guard fd >= 0 else { throw .socket("socket", errno: errno) }
        var addr = sockaddr_nl()
        addr.nl_family = sa_family_t(AF_NETLINK)
        let rc = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_nl>.size)) }
        }
        guard rc == 0 else { let e = errno; close(fd); throw .socket("bind", errno: e) }
        // Root may exceed the sysctl caps (rmem_max/wmem_max); others get what the caps allow.
        var size: Int32 = 8 << 20
        if setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, 4) != 0 {
            _ = setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, 4)
        }
        if setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &size, 4) != 0 {
            _ = setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &size, 4)
        }
        var one: Int32 = 1
        _ = setsockopt(fd, 270 /* SOL_NETLINK */, 10 /* NETLINK_CAP_ACK */, &one, 4)
        // A reply that never comes (a lost ack) must become an error, not a hang.
        var tv = timeval(tv_sec: 30, tv_usec: 0)
        _ = setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        // Every request of a batch may be refused: the receive buffer must hold that many
        // error messages (each costs about 1 KiB of buffer accounting), or errors are lost.
        let rcvbuf = Self.bufferSize(fd, SO_RCVBUF)
        let sndbuf = Self.bufferSize(fd, SO_SNDBUF)
        self.batchSize = max(1, min(batchSize, rcvbuf / 2048))
        self.sendLimit = max(4096, sndbuf - 1024)
        socket = Mutex(Socket(fd: fd, sequence: 1))
    }

    private static func bufferSize(_ fd: Int32, _ option: Int32) -> Int {
        var v: Int32 = 0
        var len = socklen_t(4)
        guard getsockopt(fd, SOL_SOCKET, option, &v, &len) == 0, v > 0 else { return 212_992 }
        return Int(v)
    }

    deinit {
        let fd = socket.withLock { $0.fd }
        close(fd)
    }

    /// Resolves the `IPVS` generic netlink family id through libnl's controller lookup.
    static func resolveFamily() throws(IPVSError) -> UInt16 {
        guard let sk = nl_socket_alloc() else { throw .socket("nl_socket_alloc", errno: ENOMEM) }
        defer { nl_socket_free(sk) }
        let rc = genl_connect(sk)
        guard rc == 0 else { throw .socket("genl_connect", errno: EIO) }
        let id = genl_ctrl_resolve(sk, "IPVS")
        guard id > 0, id <= Int32(UInt16.max) else { throw .noIPVSSupport }
        return UInt16(id)
    }

    // MARK: reads

    /// Version and connection table size.
    public func info() throws(IPVSError) -> IPVSInfo {
        let r = try single(.getInfo)
        return try IPVSDecode.info(r)
    }

    /// Every service with its statistics and destinations (`ipvsadm -Ln --stats`).
    public func status() throws(IPVSError) -> [IPVSServiceStatus] {
        var out: [IPVSServiceStatus] = []
        for a in try dump(.listServices) {
            let (svc, stats) = try IPVSDecode.service(a)
            var dests: [IPVSDestinationStatus] = []
            for d in try dump(.listDestinations(svc.key)) {
                dests.append(try IPVSDecode.destination(d, serviceFamily: svc.key.family))
            }
            dests.sort { $0.destination.key < $1.destination.key }
            out.append(IPVSServiceStatus(service: svc, stats: stats, destinations: dests))
        }
        return out.sorted { $0.service.key < $1.service.key }
    }

    /// The destinations of `service` as the kernel lists them (no sorting: the order is the point).
    public func destinationOrder(of service: IPVSServiceKey) throws(IPVSError) -> [IPVSDestinationKey] {
        guard try table().services[service] != nil else { return [] }
        var out: [IPVSDestinationKey] = []
        for d in try dump(.listDestinations(service)) {
            out.append(try IPVSDecode.destination(d, serviceFamily: service.family).destination.key)
        }
        return out
    }

    /// The table without statistics.
    public func table() throws(IPVSError) -> IPVSTable {
        IPVSTable(try status().map { s in
            IPVSVirtualService(service: s.service, destinations: s.destinations.map(\.destination))
        })
    }

    /// Connection timeouts.
    public func timeouts() throws(IPVSError) -> IPVSTimeouts {
        IPVSDecode.timeouts(try single(.getTimeouts))
    }

    /// Running sync daemons.
    public func syncDaemons() throws(IPVSError) -> [IPVSSyncDaemon] {
        var out: [IPVSSyncDaemon] = []
        for a in try dump(.listSyncDaemons) { out.append(try IPVSDecode.daemon(a)) }
        return out
    }

    // MARK: writes

    /// Performs commands in batches; returns the ones the kernel refused.
    ///
    /// A batch is up to `batchSize` requests in one `send`, without per-request
    /// acknowledgements: the kernel answers only the requests it refuses, and a final
    /// `GET_INFO` in the same datagram is the barrier — once its reply arrives, every
    /// error of the batch has arrived before it (the kernel handles a datagram's requests
    /// in order, and a refused one does not stop those after it).
    public func execute(_ commands: [IPVSCommand]) throws(IPVSError) -> [IPVSCommandFailure] {
        try socket.withLock { (s: inout Socket) throws(IPVSError) -> [IPVSCommandFailure] in
            var failures: [IPVSCommandFailure] = []
            var next = 0
            while next < commands.count {
                let first = next
                let base = s.sequence
                s.output.removeAll(keepingCapacity: true)
                // Request i of the batch carries sequence base + (i - first).
                while next < commands.count, next - first < batchSize, s.output.count < sendLimit - 1024 {
                    let c = commands[next]
                    let msg = IPVSMessage(.command(c), familyID: familyID, sequence: base &+ UInt32(next - first), wantsAck: false)
                    do throws(IPVSError) {
                        try IPVSMessage.encode(msg, into: &s.output)
                    } catch {
                        failures.append(IPVSCommandFailure(command: c, error: error))
                    }
                    next += 1
                }
                let barrier = base &+ UInt32(next - first)
                s.sequence = barrier &+ 1
                try IPVSMessage.encode(IPVSMessage(.getInfo, familyID: familyID, sequence: barrier), into: &s.output)
                try Self.send(s.fd, s.output)
                var waiting = true
                while waiting {
                    let n = try Self.receive(s.fd, &s.buffer)
                    for m in try NetlinkReply.messages(s.buffer[0..<n], .addService) {
                        let offset = m.sequence &- base
                        guard offset <= barrier &- base else { continue }  // a stale reply
                        if m.sequence == barrier {
                            if m.type == NL.error {
                                let e = try NetlinkReply.errorCode(m, .getInfo)
                                if e != 0 { throw .kernel(.getInfo, errno: e, object: "IPVS") }
                            }
                            waiting = false
                        } else if m.type == NL.error {
                            let c = commands[first + Int(offset)]
                            let e = try NetlinkReply.errorCode(m, c.operation)
                            if e != 0 {
                                failures.append(IPVSCommandFailure(command: c, error: .kernel(c.operation, errno: e, object: c.object)))
                            }
                        }
                    }
                }
            }
            return failures
        }
    }

    /// Performs commands and throws the first failure.
    public func perform(_ commands: [IPVSCommand]) throws(IPVSError) {
        if let f = try execute(commands).first { throw f.error }
    }

    // MARK: plumbing

    private func single(_ r: IPVSMessage.Request) throws(IPVSError) -> Attributes {
        let all = try roundTrip(r)
        guard let first = all.first else { throw .malformedReply(IPVSMessage(r, familyID: 0, sequence: 0).operation, "empty reply") }
        return first
    }

    private func dump(_ r: IPVSMessage.Request) throws(IPVSError) -> [Attributes] {
        try roundTrip(r)
    }

    private func roundTrip(_ r: IPVSMessage.Request) throws(IPVSError) -> [Attributes] {
        try socket.withLock { (s: inout Socket) throws(IPVSError) -> [Attributes] in
            let seq = s.sequence
            s.sequence &+= 1
            let msg = IPVSMessage(r, familyID: familyID, sequence: seq)
            let op = msg.operation
            let isDump: Bool
            switch r {
            case .listServices, .listDestinations, .listSyncDaemons: isDump = true
            case .getInfo, .getTimeouts, .command: isDump = false
            }
            try Self.send(s.fd, try IPVSMessage.encode(msg))
            var out: [Attributes] = []
            while true {
                let n = try Self.receive(s.fd, &s.buffer)
                for m in try NetlinkReply.messages(s.buffer[0..<n], op) where m.sequence == seq {
                    switch m.type {
                    case NL.done: return out
                    case NL.error:
                        let e = try NetlinkReply.errorCode(m, op)
                        if e != 0 {
                            let object: String
                            if case .listDestinations(let k) = r { object = k.description } else { object = "IPVS" }
                            throw .kernel(op, errno: e, object: object)
                        }
                        return out
                    default:
                        out.append(try NetlinkReply.genlAttributes(m, op))
                        if !isDump { return out }
                    }
                }
            }
        }
    }

    private static func send(_ fd: Int32, _ bytes: [UInt8]) throws(IPVSError) {
        var addr = sockaddr_nl()
        addr.nl_family = sa_family_t(AF_NETLINK)
        let n = bytes.withUnsafeBytes { raw in
            withUnsafePointer(to: &addr) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    sendto(fd, raw.baseAddress, raw.count, 0, $0, socklen_t(MemoryLayout<sockaddr_nl>.size))
                }
            }
        }
        guard n == bytes.count else { throw .socket("send", errno: n < 0 ? errno : EMSGSIZE) }
    }

    /// Receives one datagram into `buf`; returns its length (truncated to the buffer).
    private static func receive(_ fd: Int32, _ buf: inout [UInt8]) throws(IPVSError) -> Int {
        while true {
            let n = buf.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n < 0 {
                if errno == EINTR { continue }
                throw .socket("recv", errno: errno)
            }
            return min(n, buf.count)
        }
    }
}
