import Foundation

/// A data pipeline Steward watches: how long a run may take, which datasets it reads and writes,
/// and which of its run metrics are checked for anomalies (docs/pipelines.md).
public struct PipelineDefinition: Codable, Sendable, Equatable {
    /// The pipeline's name.
    public var name: String
    /// Seconds an execution may run; longer (or still running past it) is late. `nil`: never late.
    public var maxDuration: Double?
    /// Datasets it reads.
    public var reads: [String]
    /// Datasets it writes.
    public var writes: [String]
    /// The anomaly check; `nil`: executions are not checked.
    public var anomaly: AnomalySettings?

    /// Creates a definition.
    public init(name: String, maxDuration: Double? = nil, reads: [String] = [], writes: [String] = [], anomaly: AnomalySettings? = nil) {
        self.name = name
        self.maxDuration = maxDuration
        self.reads = reads
        self.writes = writes
        self.anomaly = anomaly
    }

    enum CodingKeys: String, CodingKey {
        case name, reads, writes, anomaly
        case maxDuration = "max_duration_seconds"
    }

    /// Every key on every row (`null` when unset).
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(name, forKey: .name)
        try c.encode(maxDuration, forKey: .maxDuration)
        try c.encode(reads, forKey: .reads)
        try c.encode(writes, forKey: .writes)
        try c.encode(anomaly, forKey: .anomaly)
    }
}

/// What the z-score check looks at.
public struct AnomalySettings: Codable, Sendable, Equatable {
    /// Metrics checked: `duration`, `inserted`, `updated`, `deleted` or any custom metric.
    public var metrics: [String]
    /// How many previous succeeded executions form the history.
    public var lookback: Int
    /// Fewer values than this in the history: never anomalous.
    public var minHistory: Int
    /// `|z|` at or above this is anomalous.
    public var threshold: Double

    /// Creates settings; the defaults are the (30, 10, 3).
    public init(metrics: [String], lookback: Int = 30, minHistory: Int = 10, threshold: Double = 3) {
        self.metrics = metrics
        self.lookback = lookback
        self.minHistory = minHistory
        self.threshold = threshold
    }

    enum CodingKeys: String, CodingKey {
        case metrics, lookback, threshold
        case minHistory = "min_history"
    }
}
