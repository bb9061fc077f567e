import Foundation

/// Where an execution stands.
public enum WorkflowRunState: String, Sendable, Codable, CaseIterable {
    /// Tasks are running or waiting (also while compensating).
    case running
    /// Every task succeeded or was skipped.
    case succeeded
    /// A task failed (or the execution timed out) and nothing was compensated.
    case failed
    /// Cancelled by hand.
    case cancelled
    /// A task failed and every compensation ran.
    case compensated
    /// A task failed and a compensation failed too.
    case compensationFailed = "compensation_failed"

    /// Whether the execution has ended.
    public var isFinished: Bool { self != .running }
}

/// One execution of a workflow, as the store keeps it: the definition it started with, its
/// input and outcome, and the jobs that carry each task.
public struct WorkflowRunRecord: Sendable, Codable, Equatable {
    /// The jobs behind one task.
    public struct TaskJobs: Sendable, Codable, Equatable {
        /// The job whose end is the task's end: the task's job, or a map task's collector.
        public var job: JobID
        /// A map task's dispatcher (which enqueues the item jobs).
        public var dispatcher: JobID?
        /// The generation (retry round) that made these jobs.
        public var generation: Int

        /// Creates the jobs of a task.
        public init(job: JobID, dispatcher: JobID?, generation: Int) {
            self.job = job
            self.dispatcher = dispatcher
            self.generation = generation
        }
    }

    /// A compensation that was enqueued.
    public struct CompensationJob: Sendable, Codable, Equatable {
        /// The task it undoes.
        public var task: String
        /// Its job.
        public var job: JobID

        /// Creates a compensation entry.
        public init(task: String, job: JobID) {
            self.task = task
            self.job = job
        }
    }

    /// The execution's id.
    public var id: String
    /// The definition it runs (a snapshot: later versions do not change it).
    public var definition: WorkflowDefinition
    /// Where it stands.
    public var state: WorkflowRunState
    /// The input it was started with.
    public var input: JSONValue
    /// Its output, once succeeded.
    public var output: JSONValue?
    /// Why it did not succeed.
    public var error: String?
    /// Tasks by name.
    public var tasks: [String: TaskJobs]
    /// The job that decides the outcome once every task has finished.
    public var finisher: JobID?
    /// The job that times the execution out, if it has a timeout.
    public var timer: JobID?
    /// Compensations, in the order they run.
    public var compensations: [CompensationJob]
    /// The job that concludes compensation.
    public var compensationFinisher: JobID?
    /// 1, then one more per retry from failure.
    public var generation: Int
    /// No new task starts (a task failed under `fail` or `compensating_actions`, a cancel, a timeout).
    public var halted: Bool
    /// Why it halted.
    public var haltReason: String?
    /// Cancelled by hand.
    public var cancelRequested: Bool
    /// Its timeout passed.
    public var timedOut: Bool
    /// The item jobs of each map task, in item order, once dispatched.
    public var items: [String: [JobID]]
    /// When it started.
    public var createdAt: Date
    /// When it last changed.
    public var updatedAt: Date
    /// When it ended.
    public var finishedAt: Date?

    /// Creates a record (the workflow engine does; store tests may).
    public init(
        id: String, definition: WorkflowDefinition, state: WorkflowRunState, input: JSONValue, output: JSONValue?, error: String?,
        tasks: [String: TaskJobs], finisher: JobID?, timer: JobID?, compensations: [CompensationJob], compensationFinisher: JobID?,
        generation: Int, halted: Bool, haltReason: String?, cancelRequested: Bool, createdAt: Date, updatedAt: Date, finishedAt: Date?,
        timedOut: Bool = false, items: [String: [JobID]] = [:]
    ) {
        self.timedOut = timedOut
        self.items = items
        self.id = id
        self.definition = definition
        self.state = state
        self.input = input
        self.output = output
        self.error = error
        self.tasks = tasks
        self.finisher = finisher
        self.timer = timer
        self.compensations = compensations
        self.compensationFinisher = compensationFinisher
        self.generation = generation
        self.halted = halted
        self.haltReason = haltReason
        self.cancelRequested = cancelRequested
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.finishedAt = finishedAt
    }

    /// The workflow's name.
    public var workflow: String { definition.name }

    /// The jobs carrying its tasks (each task's job and a map task's dispatcher).
    public var taskJobIDs: [JobID] { tasks.values.flatMap { [$0.job] + ($0.dispatcher.map { [$0] } ?? []) } }
    /// The workflow's version.
    public var version: String { definition.version }
}

extension WorkflowRunRecord {
    /// A stored record decoded. Every task of a run reads its record, which mostly has not
    /// changed since the last task: the same text is decoded once (the whole definition in it is
    /// most of a task's decoding).
    package static func stored(_ text: String) throws -> WorkflowRunRecord { try memo.decode(text) }

    private static let memo = DecodeMemo<WorkflowRunRecord>()
}
