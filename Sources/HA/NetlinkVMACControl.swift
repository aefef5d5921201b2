#if canImport(Glibc)
import Foundation
import Glibc
import CLinux
import Vocabulary

/// Why an instance's macvlan could not be had or removed.
public enum VMACError: Error, Sendable, Hashable, CustomStringConvertible {
    /// `VMACPlan.decide` refused (the name is taken by something else, the base is missing…).
    case refused(interface: String, reason: String)
    /// The kernel answered a request with this errno.
    case kernel(operation: String, interface: String, errno: Int32)
    /// A socket call failed.
    case socket(operation: String, errno: Int32)

    public var description: String {
        switch self {
        case .refused(let i, let r): return "use_vmac \(i): \(r)"
        case .kernel(let op, let i, let e): return "use_vmac \(i): \(op): \(String(cString: strerror(e)))"
        case .socket(let op, let e): return "use_vmac: \(op): \(String(cString: strerror(e)))"
        }
    }
}

/// What `ensure` did.
public enum VMACOutcome: Sendable, Hashable {
    case created
    case reused
}

/// Makes and removes the macvlans of `use_vmac` instances and sets their kernel switches.
public protocol VMACControl: Sendable {
    /// Has the macvlan of `spec` up with its switches (created, or an earlier run's reused).
    func ensure(_ spec: VMACSpec) throws(VMACError) -> VMACOutcome
    /// Deletes the macvlan named `name` (nothing when it is gone).
    func remove(_ name: String) throws(VMACError)
    /// Sets `switches` and returns the values they had (those that could be read), for `restore`.
    func set(_ switches: [VMACPlan.Switch]) -> [VMACPlan.Switch]
    /// Writes back values `set` returned.
    func restore(_ switches: [VMACPlan.Switch])
}

/// `VMACControl` over rtnetlink and /proc/sys. Decides nothing: `VMACPlan` does.
public struct NetlinkVMACControl: VMACControl {
    /// Creates the adapter; each call opens its own rtnetlink socket.
    public init() {}

    public func ensure(_ spec: VMACSpec) throws(VMACError) -> VMACOutcome {
        let links: [LinkDescription]
        do {
            links = try NetlinkLinkMonitor.dump().compactMap { if case .link(let m) = $0 { m.linkDescription } else { nil } }
        } catch {
            throw .socket(operation: "list links: \(error)", errno: EIO)
        }
        switch VMACPlan.decide(spec, links: links) {
        case .refuse(let reason):
            throw .refused(interface: spec.name, reason: reason)
        case .reuse(let index, let bringUp):
            _ = set(VMACPlan.macvlanSwitches(spec))
            if spec.ipv6 { try copyLinkLocal(spec, index: index) }
            if bringUp { try request(VMACRequest.setUp(index: index, sequence: 2), "set up", spec.name) }
            waitRunning(spec.name)
            return .reused
        case .create(let baseIndex):
            try request(VMACRequest.create(spec, baseIndex: baseIndex, sequence: 1), "create macvlan", spec.name)
            let index = Int32(bitPattern: if_nametoindex(spec.name))
            guard index > 0 else { throw .kernel(operation: "find the new macvlan", interface: spec.name, errno: ENODEV) }
            _ = set(VMACPlan.macvlanSwitches(spec))
            if spec.ipv6 { try copyLinkLocal(spec, index: index) }
            try request(VMACRequest.setUp(index: index, sequence: 2), "set up", spec.name)
            waitRunning(spec.name)
            return .created
        }
    }

    /// The kernel raises a new macvlan's IFF_RUNNING a moment after it is set up (link watch): waits for it, at most
    /// `runningLimit`, so that the instance does not read its own interface as down. A base without carrier never
    /// gets there; the instance then starts in FAULT, as it should.
    private func waitRunning(_ name: String) {
        let deadline = ContinuousClock.now + Self.runningLimit
        while ContinuousClock.now < deadline {
            let up = (try? NetlinkLinkMonitor.dump())?.contains { if case .link(let m) = $0 { m.name == name && m.isUp } else { false } }
            if up == true { return }
            usleep(20_000)
        }
    }

    /// The longest `ensure` waits for a macvlan's IFF_RUNNING.
    static let runningLimit: Duration = .seconds(2)

    public func remove(_ name: String) throws(VMACError) {
        let index = Int32(bitPattern: if_nametoindex(name))
        guard index > 0 else { return }
        try request(VMACRequest.delete(index: index, sequence: 1), "delete", name, gone: [ENODEV])
    }

    public func set(_ switches: [VMACPlan.Switch]) -> [VMACPlan.Switch] {
        var before: [VMACPlan.Switch] = []
        for s in switches {
            if let old = try? String(contentsOfFile: s.path, encoding: .utf8) {
                var was = s
                was.value = old.trimmingCharacters(in: .whitespacesAndNewlines)
                before.append(was)
            }
            try? s.value.write(toFile: s.path, atomically: false, encoding: .utf8)
        }
        return before
    }

    public func restore(_ switches: [VMACPlan.Switch]) {
        for s in switches { try? s.value.write(toFile: s.path, atomically: false, encoding: .utf8) }
    }

    /// An IPv6 instance sends from its base's link-local address, which must then be on the macvlan too.
    private func copyLinkLocal(_ spec: VMACSpec, index: Int32) throws(VMACError) {
        guard let local = RawSocketVRRPTransport.primaryAddress(interface: spec.base, ipv6: true),
              case .v6(let hi, _) = local, hi >> 48 == 0xfe80 else {
            throw .refused(interface: spec.name, reason: "\(spec.base) has no IPv6 link-local address to send from")
        }
        try request(VMACRequest.addLinkLocal(local, index: index, sequence: 3), "add \(local)", spec.name, gone: [EEXIST])
    }

    /// Sends one request on a fresh rtnetlink socket and reads its acknowledgement; an errno in `gone` counts as done.
    private func request(_ bytes: [UInt8], _ op: String, _ name: String, gone: [Int32] = []) throws(VMACError) {
        let fd = socket(AF_NETLINK, Int32(SOCK_RAW.rawValue) | Int32(SOCK_CLOEXEC.rawValue), NETLINK_ROUTE)
        guard fd >= 0 else { throw .socket(operation: op, errno: errno) }
        defer { close(fd) }
        let e: Int32
        do { e = try NetlinkAddressControl.acknowledged(fd: fd, bytes, operation: op) } catch {
            throw .socket(operation: "\(op) \(name): \(error)", errno: EIO)
        }
        guard e == 0 || gone.contains(e) else { throw .kernel(operation: op, interface: name, errno: e) }
    }
}
#endif
