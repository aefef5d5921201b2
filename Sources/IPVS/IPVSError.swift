#if canImport(Glibc)
import Glibc
#endif

/// Everything that can go wrong talking to the kernel's IPVS.
public enum IPVSError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The running kernel has no IPVS generic netlink family (module not loaded or not built).
    case noIPVSSupport
    /// The kernel refused an operation on an object; `errno` is the positive error number.
    case kernel(IPVSOperation, errno: Int32, object: String)
    /// A socket call failed (`socket`, `bind`, `send`, `recv`).
    case socket(String, errno: Int32)
    /// A netlink reply did not have the expected shape.
    case malformedReply(IPVSOperation, String)
    /// A request cannot be encoded (a name too long, a mismatched address family).
    case invalidRequest(IPVSOperation, object: String, reason: String)
    /// A line of the ownership record (`IPVSOwnershipRecord`) is not a service key.
    case invalidOwnershipRecord(String, line: Int, reason: String)
    /// Reading or writing the ownership record failed (`open`, `read`, `write`, `rename`…).
    case ownershipFile(String, path: String, errno: Int32)

    public var description: String {
        switch self {
        case .noIPVSSupport:
            return "the kernel has no IPVS support: load it with 'modprobe ip_vs'"
        case .kernel(let op, let e, let object):
            return "IPVS \(op.rawValue) \(object): \(IPVSError.explain(op, e)) (errno \(e))"
        case .socket(let call, let e):
            return "netlink \(call) failed: \(String(cString: strerror(e))) (errno \(e))"
        case .malformedReply(let op, let why):
            return "IPVS \(op.rawValue): malformed kernel reply: \(why)"
        case .invalidRequest(let op, let object, let reason):
            return "IPVS \(op.rawValue) \(object): \(reason)"
        case .invalidOwnershipRecord(let file, let line, let reason):
            return "\(file):\(line): error: \(reason)"
        case .ownershipFile(let call, let path, let e):
            return "IPVS ownership record \(path): \(call) failed: \(String(cString: strerror(e))) (errno \(e))"
        }
    }

    /// The kernel's errno in the words ipvsadm's users know.
    static func explain(_ op: IPVSOperation, _ e: Int32) -> String {
        switch (op, e) {
        case (.addService, EEXIST): return "service already exists"
        case (.addDestination, EEXIST): return "destination already exists"
        case (.addService, ENOENT), (.editService, ENOENT): return "scheduler not found (is its ip_vs_* module available?)"
        case (_, ESRCH): return "no such service"
        case (.deleteDestination, ENOENT), (.editDestination, ENOENT): return "no such destination"
        case (_, EPERM): return "permission denied (needs CAP_NET_ADMIN)"
        default: return String(cString: strerror(e))
        }
    }
}
