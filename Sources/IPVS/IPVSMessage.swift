// Wire format of IPVS requests and replies over generic netlink (linux/ip_vs.h).
//
// Theory of operation: a request is a netlink header (16 bytes: length, family id,
// flags, sequence, port id), a generic netlink header (command, version 1, 2 reserved
// bytes) and attributes (length, type, value padded to 4 bytes). Services and
// destinations travel as nested attributes. Everything here is pure: bytes in, values
// out, typed errors for malformed replies; the socket lives in NetlinkIPVSClient.
// Integers are in host byte order except ports, IPv4 netmasks and addresses, which the
// kernel keeps in network order.

import Vocabulary

/// Constants of the IPVS generic netlink ABI (mirrors linux/ip_vs.h; checked against the
/// C header in the tests).
enum IPVSABI {
    static let genlVersion: UInt8 = 1
    enum Cmd {
        static let newService: UInt8 = 1, setService: UInt8 = 2, delService: UInt8 = 3, getService: UInt8 = 4
        static let newDest: UInt8 = 5, setDest: UInt8 = 6, delDest: UInt8 = 7, getDest: UInt8 = 8
        static let newDaemon: UInt8 = 9, delDaemon: UInt8 = 10, getDaemon: UInt8 = 11
        static let setConfig: UInt8 = 12, getConfig: UInt8 = 13, getInfo: UInt8 = 15, flush: UInt8 = 17
    }
    enum CmdAttr {
        static let service: UInt16 = 1, dest: UInt16 = 2, daemon: UInt16 = 3
        static let timeoutTCP: UInt16 = 4, timeoutTCPFin: UInt16 = 5, timeoutUDP: UInt16 = 6
    }
    enum Svc {
        static let af: UInt16 = 1, proto: UInt16 = 2, addr: UInt16 = 3, port: UInt16 = 4, fwmark: UInt16 = 5
        static let schedName: UInt16 = 6, flags: UInt16 = 7, timeout: UInt16 = 8, netmask: UInt16 = 9
        static let stats: UInt16 = 10, peName: UInt16 = 11, stats64: UInt16 = 12
    }
    enum Dest {
        static let addr: UInt16 = 1, port: UInt16 = 2, fwdMethod: UInt16 = 3, weight: UInt16 = 4
        static let uThresh: UInt16 = 5, lThresh: UInt16 = 6, activeConns: UInt16 = 7, inactConns: UInt16 = 8
        static let persistConns: UInt16 = 9, stats: UInt16 = 10, addrFamily: UInt16 = 11, stats64: UInt16 = 12
        static let tunType: UInt16 = 13, tunPort: UInt16 = 14, tunFlags: UInt16 = 15
    }
    enum Daemon {
        static let state: UInt16 = 1, mcastIfn: UInt16 = 2, syncID: UInt16 = 3, syncMaxLen: UInt16 = 4
        static let mcastGroup: UInt16 = 5, mcastGroup6: UInt16 = 6, mcastPort: UInt16 = 7, mcastTTL: UInt16 = 8
    }
    enum Info {
        static let version: UInt16 = 1, connTabSize: UInt16 = 2
    }
    static let schedNameMax = 16
    static let ifNameMax = 16
}

/// Netlink framing constants (linux/netlink.h).
enum NL {
    static let request: UInt16 = 0x1, multi: UInt16 = 0x2, ack: UInt16 = 0x4, dump: UInt16 = 0x300
    static let error: UInt16 = 2, done: UInt16 = 3
    static let nested: UInt16 = 0x8000
    static let typeMask: UInt16 = 0x3fff
    static let headerSize = 16
}

/// One IPVS request, ready to be encoded.
public struct IPVSMessage: Hashable, Sendable {
    /// What to ask the kernel.
    public enum Request: Hashable, Sendable {
        /// A change (service, destination, flush, timeouts, daemon).
        case command(IPVSCommand)
        /// Version and connection table size.
        case getInfo
        /// Dump every service.
        case listServices
        /// Dump the destinations of one service.
        case listDestinations(IPVSServiceKey)
        /// Read the connection timeouts.
        case getTimeouts
        /// Dump the running sync daemons.
        case listSyncDaemons
    }

    /// The request.
    public var request: Request
    /// The generic netlink family id of `IPVS` (resolved at run time).
    public var familyID: UInt16
    /// Sequence number echoed in the reply.
    public var sequence: UInt32
    /// Whether a change asks for an acknowledgement (always, in Vigil).
    public var wantsAck: Bool

    /// A request.
    public init(_ request: Request, familyID: UInt16, sequence: UInt32, wantsAck: Bool = true) {
        self.request = request
        self.familyID = familyID
        self.sequence = sequence
        self.wantsAck = wantsAck
    }

    /// The operation this request performs, for errors.
    public var operation: IPVSOperation {
        switch request {
        case .command(let c): c.operation
        case .getInfo: .getInfo
        case .listServices: .listServices
        case .listDestinations: .listDestinations
        case .getTimeouts: .getTimeouts
        case .listSyncDaemons: .listSyncDaemons
        }
    }

    /// The request's bytes: netlink header, generic netlink header, attributes.
    public static func encode(_ m: IPVSMessage) throws(IPVSError) -> [UInt8] {
        var out: [UInt8] = []
        try encode(m, into: &out)
        return out
    }

    /// Appends the request's bytes to `out` (many requests share one send buffer, so a
    /// large batch costs no allocation per message). On error `out` is left unchanged.
    public static func encode(_ m: IPVSMessage, into out: inout [UInt8]) throws(IPVSError) {
        // Validate first, so a refused request never leaves half a message behind.
        if case .command(let c) = m.request {
            switch c {
            case .addService(let s), .editService(let s):
                try checkService(s, c.operation)
            case .startSyncDaemon(let d):
                guard !d.interface.isEmpty, d.interface.utf8.count < IPVSABI.ifNameMax else {
                    throw .invalidRequest(c.operation, object: c.object, reason: "interface name must be 1…15 bytes")
                }
            case .deleteService, .addDestination, .editDestination, .deleteDestination, .flush, .setTimeouts,
                 .stopSyncDaemon:
                break
            }
        }
        let start = out.count
        var w = AttributeWriter(buffer: out)
        out = []  // hand the storage to the writer without a copy
        let cmd: UInt8
        var flags = NL.request
        switch m.request {
        case .getInfo:
            cmd = IPVSABI.Cmd.getInfo
        case .listServices:
            cmd = IPVSABI.Cmd.getService
            flags |= NL.dump
        case .listDestinations:
            cmd = IPVSABI.Cmd.getDest
            flags |= NL.dump
        case .getTimeouts:
            cmd = IPVSABI.Cmd.getConfig
        case .listSyncDaemons:
            cmd = IPVSABI.Cmd.getDaemon
            flags |= NL.dump
        case .command(let c):
            if m.wantsAck { flags |= NL.ack }
            switch c {
            case .addService: cmd = IPVSABI.Cmd.newService
            case .editService: cmd = IPVSABI.Cmd.setService
            case .deleteService: cmd = IPVSABI.Cmd.delService
            case .addDestination: cmd = IPVSABI.Cmd.newDest
            case .editDestination: cmd = IPVSABI.Cmd.setDest
            case .deleteDestination: cmd = IPVSABI.Cmd.delDest
            case .flush: cmd = IPVSABI.Cmd.flush
            case .setTimeouts: cmd = IPVSABI.Cmd.setConfig
            case .startSyncDaemon: cmd = IPVSABI.Cmd.newDaemon
            case .stopSyncDaemon: cmd = IPVSABI.Cmd.delDaemon
            }
        }
        // Netlink header (length patched below), generic netlink header.
        w.int(UInt32(0))
        w.int(m.familyID)
        w.int(flags)
        w.int(m.sequence)
        w.int(UInt32(0))
        w.int(cmd)
        w.int(IPVSABI.genlVersion)
        w.int(UInt16(0))
        switch m.request {
        case .getInfo, .listServices, .getTimeouts, .listSyncDaemons:
            break
        case .listDestinations(let k):
            let n = w.beginNested(IPVSABI.CmdAttr.service)
            putServiceKey(k, &w)
            w.endNested(n)
        case .command(let c):
            switch c {
            case .addService(let s), .editService(let s):
                let n = w.beginNested(IPVSABI.CmdAttr.service)
                putService(s, &w)
                w.endNested(n)
            case .deleteService(let k):
                let n = w.beginNested(IPVSABI.CmdAttr.service)
                putServiceKey(k, &w)
                w.endNested(n)
            case .addDestination(let k, let d), .editDestination(let k, let d):
                let n = w.beginNested(IPVSABI.CmdAttr.service)
                putServiceKey(k, &w)
                w.endNested(n)
                let n2 = w.beginNested(IPVSABI.CmdAttr.dest)
                putDestination(d, &w)
                w.endNested(n2)
            case .deleteDestination(let k, let d):
                let n = w.beginNested(IPVSABI.CmdAttr.service)
                putServiceKey(k, &w)
                w.endNested(n)
                let n2 = w.beginNested(IPVSABI.CmdAttr.dest)
                w.address(IPVSABI.Dest.addr, d.address)
                w.u16(IPVSABI.Dest.port, d.port.bigEndian)
                w.u16(IPVSABI.Dest.addrFamily, d.address.family.rawValue)
                w.endNested(n2)
            case .flush:
                break
            case .setTimeouts(let t):
                w.u32(IPVSABI.CmdAttr.timeoutTCP, t.tcp)
                w.u32(IPVSABI.CmdAttr.timeoutTCPFin, t.tcpFin)
                w.u32(IPVSABI.CmdAttr.timeoutUDP, t.udp)
            case .startSyncDaemon(let d):
                let n = w.beginNested(IPVSABI.CmdAttr.daemon)
                w.u32(IPVSABI.Daemon.state, d.role.rawValue)
                w.string(IPVSABI.Daemon.mcastIfn, d.interface)
                w.u32(IPVSABI.Daemon.syncID, d.syncID)
                if let v = d.maxLength { w.u16(IPVSABI.Daemon.syncMaxLen, v) }
                if let g = d.group { w.bytes(g.isIPv6 ? IPVSABI.Daemon.mcastGroup6 : IPVSABI.Daemon.mcastGroup, g.bytes) }
                // Host order, unlike the service and destination ports (the kernel's ip_vs_ctl reads it with nla_get_u16).
                if let v = d.port { w.u16(IPVSABI.Daemon.mcastPort, v) }
                if let v = d.ttl { w.u8(IPVSABI.Daemon.mcastTTL, v) }
                w.endNested(n)
            case .stopSyncDaemon(let r):
                let n = w.beginNested(IPVSABI.CmdAttr.daemon)
                w.u32(IPVSABI.Daemon.state, r.rawValue)
                w.endNested(n)
            }
        }
        w.patch(UInt32(w.buffer.count - start), at: start)
        out = w.buffer
    }

    static func checkService(_ s: IPVSService, _ op: IPVSOperation) throws(IPVSError) {
        guard !s.scheduler.isEmpty, s.scheduler.utf8.count < IPVSABI.schedNameMax else {
            throw .invalidRequest(op, object: s.key.description, reason: "scheduler name '\(s.scheduler)' must be 1…15 bytes")
        }
        if let pe = s.persistenceEngine, pe.utf8.count >= 16 {
            throw .invalidRequest(op, object: s.key.description, reason: "persistence engine name too long")
        }
        let maxPrefix: UInt8 = s.key.family == .inet ? 32 : 128
        guard s.persistencePrefixLength <= maxPrefix else {
            throw .invalidRequest(op, object: s.key.description, reason: "persistence prefix /\(s.persistencePrefixLength) is too long")
        }
    }

    static func putServiceKey(_ k: IPVSServiceKey, _ w: inout AttributeWriter) {
        w.u16(IPVSABI.Svc.af, k.family.rawValue)
        switch k {
        case .address(let p, let a, let port):
            w.u16(IPVSABI.Svc.proto, p.rawValue)
            w.address(IPVSABI.Svc.addr, a)
            w.u16(IPVSABI.Svc.port, port.bigEndian)
        case .firewallMark(let m, _):
            w.u32(IPVSABI.Svc.fwmark, m)
        }
    }

    static func putService(_ s: IPVSService, _ w: inout AttributeWriter) {
        putServiceKey(s.key, &w)
        w.string(IPVSABI.Svc.schedName, s.scheduler)
        if let pe = s.persistenceEngine { w.string(IPVSABI.Svc.peName, pe) }
        // struct ip_vs_flags { flags, mask }: the mask says every flag bit is meant.
        w.header(IPVSABI.Svc.flags, payload: 8)
        w.int(s.effectiveFlags.rawValue)
        w.int(UInt32.max)
        w.u32(IPVSABI.Svc.timeout, s.persistenceTimeout)
        w.u32(IPVSABI.Svc.netmask, netmaskValue(s))
    }

    /// IPv4: the mask itself in network order; IPv6: the prefix length.
    static func netmaskValue(_ s: IPVSService) -> UInt32 {
        let bits = UInt32(s.persistencePrefixLength)
        if s.key.family == .inet6 { return bits }
        let mask: UInt32 = bits == 0 ? 0 : UInt32.max << (32 - bits)
        return mask.bigEndian
    }

    static func putDestination(_ d: IPVSDestination, _ w: inout AttributeWriter) {
        w.address(IPVSABI.Dest.addr, d.key.address)
        w.u16(IPVSABI.Dest.port, d.key.port.bigEndian)
        w.u16(IPVSABI.Dest.addrFamily, d.key.address.family.rawValue)
        w.u32(IPVSABI.Dest.fwdMethod, d.forwarding.method)
        w.u32(IPVSABI.Dest.weight, UInt32(bitPattern: d.weight))
        w.u32(IPVSABI.Dest.uThresh, d.upperThreshold)
        w.u32(IPVSABI.Dest.lThresh, d.lowerThreshold)
        if case .tunnel(let t, let port, let checksum) = d.forwarding {
            w.u8(IPVSABI.Dest.tunType, t.rawValue)
            w.u16(IPVSABI.Dest.tunPort, port.bigEndian)
            if checksum != .nocsum { w.u16(IPVSABI.Dest.tunFlags, checksum.rawValue) }
        }
    }
}

func appendInt<T: FixedWidthInteger>(_ out: inout [UInt8], _ v: T) {
    withUnsafeBytes(of: v) { out.append(contentsOf: $0) }
}

/// Appends netlink attributes to one growing buffer: nested attributes reserve their
/// header and patch its length at the end, so nothing is allocated per attribute.
struct AttributeWriter {
    var buffer: [UInt8]

    init(buffer: [UInt8] = []) { self.buffer = buffer }

    /// Appends an integer in host byte order (netlink's order), unaligned.
    mutating func int<T: FixedWidthInteger>(_ v: T) {
        withUnsafeBytes(of: v) { buffer.append(contentsOf: $0) }
    }

    /// An attribute header for `payload` bytes that the caller appends next.
    mutating func header(_ type: UInt16, payload: Int) {
        int(UInt16(4 + payload))
        int(type)
    }

    mutating func bytes(_ type: UInt16, _ value: [UInt8]) {
        header(type, payload: value.count)
        buffer += value
        pad()
    }

    mutating func u8(_ type: UInt16, _ v: UInt8) { header(type, payload: 1); int(v); pad() }
    mutating func u16(_ type: UInt16, _ v: UInt16) { header(type, payload: 2); int(v); pad() }
    mutating func u32(_ type: UInt16, _ v: UInt32) { header(type, payload: 4); int(v) }
    mutating func string(_ type: UInt16, _ s: String) {
        let utf8 = s.utf8
        header(type, payload: utf8.count + 1)
        buffer.append(contentsOf: utf8)
        buffer.append(0)
        pad()
    }

    /// `union nf_inet_addr`: the address bytes zero-padded to 16.
    mutating func address(_ type: UInt16, _ a: IPAddress) {
        header(type, payload: 16)
        buffer += a.bytes
        for _ in a.bytes.count..<16 { buffer.append(0) }
    }

    /// Starts a nested attribute; pass the result to `endNested`.
    mutating func beginNested(_ type: UInt16) -> Int {
        let at = buffer.count
        int(UInt16(0))
        int(type | NL.nested)
        return at
    }

    /// Patches the length of the nested attribute started at `at`.
    mutating func endNested(_ at: Int) {
        patch(UInt16(buffer.count - at), at: at)
    }

    /// Overwrites bytes at `at` with `v` in host byte order.
    mutating func patch<T: FixedWidthInteger>(_ v: T, at: Int) {
        withUnsafeBytes(of: v) { raw in
            for (i, b) in raw.enumerated() { buffer[at + i] = b }
        }
    }

    private mutating func pad() {
        while buffer.count % 4 != 0 { buffer.append(0) }
    }
}
