// libFuzzer target for the IPVS generic-netlink reply decoding (IPVS module), built by `make fuzz-ipvs` with swiftc
// over the pure IPVS files (NetlinkIPVSClient.swift, the libnl socket, is left out). The first byte says which
// request the rest answers, as NetlinkIPVSClient reads it:
//   byte0 % 6: 0 GET_INFO, 1 service dump, 2 destination dump (IPv6 service when byte0 & 8), 3 GET_CONFIG,
//   4 sync daemon dump, 5 a command batch (only NLMSG_ERROR answers are read).
// The rest is one receive buffer: NetlinkReply.messages, then per message NetlinkReply.errorCode (NLMSG_ERROR) or
// NetlinkReply.genlAttributes and IPVSDecode.*; what decodes is rendered (IPVSListing.text) and, when Vigil can send
// it, encoded as a request and decoded again, which must give the same value. A destination dump is also read as an
// mh service's kernel list: the order repair (IPVSPlan.orderRepair), applied to that list as the kernel would, must
// leave the canonical order. byte0 ≥ 0xF0: the rest is /proc/net/ip_vs_stats text (IPVSGlobalStats.parse). Nothing
// may trap.

import Vocabulary

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    guard let data, size > 0 else { return 0 }
    let selector = data[0]
    let buffer = Array(UnsafeBufferPointer(start: data + 1, count: size - 1))
    if selector >= 0xF0 {
        _ = IPVSGlobalStats.parse(String(decoding: buffer, as: UTF8.self))
        return 0
    }
    do throws(IPVSError) {
        try decode(buffer, kind: Int(selector % 6), serviceFamily: selector & 8 != 0 ? .inet6 : .inet)
    } catch {
        _ = error.description
    }
    return 0
}

func decode(_ buffer: [UInt8], kind: Int, serviceFamily: IPAddress.Family) throws(IPVSError) {
    let ops: [IPVSOperation] = [.getInfo, .listServices, .listDestinations, .getTimeouts, .listSyncDaemons, .addService]
    let op = ops[kind]
    var services: [IPVSServiceStatus] = []
    var destinations: [IPVSDestinationStatus] = []
    var info: IPVSInfo?
    for m in try NetlinkReply.messages(buffer[...], op) {
        if m.type == NL.error {
            let e = try NetlinkReply.errorCode(m, op)
            if e != 0 { _ = IPVSError.kernel(op, errno: e, object: "IPVS").description }
            continue
        }
        if m.type == NL.done || kind == 5 { continue }
        let a = try NetlinkReply.genlAttributes(m, op)
        switch kind {
        case 0: info = try IPVSDecode.info(a)
        case 1:
            let (svc, stats) = try IPVSDecode.service(a)
            services.append(IPVSServiceStatus(service: svc, stats: stats, destinations: []))
            roundTrip(svc)
        case 2:
            let d = try IPVSDecode.destination(a, serviceFamily: serviceFamily)
            destinations.append(d)
            roundTrip(d.destination)
        case 3: _ = IPVSDecode.timeouts(a)
        default: roundTrip(try IPVSDecode.daemon(a))
        }
    }
    if !destinations.isEmpty { checkOrderRepair(destinations.map(\.destination), family: serviceFamily) }
    if !destinations.isEmpty {
        let key = IPVSServiceKey.firewallMark(1, family: serviceFamily)
        services.append(IPVSServiceStatus(service: IPVSService(key: key, scheduler: "wlc"), stats: IPVSStats(),
                                          destinations: destinations))
    }
    _ = IPVSListing.text(info: info, services: services, stats: false)
    _ = IPVSListing.text(info: info, services: services, stats: true)
}

/// The attributes of a request as if the kernel had sent them back.
func echoed(_ request: IPVSMessage.Request) -> Attributes? {
    guard let bytes = try? IPVSMessage.encode(IPVSMessage(request, familyID: 1, sequence: 1)),
          let m = try? NetlinkReply.messages(bytes[...], .listServices), m.count == 1 else { return nil }
    return try? NetlinkReply.genlAttributes(m[0], .listServices)
}

func roundTrip(_ s: IPVSService) {
    guard let a = echoed(.command(.addService(s))) else { return }   // a service Vigil would refuse to send
    let again = try? IPVSDecode.service(a).0
    if again != s { fatalError("service \(s) read back as \(String(describing: again))") }
}

func roundTrip(_ d: IPVSDestination) {
    let key = IPVSServiceKey.firewallMark(1, family: d.key.address.family)
    guard let a = echoed(.command(.addDestination(key, d))) else { fatalError("destination \(d) not encoded") }
    let again = try? IPVSDecode.destination(a, serviceFamily: d.key.address.family).destination
    if again != d { fatalError("destination \(d) read back as \(String(describing: again))") }
}

func roundTrip(_ d: IPVSSyncDaemon) {
    guard let a = echoed(.command(.startSyncDaemon(d))) else { return }   // interface name Vigil would refuse
    let again = try? IPVSDecode.daemon(a)
    if again != d { fatalError("daemon \(d) read back as \(String(describing: again))") }
}

/// The destinations as an mh service's kernel list: the repair, applied as the kernel applies it (a deleted one leaves
/// the list, an added one goes to the head), must end canonical whenever the list holds the desired set.
func checkOrderRepair(_ list: [IPVSDestination], family: IPAddress.Family) {
    let key = IPVSServiceKey.firewallMark(1, family: family)
    let desired = IPVSVirtualService(service: IPVSService(key: key, scheduler: "mh"), destinations: list)
    var order = list.map(\.key)
    let fix = IPVSPlan.orderRepair(desired: desired, kernelOrder: order)
    for c in fix {
        switch c {
        case .deleteDestination(_, let d): order.removeAll { $0 == d }
        case .addDestination(_, let d): order.insert(d.key, at: 0)
        default: fatalError("order repair issued \(c)")
        }
    }
    let canonical = IPVSPlan.canonicalListOrder(Array(desired.destinations.keys))
    if Set(list.map(\.key)).count == list.count, order != canonical {
        fatalError("order repair left \(order), not \(canonical)")
    }
}
