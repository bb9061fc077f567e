import Foundation

/// Any JSON value; used where JSON text (payloads, results) is embedded in structured output.
/// Integers that fit 64 bits stay exact (`9007199254740993` is not rounded through a Double).
public enum JSONValue: Codable, Sendable, Equatable, CustomStringConvertible {
    case null
    case bool(Bool)
    /// An integer literal that fits `Int64`.
    case integer(Int64)
    /// Any other number.
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    /// Parses JSON text; `nil` when it is not valid JSON.
    public init?(parsing text: String) {
        var text = text
        guard let value = text.withUTF8({ JSONTextParser.parse($0) }) else { return nil }
        self = value
    }

    /// What `init?(parsing:)` gave through Foundation's `JSONDecoder` (kept to test the parser
    /// against).
    package static func foundationParsing(_ text: String) -> JSONValue? {
        try? JSONDecoder().decode(JSONValue.self, from: Data(text.utf8))
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if c.decodeNil() {
            self = .null
        } else if let b = try? c.decode(Bool.self) {
            self = .bool(b)
        } else if let i = try? c.decode(Int64.self) {
            self = .integer(i)
        } else if let n = try? c.decode(Double.self) {
            self = .number(n)
        } else if let s = try? c.decode(String.self) {
            self = .string(s)
        } else if let a = try? c.decode([JSONValue].self) {
            self = .array(a)
        } else {
            self = .object(try c.decode([String: JSONValue].self))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        switch self {
        case .null: try c.encodeNil()
        case .bool(let b): try c.encode(b)
        case .integer(let i): try c.encode(i)
        case .number(let n):
            if n.rounded() == n, abs(n) < 9e15 { try c.encode(Int64(n)) } else { try c.encode(n) }
        case .string(let s): try c.encode(s)
        case .array(let a): try c.encode(a)
        case .object(let o): try c.encode(o)
        }
    }

    /// The value as a number (`integer` or `number`), else `nil`.
    public var numeric: Double? {
        switch self {
        case .integer(let i): Double(i)
        case .number(let d): d
        default: nil
        }
    }

    /// The value as JSON text, for human output (`20000`, `"quality"`, `[1,2]`).
    public var description: String {
        switch self {
        case .string(let s): return s
        case .number(let n): return n.rounded() == n && abs(n) < 1e15 ? String(Int64(n)) : String(format: "%.3f", n)
        default: return jsonText
        }
    }
}

extension JSONValue: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByFloatLiteral,
    ExpressibleByBooleanLiteral, ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral, ExpressibleByNilLiteral
{
    /// `"text"` in Swift source: a JSON string (workflow inputs and templates read naturally).
    public init(stringLiteral value: String) { self = .string(value) }
    /// `42`: a JSON integer.
    public init(integerLiteral value: Int64) { self = .integer(value) }
    /// `1.5`: a JSON number.
    public init(floatLiteral value: Double) { self = .number(value) }
    /// `true` / `false`.
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    /// `[…]`: a JSON list.
    public init(arrayLiteral elements: JSONValue...) { self = .array(elements) }
    /// `[key: value, …]`: a JSON object.
    public init(dictionaryLiteral elements: (String, JSONValue)...) {
        self = .object(Dictionary(elements, uniquingKeysWith: { _, last in last }))
    }
    /// `nil`: JSON null.
    public init(nilLiteral: ()) { self = .null }
}

extension JSONValue {
    /// Compact JSON text (keys sorted).
    public var jsonText: String { JSONTextWriter.text(self) ?? "null" }

    /// What `jsonText` gave through Foundation's `JSONEncoder` (kept to test the writer against).
    package var foundationJSONText: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return (try? String(decoding: encoder.encode(self), as: UTF8.self)) ?? "null"
    }

    /// `an object`, `a list`, `a number`, … for messages.
    package var kindName: String {
        switch self {
        case .null: "null"
        case .bool: "a bool"
        case .integer, .number: "a number"
        case .string: "a string"
        case .array: "a list"
        case .object: "an object"
        }
    }
}
