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

/// Hand-written JSON for output records: fast, stable key order, numbers printed shortest.
enum JSONWriter {
    static func write(_ r: MeasureResult, into out: inout String) {
        switch r {
        case .null: out += "null"
        case .number(let v): writeNumber(v, into: &out)
        case .integer(let v): out += String(v)
        case .bool(let v): out += v ? "true" : "false"
        case .value(let v): write(v, into: &out)
        case .list(let items):
            out += "["
            for (i, item) in items.enumerated() {
                if i > 0 { out += "," }
                write(item, into: &out)
            }
            out += "]"
        case .object(let fields):
            out += "{"
            for (i, (k, v)) in fields.enumerated() {
                if i > 0 { out += "," }
                writeString(k, into: &out)
                out += ":"
                write(v, into: &out)
            }
            out += "}"
        }
    }

    static func write(_ v: QualityValue, into out: inout String) {
        switch v {
        case .null: out += "null"
        case .int(let x): out += String(x)
        case .double(let x): writeNumber(x, into: &out)
        case .string(let s): writeString(s, into: &out)
        case .bool(let b): out += b ? "true" : "false"
        }
    }

    static func writeNumber(_ v: Double, into out: inout String) {
        guard v.isFinite else { return out += "null" }
        if v == v.rounded(), abs(v) < 1e15 { out += String(Int64(v)) } else { out += "\(v)" }
    }

    static func writeString(_ s: String, into out: inout String) {
        out += "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case let c where c.value < 0x20: out += String(format: "\\u%04x", c.value)
            default: out.unicodeScalars.append(scalar)
            }
        }
        out += "\""
    }
}
