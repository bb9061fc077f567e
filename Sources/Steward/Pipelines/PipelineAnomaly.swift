import Foundation

/// A metric of an execution outside its history's normal range.
public struct PipelineAnomaly: Codable, Sendable, Equatable {
    /// The execution.
    public var execution: Int64
    /// Its pipeline.
    public var pipeline: String
    /// The metric.
    public var metric: String
    /// The execution's value.
    public var value: Double
    /// The history's mean.
    public var mean: Double
    /// The history's sample standard deviation (n - 1).
    public var std: Double
    /// `(value - mean) / std`; `nil` when `std` is 0.
    public var z: Double?
    /// When the check found it.
    public var detectedAt: Date

    enum CodingKeys: String, CodingKey {
        case execution, pipeline, metric, value, mean, std, z
        case detectedAt = "detected_at"
    }

    /// Every key on every row; `z` is `null` when `std` is 0.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(execution, forKey: .execution)
        try c.encode(pipeline, forKey: .pipeline)
        try c.encode(metric, forKey: .metric)
        try c.encode(value, forKey: .value)
        try c.encode(mean, forKey: .mean)
        try c.encode(std, forKey: .std)
        try c.encode(z, forKey: .z)
        try c.encode(detectedAt, forKey: .detectedAt)
    }

    /// Creates an anomaly.
    public init(execution: Int64, pipeline: String, metric: String, value: Double, mean: Double, std: Double, z: Double?, detectedAt: Date) {
        self.execution = execution
        self.pipeline = pipeline
        self.metric = metric
        self.value = value
        self.mean = mean
        self.std = std
        self.z = z
        self.detectedAt = detectedAt
    }
}
