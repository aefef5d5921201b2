// Theory of operation
// -------------------
// A node that crashed (or was SIGKILLed) as MASTER leaves its virtual addresses on the interface. When it comes
// back, it starts as BACKUP (or waits the master-down interval), and until it is MASTER again two nodes answer for
// the VIP. keepalived 2.2.7 avoids this at start: before the instances run, it asks the kernel to delete every
// `virtual_ipaddress` and `virtual_ipaddress_excluded` entry of every instance whose interface already existed
// (`vrrp_restore_interfaces_startup`, forced removal). The kernel deletes an address only when the interface, the
// address and the prefix length all match (RTM_DELADDR), so an operator's own `10.0.0.5/24` survives a VIP
// `10.0.0.5/32`.
//
// Vigil reads the interface addresses first and decides here, as a pure function, which of them are leftovers by
// the same rule, except the addresses the instances send from (an address owner's own address); the runtime only
// lists, deletes and logs. This runs once, at start, never on reload (SIGHUP):
// a reload keeps the VIPs of a running MASTER, as keepalived does.

import Vocabulary

/// A configured virtual address found on its interface at start, to be removed before the instances run.
public struct LeftoverVIP: Sendable, Hashable {
    /// The instance that configures it (the first one, when several list it).
    public var instance: String
    /// The interface it is on (its `dev`, else the instance's `interface`).
    public var interface: String
    /// The address as configured (the removal request uses its prefix length).
    public var address: VirtualAddress
    /// True for a `virtual_ipaddress_excluded` entry.
    public var excluded: Bool

    /// Creates a leftover.
    public init(instance: String, interface: String, address: VirtualAddress, excluded: Bool) {
        self.instance = instance
        self.interface = interface
        self.address = address
        self.excluded = excluded
    }

    /// Why it is removed, for the log line.
    public var reason: String {
        "\(excluded ? "virtual_ipaddress_excluded" : "virtual_ipaddress") entry of this configuration already on the "
            + "interface at start (left by an earlier run), removed before the instances start as keepalived does"
    }
}

/// The start-up decision: which present addresses are leftover VIPs. See the theory of operation above.
public enum LeftoverVIPs {
    /// The configured VIPs (and excluded VIPs) of `instances` that `present` lists on the same interface with the same
    /// prefix length, in configuration order, each (interface, address, prefix) once. Call at start only.
    /// `sources` are the addresses the instances send their adverts from: never removed (keepalived would remove
    /// one that is also a VIP, the address owner's own address, and re-add it a moment later; without it the first
    /// advert finds no route).
    public static func removals(configured instances: [VRRPInstanceSpec], present: [InterfaceAddress],
                                sources: Set<IPAddress> = []) -> [LeftoverVIP] {
        let onLinks = Set(present)
        var seen: Set<InterfaceAddress> = []
        var out: [LeftoverVIP] = []
        for spec in instances {
            let entries = spec.virtualAddresses.map { ($0, false) } + spec.excludedAddresses.map { ($0, true) }
            for (vip, excluded) in entries {
                let key = InterfaceAddress(interface: vip.device ?? spec.interface, address: vip.address,
                                           prefixLength: vip.prefixLength)
                guard onLinks.contains(key), !sources.contains(vip.address), seen.insert(key).inserted else { continue }
                out.append(LeftoverVIP(instance: spec.name, interface: key.interface, address: vip, excluded: excluded))
            }
        }
        return out
    }
}
