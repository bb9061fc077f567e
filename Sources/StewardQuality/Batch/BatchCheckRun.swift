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
        let path = input ?? self.path
        var reader = try BatchRecordReader(path: path)
        var records = 0
        var complete = Dictionary(uniqueKeysWithValues: requiredFields.map { ($0, 0) })
        var violations = 0
        var accuracyExamples: [String] = []
        var ruleIssues = 0
        var consistencyExamples: [String] = []
        // Per unique field: value hash -> occurrences (capped at 2: duplicated or not).
        var seen = Dictionary(uniqueKeysWithValues: unique.map { ($0, [Int: UInt8]()) })
        var duplicated = Dictionary(uniqueKeysWithValues: unique.map { ($0, 0) })
        let patterns = try accuracy.map { rule -> NSRegularExpression? in
            if case .pattern(_, let p) = rule { return try NSRegularExpression(pattern: "^(?:\(p))$") }
            return nil
        }
        while let record = try reader.next() {
            records += 1
            for f in requiredFields where record[f] != nil { complete[f]! += 1 }
            for (i, rule) in accuracy.enumerated() {
                guard let value = record[rule.field] else { continue }
                if let why = Self.violation(rule, value, patterns[i]) {
                    violations += 1
                    if accuracyExamples.count < maxExamples { accuracyExamples.append("record \(records): \(rule.field) \(why)") }
                }
            }
            for f in unique {
                guard let value = record[f] else { continue }
                let key = value.hashValue
                let count = seen[f]![key, default: 0]
                if count == 1 {
                    duplicated[f]! += 1
                    if consistencyExamples.count < maxExamples { consistencyExamples.append("record \(records): \(f) '\(value)' is not unique") }
                }
                if count < 2 { seen[f]![key] = count + 1 }
            }
            for rule in rules {
                guard let left = record[rule.left] else { continue }
                let right = rule.rightIsLiteral ? rule.right : record[rule.right]
                guard let right, !Self.holds(left, rule.op, right) else { continue }
                ruleIssues += 1
                if consistencyExamples.count < maxExamples { consistencyExamples.append("record \(records): \(rule.text) fails (\(left) vs \(right))") }
            }
        }
        let n = Double(max(records, 1))
        let fields = complete.mapValues { BatchCheckResult.FieldCompleteness(complete: $0, rate: records == 0 ? 0 : Double($0) / n) }
        let overall = requiredFields.isEmpty ? 1 : fields.values.map(\.rate).reduce(0, +) / Double(requiredFields.count)
        let accuracyRate = records == 0 ? 1 : max(0, 1 - Double(violations) / n)
        let consistencyIssues = duplicated.values.reduce(0, +) + ruleIssues
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

    /// `left op right`: as numbers when both are, else as text (ISO 8601 dates order as text).
    static func holds(_ left: String, _ op: String, _ right: String) -> Bool {
        let order: ComparisonResult
        if let a = Double(left), let b = Double(right) {
            order = a < b ? .orderedAscending : a > b ? .orderedDescending : .orderedSame
        } else {
            order = left < right ? .orderedAscending : left > right ? .orderedDescending : .orderedSame
        }
        switch op {
        case "==": return order == .orderedSame
        case "!=": return order != .orderedSame
        case ">": return order == .orderedDescending
        case ">=": return order != .orderedAscending
        case "<": return order == .orderedAscending
        default: return order != .orderedDescending
        }
    }
}

/// Streams records of a CSV (header row; an empty field is null) or JSON Lines file (`.jsonl`,
/// `.ndjson`; JSON null is null) as field -> text.
struct BatchRecordReader {
    let handle: FileHandle
    let json: Bool
    var header: [String] = []
    var buffer: [UInt8] = []
    var position = 0
    var finished = false

    init(path: String) throws {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw StewardError.invalidArgument("input: cannot read '\(path)'")
        }
        self.handle = handle
        json = path.hasSuffix(".jsonl") || path.hasSuffix(".ndjson")
        if !json {
            guard let line = try nextLine() else { return }
            header = FileSource.splitCSV(line.hasPrefix("\u{FEFF}") ? String(line.dropFirst()) : line)
                .map { $0.trimmingCharacters(in: .whitespaces) }
        }
    }

    /// The next line (a quoted CSV field may hold newlines), without its line break.
    mutating func nextLine() throws -> String? {
        var line: [UInt8] = []
        var quotes = 0
        while true {
            if position >= buffer.count {
                if finished { break }
                let chunk = handle.readData(ofLength: 1 << 20)
                if chunk.isEmpty { finished = true; break }
                buffer = Array(chunk)
                position = 0
            }
            let byte = buffer[position]
            position += 1
            if byte == UInt8(ascii: "\n"), json || quotes % 2 == 0 {
                if line.last == UInt8(ascii: "\r") { line.removeLast() }
                return String(decoding: line, as: UTF8.self)
            }
            if byte == UInt8(ascii: "\"") { quotes += 1 }
            line.append(byte)
        }
        return line.isEmpty ? nil : String(decoding: line, as: UTF8.self)
    }

    mutating func next() throws -> [String: String]? {
        while let line = try nextLine() {
            if line.trimmingCharacters(in: .whitespaces).isEmpty { continue }
            if json {
                guard case .object(let o)? = JSONValue(parsing: line) else {
                    throw StewardError.invalidArgument("input: a line is not a JSON object: \(line.prefix(80))")
                }
                var record: [String: String] = [:]
                for (k, v) in o {
                    switch v {
                    case .null: continue
                    case .string(let s): record[k] = s
                    default: record[k] = v.description
                    }
                }
                return record
            }
            let fields = FileSource.splitCSV(line)
            var record: [String: String] = [:]
            for (i, name) in header.enumerated() where i < fields.count && !fields[i].isEmpty { record[name] = fields[i] }
            return record
        }
        return nil
    }
}
