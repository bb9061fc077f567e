import Foundation

/// A new job's column values, computed once for every store from a ``NewJob`` and the enqueue's
/// `now` (its starting state, run-at, timeout and the JSON of its retry policy and metadata),
/// before any write transaction: JSON encoding stays off the store's lock.
package struct JobRow: Sendable {
    package var job: NewJob
    /// `scheduled` for a later run-at, else `available` (a job with unfinished parents waits;
    /// the store decides that from the parents it reads).
    package var state: JobState
    package var runAt: Date
    package var timeoutSeconds: Double?
    package var retryPolicy: String?
    package var metadata: String?

    /// The row of `job`, checked (``NewJob/validate()``).
    package init(_ job: NewJob, now: Date) throws {
        try job.validate()
        self.job = job
        runAt = job.runAt ?? now
        state = JobState.initial(runAt: runAt, now: now)
        timeoutSeconds = job.timeout?.seconds
        retryPolicy = try job.storedRetryPolicy()
        metadata = try job.storedMetadata()
    }

    /// Attempts the job gets, given its queue's stored default (see ``QueueSettings/maxAttempts(of:queueDefault:)``).
    package func maxAttempts(queueDefault: Int?) -> Int {
        QueueSettings.maxAttempts(of: job, queueDefault: queueDefault)
    }
}
