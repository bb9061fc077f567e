import Foundation
import StewardSupport

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

    /// A job waiting to retry (``JobFilter/retrying``, the dashboard's count): scheduled for
    /// later after a failed attempt, whose error it carries. `now` is the store's SQL for the
    /// current time (a parameter or a column).
    package static func retryingSQL(now: String) -> String {
        "state = \(scheduled.sql) AND run_at > \(now) AND error_type IS NOT NULL"
    }

    /// Finished states as a SQL list.
    package static let finishedSQL = JobState.allCases.filter(\.isFinished).map(\.sql).joined(separator: ", ")

    /// The state a child job starts in: `waiting` while any of its parents is unfinished.
    package static func initial(runAt: Date, now: Date, unfinishedParents: Int) -> JobState {
        unfinishedParents > 0 ? .waiting : initial(runAt: runAt, now: now)
    }
}
