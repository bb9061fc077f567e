/// An optional that encodes as `null` when empty. Synthesized `Encodable` leaves a nil key out;
/// Steward's JSON contract is the same keys on every row, so every optional field of a view is
/// wrapped in this.
@propertyWrapper
public struct Nullable<Value: Encodable & Sendable>: Encodable, Sendable {
    /// The value, or `nil` (encoded as `null`).
    public var wrappedValue: Value?

    /// Wraps a value.
    public init(wrappedValue: Value?) { self.wrappedValue = wrappedValue }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        if let wrappedValue { try container.encode(wrappedValue) } else { try container.encodeNil() }
    }
}

extension Nullable: Equatable where Value: Equatable {}
