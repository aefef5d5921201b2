import Glibc
import NIOCore

/// A checker's `fwmark` (SO_MARK: policy routing and firewall rules see its packets) and `bind_if`
/// (SO_BINDTOIFINDEX: its packets leave by that interface), set on each probe socket before it connects, as
/// keepalived sets them. The interface is looked up at each probe, so one that appears later is used then.
enum SocketPlacement {
    /// `SO_BINDTOIFINDEX` (Linux 5.7): binds to an interface by index, with an integer value.
    static let bindToIfIndex: Int32 = 62

    /// The SOL_SOCKET options `target` needs (none for most checks), or why they cannot be had.
    static func options(_ target: ConnectTarget) -> Result<[(name: Int32, value: Int32)], ProbeError> {
        var out: [(name: Int32, value: Int32)] = []
        if let mark = target.fwmark { out.append((Int32(SO_MARK), Int32(bitPattern: mark))) }
        if let name = target.bindInterface {
            let index = if_nametoindex(name)
            guard index != 0 else { return .failure(.system("bind_if \(name): no such interface")) }
            out.append((bindToIfIndex, Int32(bitPattern: index)))
        }
        return .success(out)
    }

    /// Sets the options on a plain descriptor; the error names the option.
    static func apply(_ target: ConnectTarget, fd: Int32) -> ProbeError? {
        switch options(target) {
        case .failure(let e): return e
        case .success(let options):
            for (name, value) in options {
                var v = value
                guard setsockopt(fd, SOL_SOCKET, name, &v, socklen_t(MemoryLayout<Int32>.size)) == 0 else {
                    return .system("\(describe(name, target)): \(String(cString: strerror(errno)))")
                }
            }
            return nil
        }
    }

    /// Sets the options on a channel that is not connected yet (from its initializer).
    static func apply(_ target: ConnectTarget, channel: Channel) throws {
        guard target.fwmark != nil || target.bindInterface != nil else { return }
        let options = try options(target).get()
        guard let sync = channel.syncOptions else { throw ProbeError.system("socket options are not available") }
        for (name, value) in options {
            do {
                try sync.setOption(ChannelOptions.Types.SocketOption(level: NIOBSDSocket.OptionLevel(rawValue: SOL_SOCKET),
                                                                     name: NIOBSDSocket.Option(rawValue: name)),
                                   value: Int(value))
            } catch {
                throw ProbeError.system("\(describe(name, target)): \(error)")
            }
        }
    }

    private static func describe(_ name: Int32, _ target: ConnectTarget) -> String {
        name == Int32(SO_MARK) ? "fwmark \(target.fwmark ?? 0)" : "bind_if \(target.bindInterface ?? "")"
    }
}
