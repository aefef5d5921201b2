// The wire format of the kernel's process events connector (NETLINK_CONNECTOR, CN_IDX_PROC), as far as process
// tracking needs it: `struct nlmsghdr` (16 bytes), `struct cn_msg` (20 bytes: idx, val, seq, ack, len, flags), then
// `struct proc_event`: what (4), cpu (4), timestamp (8), and the event's data. Host byte order (little-endian on every
// platform Vigil runs on). Decoding is total: any byte string gives events or nothing, never a trap. Also the
// `/proc/PID/stat` and `/proc/PID/cmdline` readers, pure over their text.

/// One process event, as process tracking reads it (threads other than a group's leader are left out).
public enum ProcConnectorEvent: Sendable, Hashable {
    /// A new process (a fork whose child leads its thread group).
    case forked(pid: Int32)
    /// A process ran execve: its name and command line changed.
    case executed(pid: Int32)
    /// A process renamed itself (prctl PR_SET_NAME on its leader thread).
    case renamed(pid: Int32, comm: String)
    /// A process ended.
    case exited(pid: Int32)
}

/// The connector's messages.
public enum ProcConnectorMessage {
    static let idxProc: UInt32 = 1, valProc: UInt32 = 1
    static let listen: UInt32 = 1   // PROC_CN_MCAST_LISTEN
    static let fork: UInt32 = 0x1, exec: UInt32 = 0x2, comm: UInt32 = 0x200, exit: UInt32 = 0x8000_0000

    /// The request that subscribes (`PROC_CN_MCAST_LISTEN`) from netlink port `port`.
    public static func listenRequest(port: UInt32) -> [UInt8] {
        var out: [UInt8] = []
        put32(&out, 16 + 20 + 4)
        out += [3, 0, 0, 0]   // NLMSG_DONE, no flags: how connector messages travel
        put32(&out, 0)
        put32(&out, port)
        put32(&out, idxProc)
        put32(&out, valProc)
        put32(&out, 0)
        put32(&out, 0)
        out += [4, 0, 0, 0]   // len 4, flags 0
        put32(&out, listen)
        return out
    }

    /// The process events in one datagram; other messages and malformed ones are skipped.
    public static func events(in datagram: [UInt8]) -> [ProcConnectorEvent] {
        var out: [ProcConnectorEvent] = []
        var off = 0
        while datagram.count - off >= 16 {
            let length = Int(u32(datagram, off))
            guard length >= 16, length <= datagram.count - off else { break }
            if let e = event(datagram, from: off, length: length) { out.append(e) }
            off += (length + 3) & ~3
        }
        return out
    }

    private static func event(_ b: [UInt8], from off: Int, length: Int) -> ProcConnectorEvent? {
        // cn_msg at off + 16; proc_event at off + 36.
        guard length >= 36 + 16, u32(b, off + 16) == idxProc, u32(b, off + 20) == valProc else { return nil }
        let dataLength = Int(u16(b, off + 32))
        guard dataLength >= 16, 36 + dataLength <= length else { return nil }
        let what = u32(b, off + 36), data = off + 52, end = off + 36 + dataLength
        func pair(_ at: Int) -> (Int32, Int32)? {
            guard at + 8 <= end else { return nil }
            return (Int32(bitPattern: u32(b, at)), Int32(bitPattern: u32(b, at + 4)))
        }
        switch what {
        case fork:
            guard let (pid, tgid) = pair(data + 8), pid == tgid, pid > 0 else { return nil }
            return .forked(pid: pid)
        case exec:
            guard let (pid, tgid) = pair(data), pid == tgid, pid > 0 else { return nil }
            return .executed(pid: pid)
        case comm:
            guard let (pid, tgid) = pair(data), pid == tgid, pid > 0, data + 8 + 16 <= end else { return nil }
            let name = b[(data + 8)..<(data + 24)].prefix { $0 != 0 }
            return .renamed(pid: pid, comm: String(decoding: name, as: UTF8.self))
        case exit:
            guard let (pid, tgid) = pair(data), pid == tgid, pid > 0 else { return nil }
            return .exited(pid: pid)
        default:
            return nil
        }
    }

    /// `/proc/PID/stat`: the name between the first '(' and the last ')', and whether the state after it says the
    /// process is running (not a zombie or dead). Nil for text that is not a stat line.
    public static func stat(_ text: String) -> (comm: String, running: Bool)? {
        guard let open = text.firstIndex(of: "("), let close = text.lastIndex(of: ")"), open < close else { return nil }
        let comm = String(text[text.index(after: open)..<close])
        let rest = text[text.index(after: close)...].drop { $0 == " " }
        guard let state = rest.first else { return nil }
        return (comm, state != "Z" && state != "X" && state != "x")
    }

    /// `/proc/PID/cmdline`: its words (NUL-separated; the last NUL ends the last word).
    public static func arguments(_ bytes: [UInt8]) -> [String] {
        guard !bytes.isEmpty else { return [] }   // a kernel thread, or a process that is exiting
        var words = bytes.split(separator: 0, omittingEmptySubsequences: false).map { String(decoding: $0, as: UTF8.self) }
        if bytes.last == 0 { words.removeLast() }
        return words
    }

    private static func u16(_ b: [UInt8], _ o: Int) -> UInt16 { UInt16(b[o]) | UInt16(b[o + 1]) << 8 }
    private static func u32(_ b: [UInt8], _ o: Int) -> UInt32 {
        UInt32(b[o]) | UInt32(b[o + 1]) << 8 | UInt32(b[o + 2]) << 16 | UInt32(b[o + 3]) << 24
    }
    private static func put32(_ out: inout [UInt8], _ v: UInt32) {
        out += [UInt8(v & 0xff), UInt8(v >> 8 & 0xff), UInt8(v >> 16 & 0xff), UInt8(v >> 24)]
    }
}
