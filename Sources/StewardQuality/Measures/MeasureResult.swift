import Foundation

/// A measure's result, as written to the output.
public enum MeasureResult: Sendable, Equatable, CustomStringConvertible {
    case null
    case number(Double)
    case integer(Int)
    case bool(Bool)
    case value(QualityValue)
    case list([MeasureResult])
    case object([(String, MeasureResult)])

    public static func == (a: MeasureResult, b: MeasureResult) -> Bool {
        switch (a, b) {
        case (.null, .null): true
        case (.number(let x), .number(let y)): x == y
        case (.integer(let x), .integer(let y)): x == y
        case (.bool(let x), .bool(let y)): x == y
        case (.value(let x), .value(let y)): x == y
        case (.list(let x), .list(let y)): x == y
        case (.object(let x), .object(let y)): x.map(\.0) == y.map(\.0) && x.map(\.1) == y.map(\.1)
        default: false
        }
    }

    /// The number an assessment compares (booleans count as 0/1).
    public var number: Double? {
        switch self {
        case .number(let v): v
        case .integer(let v): Double(v)
        case .bool(let v): v ? 1 : 0
        case .value(let v): v.number
        default: nil
        }
    }

    public var description: String {
        var out = ""
        JSONWriter.write(self, into: &out)
        return out
    }
}
