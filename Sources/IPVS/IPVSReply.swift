// Decoding of netlink replies from the IPVS family. Pure: bytes in, values out, and a
// typed error (never a trap) for anything malformed.

import Vocabulary

/// One netlink message of a reply buffer.
struct NetlinkMessage: Equatable {
    var type: UInt16
    var flags: UInt16
    var sequence: UInt32
    /// Everything after the 16-byte netlink header.
    var payload: ArraySlice<UInt8>
}

func readInt<T: FixedWidthInteger>(_ b: ArraySlice<UInt8>, at offset: Int, as: T.Type = T.self) -> T? {
    let size = MemoryLayout<T>.size
    let start = b.startIndex + offset
    guard offset >= 0, start + size <= b.endIndex else { return nil }
    var v: T = 0
    for i in 0..<size { v |= T(b[start + i]) << (8 * i) }  // netlink: host order, little-endian here
    return v
}

enum NetlinkReply {
    /// Splits a receive buffer into messages.
    static func messages(_ buf: ArraySlice<UInt8>, _ op: IPVSOperation) throws(IPVSError) -> [NetlinkMessage] {
        var out: [NetlinkMessage] = []
        var off = 0
        while off + NL.headerSize <= buf.count {
            guard let len32 = readInt(buf, at: off, as: UInt32.self),
                  let type = readInt(buf, at: off + 4, as: UInt16.self),
                  let flags = readInt(buf, at: off + 6, as: UInt16.self),
                  let seq = readInt(buf, at: off + 8, as: UInt32.self) else { break }
            let len = Int(len32)
            guard len >= NL.headerSize, off + len <= buf.count else {
                throw .malformedReply(op, "netlink message length \(len) at offset \(off) exceeds the \(buf.count)-byte buffer")
            }
            let s = buf.startIndex + off
            out.append(NetlinkMessage(type: type, flags: flags, sequence: seq, payload: buf[(s + NL.headerSize)..<(s + len)]))
            off += (len + 3) & ~3
        }
        return out
    }

    /// The errno of an NLMSG_ERROR message (0 = acknowledgement), positive.
    static func errorCode(_ m: NetlinkMessage, _ op: IPVSOperation) throws(IPVSError) -> Int32 {
        guard let e = readInt(m.payload, at: 0, as: Int32.self) else {
            throw .malformedReply(op, "truncated netlink error message")
        }
        // -Int32.min does not exist (found by `make fuzz-ipvs`).
        guard e != Int32.min else { throw .malformedReply(op, "netlink error code \(e) is no errno") }
        return -e
    }

    /// The attributes of a generic netlink message (after its 4-byte header).
    static func genlAttributes(_ m: NetlinkMessage, _ op: IPVSOperation) throws(IPVSError) -> Attributes {
        guard m.payload.count >= 4 else { throw .malformedReply(op, "generic netlink message shorter than its header") }
        return try Attributes(m.payload.dropFirst(4), op)
    }
}

/// Attributes parsed by type (the last one of a type wins).
struct Attributes {
    var values: [UInt16: ArraySlice<UInt8>] = [:]
    let op: IPVSOperation

    init(_ b: ArraySlice<UInt8>, _ op: IPVSOperation) throws(IPVSError) {
        self.op = op
        var off = 0
        while off + 4 <= b.count {
            guard let len16 = readInt(b, at: off, as: UInt16.self), let type = readInt(b, at: off + 2, as: UInt16.self) else { break }
            let len = Int(len16)
            guard len >= 4, off + len <= b.count else {
                throw .malformedReply(op, "attribute \(type & NL.typeMask) has length \(len) past the end of its container")
            }
            let s = b.startIndex + off
            values[type & NL.typeMask] = b[(s + 4)..<(s + len)]
            off += (len + 3) & ~3
        }
    }

    subscript(_ t: UInt16) -> ArraySlice<UInt8>? { values[t] }

    func nested(_ t: UInt16) throws(IPVSError) -> Attributes? {
        guard let v = values[t] else { return nil }
        return try Attributes(v, op)
    }

    func u8(_ t: UInt16) -> UInt8? { values[t].flatMap { readInt($0, at: 0, as: UInt8.self) } }
    func u16(_ t: UInt16) -> UInt16? { values[t].flatMap { readInt($0, at: 0, as: UInt16.self) } }
    func u32(_ t: UInt16) -> UInt32? { values[t].flatMap { readInt($0, at: 0, as: UInt32.self) } }
    func u64(_ t: UInt16) -> UInt64? {
        guard let v = values[t] else { return nil }
        if v.count >= 8 { return readInt(v, at: 0, as: UInt64.self) }
        return readInt(v, at: 0, as: UInt32.self).map(UInt64.init)
    }
    func string(_ t: UInt16) -> String? {
        guard let v = values[t] else { return nil }
        let end = v.firstIndex(of: 0) ?? v.endIndex
        return String(decoding: v[v.startIndex..<end], as: UTF8.self)
    }

    func require<T>(_ v: T?, _ what: String) throws(IPVSError) -> T {
        guard let v else { throw .malformedReply(op, "missing \(what)") }
        return v
    }
}

/// Decoders for the IPVS attribute sets.
enum IPVSDecode {
    static func address(_ family: IPAddress.Family, _ raw: ArraySlice<UInt8>?, _ a: Attributes) throws(IPVSError) -> IPAddress {
        let raw = try a.require(raw, "address")
        let n = family == .inet ? 4 : 16
        guard raw.count >= n, let addr = IPAddress(family: family, bytes: Array(raw.prefix(n))) else {
            throw .malformedReply(a.op, "address of \(raw.count) bytes for family \(family)")
        }
        return addr
    }

    static func family(_ v: UInt16?, _ a: Attributes) throws(IPVSError) -> IPAddress.Family {
        let raw = try a.require(v, "address family")
        guard let f = IPAddress.Family(rawValue: raw) else { throw .malformedReply(a.op, "unknown address family \(raw)") }
        return f
    }

    static func stats(_ a: Attributes?) -> IPVSStats {
        var s = IPVSStats()
        guard let a else { return s }
        s.connections = a.u64(1) ?? 0
        s.packetsIn = a.u64(2) ?? 0
        s.packetsOut = a.u64(3) ?? 0
        s.bytesIn = a.u64(4) ?? 0
        s.bytesOut = a.u64(5) ?? 0
        s.connectionsPerSecond = a.u64(6) ?? 0
        s.packetsInPerSecond = a.u64(7) ?? 0
        s.packetsOutPerSecond = a.u64(8) ?? 0
        s.bytesInPerSecond = a.u64(9) ?? 0
        s.bytesOutPerSecond = a.u64(10) ?? 0
        return s
    }

    /// A service from the nested IPVS_CMD_ATTR_SERVICE of a dump message.
    static func service(_ top: Attributes) throws(IPVSError) -> (IPVSService, IPVSStats) {
        let a = try top.require(try top.nested(IPVSABI.CmdAttr.service), "service attribute")
        let fam = try family(a.u16(IPVSABI.Svc.af), a)
        let key: IPVSServiceKey
        if let mark = a.u32(IPVSABI.Svc.fwmark), mark != 0 {
            key = .firewallMark(mark, family: fam)
        } else {
            let p = try a.require(a.u16(IPVSABI.Svc.proto), "service protocol")
            guard let proto = IPVSProtocol(rawValue: p) else { throw .malformedReply(a.op, "unknown protocol \(p)") }
            let addr = try address(fam, a[IPVSABI.Svc.addr], a)
            let port = UInt16(bigEndian: try a.require(a.u16(IPVSABI.Svc.port), "service port"))
            key = .address(proto, addr, port: port)
        }
        let flagsRaw = a[IPVSABI.Svc.flags].flatMap { readInt($0, at: 0, as: UInt32.self) } ?? 0
        let timeout = a.u32(IPVSABI.Svc.timeout) ?? 0
        let maskRaw = a.u32(IPVSABI.Svc.netmask) ?? UInt32.max
        let prefix: UInt8 = fam == .inet
            ? UInt8((~UInt32(bigEndian: maskRaw)).leadingZeroBitCount)
            : UInt8(min(maskRaw, 128))
        var svc = IPVSService(
            key: key, scheduler: a.string(IPVSABI.Svc.schedName) ?? "",
            flags: IPVSServiceFlags(rawValue: flagsRaw).intersection(.known),
            persistenceTimeout: timeout, persistencePrefixLength: prefix,
            persistenceEngine: a.string(IPVSABI.Svc.peName).flatMap { $0.isEmpty ? nil : $0 })
        svc.flags = svc.effectiveFlags
        var st = try a.nested(IPVSABI.Svc.stats64)
        if st == nil { st = try a.nested(IPVSABI.Svc.stats) }
        return (svc, stats(st))
    }

    /// A destination from the nested IPVS_CMD_ATTR_DEST of a dump message.
    static func destination(_ top: Attributes, serviceFamily: IPAddress.Family) throws(IPVSError) -> IPVSDestinationStatus {
        let a = try top.require(try top.nested(IPVSABI.CmdAttr.dest), "destination attribute")
        var fam = serviceFamily
        if let v = a.u16(IPVSABI.Dest.addrFamily) { fam = try family(v, a) }
        let addr = try address(fam, a[IPVSABI.Dest.addr], a)
        let port = UInt16(bigEndian: try a.require(a.u16(IPVSABI.Dest.port), "destination port"))
        let method = try a.require(a.u32(IPVSABI.Dest.fwdMethod), "forwarding method") & 0x7
        let fwd: IPVSForwarding
        switch method {
        case 0: fwd = .masquerade
        case 1: fwd = .local
        case 2:
            let t = IPVSTunnelType(rawValue: a.u8(IPVSABI.Dest.tunType) ?? 0) ?? .ipip
            let flags = a.u16(IPVSABI.Dest.tunFlags) ?? 0
            let checksum: IPVSTunnelChecksum = flags & 0x2 != 0 ? .remcsum : flags & 0x1 != 0 ? .csum : .nocsum
            fwd = .tunnel(t, port: UInt16(bigEndian: a.u16(IPVSABI.Dest.tunPort) ?? 0), checksum: checksum)
        case 3: fwd = .directRoute
        default: throw .malformedReply(a.op, "unknown forwarding method \(method)")
        }
        let d = IPVSDestination(
            key: IPVSDestinationKey(address: addr, port: port), forwarding: fwd,
            weight: Int32(bitPattern: a.u32(IPVSABI.Dest.weight) ?? 0),
            upperThreshold: a.u32(IPVSABI.Dest.uThresh) ?? 0, lowerThreshold: a.u32(IPVSABI.Dest.lThresh) ?? 0)
        var c = IPVSDestinationCounters()
        c.active = a.u32(IPVSABI.Dest.activeConns) ?? 0
        c.inactive = a.u32(IPVSABI.Dest.inactConns) ?? 0
        c.persistent = a.u32(IPVSABI.Dest.persistConns) ?? 0
        var st = try a.nested(IPVSABI.Dest.stats64)
        if st == nil { st = try a.nested(IPVSABI.Dest.stats) }
        c.stats = stats(st)
        return IPVSDestinationStatus(destination: d, counters: c)
    }

    static func info(_ a: Attributes) throws(IPVSError) -> IPVSInfo {
        IPVSInfo(version: try a.require(a.u32(IPVSABI.Info.version), "version"),
                 connectionTableSize: try a.require(a.u32(IPVSABI.Info.connTabSize), "connection table size"))
    }

    static func timeouts(_ a: Attributes) -> IPVSTimeouts {
        IPVSTimeouts(tcp: a.u32(IPVSABI.CmdAttr.timeoutTCP) ?? 0, tcpFin: a.u32(IPVSABI.CmdAttr.timeoutTCPFin) ?? 0,
                     udp: a.u32(IPVSABI.CmdAttr.timeoutUDP) ?? 0)
    }

    static func daemon(_ top: Attributes) throws(IPVSError) -> IPVSSyncDaemon {
        let a = try top.require(try top.nested(IPVSABI.CmdAttr.daemon), "daemon attribute")
        let st = try a.require(a.u32(IPVSABI.Daemon.state), "daemon state")
        guard let role = IPVSSyncDaemon.Role(rawValue: st) else { throw .malformedReply(a.op, "unknown daemon state \(st)") }
        var group: IPAddress?
        if let raw = a[IPVSABI.Daemon.mcastGroup6] { group = try address(.inet6, raw, a) } else if let raw = a[IPVSABI.Daemon.mcastGroup] {
            group = try address(.inet, raw, a)
        }
        return IPVSSyncDaemon(role: role, interface: a.string(IPVSABI.Daemon.mcastIfn) ?? "", syncID: a.u32(IPVSABI.Daemon.syncID) ?? 0,
                              maxLength: a.u16(IPVSABI.Daemon.syncMaxLen), group: group,
                              port: a.u16(IPVSABI.Daemon.mcastPort), ttl: a.u8(IPVSABI.Daemon.mcastTTL))
    }
}
