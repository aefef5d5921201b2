import Vocabulary

/// A time of the model encoded as seconds (a JSON number such as `0.5`, as keepalived.conf writes it) instead of
/// `Duration`'s own `[seconds, attoseconds]` pair, so `vigil check --dump` stays readable. The value is the
/// `Duration`; the wrapper changes only the JSON.
@propertyWrapper
public struct Seconds: Sendable, Equatable, Codable {
    /// The time.
    public var wrappedValue: Duration

    /// Wraps a time.
    public init(wrappedValue: Duration) { self.wrappedValue = wrappedValue }

    /// Reads seconds, to the nanosecond.
    public init(from decoder: any Decoder) throws {
        wrappedValue = .clampedSeconds(try decoder.singleValueContainer().decode(Double.self))
    }

    /// Writes seconds.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(wrappedValue.seconds)
    }
}

/// An optional time of the model, encoded as `Seconds` when set and left out when nil.
@propertyWrapper
public struct OptionalSeconds: Sendable, Equatable, Codable {
    /// The time, if set.
    public var wrappedValue: Duration?

    /// Wraps a time.
    public init(wrappedValue: Duration?) { self.wrappedValue = wrappedValue }

    /// Reads seconds or null.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        wrappedValue = c.decodeNil() ? nil : try c.decode(Seconds.self).wrappedValue
    }

    /// Writes seconds or null.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        if let wrappedValue { try c.encode(Seconds(wrappedValue: wrappedValue)) } else { try c.encodeNil() }
    }
}

extension KeyedDecodingContainer {
    /// A missing key is an unset time, as for any optional field.
    public func decode(_ type: OptionalSeconds.Type, forKey key: Key) throws -> OptionalSeconds {
        try decodeIfPresent(type, forKey: key) ?? OptionalSeconds(wrappedValue: nil)
    }
}

extension KeyedEncodingContainer {
    /// An unset time is left out, as for any optional field.
    public mutating func encode(_ value: OptionalSeconds, forKey key: Key) throws {
        if value.wrappedValue != nil { try encodeIfPresent(value as OptionalSeconds?, forKey: key) }
    }
}
