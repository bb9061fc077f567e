import Foundation
import StewardSupport

/// A batch data check (`steward quality check`): completeness, accuracy and consistency of a whole
/// dataset, streamed (memory grows with the distinct values of `unique` fields, not with rows).
public struct BatchCheck: Sendable {
    /// One accuracy rule; it applies to present, non-null values of its field.
    public enum Rule: Sendable, Equatable {
        /// The value is one of these (compared as text).
        case allowed(field: String, values: [String])
        /// The value is a number within these bounds.
        case range(field: String, min: Double?, max: Double?)
        /// The whole value matches this regular expression.
        case pattern(field: String, regex: String)
        /// The value parses as this type (`int`, `float`, `bool`, `string`, `date`).
        case type(field: String, type: String)

        var field: String {
            switch self {
            case .allowed(let f, _), .range(let f, _, _), .pattern(let f, _), .type(let f, _): f
            }
        }
    }

    /// A cross-field rule: `end >= start`, `total > 0`.
    public struct Comparison: Sendable, Equatable {
        /// The left field.
        public var left: String
        /// `==`, `!=`, `>`, `>=`, `<`, `<=`.
        public var op: String
        /// The right field, or a literal.
        public var right: String
        /// Whether `right` is a literal (a number or a quoted string).
        public var rightIsLiteral: Bool
        /// The rule as written.
        public var text: String
    }

    /// The check's name.
    public var name: String
    /// The data file (CSV or JSON Lines).
    public var path: String
    /// Fields whose completeness is measured.
    public var requiredFields: [String]
    /// Accuracy rules.
    public var accuracy: [Rule]
    /// Fields whose values must be unique (each on its own).
    public var unique: [String]
    /// Cross-field rules.
    public var rules: [Comparison]
    /// Pass marks: completeness, accuracy, consistency.
    public var thresholds: (completeness: Double, accuracy: Double, consistency: Double)
    /// Weights of the overall score.
    public var weights: (completeness: Double, accuracy: Double, consistency: Double)
    /// Most examples kept per dimension.
    public var maxExamples = 10
    /// Hash slots a unique field may hold in memory (8 bytes each) before it spills to disk.
    package var uniqueTableSlots = 1 << 20
    /// The longest record read (an unclosed quote must not read the whole file into memory).
    package var maxRecordBytes = 64 << 20

    /// A check of the file at `path`; every dimension left empty is not checked.
    public init(
        name: String, path: String, requiredFields: [String] = [], accuracy: [Rule] = [], unique: [String] = [],
        rules: [Comparison] = [], thresholds: (completeness: Double, accuracy: Double, consistency: Double) = (0.95, 0.98, 0.99),
        weights: (completeness: Double, accuracy: Double, consistency: Double) = (0.4, 0.3, 0.3)
    ) {
        self.name = name
        self.path = path
        self.requiredFields = requiredFields
        self.accuracy = accuracy
        self.unique = unique
        self.rules = rules
        self.thresholds = thresholds
        self.weights = weights
    }
}

extension BatchCheck {
    /// `FIELD OP FIELD-or-VALUE` (a consistency rule), e.g. `total >= 0` or `status == 'paid'`.
    package static func comparison(_ text: String) throws -> Comparison {
        for op in [">=", "<=", "==", "!=", ">", "<"] {
            guard let r = text.range(of: " \(op) ") else { continue }
            let left = text[..<r.lowerBound].trimmingCharacters(in: .whitespaces)
            var right = text[r.upperBound...].trimmingCharacters(in: .whitespaces)
            guard !left.isEmpty, !right.isEmpty else { break }
            var literal = Double(right) != nil
            if right.count >= 2, (right.hasPrefix("'") && right.hasSuffix("'")) || (right.hasPrefix("\"") && right.hasSuffix("\"")) {
                right = String(right.dropFirst().dropLast())
                literal = true
            }
            return Comparison(left: left, op: op, right: right, rightIsLiteral: literal, text: text)
        }
        throw StewardError.invalidArgument(field: nil, message: "'\(text)' is not FIELD OP FIELD-or-VALUE (ops: == != > >= < <=, spaces around)")
    }
}
