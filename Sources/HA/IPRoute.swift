#if canImport(Glibc)
import Glibc
import CLinux
import Vocabulary

/// One route as `virtual_routes` and `static_routes` describe it (keepalived's `ip route` subset), in the numbers
/// rtnetlink speaks.
public struct IPRoute: Sendable, Hashable, CustomStringConvertible {
    /// Destination address (the network) and prefix length.
    public var destination: IPAddress
    public var prefixLength: UInt8
    /// `rtm_type`: RTN_UNICAST (1) unless `blackhole` (6), `unreachable` (7), `prohibit` (8), `throw` (9), ….
    public var type: UInt8
    /// `via`.
    public var gateway: IPAddress?
    /// `dev`.
    public var device: String?
    /// `src`.
    public var preferredSource: IPAddress?
    /// `from` (IPv6): the source prefix's address (nil: none) and length.
    public var sourceAddress: IPAddress?
    public var sourcePrefixLength: UInt8 = 0
    /// Routing table (254: main).
    public var table: UInt32
    /// `metric` (RTA_PRIORITY).
    public var metric: UInt32?
    /// `rtm_scope` (0: universe).
    public var scope: UInt8
    /// `rtm_protocol` (18: keepalived's, the default keepalived sets).
    public var routingProtocol: UInt8
    /// `tos`.
    public var tos: UInt8
    /// `onlink` (RTNH_F_ONLINK).
    public var onlink: Bool

    /// Creates a route; defaults as keepalived's.
    public init(destination: IPAddress, prefixLength: UInt8, type: UInt8 = 1, gateway: IPAddress? = nil,
                device: String? = nil, preferredSource: IPAddress? = nil, table: UInt32 = 254, metric: UInt32? = nil,
                scope: UInt8 = 0, routingProtocol: UInt8 = 18, tos: UInt8 = 0, onlink: Bool = false) {
        self.destination = destination
        self.prefixLength = prefixLength
        self.type = type
        self.gateway = gateway
        self.device = device
        self.preferredSource = preferredSource
        self.table = table
        self.metric = metric
        self.scope = scope
        self.routingProtocol = routingProtocol
        self.tos = tos
        self.onlink = onlink
    }

    /// As `ip route` prints it, for log lines.
    public var description: String {
        var s = (type == 1 ? "" : "\(Self.typeNames[type] ?? "type \(type)") ") + "\(destination)/\(prefixLength)"
        if let g = gateway { s += " via \(g)" }
        if let d = device { s += " dev \(d)" }
        if let p = preferredSource { s += " src \(p)" }
        if table != 254 { s += " table \(table)" }
        if let m = metric { s += " metric \(m)" }
        return s
    }

    static let typeNames: [UInt8: String] = [2: "local", 3: "broadcast", 4: "anycast", 5: "multicast", 6: "blackhole",
                                             7: "unreachable", 8: "prohibit", 9: "throw", 10: "nat"]

    /// The RTM_NEWROUTE (`add`) or RTM_DELROUTE request, as keepalived 2.2.7 builds it: create without replace (an
    /// existing route is EEXIST), scope `nowhere` and the type only when not unicast on delete (the kernel then
    /// matches any scope), the table in `rtm_table` below 256 and in RTA_TABLE from 256, the device as its index.
    func message(add: Bool, interfaceIndex: UInt32?, sequence: UInt32) -> [UInt8] {
        var msg = NetlinkMessage(type: add ? UInt16(RTM_NEWROUTE) : UInt16(RTM_DELROUTE),
                                 flags: UInt16(NLM_F_REQUEST | NLM_F_ACK) | (add ? UInt16(NLM_F_CREATE) : 0),
                                 sequence: sequence)
        let family = destination.isIPv6 ? UInt8(AF_INET6) : UInt8(AF_INET)
        // struct rtmsg: family, dst_len, src_len, tos, table, protocol, scope, type, flags (u32).
        msg.body += [family, prefixLength, sourceAddress == nil ? 0 : sourcePrefixLength, tos,
                     table < 256 ? UInt8(table) : 0, routingProtocol,
                     add ? scope : 255, add || type != 1 ? type : 0]
        msg.appendUInt32(onlink ? UInt32(RTNH_F_ONLINK) : 0)
        if table >= 256 { msg.attribute(UInt16(RTA_TABLE.rawValue), Self.le32(table)) }
        msg.attribute(UInt16(RTA_DST.rawValue), destination.bytes)
        if let s = sourceAddress { msg.attribute(UInt16(RTA_SRC.rawValue), s.bytes) }
        if let p = preferredSource { msg.attribute(UInt16(RTA_PREFSRC.rawValue), p.bytes) }
        if let g = gateway { msg.attribute(UInt16(RTA_GATEWAY.rawValue), g.bytes) }
        if let i = interfaceIndex { msg.attribute(UInt16(RTA_OIF.rawValue), Self.le32(i)) }
        if let m = metric { msg.attribute(UInt16(RTA_PRIORITY.rawValue), Self.le32(m)) }
        return msg.finished()
    }

    static func le32(_ v: UInt32) -> [UInt8] {
        [UInt8(v & 0xff), UInt8(v >> 8 & 0xff), UInt8(v >> 16 & 0xff), UInt8(v >> 24)]
    }
}

/// One policy rule as `virtual_rules` and `static_rules` describe it (keepalived's `ip rule` subset).
public struct IPRule: Sendable, Hashable, CustomStringConvertible {
    /// IPv6 rule.
    public var isIPv6: Bool
    /// `from`, `to`: address and prefix length.
    public var from: IPAddress?
    public var fromLength: UInt8 = 0
    public var to: IPAddress?
    public var toLength: UInt8 = 0
    /// FR_ACT_*: 1 to a table, 2 goto, 3 nop, 6 blackhole, 7 unreachable, 8 prohibit.
    public var action: UInt8
    /// The table (FR_ACT_TO_TBL) or the goto target.
    public var table: UInt32 = 0
    public var gotoTarget: UInt32 = 0
    /// `priority`.
    public var priority: UInt32
    public var fwmark: UInt32?
    public var fwmask: UInt32?
    public var inputInterface: String?
    public var outputInterface: String?
    public var tos: UInt8 = 0
    /// `not`.
    public var invert = false
    public var suppressPrefixLength: UInt32?
    public var suppressInterfaceGroup: UInt32?
    /// `protocol` (18: keepalived's).
    public var routingProtocol: UInt8 = 18

    /// Creates a rule.
    public init(isIPv6: Bool, action: UInt8, priority: UInt32) {
        self.isIPv6 = isIPv6
        self.action = action
        self.priority = priority
    }

    /// As `ip rule` prints it, for log lines.
    public var description: String {
        var s = "\(priority): " + (invert ? "not " : "") + "from " + (from.map { "\($0)/\(fromLength)" } ?? "all")
        if let t = to { s += " to \(t)/\(toLength)" }
        if let m = fwmark { s += " fwmark \(m)" + (fwmask.map { "/\($0)" } ?? "") }
        if let i = inputInterface { s += " iif \(i)" }
        if let o = outputInterface { s += " oif \(o)" }
        switch action {
        case 1: s += " lookup \(table)"
        case 2: s += " goto \(gotoTarget)"
        case 3: s += " nop"
        case 6: s += " blackhole"
        case 7: s += " unreachable"
        case 8: s += " prohibit"
        default: s += " action \(action)"
        }
        return s
    }

    /// The RTM_NEWRULE (create, exclusive: an existing rule is EEXIST) or RTM_DELRULE request, as keepalived 2.2.7
    /// builds it: struct fib_rule_hdr, then FRA_* attributes; a table from 256 in FRA_TABLE.
    func message(add: Bool, sequence: UInt32) -> [UInt8] {
        var msg = NetlinkMessage(type: add ? 32 : 33,   // RTM_NEWRULE, RTM_DELRULE
                                 flags: UInt16(NLM_F_REQUEST | NLM_F_ACK) | (add ? UInt16(NLM_F_CREATE | NLM_F_EXCL) : 0),
                                 sequence: sequence)
        let toTable = action == 1
        // struct fib_rule_hdr: family, dst_len, src_len, tos, table, res1, res2, action, flags (u32).
        msg.body += [isIPv6 ? UInt8(AF_INET6) : UInt8(AF_INET), to == nil ? 0 : toLength, from == nil ? 0 : fromLength,
                     tos, toTable && table < 256 ? UInt8(table) : 0, 0, 0, action]
        msg.appendUInt32(invert ? 2 : 0)   // FIB_RULE_INVERT
        if let f = from { msg.attribute(2, f.bytes) }                                  // FRA_SRC
        if let t = to { msg.attribute(1, t.bytes) }                                    // FRA_DST
        msg.attribute(6, IPRoute.le32(priority))                                       // FRA_PRIORITY
        if let m = fwmark { msg.attribute(10, IPRoute.le32(m)) }                       // FRA_FWMARK
        if let m = fwmask { msg.attribute(16, IPRoute.le32(m)) }                       // FRA_FWMASK
        if toTable, table >= 256 { msg.attribute(15, IPRoute.le32(table)) }            // FRA_TABLE
        if let p = suppressPrefixLength { msg.attribute(14, IPRoute.le32(p)) }         // FRA_SUPPRESS_PREFIXLEN
        if let g = suppressInterfaceGroup { msg.attribute(13, IPRoute.le32(g)) }       // FRA_SUPPRESS_IFGROUP
        if let i = inputInterface { msg.attribute(3, Array(i.utf8) + [0]) }            // FRA_IIFNAME
        if let o = outputInterface { msg.attribute(17, Array(o.utf8) + [0]) }          // FRA_OIFNAME
        if action == 2 { msg.attribute(4, IPRoute.le32(gotoTarget)) }                  // FRA_GOTO
        msg.attribute(21, [routingProtocol])                                           // FRA_PROTOCOL
        return msg.finished()
    }
}

/// Adds and removes routes and rules (static addresses go through `AddressControl`). Implemented over rtnetlink by
/// `NetlinkRouteControl`; tests may substitute a recorder.
public protocol RouteControl: Sendable {
    /// Adds the routes in order (one already there is success).
    func add(_ routes: [IPRoute]) throws(AddressControlError)
    /// Removes the routes in order (one already gone, or whose interface is gone, is success).
    func remove(_ routes: [IPRoute]) throws(AddressControlError)
    /// Adds the rules (one already there is success).
    func add(_ rules: [IPRule]) throws(AddressControlError)
    /// Removes the rules (one already gone is success).
    func remove(_ rules: [IPRule]) throws(AddressControlError)
    /// The routes of `table` written with `routingProtocol` (destination, prefix, table and protocol filled in; the
    /// device when it has one).
    func routes(table: UInt32, routingProtocol: UInt8) throws(AddressControlError) -> [IPRoute]
}

/// Route control through RTM_NEWROUTE / RTM_DELROUTE, one rtnetlink socket per call, each request acknowledged.
public struct NetlinkRouteControl: RouteControl {
    /// Creates the adapter.
    public init() {}

    public func add(_ routes: [IPRoute]) throws(AddressControlError) {
        try requests(routes, operation: "add route", done: [EEXIST]) { r, n throws(AddressControlError) in
            try r.device.map { d throws(AddressControlError) in
                let i = if_nametoindex(d)
                guard i != 0 else { throw .noSuchInterface(d) }
                return r.message(add: true, interfaceIndex: i, sequence: n)
            } ?? r.message(add: true, interfaceIndex: nil, sequence: n)
        }
    }

    public func remove(_ routes: [IPRoute]) throws(AddressControlError) {
        try requests(routes, operation: "delete route", done: [ESRCH, ENOENT, ENODEV]) { r, n in
            guard let d = r.device else { return r.message(add: false, interfaceIndex: nil, sequence: n) }
            let i = if_nametoindex(d)
            // A route cannot outlive its interface: deleting one whose interface is gone is done.
            return i == 0 ? nil : r.message(add: false, interfaceIndex: i, sequence: n)
        }
    }

    public func add(_ rules: [IPRule]) throws(AddressControlError) {
        try requests(rules, operation: "add rule", done: [EEXIST]) { r, n in r.message(add: true, sequence: n) }
    }

    public func remove(_ rules: [IPRule]) throws(AddressControlError) {
        try requests(rules, operation: "delete rule", done: [ENOENT, ESRCH]) { r, n in r.message(add: false, sequence: n) }
    }

    /// Sends one acknowledged request per item over one socket; an errno in `done` counts as success, and a nil
    /// message skips the item. Every item is tried; the first failure is thrown after the last.
    private func requests<Item: CustomStringConvertible>(
        _ items: [Item], operation op: String, done: Set<Int32>,
        message: (Item, UInt32) throws(AddressControlError) -> [UInt8]?) throws(AddressControlError) {
        guard !items.isEmpty else { return }
        let fd = socket(AF_NETLINK, Int32(SOCK_RAW.rawValue) | Int32(SOCK_CLOEXEC.rawValue), NETLINK_ROUTE)
        guard fd >= 0 else { throw .socket(operation: op, errno: errno) }
        defer { close(fd) }
        var firstError: AddressControlError?
        for (n, item) in items.enumerated() {
            let bytes: [UInt8]
            do throws(AddressControlError) {
                guard let b = try message(item, UInt32(n + 1)) else { continue }
                bytes = b
            } catch {
                if firstError == nil { firstError = error }
                continue
            }
            let e = try NetlinkAddressControl.acknowledged(fd: fd, bytes, operation: op)
            if e == 0 || done.contains(e) { continue }
            if firstError == nil { firstError = .kernel(operation: op, address: item.description, errno: e) }
        }
        if let firstError { throw firstError }
    }

    /// One RTM_GETROUTE dump of every table, filtered here (no strict checking needed).
    public func routes(table: UInt32, routingProtocol: UInt8) throws(AddressControlError) -> [IPRoute] {
        let op = "list routes"
        let fd = socket(AF_NETLINK, Int32(SOCK_RAW.rawValue) | Int32(SOCK_CLOEXEC.rawValue), NETLINK_ROUTE)
        guard fd >= 0 else { throw .socket(operation: op, errno: errno) }
        defer { close(fd) }
        var msg = NetlinkMessage(type: UInt16(RTM_GETROUTE), flags: UInt16(NLM_F_REQUEST) | UInt16(NLM_F_DUMP), sequence: 1)
        msg.body += [UInt8(AF_UNSPEC), 0, 0, 0, 0, 0, 0, 0]   // struct rtmsg: every family
        msg.appendUInt32(0)
        try NetlinkAddressControl.sendToKernel(fd: fd, msg.finished(), operation: op)
        var found: [IPRoute] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            guard n > 0 else { throw n < 0 ? .socket(operation: op, errno: errno) : .malformedReply(operation: op) }
            let part = IPRouteDump.parse(buffer[0..<n])
            found += part.routes.filter { $0.table == table && $0.routingProtocol == routingProtocol }
            switch part.end {
            case .more: continue
            case .done: return found
            case .kernelError(let e): throw .kernel(operation: op, address: "table \(table)", errno: e)
            case .malformed: throw .malformedReply(operation: op)
            }
        }
    }
}
#endif
