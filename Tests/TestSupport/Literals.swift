// Literals for tests: `"10.0.0.1"` as an `IPAddress` and `"10.0.0.1:80"`, `"fwmark 7"`, `"group web"` as a
// `VirtualServerID`. A bad literal is a bug in the test and stops it.

import Vocabulary

extension IPAddress: ExpressibleByStringLiteral {
    public init(stringLiteral value: String) {
        guard let a = IPAddress(value) else { preconditionFailure("bad test address \(value)") }
        self = a
    }
}

extension VirtualServerID: ExpressibleByStringLiteral {
    /// `IP:PORT` or `[IPv6]:PORT` (optionally `/udp` or `/sctp` after it), `fwmark N`, `group NAME`; any other text is
    /// a group of that name.
    public init(stringLiteral value: String) {
        var text = Substring(value)
        var transport = TransportProtocol.tcp
        for t in [TransportProtocol.udp, .sctp] where text.hasSuffix("/\(t.rawValue)") {
            transport = t
            text = text.dropLast(t.rawValue.count + 1)
        }
        if text.hasPrefix("fwmark "), let mark = UInt32(text.dropFirst(7)) {
            self.init(.fwmark(mark), transport: transport)
        } else if text.hasPrefix("group ") {
            self.init(.group(String(text.dropFirst(6))), transport: transport)
        } else if let colon = text.lastIndex(of: ":"), let port = UInt16(text[text.index(after: colon)...]),
                  let ip = IPAddress(String(text[..<colon].trimmingCharacters(in: ["[", "]"]))) {
            self.init(.ip(ip, port: port), transport: transport)
        } else {
            self.init(.group(String(text)), transport: transport)
        }
    }
}

extension ScriptCommand: ExpressibleByStringLiteral {
    public init(stringLiteral value: String) { self.init(command: value) }
}

extension Substring {
    fileprivate func trimmingCharacters(in set: Set<Character>) -> Substring {
        var s = self
        while let f = s.first, set.contains(f) { s = s.dropFirst() }
        while let l = s.last, set.contains(l) { s = s.dropLast() }
        return s
    }
}
