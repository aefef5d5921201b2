import Vocabulary

@testable import IPVS

func addr(_ s: String) -> IPAddress {
    guard let a = IPAddress(s) else { preconditionFailure("bad test address \(s)") }
    return a
}

func tcp(_ a: String, _ port: UInt16) -> IPVSServiceKey { .address(.tcp, addr(a), port: port) }

func dest(_ a: String, _ port: UInt16, weight: Int32 = 1, _ fwd: IPVSForwarding = .masquerade) -> IPVSDestination {
    IPVSDestination(key: IPVSDestinationKey(address: addr(a), port: port), forwarding: fwd, weight: weight)
}

func hex(_ s: String) -> [UInt8] {
    let digits = s.filter { $0.isHexDigit }
    var out: [UInt8] = []
    var i = digits.startIndex
    while i < digits.endIndex {
        let j = digits.index(i, offsetBy: 2)
        out.append(UInt8(digits[i..<j], radix: 16) ?? 0)
        i = j
    }
    return out
}

/// An in-memory kernel: applies commands with the kernel's rules (EEXIST, ESRCH, ENOENT).
final class FakeIPVS: IPVSControl, @unchecked Sendable {
    var current = IPVSTable()
    var executed: [IPVSCommand] = []
    var tableReads = 0
    /// Running sync daemons by role (the kernel runs at most one of each).
    var daemons: [IPVSSyncDaemon.Role: IPVSSyncDaemon] = [:]
    /// The kernel's connection timeouts (its defaults).
    var currentTimeouts = IPVSTimeouts(tcp: 900, tcpFin: 120, udp: 300)
    /// Each service's destination list as the kernel keeps it: a new destination goes to the head.
    var lists: [IPVSServiceKey: [IPVSDestinationKey]] = [:]

    func destinationOrder(of service: IPVSServiceKey) throws(IPVSError) -> [IPVSDestinationKey] { lists[service] ?? [] }

    func timeouts() throws(IPVSError) -> IPVSTimeouts { currentTimeouts }

    func table() throws(IPVSError) -> IPVSTable {
        tableReads += 1
        return current
    }

    func execute(_ commands: [IPVSCommand]) throws(IPVSError) -> [IPVSCommandFailure] {
        var failures: [IPVSCommandFailure] = []
        for c in commands {
            executed.append(c)
            if let e = apply(c) {
                failures.append(IPVSCommandFailure(command: c, error: .kernel(c.operation, errno: e, object: c.object)))
            }
        }
        return failures
    }

    private func apply(_ c: IPVSCommand) -> Int32? {
        switch c {
        case .addService(let s):
            if current.services[s.key] != nil { return 17 }
            current.services[s.key] = IPVSVirtualService(service: s.normalized)
        case .editService(let s):
            guard current.services[s.key] != nil else { return 3 }
            current.services[s.key]?.service = s.normalized
        case .deleteService(let k):
            guard current.services.removeValue(forKey: k) != nil else { return 3 }
            lists[k] = nil
        case .addDestination(let k, let d):
            guard let v = current.services[k] else { return 3 }
            if v.destinations[d.key] != nil { return 17 }
            current.services[k]?.destinations[d.key] = d
            lists[k, default: []].insert(d.key, at: 0)
        case .editDestination(let k, let d):
            guard let v = current.services[k] else { return 3 }
            if v.destinations[d.key] == nil { return 2 }
            current.services[k]?.destinations[d.key] = d
        case .deleteDestination(let k, let d):
            guard let v = current.services[k] else { return 3 }
            if v.destinations[d] == nil { return 2 }
            current.services[k]?.destinations[d] = nil
            lists[k]?.removeAll { $0 == d }
        case .flush:
            current = IPVSTable()
            lists = [:]
        case .startSyncDaemon(let d):
            if daemons[d.role] != nil { return 17 }
            daemons[d.role] = d
        case .stopSyncDaemon(let role):
            guard daemons.removeValue(forKey: role) != nil else { return 3 }
        case .setTimeouts(let t):
            // As the kernel: 0 leaves a value as it is.
            if t.tcp != 0 { currentTimeouts.tcp = t.tcp }
            if t.tcpFin != 0 { currentTimeouts.tcpFin = t.tcpFin }
            if t.udp != 0 { currentTimeouts.udp = t.udp }
        }
        return nil
    }
}
