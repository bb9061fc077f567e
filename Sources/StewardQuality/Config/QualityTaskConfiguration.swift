

/// A task's settings: which stream, how it is windowed, what it checks.
public struct QualityTaskConfiguration: Sendable {
    /// What a task does with rows that break the source's schema.
    public enum SchemaPolicy: String, Sendable {
        /// Process them (bad cells as their raw text); count them in `_schema_errors`.
        case keep
        /// Leave them out; count them in `_schema_errors`.
        case drop
        /// Fail the task (then `critical` decides what else stops).
        case raise
        /// Leave them out of the windows and write them, with the violation, to ``rejectSink``.
        case divert
    }

    /// How session windows are emitted.
    public enum SessionEmit: String, Sendable {
        /// Once, when the session can no longer grow.
        case final
        /// Every change as a revision: a retraction (`diff: -1`) of the previous version, then the
        /// new one (`diff: 1`).
        case updates
    }

    /// The task's name (`task_1`, … when created without one).
    public var name: String
    /// The source it reads.
    public var source: String
    /// How events are grouped.
    public var window: WindowSpec
    /// Event-time column; default the source's.
    public var timeColumn: String?
    /// Per-key windows when set (the key is a column).
    public var key: String?
    /// How long after a window's end events may still arrive (seconds).
    public var waitForLate: Double
    /// The checks, in output order.
    public var checks: [QualityCheck]
    /// A failure of a critical task stops the whole monitor.
    public var critical: Bool
    /// Decimal digits kept in fractional results (assessed after rounding).
    public var precision: Int
    /// Also emit windows in which a key already seen was silent (count 0, other measures null).
    public var emitEmptyWindows: Bool
    /// Session emission mode.
    public var sessionEmit: SessionEmit
    /// Add a `late` column: events of the key dropped as late since its previous record.
    public var lateColumn: Bool
    /// Rows breaking the schema.
    public var schemaPolicy: SchemaPolicy
    /// Also list the violations of each window (up to 10) in `_schema_messages`.
    public var schemaMessages: Bool
    /// Optional z-score anomaly detection over chosen checks.
    public var anomaly: AnomalyConfiguration?

    /// Creates a task configuration.
    public init(
        name: String = "", source: String, window: WindowSpec, timeColumn: String? = nil, key: String? = nil,
        waitForLate: Double = 0, checks: [QualityCheck], critical: Bool = false, precision: Int = 3,
        emitEmptyWindows: Bool = false, sessionEmit: SessionEmit = .final, lateColumn: Bool = false,
        schemaPolicy: SchemaPolicy = .keep, anomaly: AnomalyConfiguration? = nil, schemaMessages: Bool = false
    ) {
        self.schemaMessages = schemaMessages
        self.name = name
        self.source = source
        self.window = window
        self.timeColumn = timeColumn
        self.key = key
        self.waitForLate = waitForLate
        self.checks = checks
        self.critical = critical
        self.precision = precision
        self.emitEmptyWindows = emitEmptyWindows
        self.sessionEmit = sessionEmit
        self.lateColumn = lateColumn
        self.schemaPolicy = schemaPolicy
        self.anomaly = anomaly
    }
}

/// Z-scores of chosen checks against the last `history` windows of the same key.
public struct AnomalyConfiguration: Sendable {
    /// The checks (by name) whose values are scored.
    public var checks: [String]
    /// How many past windows of the key form the baseline.
    public var history: Int
    /// Windows of a key before any score is given (`normal` until then).
    public var warmUp: Int
    /// |z| thresholds for moderate, high and critical.
    public var thresholds: (moderate: Double, high: Double, critical: Double)

    /// Creates an anomaly detector configuration.
    public init(checks: [String], history: Int = 20, warmUp: Int = 5, thresholds: (Double, Double, Double) = (2, 3, 4)) {
        self.checks = checks
        self.history = history
        self.warmUp = warmUp
        self.thresholds = (thresholds.0, thresholds.1, thresholds.2)
    }
}
