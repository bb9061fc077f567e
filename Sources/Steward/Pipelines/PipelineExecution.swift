import Foundation

/// One run of a pipeline: reported by an external pipeline (`steward pipeline start/finish`) or
/// made by Steward from a workflow execution.
public struct PipelineExecution: Codable, Sendable, Equatable {
    /// How a run ended (or that it has not).
    public enum State: String, Codable, Sendable, CaseIterable {
        /// Started, not finished.
        case running
        /// Finished well.
        case succeeded
        /// Finished badly.
        case failed
    }

    /// Store-assigned id.
    public var id: Int64
    /// The pipeline.
    public var pipeline: String
    /// The execution this one is part of.
    public var parent: Int64?
    /// Its state.
    public var state: State
    /// When it started.
    public var startedAt: Date
    /// When it finished (`nil` while running).
    public var finishedAt: Date?
    /// Rows inserted, updated, deleted, as reported.
    public var inserted: Int64?
    /// Rows updated.
    public var updated: Int64?
    /// Rows deleted.
    public var deleted: Int64?
    /// Custom numeric metrics.
    public var metrics: [String: Double]
    /// The workflow execution it mirrors, if any.
    public var workflowRun: String?

    /// Creates a record.
    public init(
        id: Int64, pipeline: String, parent: Int64? = nil, state: State = .running, startedAt: Date, finishedAt: Date? = nil,
        inserted: Int64? = nil, updated: Int64? = nil, deleted: Int64? = nil, metrics: [String: Double] = [:], workflowRun: String? = nil
    ) {
        self.id = id
        self.pipeline = pipeline
        self.parent = parent
        self.state = state
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.inserted = inserted
        self.updated = updated
        self.deleted = deleted
        self.metrics = metrics
        self.workflowRun = workflowRun
    }

    /// Seconds it ran (to `asOf` while running).
    public func duration(asOf: Date) -> Double {
        (finishedAt ?? asOf).timeIntervalSince(startedAt)
    }

    /// A metric's value: `duration`, `inserted`, `updated`, `deleted`, else a custom metric;
    /// `nil` when the execution did not report it.
    public func value(of metric: String) -> Double? {
        switch metric {
        case "duration": finishedAt.map { $0.timeIntervalSince(startedAt) }
        case "inserted": inserted.map(Double.init)
        case "updated": updated.map(Double.init)
        case "deleted": deleted.map(Double.init)
        default: metrics[metric]
        }
    }

    /// Whether it changed its datasets: `inserted + updated + deleted > 0`.
    public var modifiedData: Bool {
        (inserted ?? 0) + (updated ?? 0) + (deleted ?? 0) > 0
    }

    enum CodingKeys: String, CodingKey {
        case id, pipeline, parent, state, inserted, updated, deleted, metrics
        case startedAt = "started_at"
        case finishedAt = "finished_at"
        case durationSeconds = "duration_seconds"
        case workflowRun = "workflow_run"
    }

    /// The JSON shape of `steward pipeline … --json`: every key on every row (`null` when unset).
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(pipeline, forKey: .pipeline)
        try c.encode(parent, forKey: .parent)
        try c.encode(state, forKey: .state)
        try c.encode(startedAt, forKey: .startedAt)
        try c.encode(finishedAt, forKey: .finishedAt)
        try c.encode(finishedAt.map { $0.timeIntervalSince(startedAt) }, forKey: .durationSeconds)
        try c.encode(inserted, forKey: .inserted)
        try c.encode(updated, forKey: .updated)
        try c.encode(deleted, forKey: .deleted)
        try c.encode(metrics, forKey: .metrics)
        try c.encode(workflowRun, forKey: .workflowRun)
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            id: try c.decode(Int64.self, forKey: .id), pipeline: try c.decode(String.self, forKey: .pipeline),
            parent: try c.decodeIfPresent(Int64.self, forKey: .parent), state: try c.decode(State.self, forKey: .state),
            startedAt: try c.decode(Date.self, forKey: .startedAt), finishedAt: try c.decodeIfPresent(Date.self, forKey: .finishedAt),
            inserted: try c.decodeIfPresent(Int64.self, forKey: .inserted), updated: try c.decodeIfPresent(Int64.self, forKey: .updated),
            deleted: try c.decodeIfPresent(Int64.self, forKey: .deleted), metrics: try c.decode([String: Double].self, forKey: .metrics),
            workflowRun: try c.decodeIfPresent(String.self, forKey: .workflowRun))
    }
}

/// Which executions to read.
public struct PipelineExecutionFilter: Sendable, Equatable {
    /// Only this pipeline.
    public var pipeline: String?
    /// Only this state.
    public var state: PipelineExecution.State?
    /// Only the execution mirroring this workflow execution.
    public var workflowRun: String?
    /// Started at or after.
    public var startedFrom: Date?
    /// Started at or before.
    public var startedTo: Date?
    /// Finished strictly before this (finish time, id): the history before an execution.
    public var finishedBefore: (Date, Int64)?
    /// At most this many, newest first (by finish time for `finishedBefore`, else by start).
    public var limit: Int

    /// Creates a filter.
    public init(
        pipeline: String? = nil, state: PipelineExecution.State? = nil, workflowRun: String? = nil, startedFrom: Date? = nil,
        startedTo: Date? = nil, finishedBefore: (Date, Int64)? = nil, limit: Int = 100
    ) {
        self.pipeline = pipeline
        self.workflowRun = workflowRun
        self.state = state
        self.startedFrom = startedFrom
        self.startedTo = startedTo
        self.finishedBefore = finishedBefore
        self.limit = limit
    }

    public static func == (a: Self, b: Self) -> Bool {
        a.pipeline == b.pipeline && a.state == b.state && a.workflowRun == b.workflowRun && a.startedFrom == b.startedFrom && a.startedTo == b.startedTo
            && a.finishedBefore?.0 == b.finishedBefore?.0 && a.finishedBefore?.1 == b.finishedBefore?.1 && a.limit == b.limit
    }
}
