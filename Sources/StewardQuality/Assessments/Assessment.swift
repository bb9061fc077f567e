import Foundation

/// A pass/fail rule for a measure's value: `>x`, `>=x`, `<x`, `<=x`, `==x`, `!=x`, the ranges
/// `(a, b)`, `[a, b]`, `(a, b]`, `[a, b)`, or a Swift closure. A null value fails.
public struct Assessment: Sendable, CustomStringConvertible {
    enum Rule: Sendable {
        case compare(String, Double)
        case range(low: Double, lowClosed: Bool, high: Double, highClosed: Bool)
        case closure(@Sendable (MeasureResult) -> Bool)
    }
    let rule: Rule
    /// The text it was parsed from (or `<closure>`).
    public let source: String

    public var description: String { source }

    /// A custom rule.
    public init(_ label: String = "<closure>", _ passes: @escaping @Sendable (MeasureResult) -> Bool) {
        rule = .closure(passes)
        source = label
    }

    /// Parses `text`; anything else than the forms above is an error that quotes it.
    public init(parsing text: String) throws {
        source = text
        let t = text.trimmingCharacters(in: .whitespaces)
        func number(_ s: Substring) throws -> Double {
            let trimmed = s.trimmingCharacters(in: .whitespaces)
            guard !trimmed.isEmpty, let v = Double(trimmed), v.isFinite,
                trimmed.allSatisfy({ $0.isNumber || "+-.eE".contains($0) })
            else { throw AssessmentError(text: text, reason: "'\(trimmed)' is not a number") }
            return v
        }
        for op in [">=", "<=", "==", "!=", ">", "<"] where t.hasPrefix(op) {
            rule = .compare(op, try number(t.dropFirst(op.count)))
            return
        }
        guard let first = t.first, let last = t.last, "([".contains(first), ")]".contains(last), t.count >= 2 else {
            throw AssessmentError(
                text: text, reason: "expected >x, >=x, <x, <=x, ==x, !=x or a range such as (a, b) or [a, b]")
        }
        let inner = t.dropFirst().dropLast()
        let parts = inner.split(separator: ",", omittingEmptySubsequences: false)
        guard parts.count == 2 else { throw AssessmentError(text: text, reason: "a range needs two numbers separated by a comma") }
        let (a, b) = (try number(parts[0]), try number(parts[1]))
        let (lowClosed, highClosed) = (first == "[", last == "]")
        if lowClosed && highClosed ? a > b : a >= b {
            throw AssessmentError(
                text: text, reason: "the range is empty: needs low < high (low <= high when both ends are closed)")
        }
        rule = .range(low: a, lowClosed: lowClosed, high: b, highClosed: highClosed)
    }

    /// Whether `value` passes; null (or a non-numeric value under a numeric rule) fails.
    public func passes(_ value: MeasureResult) -> Bool {
        switch rule {
        case .closure(let f): return f(value)
        case .compare(let op, let x):
            guard let v = value.number else { return false }
            switch op {
            case ">": return v > x
            case ">=": return v >= x
            case "<": return v < x
            case "<=": return v <= x
            case "==": return v == x
            default: return v != x
            }
        case .range(let a, let lc, let b, let hc):
            guard let v = value.number else { return false }
            return (lc ? v >= a : v > a) && (hc ? v <= b : v < b)
        }
    }
}

/// An assessment text that cannot be used.
public struct AssessmentError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The text as given.
    public var text: String
    /// What is wrong.
    public var reason: String
    public var description: String { "assessment '\(text)': \(reason)" }
}
