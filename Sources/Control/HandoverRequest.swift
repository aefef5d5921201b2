/// `POST /handover`'s query, checked (Foundation-free, so the fuzzer builds it: `make fuzz-control`).
public enum HandoverRequest {
    /// What `POST /handover` asks for, checked: nil names every instance. Pure, so the fuzzer can feed it anything.
    public static func parse(instances: String?, cancel: String?) -> Result<(names: [String]?, cancel: Bool), HandoverRequestError> {
        let wantsCancel: Bool
        switch cancel {
        case nil, "0", "false": wantsCancel = false
        case "1", "true": wantsCancel = true
        case .some(let other): return .failure(.init("cancel must be 1 or 0, not '\(other.prefix(40))'"))
        }
        guard let instances, !instances.isEmpty else { return .success((nil, wantsCancel)) }
        let names = instances.split(separator: ",").map(String.init)
        guard !names.isEmpty else { return .failure(.init("instances names no instance")) }
        guard names.count <= 256, names.allSatisfy({ !$0.isEmpty && $0.utf8.count <= 256 }) else {
            return .failure(.init("instances must be up to 256 comma-separated names of at most 256 bytes each"))
        }
        return .success((names, wantsCancel))
    }
}

/// A `POST /handover` request that cannot be performed.
public struct HandoverRequestError: Error, Sendable, Equatable {
    public var message: String
    init(_ message: String) { self.message = message }
}

