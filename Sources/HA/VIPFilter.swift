import Vocabulary

/// Where the drop rules of `no_accept` instances live: keepalived's `nftables [TABLE]` and `nftables_priority`.
public struct VIPFilterSettings: Sendable, Hashable {
    /// The nftables table (family `inet`) Vigil owns; it is deleted at start (a crashed run's rules) and at stop.
    public var table: String
    /// The priority of the table's input and output chains (keepalived's default -1 runs them before the filter
    /// table's chains and before IPVS, which hooks input at priority 98).
    public var chainPriority: Int

    /// Creates settings; the defaults are Vigil's table name and keepalived's priority.
    public init(table: String = "vigil", chainPriority: Int = -1) {
        self.table = table
        self.chainPriority = chainPriority
    }
}

/// The addresses each `no_accept` MASTER blocks, and their union, which is what the kernel's sets must hold. Two
/// instances may list the same address: it stays blocked until neither blocks it.
public struct VIPFilterBook: Sendable, Hashable {
    private var byInstance: [String: [IPAddress]] = [:]

    /// Creates an empty book.
    public init() {}

    /// Sets what `instance` blocks (empty: nothing); true when the union changed.
    public mutating func set(_ addresses: [IPAddress], for instance: String) -> Bool {
        let before = blocked
        byInstance[instance] = addresses.isEmpty ? nil : addresses
        return blocked != before
    }

    /// Every blocked address, IPv4 first, each once, sorted (so the rule text is stable).
    public var blocked: [IPAddress] {
        Array(Set(byInstance.values.joined())).sorted { a, b in
            if a.isIPv6 != b.isIPv6 { return !a.isIPv6 }
            return a.description < b.description
        }
    }

    /// True when some instance blocks something.
    public var isEmpty: Bool { byInstance.isEmpty }
}

/// Why a filter operation failed.
public struct VIPFilterError: Error, Sendable, CustomStringConvertible {
    /// What the engine said.
    public var message: String

    /// Creates an error.
    public init(_ message: String) { self.message = message }

    public var description: String { message }
}

/// Keeps the kernel's drop rules for the VIPs of `no_accept` MASTERs (keepalived's `vrrp_strict` firewall): packets
/// to a blocked address are dropped on input and packets from it on output, except IPv6 neighbour solicitations
/// and advertisements, so the address still resolves.
public protocol VIPFilter: Sendable {
    /// Deletes rules an earlier run left (at start, before any instance runs). Failure is not an error.
    func clear() -> VIPFilterError?
    /// Makes the kernel's sets hold exactly `addresses` (creating the table and chains on first use).
    func block(_ addresses: [IPAddress]) throws(VIPFilterError)
    /// Deletes the table at stop.
    func remove() throws(VIPFilterError)
}

/// The nft command text for the table, pure so the unit tier can read it.
public enum VIPFilterRules {
    /// Deletes `table` if it exists (nft 1.0.6 has no `destroy`: adding an existing table is a no-op).
    public static func deleteTable(_ settings: VIPFilterSettings) -> String {
        "add table inet \(settings.table)\ndelete table inet \(settings.table)\n"
    }

    /// Creates the table, its two sets and two chains, empty.
    public static func createTable(_ settings: VIPFilterSettings) -> String {
        let t = settings.table, p = settings.chainPriority
        let nd = "icmpv6 type { nd-neighbor-solicit, nd-neighbor-advert } accept"
        return """
        table inet \(t) {
        \tset vips4 { type ipv4_addr; }
        \tset vips6 { type ipv6_addr; }
        \tchain in { type filter hook input priority \(p); policy accept; \(nd); ip daddr @vips4 drop; ip6 daddr @vips6 drop; }
        \tchain out { type filter hook output priority \(p); policy accept; \(nd); ip saddr @vips4 drop; ip6 saddr @vips6 drop; }
        }

        """
    }

    /// Replaces both sets' elements with `addresses`, in one transaction.
    public static func setElements(_ settings: VIPFilterSettings, _ addresses: [IPAddress]) -> String {
        let t = settings.table
        var text = "flush set inet \(t) vips4\nflush set inet \(t) vips6\n"
        let v4 = addresses.filter { !$0.isIPv6 }, v6 = addresses.filter(\.isIPv6)
        if !v4.isEmpty { text += "add element inet \(t) vips4 { \(v4.map(\.description).joined(separator: ", ")) }\n" }
        if !v6.isEmpty { text += "add element inet \(t) vips6 { \(v6.map(\.description).joined(separator: ", ")) }\n" }
        return text
    }
}
