import Foundation

/// An execution as every surface shows it (`workflow status --json`): the run and each task.
public struct WorkflowRunView: Encodable, Sendable, Equatable {
    /// One task of the execution.
    public struct TaskView: Encodable, Sendable, Equatable {
        /// The task's name.
        public var name: String
        /// The job it runs.
        public var job: String
        /// The tasks it runs after.
        public var dependsOn: [String]
        /// `pending`, `waiting`, `running`, `succeeded`, `failed`, `skipped`, `cancelled` or `compensated`.
        public var state: String
        /// Attempts its job has started.
        public var attempts: Int
        /// Its output (a map task's: the item outputs in order).
        @Nullable public var output: JSONValue?
        /// Why it failed, was cancelled or was not run.
        @Nullable public var error: String?
        /// A map task's item count, once dispatched.
        @Nullable public var items: Int?
        /// When its job's latest attempt started.
        @Nullable public var startedAt: String?
        /// When it ended.
        @Nullable public var finishedAt: String?

        enum CodingKeys: String, CodingKey {
            case name, job, dependsOn = "depends_on", state, attempts, output, error, items, startedAt = "started_at",
                finishedAt = "finished_at"
        }
    }

    /// The execution's id.
    public var id: String
    /// The workflow's name.
    public var workflow: String
    /// The version it runs.
    public var version: String
    /// `running`, `succeeded`, `failed`, `cancelled`, `compensated` or `compensation_failed`.
    public var state: String
    /// Its input.
    public var input: JSONValue
    /// Its output, once succeeded.
    @Nullable public var output: JSONValue?
    /// Why it did not succeed.
    @Nullable public var error: String?
    /// 1, plus one per retry from failure.
    public var generation: Int
    /// When it started.
    public var createdAt: String
    /// When it ended.
    @Nullable public var finishedAt: String?
    /// The tasks, in definition order.
    public var tasks: [TaskView]

    enum CodingKeys: String, CodingKey {
        case id, workflow, version, state, input, output, error, generation, createdAt = "created_at", finishedAt = "finished_at", tasks
    }

    /// The view of an execution with its tasks.
    public init(_ run: WorkflowRunRecord, tasks: [TaskView]) {
        id = run.id
        workflow = run.workflow
        version = run.version
        state = run.state.rawValue
        input = run.input
        output = run.output
        error = run.error
        generation = run.generation
        createdAt = run.createdAt.iso8601UTC
        finishedAt = run.finishedAt?.iso8601UTC
        self.tasks = tasks
    }
}

/// One line of an execution's log (`workflow logs --json`).
public struct WorkflowEventView: Encodable, Sendable, Equatable {
    /// When (ISO-8601, UTC).
    public var at: String
    /// What happened: `created`, `queued`, `started`, `succeeded`, `failed`, `retried`, `skipped`,
    /// `cancelled`, `halted`, `timed_out`, `compensating`, `compensated`, `finished`, …
    public var event: String
    /// The task, if any.
    @Nullable public var task: String?
    /// The attempt, for task attempts.
    @Nullable public var attempt: Int?
    /// The worker, for task attempts.
    @Nullable public var worker: String?
    /// An error, a reason or an outcome.
    @Nullable public var message: String?

    /// The view of an event.
    public init(_ e: WorkflowEvent) {
        at = e.at.iso8601UTC
        event = e.kind
        task = e.task
        attempt = e.attempt
        worker = e.worker
        message = e.message
    }
}

/// Stored definitions and recent executions (`workflow list --json`).
public struct WorkflowListView: Encodable, Sendable, Equatable {
    /// One stored definition version.
    public struct Definition: Encodable, Sendable, Equatable {
        /// The workflow's name.
        public var name: String
        /// The version.
        public var version: String
        /// How many tasks it has.
        public var tasks: Int
        /// When it was applied.
        public var createdAt: String

        enum CodingKeys: String, CodingKey { case name, version, tasks, createdAt = "created_at" }
    }

    /// One execution.
    public struct Run: Encodable, Sendable, Equatable {
        /// The execution's id.
        public var id: String
        /// The workflow's name.
        public var workflow: String
        /// The version it runs.
        public var version: String
        /// Its state.
        public var state: String
        /// When it started.
        public var createdAt: String
        /// When it ended.
        @Nullable public var finishedAt: String?

        enum CodingKeys: String, CodingKey { case id, workflow, version, state, createdAt = "created_at", finishedAt = "finished_at" }

        /// The row of an execution.
        public init(_ run: WorkflowRunRecord) {
            id = run.id
            workflow = run.workflow
            version = run.version
            state = run.state.rawValue
            createdAt = run.createdAt.iso8601UTC
            finishedAt = run.finishedAt?.iso8601UTC
        }
    }

    /// Every stored version.
    public var workflows: [Definition]
    /// The newest executions.
    public var runs: [Run]
}
