// libFuzzer target for Vigil's rtnetlink reply parsers (HA module), built by `make fuzz-rtnetlink` with swiftc over
// the files that hold them (no socket is opened). Every input is one datagram from the kernel, given to each parser:
//   IPRouteDump.parse          RTM_GETROUTE dump (virtual_routes / static_routes bookkeeping);
//   LinkMessage.entries        RTM_NEWLINK / RTM_DELLINK (link tracking), and LinkMessage.decode of its first message;
//   RTNetlinkReply.addressDump RTM_GETADDR dump (leftover VIPs);
//   RTNetlinkReply.acknowledgement  the NLMSG_ERROR answer to a request.
// Nothing may trap; decoded values must re-encode to what they were (routes, links).

import Vocabulary

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    guard let data else { return 0 }
    let datagram = Array(UnsafeBufferPointer(start: data, count: size))
    routes(datagram)
    links(datagram)
    _ = RTNetlinkReply.addressDump(datagram[...])
    _ = RTNetlinkReply.acknowledgement(datagram[...])
    return 0
}

func routes(_ datagram: [UInt8]) {
    let (found, _) = IPRouteDump.parse(datagram[...])
    for r in found {
        guard Int(r.prefixLength) <= r.destination.maxPrefixLength else { fatalError("prefix /\(r.prefixLength) for \(r)") }
        _ = r.description
        // What the dump says, written back as Vigil's own request, must read back the same.
        let again = IPRouteDump.parse(r.message(add: true, interfaceIndex: nil, sequence: 1)[...])
        let same = again.routes.count == 1 && again.routes[0].destination == r.destination
            && again.routes[0].prefixLength == r.prefixLength && again.routes[0].table == r.table
            && again.routes[0].type == r.type && again.routes[0].scope == r.scope
            && again.routes[0].routingProtocol == r.routingProtocol
        if !same || again.end != .more { fatalError("route \(r) read back as \(again)") }
    }
}

func links(_ datagram: [UInt8]) {
    for entry in LinkMessage.entries(in: datagram) {
        guard case .link(let m) = entry else { continue }
        guard m.index > 0, !m.name.isEmpty, m.name.utf8.count < 16 else { fatalError("bad link \(m)") }
        let again = try? LinkMessage.decode(m.encoded())
        if again != m { fatalError("link \(m) read back as \(String(describing: again))") }
    }
    _ = try? LinkMessage.decode(datagram)
}
