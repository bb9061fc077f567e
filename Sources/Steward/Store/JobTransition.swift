import Foundation

/// One change of a running job, decided here in Swift and executed by a store as it is: every
/// way an attempt ends (a worker's ``JobOutcome``, a rescued lease) becomes a transition, and
/// each store applies a batch of them with one statement (plus the history rows they carry),
/// guarded by the lease (River's `JobSetStateIfRunningMany`). Stores decide nothing: the target
/// state, run-at, attempt correction, error, result and dead-letter queue are all values here.
package struct JobTransition: Sendable, Equatable {
    /// The error columns to write.
    package struct ErrorWrite: Sendable, Equatable {
        package var type: String
        package var message: String
        /// The attempt it belongs to; `nil` means the job's current attempt, read by the statement.
        package var attempt: Int?

        package init(type: String, message: String, attempt: Int?) {
            self.type = type
            self.message = message
            self.attempt = attempt
        }

        package init(_ info: JobErrorInfo) {
            self.init(type: info.type, message: info.message, attempt: info.attempt)
        }
    }

    /// The history row of the attempt that ended (its queue, attempt number and worker are the
    /// job's as they were before the transition, which the store reads as it writes).
    package struct History: Sendable, Equatable {
        package var outcome: String
        package var startedAt: Date
        package var errorType: String?
        package var errorMessage: String?
    }

    /// The job.
    package var id: JobID
    /// The guard: the transition applies only while the job is `running` under this owner.
    package var owner: String
    /// The state it moves to.
    package var state: JobState
    /// Its new run-at; `nil` keeps it.
    package var runAt: Date?
    /// Added to the attempt count: -1 gives back an attempt that did not count.
    package var attemptDelta: Int
    /// Whether the lease owner is cleared (the job runs again) or kept (it finished; the record
    /// shows who ran it last).
    package var clearsOwner: Bool
    /// The result to store; `nil` keeps the current one.
    package var result: String?
    /// The error to store; `nil` keeps the current one.
    package var error: ErrorWrite?
    /// The queue the job moves to (its dead-letter queue), remembering the one it leaves.
    package var moveToQueue: String?
    /// The attempt's history row, when the attempt is recorded.
    package var history: History?
    /// The payload the attempt ran with, kept in place of the enqueued one; `nil` keeps it.
    package var payload: String?

    /// Whether the job reaches a final state.
    package var finishes: Bool { state.isFinished }

    package init(
        id: JobID, owner: String, state: JobState, runAt: Date? = nil, attemptDelta: Int = 0, clearsOwner: Bool = false,
        result: String? = nil, error: ErrorWrite? = nil, moveToQueue: String? = nil, history: History? = nil, payload: String? = nil
    ) {
        self.id = id
        self.owner = owner
        self.state = state
        self.runAt = runAt
        self.attemptDelta = attemptDelta
        self.clearsOwner = clearsOwner
        self.result = result
        self.error = error
        self.moveToQueue = moveToQueue
        self.history = history
        self.payload = payload
    }

    /// The transition a worker's outcome asks for. `deadLetterQueue` is the queue a dead job
    /// moves to (see ``deadLetterQueue(queue:configured:)``); only `.dead` reads it.
    package init(_ outcome: JobOutcome, deadLetterQueue: String?) {
        func history(_ error: JobErrorInfo?) -> History {
            History(outcome: outcome.historyName, startedAt: outcome.startedAt, errorType: error?.type, errorMessage: error?.message)
        }
        switch outcome.kind {
        case .succeeded(let result):
            self.init(id: outcome.id, owner: outcome.owner, state: .succeeded, result: result)
        case .retry(let runAt, let error):
            self.init(
                id: outcome.id, owner: outcome.owner, state: .scheduled, runAt: runAt, clearsOwner: true, error: ErrorWrite(error),
                history: history(error))
        case .dead(let error):
            self.init(
                id: outcome.id, owner: outcome.owner, state: .dead, error: ErrorWrite(error), moveToQueue: deadLetterQueue,
                history: history(error))
        case .cancelled(let error):
            self.init(
                id: outcome.id, owner: outcome.owner, state: .cancelled, error: error.map(ErrorWrite.init), history: history(error))
        case .notRun(let reason):
            // It never ran: the attempt is given back and nothing goes to the history.
            self.init(
                id: outcome.id, owner: outcome.owner, state: .cancelled, attemptDelta: -1,
                error: ErrorWrite(type: reason.type, message: reason.message, attempt: 0))
        case .released:
            // Shutdown hands the job back as it was: claimable at once, the attempt not counted.
            self.init(
                id: outcome.id, owner: outcome.owner, state: .available, attemptDelta: -1, clearsOwner: true,
                history: history(nil))
        case .suspended(let until):
            // A wait, not an attempt: given back, and the run's own steps are its history.
            self.init(
                id: outcome.id, owner: outcome.owner, state: .scheduled, runAt: until, attemptDelta: -1, clearsOwner: true)
        }
        payload = outcome.payload
    }

    /// The transition of a job whose lease expired, as ``LeaseRescue`` decides it.
    package init(rescuing job: LeaseRescue.Expired, now: Date) {
        let history = History(
            outcome: LeaseRescue.historyName, startedAt: job.startedAt ?? now, errorType: LeaseRescue.requeuedError.type,
            errorMessage: "lease of worker \(job.owner) expired: the worker stopped heartbeating")
        switch LeaseRescue.decide(job, now: now) {
        case .retry(let runAt):
            self.init(
                id: job.id, owner: job.owner, state: .initial(runAt: runAt, now: now), runAt: runAt, clearsOwner: true,
                error: ErrorWrite(type: LeaseRescue.requeuedError.type, message: LeaseRescue.requeuedError.message, attempt: nil),
                history: history)
        case .dead:
            self.init(
                id: job.id, owner: job.owner, state: .dead,
                error: ErrorWrite(type: LeaseRescue.deadError.type, message: LeaseRescue.deadError.message, attempt: nil),
                moveToQueue: Self.deadLetterQueue(queue: job.queue, configured: job.deadLetterQueue), history: history)
        }
    }

    /// The transition of a running job cancelled by hand (`job cancel`): its attempt is recorded
    /// as cancelled; its worker stops the handler at the next lease extension.
    package init(cancellingRunning id: JobID, owner: String, startedAt: Date) {
        self.init(
            id: id, owner: owner, state: .cancelled,
            history: History(outcome: JobOutcome.HistoryName.cancelled.rawValue, startedAt: startedAt, errorType: nil, errorMessage: nil))
    }

    /// Where a dead job of `queue` goes: the queue's configured dead-letter queue, else
    /// `queue` + ``QueueSettings/deadLetterSuffix``.
    package static func deadLetterQueue(queue: String, configured: String?) -> String {
        configured ?? QueueSettings.defaultDeadLetterQueue(for: queue)
    }
}

/// A transition as a store applied it.
package struct AppliedTransition: Sendable, Equatable {
    package var id: JobID
    /// The job's queue after the transition (its dead-letter queue for a dead job).
    package var queue: String
    package var state: JobState

    package init(id: JobID, queue: String, state: JobState) {
        self.id = id
        self.queue = queue
        self.state = state
    }

    /// What a batch of applied transitions wakes: the queues of jobs that will run again (a
    /// worker sleeping until its queue's next run-at learns of the new one).
    package static func queuesToWake(_ applied: [AppliedTransition]) -> Set<String> {
        Set(applied.lazy.filter { !$0.state.isFinished }.map(\.queue))
    }
}
