import Foundation

/// Where a job stands in its lifecycle (see docs/design.md for the diagram).
///
/// `scheduled` jobs become claimable when their run-at passes; stores report such a due job as
/// `available` without a separate pass over the table.
public enum JobState: String, Sendable, Codable, CaseIterable {
    /// Waiting for its parent jobs (``NewJob/dependsOn``) to finish; it becomes `available` (or
    /// `scheduled`) in the transaction that finishes the last of them.
    case waiting
    /// Waiting for its run-at instant (delayed, or backing off before a retry).
    case scheduled
    /// Ready to be claimed.
    case available
    /// Claimed by a worker holding a lease.
    case running
    /// Finished successfully; the result is kept for the retention period.
    case succeeded
    /// Cancelled before it could finish.
    case cancelled
    /// Failed its last attempt (or a non-retryable error); moved to the dead-letter queue.
    case dead

    /// Whether the job will not run again unless retried by hand.
    public var isFinished: Bool {
        switch self {
        case .succeeded, .cancelled, .dead: true
        case .waiting, .scheduled, .available, .running: false
        }
    }

    /// Parses a state name; the error lists the valid names.
    public static func parse(_ text: String) throws -> JobState {
        guard let state = JobState(rawValue: text.lowercased()) else {
            let names = JobState.allCases.map(\.rawValue).joined(separator: ", ")
            throw StewardError.invalidArgument(field: "state", message: "state: '\(text)' is not a job state (one of \(names))")
        }
        return state
    }
}

extension JobState {
    /// The state a job starts in: `scheduled` when it may run only after `now`, else `available`.
    package static func initial(runAt: Date, now: Date) -> JobState {
        runAt > now ? .scheduled : .available
    }

    /// The state as reported at `now`: a due `scheduled` job reads as `available` (claims take
    /// both, so no pass over the table flips it).
    package func effective(runAt: Date, now: Date) -> JobState {
        self == .scheduled && runAt <= now ? .available : self
    }

    /// The state a child takes when its last parent finishes: `scheduled` at its run-at, which
    /// reads and claims as `available` once due (see ``effective(runAt:now:)``), so a store
    /// releasing children in bulk needs no clock of its own.
    package static let released = JobState.scheduled

    /// The state as a SQL string literal (`'running'`): stores spell states only through these, so
    /// the names live once, here.
    package var sql: String { "'\(rawValue)'" }

    /// Queued states (scheduled, available: what a queue's depth counts and claims take) as a SQL list.
    package static let queuedSQL = [JobState.scheduled, .available].map(\.sql).joined(separator: ", ")

    /// Live states (waiting for parents, queued or running), in which a unique key is held, as a SQL list.
    package static let liveSQL = [JobState.waiting, .scheduled, .available, .running].map(\.sql).joined(separator: ", ")

    /// Finished states as a SQL list.
    package static let finishedSQL = JobState.allCases.filter(\.isFinished).map(\.sql).joined(separator: ", ")

    /// The state a child job starts in: `waiting` while any of its parents is unfinished.
    package static func initial(runAt: Date, now: Date, unfinishedParents: Int) -> JobState {
        unfinishedParents > 0 ? .waiting : initial(runAt: runAt, now: now)
    }
}
