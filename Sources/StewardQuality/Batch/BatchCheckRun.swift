import Foundation
import Steward

/// The outcome of a batch check, in the shape `steward quality check --json` prints.
public struct BatchCheckResult: Sendable, Encodable, Equatable {
    /// One field's completeness.
    public struct FieldCompleteness: Sendable, Encodable, Equatable {
        /// Records where the field is present and not null.
        public var complete: Int
        /// `complete / records`.
        public var rate: Double
    }

    /// Completeness over the required fields.
    public struct Completeness: Sendable, Encodable, Equatable {
        /// The mean rate over the required fields (1 when there are none).
        public var overall: Double
        /// Per field.
        public var fields: [String: FieldCompleteness]
        /// `overall >= threshold`.
        public var passed: Bool
    }

    /// Accuracy or consistency.
    public struct Dimension: Sendable, Encodable, Equatable {
        /// `1 - issues / records`, at least 0.
        public var rate: Double
        /// Rule violations (accuracy) or duplicated key values and broken cross-field rules (consistency).
        public var issues: Int
        /// `rate >= threshold`.
        public var passed: Bool
        /// The first few issues, in words.
        public var examples: [String]
    }

    /// Records read.
    public var records: Int
    /// Completeness.
    public var completeness: Completeness
    /// Accuracy.
    public var accuracy: Dimension
    /// Consistency.
    public var consistency: Dimension
    /// The weighted sum of the three rates.
    public var overallScore: Double
    /// Whether all three passed.
    public var passedAll: Bool

    enum CodingKeys: String, CodingKey {
        case records, completeness, accuracy, consistency, overallScore = "overall_score", passedAll = "passed_all"
    }
}

extension BatchCheck {
    /// Reads `input` (or the check's own file) to its end and computes the result.
    public func run(input: String? = nil) throws -> BatchCheckResult {
        // Every column the check looks at, once; rules address them by position.
        var columns: [String] = []
        func column(_ name: String) -> Int {
            if let i = columns.firstIndex(of: name) { return i }
            columns.append(name)
            return columns.count - 1
        }
        let requiredColumns = requiredFields.map(column)
        let ruleColumns = accuracy.map { column($0.field) }
        let uniqueColumns = unique.map(column)
        let comparisonColumns = rules.map { (column($0.left), $0.rightIsLiteral ? nil : column($0.right)) }
        let literals = rules.map { (bytes: Array($0.right.utf8), number: $0.rightIsLiteral ? Double($0.right) : nil) }
        let allowed = accuracy.map { rule -> [[UInt8]] in
            if case .allowed(_, let values) = rule { return values.map { Array($0.utf8) } }
            return []
        }
        let simple = accuracy.map { rule -> SimplePattern? in
            if case .pattern(_, let p) = rule { return SimplePattern(p) }
            return nil
        }
        let patterns = try accuracy.map { rule -> NSRegularExpression? in
            if case .pattern(_, let p) = rule { return try NSRegularExpression(pattern: "\\A(?:\(p))\\z") }
            return nil
        }
        var scanner = try BatchScanner(path: input ?? self.path, columns: columns)
        var records = 0
        var completeCounts = Array(repeating: 0, count: requiredFields.count)
        var violations = 0
        var accuracyExamples: [String] = []
        var ruleIssues = 0
        var consistencyExamples: [String] = []
        // Per unique field: value hash -> occurrences (capped at 2: duplicated or not).
        var seen = Array(repeating: [Int: UInt8](), count: unique.count)
        var duplicated = Array(repeating: 0, count: unique.count)
        while try scanner.next() {
            records += 1
            for (k, c) in requiredColumns.enumerated() where scanner.withField(c, { $0 != nil }) { completeCounts[k] += 1 }
            for (i, rule) in accuracy.enumerated() {
                let broken = scanner.withField(ruleColumns[i]) { bytes -> Bool in
                    guard let bytes else { return false }
                    return !Self.conforms(rule, bytes, allowed: allowed[i], simple: simple[i], regex: patterns[i])
                }
                guard broken else { continue }
                violations += 1
                if accuracyExamples.count < maxExamples, let value = scanner.text(ruleColumns[i]) {
                    accuracyExamples.append("record \(records): \(rule.field) \(Self.violation(rule, value, patterns[i]) ?? "breaks its rule")")
                }
            }
            for (u, c) in uniqueColumns.enumerated() {
                guard let key = scanner.withField(c, { $0.map(FieldBytes.hash) }) else { continue }
                let count = seen[u][key, default: 0]
                if count == 1 {
                    duplicated[u] += 1
                    if consistencyExamples.count < maxExamples {
                        consistencyExamples.append("record \(records): \(unique[u]) '\(scanner.text(c) ?? "")' is not unique")
                    }
                }
                if count < 2 { seen[u][key] = count + 1 }
            }
            for (r, rule) in rules.enumerated() {
                let (left, right) = comparisonColumns[r]
                let fails = scanner.withField(left) { l -> Bool in
                    guard let l else { return false }
                    if let right {
                        return scanner.withField(right) { r in r.map { !Self.holds(l, rule.op, $0, rightNumber: nil) } ?? false }
                    }
                    return literals[r].bytes.withUnsafeBufferPointer { !Self.holds(l, rule.op, $0, rightNumber: literals[r].number) }
                }
                guard fails else { continue }
                ruleIssues += 1
                if consistencyExamples.count < maxExamples {
                    let l = scanner.text(left) ?? ""
                    let rv = right.flatMap { scanner.text($0) } ?? rule.right
                    consistencyExamples.append("record \(records): \(rule.text) fails (\(l) vs \(rv))")
                }
            }
        }
        let complete = Dictionary(zip(requiredFields, completeCounts).map { ($0, $1) }, uniquingKeysWith: { a, _ in a })
        let n = Double(max(records, 1))
        let fields = complete.mapValues { BatchCheckResult.FieldCompleteness(complete: $0, rate: records == 0 ? 0 : Double($0) / n) }
        let overall = requiredFields.isEmpty ? 1 : fields.values.map(\.rate).reduce(0, +) / Double(requiredFields.count)
        let accuracyRate = records == 0 ? 1 : max(0, 1 - Double(violations) / n)
        let consistencyIssues = duplicated.reduce(0, +) + ruleIssues
        let consistencyRate = records == 0 ? 1 : max(0, 1 - Double(consistencyIssues) / n)
        let completeness = BatchCheckResult.Completeness(overall: overall, fields: fields, passed: overall >= thresholds.completeness)
        let acc = BatchCheckResult.Dimension(rate: accuracyRate, issues: violations, passed: accuracyRate >= thresholds.accuracy, examples: accuracyExamples)
        let con = BatchCheckResult.Dimension(
            rate: consistencyRate, issues: consistencyIssues, passed: consistencyRate >= thresholds.consistency, examples: consistencyExamples)
        return BatchCheckResult(
            records: records, completeness: completeness, accuracy: acc, consistency: con,
            overallScore: weights.completeness * overall + weights.accuracy * accuracyRate + weights.consistency * consistencyRate,
            passedAll: completeness.passed && acc.passed && con.passed)
    }

    /// Whether present bytes keep `rule` (the hot path; `violation` words an example).
    static func conforms(
        _ rule: Rule, _ bytes: UnsafeBufferPointer<UInt8>, allowed: [[UInt8]], simple: SimplePattern?, regex: NSRegularExpression?
    ) -> Bool {
        switch rule {
        case .allowed: return allowed.contains { $0.withUnsafeBufferPointer { FieldBytes.compare($0, bytes) == 0 } }
        case .range(_, let lo, let hi):
            guard let x = FieldBytes.double(bytes), x.isFinite else { return false }
            if let lo, x < lo { return false }
            if let hi, x > hi { return false }
            return true
        case .type(_, let type):
            switch type {
            case "int": return FieldBytes.int64(bytes) != nil
            case "float": return FieldBytes.double(bytes).map(\.isFinite) ?? false
            default: return violation(rule, String(decoding: bytes, as: UTF8.self), regex) == nil
            }
        case .pattern:
            if let simple, let matched = simple.matches(bytes) { return matched }
            return violation(rule, String(decoding: bytes, as: UTF8.self), regex) == nil
        }
    }

    /// `left op right` on field bytes: as numbers when both are, else in byte order (the order of
    /// Unicode scalars; ISO 8601 dates order as text).
    static func holds(_ left: UnsafeBufferPointer<UInt8>, _ op: String, _ right: UnsafeBufferPointer<UInt8>, rightNumber: Double?) -> Bool {
        let order: Int
        if let a = FieldBytes.double(left), let b = rightNumber ?? FieldBytes.double(right) {
            order = a < b ? -1 : a > b ? 1 : 0
        } else {
            order = FieldBytes.compare(left, right)
        }
        switch op {
        case "==": return order == 0
        case "!=": return order != 0
        case ">": return order > 0
        case ">=": return order >= 0
        case "<": return order < 0
        default: return order <= 0
        }
    }

    /// Why `value` breaks `rule`, or `nil`.
    static func violation(_ rule: Rule, _ value: String, _ regex: NSRegularExpression?) -> String? {
        switch rule {
        case .allowed(_, let values):
            return values.contains(value) ? nil : "'\(value)' is not one of \(values.joined(separator: ", "))"
        case .range(_, let lo, let hi):
            guard let x = Double(value), x.isFinite else { return "'\(value)' is not a number" }
            if let lo, x < lo { return "\(value) is below \(lo)" }
            if let hi, x > hi { return "\(value) is above \(hi)" }
            return nil
        case .pattern(_, let p):
            let range = NSRange(value.startIndex..., in: value)
            return regex?.firstMatch(in: value, range: range) != nil ? nil : "'\(value)' does not match \(p)"
        case .type(_, let type):
            let ok: Bool
            switch type {
            case "int": ok = Int64(value) != nil
            case "float": ok = Double(value).map(\.isFinite) ?? false
            case "bool": ok = ["true", "false"].contains(value.lowercased())
            case "date": ok = Date(iso8601: value) != nil || Date(iso8601: value + "T00:00:00Z") != nil
            default: ok = true
            }
            return ok ? nil : "'\(value)' is not \(type == "int" ? "an" : "a") \(type)"
        }
    }
}
