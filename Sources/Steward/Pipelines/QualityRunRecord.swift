import Foundation

/// One stored run of a batch data check (`steward quality check`, or a `quality` job): its rates
/// and the whole result (docs/quality.md).
public struct QualityRunRecord: Codable, Sendable, Equatable {
    /// Store-assigned id (0 before it is stored).
    public var id: Int64
    /// The check's name.
    public var check: String
    /// When it ran.
    public var at: Date
    /// Records read.
    public var records: Int64
    /// Overall completeness rate.
    public var completeness: Double
    /// Accuracy rate.
    public var accuracy: Double
    /// Consistency rate.
    public var consistency: Double
    /// The weighted score.
    public var overallScore: Double
    /// Whether all three passed.
    public var passedAll: Bool
    /// The whole result as JSON (`quality check --json`).
    public var result: String

    /// Creates a record.
    public init(
        id: Int64 = 0, check: String, at: Date, records: Int64, completeness: Double, accuracy: Double, consistency: Double,
        overallScore: Double, passedAll: Bool, result: String
    ) {
        self.id = id
        self.check = check
        self.at = at
        self.records = records
        self.completeness = completeness
        self.accuracy = accuracy
        self.consistency = consistency
        self.overallScore = overallScore
        self.passedAll = passedAll
        self.result = result
    }

    enum CodingKeys: String, CodingKey {
        case id, check, at, records, completeness, accuracy, consistency
        case overallScore = "overall_score"
        case passedAll = "passed_all"
    }

    /// The run without its full result (the rates are in it).
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(check, forKey: .check)
        try c.encode(at, forKey: .at)
        try c.encode(records, forKey: .records)
        try c.encode(completeness, forKey: .completeness)
        try c.encode(accuracy, forKey: .accuracy)
        try c.encode(consistency, forKey: .consistency)
        try c.encode(overallScore, forKey: .overallScore)
        try c.encode(passedAll, forKey: .passedAll)
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            id: try c.decode(Int64.self, forKey: .id), check: try c.decode(String.self, forKey: .check), at: try c.decode(Date.self, forKey: .at),
            records: try c.decode(Int64.self, forKey: .records), completeness: try c.decode(Double.self, forKey: .completeness),
            accuracy: try c.decode(Double.self, forKey: .accuracy), consistency: try c.decode(Double.self, forKey: .consistency),
            overallScore: try c.decode(Double.self, forKey: .overallScore), passedAll: try c.decode(Bool.self, forKey: .passedAll), result: "{}")
    }
}

/// `steward quality report NAME --json`: the latest run, the change of each rate since the run
/// before it, and the number of runs and their average score (over `--last N` runs, or all).
public struct QualityReport: Encodable, Sendable, Equatable {
    /// Rate changes, latest minus previous (`null` with no previous run).
    public struct Change: Encodable, Sendable, Equatable {
        /// Completeness change.
        public var completeness: Double?
        /// Accuracy change.
        public var accuracy: Double?
        /// Consistency change.
        public var consistency: Double?
        /// Score change.
        public var overallScore: Double?

        enum CodingKeys: String, CodingKey {
            case completeness, accuracy, consistency
            case overallScore = "overall_score"
        }

        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(completeness, forKey: .completeness)
            try c.encode(accuracy, forKey: .accuracy)
            try c.encode(consistency, forKey: .consistency)
            try c.encode(overallScore, forKey: .overallScore)
        }
    }
    /// The check.
    public var check: String
    /// How many runs (in the window).
    public var runs: Int
    /// Their average score.
    public var averageScore: Double
    /// The newest run.
    public var latest: QualityRunRecord
    /// The one before it.
    public var previous: QualityRunRecord?
    /// Latest minus previous.
    public var change: Change

    enum CodingKeys: String, CodingKey {
        case check, runs, latest, previous, change
        case averageScore = "average_score"
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(check, forKey: .check)
        try c.encode(runs, forKey: .runs)
        try c.encode(averageScore, forKey: .averageScore)
        try c.encode(latest, forKey: .latest)
        try c.encode(previous, forKey: .previous)
        try c.encode(change, forKey: .change)
    }

    /// The report of `recent` (newest first) given the window's count and average.
    public static func make(check: String, recent: [QualityRunRecord], runs: Int, averageScore: Double) -> QualityReport? {
        guard let latest = recent.first else { return nil }
        let previous = recent.dropFirst().first
        func delta(_ key: KeyPath<QualityRunRecord, Double>) -> Double? { previous.map { latest[keyPath: key] - $0[keyPath: key] } }
        return QualityReport(
            check: check, runs: runs, averageScore: averageScore, latest: latest, previous: previous,
            change: Change(
                completeness: delta(\.completeness), accuracy: delta(\.accuracy), consistency: delta(\.consistency),
                overallScore: delta(\.overallScore)))
    }
}
