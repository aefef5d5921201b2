/// An address with an optional prefix length, as written in a configuration (`192.168.0.80/24`). Encodes as text.
public struct IPPrefix: Sendable, Hashable, TextCodable {
    /// The address.
    public var address: IPAddress
    /// The prefix length when written; keepalived uses /32 (/128) for VIPs without one.
    public var prefixLength: Int?

    /// Creates a prefix.
    public init(address: IPAddress, prefixLength: Int?) {
        self.address = address
        self.prefixLength = prefixLength
    }

    /// Parses `ADDR` or `ADDR/LEN`; `nil` when the address is invalid or the length is out of the family's range.
    public init?(_ text: String) {
        let parts = text.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        guard let a = IPAddress(String(parts[0])) else { return nil }
        address = a
        if parts.count == 2 {
            guard let n = Int(parts[1]), n >= 0, n <= a.maxPrefixLength else { return nil }
            prefixLength = n
        } else {
            prefixLength = nil
        }
    }

    /// The prefix length used on an interface: the written one, else the full host length.
    public var effectivePrefixLength: Int { prefixLength ?? address.maxPrefixLength }

    /// `addr/len` or `addr`.
    public var description: String { prefixLength.map { "\(address)/\($0)" } ?? address.description }
}
