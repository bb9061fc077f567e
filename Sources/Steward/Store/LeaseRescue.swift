import Foundation

/// What happens to a job whose lease expired (its worker died or lost the store): decided once,
/// here, for every store. The stores read the expired rows and apply the ``JobTransition`` made from
/// each (``JobTransition/init(rescuing:now:)``) in the same transaction.
package enum LeaseRescue {
    /// An expired job as a store reads it.
    package struct Expired: Sendable {
        package var id: JobID
        package var attempt: Int
        package var maxAttempts: Int
        package var retryPolicy: RetryPolicy?
        /// The worker whose lease expired.
        package var owner: String
        /// When the attempt started.
        package var startedAt: Date?
        package var queue: String
        /// The queue's configured dead-letter queue, if any.
        package var deadLetterQueue: String?

        package init(
            id: JobID, attempt: Int, maxAttempts: Int, retryPolicy: RetryPolicy?, owner: String, startedAt: Date?, queue: String,
            deadLetterQueue: String?
        ) {
            self.id = id
            self.attempt = attempt
            self.maxAttempts = maxAttempts
            self.retryPolicy = retryPolicy
            self.owner = owner
            self.startedAt = startedAt
            self.queue = queue
            self.deadLetterQueue = deadLetterQueue
        }
    }

    /// Where the job goes.
    package enum Decision: Sendable, Equatable {
        /// Another attempt at `runAt` (the attempt stays counted): the job's own retry policy's
        /// backoff (the default policy's when it has none), as after a failed attempt, so a job
        /// that kills its worker does not hammer the next one at once.
        case retry(runAt: Date)
        /// Its attempts are spent: to the dead-letter queue.
        case dead
    }

    /// The history name of an attempt whose lease expired.
    package static let historyName = JobOutcome.HistoryName.rescued.rawValue

    /// The error recorded on a requeued job.
    package static let requeuedError = (type: "LeaseExpired", message: "lease expired: the worker stopped heartbeating")
    /// The error recorded on a dead-lettered job.
    package static let deadError = (
        type: "LeaseExpired", message: "lease expired on the last attempt: the worker stopped heartbeating"
    )

    /// The decision for one expired job.
    package static func decide(_ job: Expired, now: Date) -> Decision {
        guard job.attempt < job.maxAttempts else { return .dead }
        var generator = SystemRandomNumberGenerator()
        let delay = (job.retryPolicy ?? .default).delay(afterAttempt: job.attempt, using: &generator)
        return .retry(runAt: now.addingTimeInterval(delay.seconds))
    }
}
