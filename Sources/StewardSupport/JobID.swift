/// A job's identifier: a positive integer assigned by the store at enqueue time.
public struct JobID: RawRepresentable, Hashable, Comparable, Sendable, Codable, CustomStringConvertible,
    ExpressibleByIntegerLiteral
{
    /// The integer value, as stored.
    public let rawValue: Int64

    /// Wraps a stored integer id.
    public init(rawValue: Int64) { self.rawValue = rawValue }
    /// Wraps a stored integer id.
    public init(_ rawValue: Int64) { self.rawValue = rawValue }
    /// An id from an integer literal.
    public init(integerLiteral value: Int64) { self.rawValue = value }

    /// Parses an id given on the command line or in a URL.
    public init?(_ text: String) {
        guard let v = Int64(text), v > 0 else { return nil }
        rawValue = v
    }

    public init(from decoder: any Decoder) throws {
        rawValue = try decoder.singleValueContainer().decode(Int64.self)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(rawValue)
    }

    public static func < (lhs: JobID, rhs: JobID) -> Bool { lhs.rawValue < rhs.rawValue }
    public var description: String { String(rawValue) }
}
