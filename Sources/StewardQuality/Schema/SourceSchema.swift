import Foundation

/// The declared columns of a source and how its event time is read.
public struct SourceSchema: Sendable {
    /// A column's declared type.
    public enum ColumnType: String, Sendable {
        case int, float, string, bool, time
    }

    /// One declared column.
    public struct Column: Sendable {
        /// The column's name.
        public var name: String
        /// Its declared type.
        public var type: ColumnType
        /// `type?` in the configuration: an empty field is null, not a violation.
        public var nullable: Bool
        /// Smallest allowed number.
        public var min: Double?
        /// Largest allowed number.
        public var max: Double?
        /// The only values allowed.
        public var allowed: [QualityValue]?
        /// An anchored regular expression values must match.
        public var pattern: String?
        var regex: AnchoredRegex?
        var hasConstraints: Bool { min != nil || max != nil || allowed != nil || regex != nil }

        /// Creates a column.
        public init(
            _ name: String, _ type: ColumnType, nullable: Bool = false, min: Double? = nil, max: Double? = nil,
            allowed: [QualityValue]? = nil, pattern: String? = nil
        ) throws {
            self.name = name
            self.type = type
            self.nullable = nullable
            self.min = min
            self.max = max
            self.allowed = allowed?.map(\.normalized)
            self.pattern = pattern
            regex = try pattern.map { try AnchoredRegex($0) }
        }
    }

    /// How the time column's text becomes an instant.
    public enum TimeFormat: Sendable {
        /// Integer or fractional seconds since the epoch (results print numbers).
        case epochSeconds
        /// ISO 8601 (results print ISO 8601).
        case iso8601
        /// A `DateFormatter` pattern, read in UTC (results print ISO 8601).
        case pattern(String)
    }

    /// The columns, in order (rows hold values in this order).
    public var columns: [Column]
    /// The event-time column.
    public var timeColumn: String
    /// How it is read.
    public var timeFormat: TimeFormat
    /// Whether constraints or non-nullable columns are checked (then records carry `_schema_errors`).
    public var validates: Bool

    /// Creates a schema; the time column must be one of `columns`.
    public init(columns: [Column], timeColumn: String, timeFormat: TimeFormat = .epochSeconds, validates: Bool = true) throws {
        guard columns.contains(where: { $0.name == timeColumn }) else {
            throw QualityError.config("time column '\(timeColumn)' is not among the columns (\(columns.map(\.name).joined(separator: ", ")))")
        }
        var seen = Set<String>()
        for c in columns where !seen.insert(c.name).inserted {
            throw QualityError.config("column '\(c.name)' declared twice")
        }
        self.columns = columns
        self.timeColumn = timeColumn
        self.timeFormat = timeFormat
        self.validates = validates
        indexByName = Dictionary(uniqueKeysWithValues: columns.enumerated().map { ($1.name, $0) })
        timeIndex = indexByName[timeColumn]!
    }

    private let indexByName: [String: Int]
    /// Position of the time column.
    public let timeIndex: Int

    /// Position of a column, or `nil`.
    public func index(of name: String) -> Int? { indexByName[name] }

    var isoTime: Bool {
        if case .epochSeconds = timeFormat { return false }
        return true
    }

    /// Converts one cell's text; returns the value and a violation, if any.
    func convert(_ text: Substring, column c: Column) -> (QualityValue, String?) {
        var s = text
        return s.withUTF8 { convert(bytes: $0, column: c) }
    }

    /// Converts one cell's UTF-8 bytes (the CSV fast path: no intermediate strings for numbers).
    func convert(bytes: UnsafeBufferPointer<UInt8>, column c: Column) -> (QualityValue, String?) {
        if bytes.isEmpty {
            return (.null, c.nullable ? nil : "column '\(c.name)': empty value in a non-nullable column")
        }
        func raw() -> String { String(decoding: bytes, as: UTF8.self) }
        let value: QualityValue
        switch c.type {
        case .int:
            guard let v = FastNumber.int(bytes) ?? Int64(raw()) else { return (.string(raw()), "column '\(c.name)': '\(raw())' is not an int") }
            value = .int(v)
        case .float:
            guard let v = FastNumber.double(bytes) ?? Double(raw()) else {
                return (.string(raw()), "column '\(c.name)': '\(raw())' is not a float")
            }
            value = .double(v)
        case .bool:
            switch raw().lowercased() {
            case "true", "1", "yes": value = .bool(true)
            case "false", "0", "no": value = .bool(false)
            default: return (.string(raw()), "column '\(c.name)': '\(raw())' is not a bool")
            }
        case .string:
            value = .string(raw())
        case .time:
            let text = raw()
            guard let t = parseTime(Substring(text)) else { return (.string(text), "column '\(c.name)': '\(text)' is not a time") }
            value = isoTime ? .string(text) : .double(t)
        }
        guard c.hasConstraints else { return (value, nil) }
        return (value, check(value, c))
    }

    /// Constraint violations of a typed value.
    func check(_ value: QualityValue, _ c: Column) -> String? {
        if let lo = c.min, let x = value.number, x < lo { return "column '\(c.name)': \(x) is below the minimum \(lo)" }
        if let hi = c.max, let x = value.number, x > hi { return "column '\(c.name)': \(x) is above the maximum \(hi)" }
        if let allowed = c.allowed, !allowed.contains(value.normalized) {
            return "column '\(c.name)': '\(value)' is not one of the allowed values"
        }
        if let r = c.regex, let s = value.text, !r.matches(s) { return "column '\(c.name)': '\(s)' does not match /\(c.pattern!)/" }
        return nil
    }

    /// The event time of the time column's text.
    func parseTime(_ text: Substring) -> Double? {
        switch timeFormat {
        case .epochSeconds: return Double(text)
        case .iso8601: return QualityTime.parseISO(String(text))
        case .pattern(let p):
            let f = DateFormatter()
            f.locale = Locale(identifier: "en_US_POSIX")
            f.timeZone = TimeZone(identifier: "UTC")
            f.dateFormat = p
            return f.date(from: String(text))?.timeIntervalSince1970
        }
    }
}
