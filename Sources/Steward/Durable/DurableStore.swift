import Foundation

/// Where code workflows (``DurableWorkflow``) keep their runs, recorded steps, messages and
/// events. Every change goes through one primitive, ``changeDurableRun(_:reading:now:_:)``:
/// the store reads what the change needs under the run's lock, Swift decides, and the store
/// writes the decision (steps, messages, the driver job's enqueue, wake-up or suspension) in the
/// same transaction. So a message stored or a child finished while the run decides to suspend
/// either is seen by that decision or wakes the suspended run: never lost.
public protocol DurableStore: JobStore {
    /// Locks run `id` (and, when `reading.parent`, its parent), reads what `reading` asks for,
    /// and applies the change `decide` makes of it, all in one transaction.
    func changeDurableRun(
        _ id: String, reading: DurableRead, now: Date, _ decide: @escaping @Sendable (DurableRunState) throws -> DurableChange
    ) async throws -> DurableChangeResult

    /// Starts `run` with its driver `job` and its pipeline execution (a code run is one, as a DAG
    /// run is: docs/pipelines.md) in one transaction, unless a run has its id: then nothing is
    /// written and that run is returned (`created` false), whatever its state.
    func startDurableRun(_ run: DurableRunRecord, job: NewJob, now: Date) async throws -> (run: DurableRunRecord, created: Bool)

    /// Records `steps` of run `run` without taking the run's lock (a record decides nothing that
    /// a message, a child's end or a cancel could race with): one statement where the store can.
    /// A position already recorded as succeeded is kept as it is. Returns the positions as stored
    /// and whether the run has been asked to cancel.
    func recordDurableSteps(_ run: String, _ steps: [DurableStepRecord]) async throws -> DurableRecorded

    /// One run, or `nil`.
    func durableRun(_ id: String) async throws -> DurableRunRecord?

    /// Runs, newest first: of `workflow` when given, in `state` when given.
    func durableRuns(workflow: String?, state: DurableRunRecord.State?, limit: Int) async throws -> [DurableRunRecord]

    /// A run's recorded positions, in order.
    func durableSteps(_ run: String) async throws -> [DurableStepRecord]

    /// A run and its recorded positions, read at once (what a driver loads at each attempt),
    /// or `nil` when there is no such run.
    func durableHistory(_ run: String) async throws -> (run: DurableRunRecord, steps: [DurableStepRecord])?

    /// The value a run set for `key` (``DurableContext/setEvent(_:_:)``), as JSON.
    func durableEvent(_ run: String, key: String) async throws -> String?
}

/// What a change reads besides the run.
public struct DurableRead: Sendable, Equatable {
    /// The oldest message on this topic not yet received.
    public var topic: String?
    /// Another run (a child), read without a lock.
    public var child: String?
    /// Lock and read the run's parent.
    public var parent: Bool
    /// The change may end the run's pipeline execution (``DurableChange/pipelineFinish``): a
    /// store may lock and read that execution with the run, in the same round trip.
    public var pipelineExecution: Bool

    /// What to read.
    public init(topic: String? = nil, child: String? = nil, parent: Bool = false, pipelineExecution: Bool = false) {
        self.topic = topic
        self.child = child
        self.parent = parent
        self.pipelineExecution = pipelineExecution
    }
}

/// What the store read for a change.
public struct DurableRunState: Sendable, Equatable {
    /// The run, `nil` when no run has the id.
    public var run: DurableRunRecord?
    /// The oldest waiting message on the asked topic.
    public var message: DurableMessage?
    /// The asked child run.
    public var child: DurableRunRecord?
    /// The run's parent, when asked.
    public var parent: DurableRunRecord?

    /// Creates a state.
    public init(run: DurableRunRecord? = nil, message: DurableMessage? = nil, child: DurableRunRecord? = nil, parent: DurableRunRecord? = nil) {
        self.run = run
        self.message = message
        self.child = child
        self.parent = parent
    }
}

/// What a change writes; the store executes it as given.
public struct DurableChange: Sendable, Equatable {
    /// The run as it is to be stored (inserted or replaced).
    public var run: DurableRunRecord?
    /// The parent as it is to be stored.
    public var parent: DurableRunRecord?
    /// Positions from this one on are deleted (a retry runs them again), before `steps` are written.
    public var truncate: Int?
    /// Positions to record; a position already recorded as succeeded is kept as it is.
    public var steps: [DurableStepRecord]
    /// A message received: deleted.
    public var consume: Int64?
    /// A message to keep for the run (its id is assigned by the store).
    public var send: DurableMessage?
    /// An event to set: key and JSON value.
    public var event: DurableEvent?
    /// The run's driver job, enqueued; its id is written to the run's ``DurableRunRecord/job``.
    public var enqueue: NewJob?
    /// Suspended driver jobs (`scheduled`) made due now.
    public var wake: [JobID]
    /// The attempt that ends here (a suspension, or the success of a run that ends), applied as
    /// any outcome: only while the job is running under the outcome's owner.
    public var outcome: JobOutcome?
    /// The run's pipeline execution (the running one started with it) ends so, as
    /// ``PipelineRules/finish(_:with:definition:)`` decides, in the same transaction; nothing is
    /// written for it when it is missing or the rules refuse (the run's change stands).
    public var pipelineFinish: PipelineFinish?

    /// A change; everything left out is not written.
    public init(
        run: DurableRunRecord? = nil, parent: DurableRunRecord? = nil, truncate: Int? = nil, steps: [DurableStepRecord] = [],
        consume: Int64? = nil,
        send: DurableMessage? = nil, event: DurableEvent? = nil, enqueue: NewJob? = nil, wake: [JobID] = [], outcome: JobOutcome? = nil,
        pipelineFinish: PipelineFinish? = nil
    ) {
        self.run = run
        self.parent = parent
        self.truncate = truncate
        self.steps = steps
        self.consume = consume
        self.send = send
        self.event = event
        self.enqueue = enqueue
        self.wake = wake
        self.outcome = outcome
        self.pipelineFinish = pipelineFinish
    }

    /// Writes nothing.
    public static let none = DurableChange()
}

/// A value a run publishes for clients while it goes on.
public struct DurableEvent: Sendable, Equatable {
    /// Its key.
    public var key: String
    /// Its value as JSON.
    public var value: String

    /// Creates an event.
    public init(key: String, value: String) {
        self.key = key
        self.value = value
    }
}

/// What a change did.
public struct DurableChangeResult: Sendable, Equatable {
    /// What the store read before the change.
    public var seen: DurableRunState
    /// The run as stored afterwards (with its driver job's id when the change enqueued it).
    public var run: DurableRunRecord?
    /// The recorded positions as stored afterwards (one kept by an earlier writer stays).
    public var steps: [DurableStepRecord]
    /// Whether the change's outcome applied (the job was still running under its owner).
    public var outcomeApplied: Bool

    /// Creates a result.
    public init(seen: DurableRunState, run: DurableRunRecord?, steps: [DurableStepRecord], outcomeApplied: Bool) {
        self.seen = seen
        self.run = run
        self.steps = steps
        self.outcomeApplied = outcomeApplied
    }
}

/// What ``DurableStore/recordDurableSteps(_:_:)`` stored.
public struct DurableRecorded: Sendable, Equatable {
    /// The positions as stored (one kept by an earlier writer stays).
    public var steps: [DurableStepRecord]
    /// Whether the run has been asked to cancel.
    public var cancelRequested: Bool

    /// Creates a result.
    public init(steps: [DurableStepRecord], cancelRequested: Bool) {
        self.steps = steps
        self.cancelRequested = cancelRequested
    }
}
