import Foundation
import StewardSupport

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
    /// Whether all three passed and no field the check names is missing.
    public var passedAll: Bool
    /// JSON Lines: fields the check names that no record had (a CSV header without one is an
    /// error before reading); the check fails when any is listed.
    public var missingFields: [String]

    enum CodingKeys: String, CodingKey {
        case records, completeness, accuracy, consistency, overallScore = "overall_score", passedAll = "passed_all"
        case missingFields = "missing_fields"
    }
}

extension BatchCheck {
    /// Reads `input` (or the check's own file) to its end and computes the result.
    public func run(input: String? = nil) throws -> BatchCheckResult {
        // Every column the check looks at, once; rules address them by position.
        var columns: [String] = []
        var namedIn: [String] = []  // where the check names each column, for errors
        func column(_ name: String, _ section: String) -> Int {
            if let i = columns.firstIndex(of: name) { return i }
            columns.append(name)
            namedIn.append(section)
            return columns.count - 1
        }
        let requiredColumns = requiredFields.map { column($0, "required_fields") }
        let ruleColumns = accuracy.map { column($0.field, "accuracy") }
        let uniqueColumns = unique.map { column($0, "consistency unique") }
        let comparisonColumns = rules.map {
            (left: column($0.left, "consistency rule '\($0.text)'"), right: $0.rightIsLiteral ? -1 : column($0.right, "consistency rule '\($0.text)'"))
        }
        // The rules with their texts laid out flat, so the loop below touches no reference-counted value.
        var flat: [UInt8] = []
        func span(_ text: String) -> (Int, Int) {
            let start = flat.count
            flat.append(contentsOf: text.utf8)
            return (start, flat.count - start)
        }
        var allowedSpans: [(Int, Int)] = []
        var simple: [SimplePattern?] = []
        var regexes: [NSRegularExpression?] = []
        let compiled = try accuracy.map { rule -> CompiledRule in
            switch rule {
            case .allowed(_, let values):
                let first = allowedSpans.count
                allowedSpans += values.map(span)
                return .allowed(first: first, count: values.count)
            case .range(_, let lo, let hi): return .range(lo ?? -.infinity, hi ?? .infinity)
            case .type(_, "int"): return .int
            case .type(_, "float"): return .float
            case .type: return .other
            case .pattern(_, let p):
                simple.append(SimplePattern(p))
                regexes.append(try NSRegularExpression(pattern: "\\A(?:\(p))\\z"))
                return .pattern(simple.count - 1)
            }
        }
        let literals = rules.map { rule in (span: span(rule.right), number: rule.rightIsLiteral ? Double(rule.right) : nil) }
        let ops = rules.map { Self.opCode($0.op) }
        var scanner = try BatchScanner(path: input ?? self.path, columns: columns, maxRecordBytes: maxRecordBytes)
        // A field the header does not have would pass every rule unseen: refuse it, naming it.
        if !scanner.isJSON, !scanner.header.isEmpty, let i = columns.indices.first(where: { !scanner.header.contains(columns[$0]) }) {
            throw StewardError.invalidArgument(
                field: namedIn[i], message: "check '\(name)': \(namedIn[i]) names field '\(columns[i])', which is not a column of \(input ?? self.path)"
                    + "\(Spelling.didYouMean(columns[i], in: scanner.header)) (columns: \(scanner.header.joined(separator: ", ")))")
        }
        var records = 0
        var completeCounts = Array(repeating: 0, count: requiredFields.count)
        var violations = 0
        var accuracyExamples: [String] = []
        var ruleIssues = 0
        var consistencyExamples: [(record: Int, text: String)] = []
        // Per unique field: repeated values, found in bounded memory (see UniqueCounter).
        var seen = Array(repeating: UniqueCounter(maxSlots: uniqueTableSlots), count: unique.count)
        var duplicated = Array(repeating: 0, count: unique.count)
        try flat.withUnsafeBufferPointer { flat in
            func bytes(_ s: (Int, Int)) -> UnsafeBufferPointer<UInt8> { UnsafeBufferPointer(rebasing: flat[s.0..<(s.0 + s.1)]) }
            while try scanner.next() {
                records += 1
                try scanner.withRecord { record in
                    for k in 0..<requiredColumns.count where record.field(requiredColumns[k]) != nil { completeCounts[k] += 1 }
                    for i in 0..<compiled.count {
                        guard let value = record.field(ruleColumns[i]) else { continue }
                        let ok: Bool
                        switch compiled[i] {
                        case .allowed(let first, let count):
                            ok = (first..<(first + count)).contains { FieldBytes.compare(bytes(allowedSpans[$0]), value) == 0 }
                        case .range(let lo, let hi):
                            ok = FieldBytes.double(value).map { $0.isFinite && $0 >= lo && $0 <= hi } ?? false
                        case .int: ok = FieldBytes.int64(value) != nil
                        case .float: ok = FieldBytes.double(value)?.isFinite ?? false
                        case .pattern(let k):
                            ok = simple[k]?.matches(value) ?? Self.matches(regexes[k], String(decoding: value, as: UTF8.self))
                        case .other: ok = Self.violation(accuracy[i], String(decoding: value, as: UTF8.self), nil) == nil
                        }
                        guard !ok else { continue }
                        violations += 1
                        if accuracyExamples.count < maxExamples {
                            let rule = accuracy[i]
                            let regex: NSRegularExpression? = if case .pattern(let k) = compiled[i] { regexes[k] } else { nil }
                            let why = Self.violation(rule, String(decoding: value, as: UTF8.self), regex) ?? "breaks its rule"
                            accuracyExamples.append("record \(records): \(rule.field) \(why)")
                        }
                    }
                    for u in 0..<uniqueColumns.count {
                        guard let value = record.field(uniqueColumns[u]) else { continue }
                        guard try seen[u].add(FieldBytes.hash(value), record: records) else { continue }
                        duplicated[u] += 1
                        if consistencyExamples.count < maxExamples {
                            consistencyExamples.append((records, "record \(records): \(unique[u]) '\(String(decoding: value, as: UTF8.self))' is not unique"))
                        }
                    }
                    for r in 0..<comparisonColumns.count {
                        let (left, right) = comparisonColumns[r]
                        guard let l = record.field(left) else { continue }
                        let holds: Bool
                        if right >= 0 {
                            guard let rv = record.field(right) else { continue }
                            holds = Self.holds(l, ops[r], rv, rightNumber: nil)
                        } else {
                            holds = Self.holds(l, ops[r], bytes(literals[r].span), rightNumber: literals[r].number)
                        }
                        guard !holds else { continue }
                        ruleIssues += 1
                        if consistencyExamples.count < maxExamples {
                            let rv = right >= 0 ? record.text(right) ?? "" : rules[r].right
                            consistencyExamples.append((records, "record \(records): \(rules[r].text) fails (\(String(decoding: l, as: UTF8.self)) vs \(rv))"))
                        }
                    }
                }
            }
        }
        // Repeats found among spilled values; their examples need the values, read again from
        // the file only when they come early enough to be shown.
        var late: [(record: Int, field: Int)] = []
        for u in 0..<unique.count {
            let found = try seen[u].finish()
            duplicated[u] += found.count
            late += found.prefix(maxExamples).map { ($0, u) }
        }
        late.sort { $0.record < $1.record }
        let shown = (consistencyExamples.map { ($0.record, $0.text as String?, -1) } + late.map { ($0.record, nil as String?, $0.field) })
            .sorted { $0.0 < $1.0 }.prefix(maxExamples)
        if shown.contains(where: { $0.1 == nil }) {
            var wanted = Dictionary(grouping: shown.filter { $0.1 == nil }, by: \.0).mapValues { $0.map(\.2) }
            var texts: [Int: [Int: String]] = [:]
            var again = try BatchScanner(path: input ?? self.path, columns: columns, maxRecordBytes: maxRecordBytes)
            var n = 0
            while !wanted.isEmpty, try again.next() {
                n += 1
                guard let fields = wanted.removeValue(forKey: n) else { continue }
                again.withRecord { record in
                    for u in fields { texts[n, default: [:]][u] = record.text(uniqueColumns[u]) ?? "" }
                }
            }
            consistencyExamples = shown.map { row in
                (row.0, row.1 ?? "record \(row.0): \(unique[row.2]) '\(texts[row.0]?[row.2] ?? "")' is not unique")
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
            rate: consistencyRate, issues: consistencyIssues, passed: consistencyRate >= thresholds.consistency, examples: consistencyExamples.map(\.text))
        let missing = scanner.isJSON && records > 0 ? columns.indices.filter { !scanner.seen[$0] }.map { columns[$0] }.sorted() : []
        return BatchCheckResult(
            records: records, completeness: completeness, accuracy: acc, consistency: con,
            overallScore: weights.completeness * overall + weights.accuracy * accuracyRate + weights.consistency * consistencyRate,
            passedAll: completeness.passed && acc.passed && con.passed && missing.isEmpty, missingFields: missing)
    }

    /// An accuracy rule as the loop evaluates it.
    enum CompiledRule {
        case allowed(first: Int, count: Int)
        case range(Double, Double)
        case int, float, other
        case pattern(Int)
    }

    static func matches(_ regex: NSRegularExpression?, _ value: String) -> Bool {
        regex?.firstMatch(in: value, range: NSRange(value.startIndex..., in: value)) != nil
    }

    /// `==`, `!=`, `>`, `>=`, `<`, `<=` as 0…5.
    static func opCode(_ op: String) -> Int { ["==", "!=", ">", ">=", "<", "<="].firstIndex(of: op) ?? 5 }

    /// `left op right` on field bytes: as numbers when both are, else in byte order (the order of
    /// Unicode scalars; ISO 8601 dates order as text).
    static func holds(_ left: UnsafeBufferPointer<UInt8>, _ op: Int, _ right: UnsafeBufferPointer<UInt8>, rightNumber: Double?) -> Bool {
        let order: Int
        if let a = FieldBytes.double(left), let b = rightNumber ?? FieldBytes.double(right) {
            order = a < b ? -1 : a > b ? 1 : 0
        } else {
            order = FieldBytes.compare(left, right)
        }
        switch op {
        case 0: return order == 0
        case 1: return order != 0
        case 2: return order > 0
        case 3: return order >= 0
        case 4: return order < 0
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
