import Foundation

/// An idempotency key given with an enqueue (HTTP's `Idempotency-Key`): for its whole retention
/// the same key answers with the same job, whatever that job's state, and a different request
/// under the key is refused. Kept in the store, in the enqueue's transaction, so every process
/// and every restart sees it.
public struct IdempotencyKey: Sendable, Equatable {
    /// The key the client chose.
    public var key: String
    /// What the request asked for, reduced to one string (a hash of its canonical body): a retry
    /// sends the same, a different request under the same key does not.
    public var fingerprint: String
    /// Until when the key answers; afterwards it may be used again.
    public var expiresAt: Date

    /// Creates a key.
    public init(key: String, fingerprint: String, expiresAt: Date) {
        self.key = key
        self.fingerprint = fingerprint
        self.expiresAt = expiresAt
    }
}

/// What an enqueue under an idempotency key did.
public enum IdempotentEnqueue: Sendable, Equatable {
    /// The key was new (or expired): the job was enqueued and the key recorded with it.
    case created(EnqueueResult)
    /// The key was held by the same request: this is its job.
    case replayed(JobID)
    /// The key was held by a different request (whose job this is): nothing was enqueued.
    case conflict(JobID)

    /// The answer for a key the store holds for job `id` with `stored` as its fingerprint.
    package static func held(_ id: JobID, fingerprint stored: String, asked key: IdempotencyKey) -> IdempotentEnqueue {
        stored == key.fingerprint ? .replayed(id) : .conflict(id)
    }
}
