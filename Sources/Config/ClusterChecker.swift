
/// Checks the nodes of one VRRP cluster together (`vigil check -f master.conf -f backup.conf`).
///
/// For every `vrrp_instance` name found on several nodes: the VRID, version, advert_int,
/// authentication and virtual addresses must agree; priorities should differ (an equal priority is
/// reported as a note, since the tie is then broken by the primary IP address); and for every tracked
/// script or interface on the node that is MASTER when all is healthy, its weight must be able to
/// drop that node below the best other node — otherwise the VIP can never move (the classic
/// MASTER 100 / BACKUP 90 / weight −2 case: 100 − 2 = 98 > 90).
///
/// Tracked files are not judged: their effect is the file's number × weight, unknown statically.
public enum ClusterChecker {
    /// One node: a label (its file name) and its parsed configuration.
    public struct NodeConfig: Sendable {
        /// How the node is named in messages (usually the file path).
        public var name: String
        /// Its configuration.
        public var config: KeepalivedConfig
        /// Creates a node.
        public init(name: String, config: KeepalivedConfig) {
            self.name = name
            self.config = config
        }
    }

    /// All cluster diagnostics, in a stable order.
    public static func check(_ nodes: [NodeConfig]) -> [Diagnostic] {
        var out: [Diagnostic] = []
        guard nodes.count >= 2 else { return out }
        var names: [String] = []
        for n in nodes {
            for i in n.config.vrrpInstances where !names.contains(i.name) { names.append(i.name) }
        }
        for name in names {
            let members: [(NodeConfig, VRRPInstanceConfig)] = nodes.compactMap { n in
                n.config.vrrpInstance(named: name).map { (n, $0) }
            }
            let missing = nodes.filter { n in n.config.vrrpInstance(named: name) == nil }.map(\.name)
            if !missing.isEmpty, let first = members.first {
                out.append(Diagnostic(.warning, .clusterMismatch, at: first.1.location,
                                      "vrrp_instance '\(name)' is missing on \(missing.joined(separator: ", "))"))
            }
            guard members.count >= 2 else { continue }
            let (n0, i0) = members[0]
            for (n, i) in members.dropFirst() {
                func mismatch(_ what: String, _ a: String, _ b: String, _ la: SourceLocation, _ lb: SourceLocation) {
                    out.append(Diagnostic(.error, .clusterMismatch, at: lb,
                                          "vrrp_instance '\(name)': \(what) is \(b) on \(n.name) but \(a) on \(n0.name)",
                                          related: [.init(location: la, message: "\(what) on \(n0.name)")]))
                }
                if i.virtualRouterID != i0.virtualRouterID {
                    mismatch("virtual_router_id", "\(i0.virtualRouterID)", "\(i.virtualRouterID)",
                             i0.virtualRouterIDLocation, i.virtualRouterIDLocation)
                }
                if i.version != i0.version {
                    mismatch("VRRP version", "\(i0.version)", "\(i.version)", i0.location, i.location)
                }
                if i.advertInterval != i0.advertInterval {
                    mismatch("advert_int", i0.advertInterval.configText, i.advertInterval.configText, i0.location, i.location)
                }
                let a0 = i0.authentication.map { "\($0.type.rawValue) '\($0.effectivePassword)'" } ?? "none"
                let a1 = i.authentication.map { "\($0.type.rawValue) '\($0.effectivePassword)'" } ?? "none"
                if a0 != a1 {
                    mismatch("authentication", a0, a1, i0.authentication?.location ?? i0.location,
                             i.authentication?.location ?? i.location)
                }
                let v0 = Set(i0.virtualIPAddresses.map(\.address.description))
                let v1 = Set(i.virtualIPAddresses.map(\.address.description))
                if v0 != v1 {
                    mismatch("virtual_ipaddress", v0.sorted().joined(separator: " "), v1.sorted().joined(separator: " "),
                             i0.virtualIPAddresses.first?.location ?? i0.location,
                             i.virtualIPAddresses.first?.location ?? i.location)
                }
            }
            // Priorities.
            for x in 0..<members.count {
                for y in (x + 1)..<members.count where members[x].1.priority == members[y].1.priority {
                    out.append(Diagnostic(.note, .clusterMismatch, at: members[y].1.priorityLocation,
                                          "vrrp_instance '\(name)' has priority \(members[y].1.priority) on both \(members[x].0.name) and \(members[y].0.name); the tie is broken by the higher primary IP address",
                                          related: [.init(location: members[x].1.priorityLocation, message: "same priority here")]))
                }
            }
            out += weightChecks(name, members)
        }
        return out
    }

    /// A tracked object's weight and where it is written.
    private struct Tracked {
        var what: String
        var weight: Int
        var location: SourceLocation
    }

    private static func tracked(_ n: NodeConfig, _ i: VRRPInstanceConfig) -> [Tracked] {
        var out: [Tracked] = []
        for t in i.trackScripts {
            guard let s = n.config.vrrpScript(named: t.name) else { continue }
            let w = t.weight ?? s.weight
            out.append(Tracked(what: "vrrp_script '\(t.name)' (weight \(w))", weight: t.reverse != s.weightReverse ? -w : w,
                               location: t.weight != nil ? t.location : s.weightLocation))
        }
        for t in i.trackInterfaces {
            let w = t.weight ?? 0
            out.append(Tracked(what: "track_interface '\(t.name)' (weight \(w))", weight: t.reverse ? -w : w,
                               location: t.location))
        }
        return out
    }

    private static func weightChecks(_ name: String, _ members: [(NodeConfig, VRRPInstanceConfig)]) -> [Diagnostic] {
        // Healthy priority: base plus every positive weight.
        let healthy = members.map { m in
            min(255, m.1.priority + tracked(m.0, m.1).filter { $0.weight > 0 }.reduce(0) { $0 + $1.weight })
        }
        guard let top = healthy.indices.max(by: { healthy[$0] < healthy[$1] }) else { return [] }
        let others = healthy.indices.filter { $0 != top }
        guard let bestOther = others.max(by: { healthy[$0] < healthy[$1] }) else { return [] }
        let (node, inst) = members[top]
        var out: [Diagnostic] = []
        for t in tracked(node, inst) where t.weight != 0 {
            let failed = healthy[top] - abs(t.weight)
            let rival = healthy[bestOther]
            let sum = "\(healthy[top]) − \(abs(t.weight)) = \(failed)"
            if failed > rival {
                out.append(Diagnostic(.warning, .ineffectiveWeight, at: t.location,
                                      "\(t.what) can never move vrrp_instance '\(name)' away from \(node.name): \(sum) > \(rival) on \(members[bestOther].0.name); the weight must exceed the priority gap of \(healthy[top] - rival)",
                                      related: [.init(location: members[bestOther].1.priorityLocation,
                                                      message: "priority of \(members[bestOther].0.name)")]))
            } else if failed == rival {
                out.append(Diagnostic(.warning, .ineffectiveWeight, at: t.location,
                                      "\(t.what) only ties vrrp_instance '\(name)': \(sum) = \(rival) on \(members[bestOther].0.name); the primary IP address decides",
                                      related: [.init(location: members[bestOther].1.priorityLocation,
                                                      message: "priority of \(members[bestOther].0.name)")]))
            }
        }
        return out
    }
}
