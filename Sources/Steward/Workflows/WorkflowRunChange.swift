import Foundation

/// A change to one execution, planned in Swift and applied by the store in one transaction:
/// enqueue `jobs`, then write the record `record` builds from their ids, and append `events`.
public struct WorkflowRunChange: Sendable {
    /// Jobs to enqueue (in order; they may name earlier ones in ``NewJob/dependsOnBatch``).
    public var jobs: [NewJob]
    /// The new record, given what enqueueing `jobs` returned.
    public var record: @Sendable ([EnqueueResult]) throws -> WorkflowRunRecord
    /// Lines for the execution's log.
    public var events: [WorkflowEvent]

    /// Creates a change.
    public init(
        jobs: [NewJob] = [], events: [WorkflowEvent] = [], record: @escaping @Sendable ([EnqueueResult]) throws -> WorkflowRunRecord
    ) {
        self.jobs = jobs
        self.events = events
        self.record = record
    }
}
