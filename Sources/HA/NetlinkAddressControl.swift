#if canImport(Glibc)
import Glibc
import CLinux
import Synchronization
import Vocabulary

/// One virtual address as `virtual_ipaddress` describes it: `10.0.0.100/24 brd 10.0.0.255 dev eth0 scope global label eth0:0`.
public struct VirtualAddress: Sendable, Hashable, CustomStringConvertible {
    /// The address.
    public var address: IPAddress
    /// Prefix length; keepalived's default is /32 (IPv4) or /128 (IPv6).
    public var prefixLength: UInt8
    /// Broadcast address (`brd`), IPv4 only.
    public var broadcast: IPAddress?
    /// Interface name (`dev`); the instance's interface when nil.
    public var device: String?
    /// Scope (`scope`): 0 global, 200 site, 253 link, 254 host.
    public var scope: UInt8
    /// Label (`label eth0:0`), IPv4 only.
    public var label: String?

    /// Creates a virtual address; defaults follow keepalived.
    public init(address: IPAddress, prefixLength: UInt8? = nil, broadcast: IPAddress? = nil, device: String? = nil,
                scope: UInt8 = 0, label: String? = nil) {
        self.address = address
        self.prefixLength = prefixLength ?? (address.isIPv6 ? 128 : 32)
        self.broadcast = broadcast
        self.device = device
        self.scope = scope
        self.label = label
    }

    public var description: String { "\(address)/\(prefixLength)" }
}

/// A failed address operation, naming the operation and the object.
public enum AddressControlError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The interface does not exist.
    case noSuchInterface(String)
    /// A socket call failed.
    case socket(operation: String, errno: Int32)
    /// The kernel refused the request.
    case kernel(operation: String, address: String, errno: Int32)
    /// The kernel's reply could not be parsed.
    case malformedReply(operation: String)

    public var description: String {
        switch self {
        case .noSuchInterface(let n): return "no such interface \(n)"
        case .socket(let op, let e): return "\(op): \(String(cString: strerror(e)))"
        case .kernel(let op, let a, let e): return "\(op) \(a): \(String(cString: strerror(e)))"
        case .malformedReply(let op): return "\(op): malformed netlink reply"
        }
    }
}

/// Adds, removes and announces virtual addresses. Implemented over rtnetlink and packet sockets by
/// `NetlinkAddressControl`; tests may substitute a recorder.
public protocol AddressControl: Sendable {
    /// Adds the addresses (already present is success).
    func add(_ addresses: [VirtualAddress], interface: String) throws(AddressControlError)
    /// Removes the addresses (already absent is success).
    func remove(_ addresses: [VirtualAddress], interface: String) throws(AddressControlError)
    /// Sends one gratuitous ARP (IPv4) or unsolicited neighbour advertisement (IPv6) per address.
    func announce(_ addresses: [VirtualAddress], interface: String) throws(AddressControlError)
    /// Lists the addresses on every interface (at start, to find VIPs left by an earlier run).
    func addresses() throws(AddressControlError) -> [InterfaceAddress]
    /// Called when an instance starts: reads ahead what a takeover will need (interfaces' index and MAC address), so
    /// the first announcement does not wait for it. Optional.
    func prepare(_ addresses: [VirtualAddress], interface: String)
}

extension AddressControl {
    public func prepare(_ addresses: [VirtualAddress], interface: String) {}
}

/// What announcements reuse on the takeover path: one send-only packet socket, and each interface's index and MAC
/// address (read once, forgotten when a send on that interface fails, so a recreated interface is read again).
final class AnnounceCache: Sendable {
    struct Link: Sendable {
        var index: UInt32
        var mac: [UInt8]
    }

    private struct State {
        var packetSocket: Int32 = -1
        var links: [String: Link] = [:]
    }

    private let state = Mutex(State())

    deinit {
        let fd = state.withLock { $0.packetSocket }
        if fd >= 0 { close(fd) }
    }

    func link(_ name: String) -> Link? {
        if let l = state.withLock({ $0.links[name] }) { return l }
        let index = if_nametoindex(name)
        guard index != 0, let mac = NetlinkAddressControl.hardwareAddress(name) else { return nil }
        let l = Link(index: index, mac: mac)
        state.withLock { $0.links[name] = l }
        return l
    }

    func forget(_ name: String) {
        state.withLock { _ = $0.links.removeValue(forKey: name) }
    }

    /// Protocol 0: a send-only packet socket. One opened for a protocol registers a receive hook, and closing it
    /// waits for an RCU grace period (synchronize_net).
    func packetSocket() -> Int32 {
        state.withLock { s in
            if s.packetSocket < 0 { s.packetSocket = socket(AF_PACKET, Int32(SOCK_RAW.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0) }
            return s.packetSocket
        }
    }
}

/// Address control through RTM_NEWADDR / RTM_DELADDR (rtnetlink) and AF_PACKET / ICMPv6 announcements.
public struct NetlinkAddressControl: AddressControl {
    private let cache = AnnounceCache()

    /// Creates the adapter; rtnetlink sockets are opened per call, the announcement socket once.
    public init() {}

    public func add(_ addresses: [VirtualAddress], interface: String) throws(AddressControlError) {
        try requests(add: true, addresses, interface: interface)
    }

    public func remove(_ addresses: [VirtualAddress], interface: String) throws(AddressControlError) {
        try requests(add: false, addresses, interface: interface)
    }

    /// One rtnetlink socket for the whole list; each request waits for its acknowledgement.
    private func requests(add: Bool, _ addresses: [VirtualAddress], interface: String) throws(AddressControlError) {
        guard !addresses.isEmpty else { return }
        let fd = socket(AF_NETLINK, Int32(SOCK_RAW.rawValue) | Int32(SOCK_CLOEXEC.rawValue), NETLINK_ROUTE)
        guard fd >= 0 else { throw .socket(operation: add ? "add address" : "delete address", errno: errno) }
        defer { close(fd) }
        for (n, a) in addresses.enumerated() {
            try request(fd: fd, sequence: UInt32(n + 1), add: add, a, interface: a.device ?? interface)
        }
    }

    private func request(fd: Int32, sequence: UInt32, add: Bool, _ a: VirtualAddress,
                         interface: String) throws(AddressControlError) {
        let op = add ? "add address" : "delete address"
        let index = if_nametoindex(interface)
        // An address cannot outlive its interface: removing one from an interface that is gone is done.
        guard index != 0 else { if add { throw .noSuchInterface(interface) } else { return } }
        var msg = NetlinkMessage(type: add ? UInt16(RTM_NEWADDR) : UInt16(RTM_DELADDR),
                                 flags: UInt16(NLM_F_REQUEST | NLM_F_ACK) | (add ? UInt16(NLM_F_CREATE | NLM_F_REPLACE) : 0),
                                 sequence: sequence)
        // struct ifaddrmsg
        msg.body += [a.address.isIPv6 ? UInt8(AF_INET6) : UInt8(AF_INET), a.prefixLength,
                     a.address.isIPv6 ? UInt8(IFA_F_NODAD) : 0, a.scope]
        msg.appendUInt32(index)
        msg.attribute(UInt16(IFA_LOCAL), a.address.bytes)
        msg.attribute(UInt16(IFA_ADDRESS), a.address.bytes)
        if let b = a.broadcast, !a.address.isIPv6 { msg.attribute(UInt16(IFA_BROADCAST), b.bytes) }
        if let l = a.label, !a.address.isIPv6 { msg.attribute(UInt16(IFA_LABEL), Array(l.utf8.prefix(15)) + [0]) }
        let e = try Self.acknowledged(fd: fd, msg.finished(), operation: op)
        if e == 0 { return }
        if add && e == EEXIST { return }
        if !add && (e == EADDRNOTAVAIL || e == ENODEV) { return }
        throw .kernel(operation: op, address: a.description, errno: e)
    }

    /// Sends one request and reads its acknowledgement: 0, or the errno the kernel answered.
    static func acknowledged(fd: Int32, _ bytes: [UInt8], operation op: String) throws(AddressControlError) -> Int32 {
        try sendToKernel(fd: fd, bytes, operation: op)
        var reply = [UInt8](repeating: 0, count: 4096)
        let n = reply.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        guard n >= 20, let e = RTNetlinkReply.acknowledgement(reply[0..<n]) else { throw .malformedReply(operation: op) }
        return e
    }

    /// Sends one netlink request to the kernel.
    static func sendToKernel(fd: Int32, _ bytes: [UInt8], operation op: String) throws(AddressControlError) {
        var kernel = sockaddr_nl()
        kernel.nl_family = sa_family_t(AF_NETLINK)
        let sent = bytes.withUnsafeBytes { buf in
            withUnsafePointer(to: &kernel) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    sendto(fd, buf.baseAddress, buf.count, 0, $0, socklen_t(MemoryLayout<sockaddr_nl>.size))
                }
            }
        }
        guard sent == bytes.count else { throw .socket(operation: op, errno: errno) }
    }

    /// One RTM_GETADDR dump over a fresh rtnetlink socket; interface indexes are named with `if_indextoname` (an
    /// interface that vanished meanwhile is left out).
    public func addresses() throws(AddressControlError) -> [InterfaceAddress] {
        let op = "list addresses"
        let fd = socket(AF_NETLINK, Int32(SOCK_RAW.rawValue) | Int32(SOCK_CLOEXEC.rawValue), NETLINK_ROUTE)
        guard fd >= 0 else { throw .socket(operation: op, errno: errno) }
        defer { close(fd) }
        var msg = NetlinkMessage(type: UInt16(RTM_GETADDR), flags: UInt16(NLM_F_REQUEST) | UInt16(NLM_F_DUMP), sequence: 1)
        msg.body += [UInt8(AF_UNSPEC), 0, 0, 0]  // struct ifaddrmsg: every family
        msg.appendUInt32(0)
        try Self.sendToKernel(fd: fd, msg.finished(), operation: op)
        var found: [DumpedAddress] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            guard n > 0 else { throw n < 0 ? .socket(operation: op, errno: errno) : .malformedReply(operation: op) }
            switch Self.parseAddressDump(buffer[0..<n]) {
            case .more(let part): found += part
            case .done(let part):
                found += part
                return found.compactMap { f in
                    var name = [CChar](repeating: 0, count: Int(IF_NAMESIZE) + 1)
                    guard if_indextoname(f.index, &name) != nil else { return nil }
                    let end = name.firstIndex(of: 0) ?? name.count
                    return InterfaceAddress(interface: String(decoding: name[..<end].map { UInt8(bitPattern: $0) }, as: UTF8.self),
                                            address: f.address, prefixLength: f.prefixLength)
                }
            case .kernelError(let e): throw .kernel(operation: op, address: "all", errno: e)
            case .malformed: throw .malformedReply(operation: op)
            }
        }
    }

    /// One datagram of an RTM_GETADDR dump, parsed (see `RTNetlinkReply`).
    typealias AddressDumpPart = RTNetlinkReply.AddressDumpPart
    /// An address of the dump before its interface is named.
    typealias DumpedAddress = RTNetlinkReply.DumpedAddress

    /// Parses one datagram of netlink messages (host byte order). Pure, so malformed replies are unit-testable.
    static func parseAddressDump(_ data: ArraySlice<UInt8>) -> AddressDumpPart {
        RTNetlinkReply.addressDump(data)
    }

    public func prepare(_ addresses: [VirtualAddress], interface: String) {
        for a in addresses where !a.address.isIPv6 { _ = cache.link(a.device ?? interface) }
        _ = cache.packetSocket()
    }

    public func announce(_ addresses: [VirtualAddress], interface: String) throws(AddressControlError) {
        for a in addresses {
            let dev = a.device ?? interface
            if a.address.isIPv6 { try sendUnsolicitedNA(a.address, interface: dev) } else { try sendGratuitousARP(a.address, interface: dev) }
        }
    }

    /// Reads the interface's MAC address from sysfs.
    static func hardwareAddress(_ interface: String) -> [UInt8]? {
        guard let f = fopen("/sys/class/net/\(interface)/address", "r") else { return nil }
        defer { fclose(f) }
        var line = [CChar](repeating: 0, count: 64)
        guard fgets(&line, 64, f) != nil else { return nil }
        let end = line.firstIndex(of: 0) ?? line.count
        let text = String(decoding: line[..<end].map { UInt8(bitPattern: $0) }, as: UTF8.self)
        let parts = text.split(separator: ":").compactMap { UInt8($0.prefix(2), radix: 16) }
        return parts.count == 6 ? parts : nil
    }

    /// Gratuitous ARP request (RFC 5227 §3 announcement form): sender and target IP are the VIP. A failed send on a
    /// cached interface is retried once with the interface read again.
    private func sendGratuitousARP(_ vip: IPAddress, interface: String) throws(AddressControlError) {
        do { try sendGratuitousARPOnce(vip, interface: interface) } catch {
            cache.forget(interface)
            try sendGratuitousARPOnce(vip, interface: interface)
        }
    }

    private func sendGratuitousARPOnce(_ vip: IPAddress, interface: String) throws(AddressControlError) {
        let op = "gratuitous ARP"
        guard let link = cache.link(interface) else { throw .noSuchInterface(interface) }
        let fd = cache.packetSocket()
        guard fd >= 0 else { throw .socket(operation: op, errno: errno) }
        let mac = link.mac
        let broadcast: [UInt8] = [0xff, 0xff, 0xff, 0xff, 0xff, 0xff]
        var frame = broadcast + mac + [0x08, 0x06]
        frame += [0x00, 0x01, 0x08, 0x00, 6, 4, 0x00, 0x01]  // Ethernet, IPv4, request
        frame += mac + vip.bytes + broadcast + vip.bytes
        var sll = sockaddr_ll()
        sll.sll_family = UInt16(AF_PACKET)
        sll.sll_protocol = UInt16(ETH_P_ARP).bigEndian
        sll.sll_ifindex = Int32(link.index)
        sll.sll_halen = 6
        withUnsafeMutableBytes(of: &sll.sll_addr) { for i in 0..<6 { $0[i] = 0xff } }
        let sent = frame.withUnsafeBytes { buf in
            withUnsafePointer(to: &sll) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    sendto(fd, buf.baseAddress, buf.count, 0, $0, socklen_t(MemoryLayout<sockaddr_ll>.size))
                }
            }
        }
        guard sent == frame.count else { throw .socket(operation: op, errno: errno) }
    }

    /// Unsolicited neighbour advertisement (RFC 4861 §7.2.6) to ff02::1 with the override flag.
    private func sendUnsolicitedNA(_ vip: IPAddress, interface: String) throws(AddressControlError) {
        let op = "unsolicited NA"
        let index = if_nametoindex(interface)
        guard index != 0 else { throw .noSuchInterface(interface) }
        guard let mac = Self.hardwareAddress(interface) else { throw .noSuchInterface(interface) }
        let fd = socket(AF_INET6, Int32(SOCK_RAW.rawValue), Int32(IPPROTO_ICMPV6))
        guard fd >= 0 else { throw .socket(operation: op, errno: errno) }
        defer { close(fd) }
        var hops: Int32 = 255
        setsockopt(fd, Int32(IPPROTO_IPV6), IPV6_MULTICAST_HOPS, &hops, 4)
        var idx = Int32(index)
        setsockopt(fd, Int32(IPPROTO_IPV6), IPV6_MULTICAST_IF, &idx, 4)
        // type 136, code 0, checksum (kernel fills it), flags: override (0x20), reserved, target, option 2 (target LL).
        let packet: [UInt8] = [136, 0, 0, 0, 0x20, 0, 0, 0] + vip.bytes + [2, 1] + mac
        var dst = sockaddr_in6()
        dst.sin6_family = sa_family_t(AF_INET6)
        withUnsafeMutableBytes(of: &dst.sin6_addr) { raw in
            for (i, b) in IPAddress.v6(0xff02_0000_0000_0000, 1).bytes.enumerated() { raw[i] = b }
        }
        dst.sin6_scope_id = index
        let sent = packet.withUnsafeBytes { buf in
            withUnsafePointer(to: &dst) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    sendto(fd, buf.baseAddress, buf.count, 0, $0, socklen_t(MemoryLayout<sockaddr_in6>.size))
                }
            }
        }
        guard sent == packet.count else { throw .socket(operation: op, errno: errno) }
    }
}

#endif
