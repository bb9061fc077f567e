import Foundation

/// `steward pipeline check freshness --json`.
public struct FreshnessReport: Codable, Sendable, Equatable {
    /// One dataset.
    public struct Entry: Codable, Sendable, Equatable {
        /// The dataset.
        public var dataset: String
        /// Its last modification, `null` when never modified.
        public var lastModified: Date?
        /// Seconds since then, `null` when never modified.
        public var ageSeconds: Double?
        /// Its bound.
        public var maxAgeSeconds: Double

        /// Creates an entry.
        public init(dataset: String, lastModified: Date?, ageSeconds: Double?, maxAgeSeconds: Double) {
            self.dataset = dataset
            self.lastModified = lastModified
            self.ageSeconds = ageSeconds
            self.maxAgeSeconds = maxAgeSeconds
        }

        enum CodingKeys: String, CodingKey {
            case dataset
            case lastModified = "last_modified"
            case ageSeconds = "age_seconds"
            case maxAgeSeconds = "max_age_seconds"
        }

        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(dataset, forKey: .dataset)
            try c.encode(lastModified, forKey: .lastModified)
            try c.encode(ageSeconds, forKey: .ageSeconds)
            try c.encode(maxAgeSeconds, forKey: .maxAgeSeconds)
        }
    }
    /// Older than their bound, or never modified.
    public var stale: [Entry]
    /// Within their bound.
    public var fresh: [Entry]

    /// Creates a report.
    public init(stale: [Entry], fresh: [Entry]) {
        self.stale = stale
        self.fresh = fresh
    }
}

/// `steward pipeline check timeliness --json`.
public struct TimelinessReport: Codable, Sendable, Equatable {
    /// One late execution.
    public struct Entry: Codable, Sendable, Equatable {
        /// The pipeline.
        public var pipeline: String
        /// The execution.
        public var execution: Int64
        /// When it started.
        public var startedAt: Date
        /// When it finished, `null` while running.
        public var finishedAt: Date?
        /// How long it ran (so far).
        public var durationSeconds: Double
        /// Its pipeline's bound.
        public var maxDurationSeconds: Double
        /// `running`, `succeeded` or `failed`.
        public var state: PipelineExecution.State

        /// Creates an entry.
        public init(
            pipeline: String, execution: Int64, startedAt: Date, finishedAt: Date?, durationSeconds: Double, maxDurationSeconds: Double,
            state: PipelineExecution.State
        ) {
            self.pipeline = pipeline
            self.execution = execution
            self.startedAt = startedAt
            self.finishedAt = finishedAt
            self.durationSeconds = durationSeconds
            self.maxDurationSeconds = maxDurationSeconds
            self.state = state
        }

        enum CodingKeys: String, CodingKey {
            case pipeline, execution, state
            case startedAt = "started_at"
            case finishedAt = "finished_at"
            case durationSeconds = "duration_seconds"
            case maxDurationSeconds = "max_duration_seconds"
        }

        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(pipeline, forKey: .pipeline)
            try c.encode(execution, forKey: .execution)
            try c.encode(startedAt, forKey: .startedAt)
            try c.encode(finishedAt, forKey: .finishedAt)
            try c.encode(durationSeconds, forKey: .durationSeconds)
            try c.encode(maxDurationSeconds, forKey: .maxDurationSeconds)
            try c.encode(state, forKey: .state)
        }
    }
    /// Late executions, oldest start first.
    public var late: [Entry]

    /// Creates a report.
    public init(late: [Entry]) { self.late = late }
}
