import Foundation

/// One cell of a row: what sources produce and measures read.
public enum QualityValue: Sendable, Hashable, CustomStringConvertible {
    case null
    case int(Int64)
    case double(Double)
    case string(String)
    case bool(Bool)

    /// The number, for numeric measures (`nil` for null, strings and booleans).
    @inlinable public var number: Double? {
        switch self {
        case .int(let v): Double(v)
        case .double(let v): v.isNaN ? nil : v
        default: nil
        }
    }

    /// Missing means null or the empty string.
    @inlinable public var isMissing: Bool {
        switch self {
        case .null: true
        case .string(let s): s.isEmpty
        default: false
        }
    }

    /// Numbers as doubles, so `5` and `5.0` compare equal in sets.
    public var normalized: QualityValue {
        if case .int(let v) = self { return .double(Double(v)) }
        return self
    }

    /// Text used by length and regex measures.
    public var text: String? {
        switch self {
        case .null: nil
        case .string(let s): s
        case .int(let v): String(v)
        case .double(let v): String(v)
        case .bool(let v): v ? "true" : "false"
        }
    }

    public var description: String { text ?? "null" }

    /// Total order for min/max/most-frequent ties across types: null < bool < numbers < strings.
    static func less(_ a: QualityValue, _ b: QualityValue) -> Bool {
        func rank(_ v: QualityValue) -> Int {
            switch v {
            case .null: 0
            case .bool: 1
            case .int, .double: 2
            case .string: 3
            }
        }
        let (ra, rb) = (rank(a), rank(b))
        if ra != rb { return ra < rb }
        switch (a, b) {
        case (.bool(let x), .bool(let y)): return !x && y
        case (.string(let x), .string(let y)): return x < y
        default: return (a.number ?? 0) < (b.number ?? 0)
        }
    }
}
