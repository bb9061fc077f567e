import Foundation

/// How an execution ends (`steward pipeline finish`).
public struct PipelineFinish: Sendable, Equatable {
    /// `succeeded` or `failed`.
    public var state: PipelineExecution.State
    /// When.
    public var at: Date
    /// Row counts, as reported.
    public var inserted: Int64?
    /// Rows updated.
    public var updated: Int64?
    /// Rows deleted.
    public var deleted: Int64?
    /// Custom metrics.
    public var metrics: [String: Double]

    /// Creates a finish.
    public init(
        state: PipelineExecution.State = .succeeded, at: Date, inserted: Int64? = nil, updated: Int64? = nil, deleted: Int64? = nil,
        metrics: [String: Double] = [:]
    ) {
        self.state = state
        self.at = at
        self.inserted = inserted
        self.updated = updated
        self.deleted = deleted
        self.metrics = metrics
    }
}

/// What the store writes when an execution finishes, in one transaction: the finished record,
/// the datasets whose last modification moves to its finish time, and the jobs to enqueue (its
/// anomaly check) — decided by ``PipelineRules/finish(_:with:definition:)``.
public struct PipelineFinishChange: Sendable, Equatable {
    /// The record as finished.
    public var execution: PipelineExecution
    /// Datasets it modified.
    public var touched: [String]
    /// Jobs enqueued with the finish.
    public var jobs: [NewJob]

    /// Creates a change.
    public init(execution: PipelineExecution, touched: [String], jobs: [NewJob] = []) {
        self.execution = execution
        self.touched = touched
        self.jobs = jobs
    }
}
