import Foundation

/// An execution as every surface shows it (`workflow status --json`), of either kind: a DAG run
/// (`kind: "dag"`, its tasks) or a code workflow's run (`kind: "code"`, its recorded steps and
/// what it waits for). Both kinds have every key; what a kind lacks is `null` or empty.
public struct WorkflowRunView: Encodable, Sendable, Equatable {
    /// One recorded position of a code run.
    public struct StepView: Encodable, Sendable, Equatable {
        /// The position, from 1.
        public var seq: Int
        /// The step's name (a receive's topic, a child's workflow, an event's key, a patch's id).
        public var name: String
        /// `step`, `sleep`, `receive`, `child`, `event` or `patch`.
        public var kind: String
        /// `pending` (waiting), `succeeded` or `failed`.
        public var state: String
        /// Times its body ran.
        public var attempts: Int
        /// Its recorded value.
        @Nullable public var output: JSONValue?
        /// Why it failed.
        @Nullable public var error: String?
        /// When it was first reached.
        public var startedAt: String
        /// When it was done.
        @Nullable public var finishedAt: String?
        /// A timer's or receive's deadline.
        @Nullable public var until: String?

        enum CodingKeys: String, CodingKey {
            case seq, name, kind, state, attempts, output, error, startedAt = "started_at", finishedAt = "finished_at", until
        }

        /// The view of a recorded position.
        public init(_ step: DurableStepRecord) {
            seq = step.seq
            name = step.name
            kind = step.kind.rawValue
            state = step.state.rawValue
            attempts = step.attempts
            output = step.output.flatMap(JSONValue.init(parsing:))
            error = step.error.map { "\($0.type): \($0.message)" }
            startedAt = step.startedAt.iso8601UTC
            finishedAt = step.finishedAt?.iso8601UTC
            until = step.until?.iso8601UTC
        }
    }

    /// What a waiting code run waits for.
    public struct WaitView: Encodable, Sendable, Equatable {
        /// `sleep`, `message` or `child`.
        public var kind: String
        /// A message wait's topic.
        @Nullable public var topic: String?
        /// A child wait's run.
        @Nullable public var child: String?
        /// When the wait ends by itself.
        @Nullable public var until: String?

        /// The view of a wait.
        public init(_ wait: DurableWait) {
            kind = wait.kind.rawValue
            topic = wait.topic
            child = wait.child
            until = wait.until?.iso8601UTC
        }
    }

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
    /// `dag` (a workflow definition's execution) or `code` (a ``DurableWorkflow``'s run).
    public var kind: String
    /// The workflow's name.
    public var workflow: String
    /// The definition version a DAG run runs (`null` for a code run).
    @Nullable public var version: String?
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
    /// What a suspended code run waits for (`null` while it runs, once it ended, and for DAG runs).
    @Nullable public var waiting: WaitView?
    /// When it started.
    public var createdAt: String
    /// When it ended.
    @Nullable public var finishedAt: String?
    /// A DAG run's tasks, in definition order (empty for a code run).
    public var tasks: [TaskView]
    /// A code run's recorded steps, in order (empty for a DAG run).
    public var steps: [StepView]

    enum CodingKeys: String, CodingKey {
        case id, kind, workflow, version, state, input, output, error, generation, waiting, createdAt = "created_at",
            finishedAt = "finished_at", tasks, steps
    }

    /// The view of an execution with its tasks.
    public init(_ run: WorkflowRunRecord, tasks: [TaskView]) {
        id = run.id
        kind = "dag"
        waiting = nil
        steps = []
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

    /// The view of a code run with its recorded steps. `job` is its driver job: a run whose job
    /// ended without the run recording its end (an error its retry policy does not retry, a job
    /// cancelled by hand) shows the job's end.
    public init(_ run: DurableRunRecord, steps: [DurableStepRecord], job: JobRecord?) {
        id = run.id
        kind = "code"
        workflow = run.workflow
        version = nil
        var state = run.state.rawValue
        var error = run.error
        if run.state == .running, let job, job.state.isFinished, job.state != .succeeded {
            state = job.state == .cancelled ? DurableRunRecord.State.cancelled.rawValue : DurableRunRecord.State.failed.rawValue
            error = job.lastError
        }
        self.state = state
        input = JSONValue(parsing: run.input) ?? .null
        output = run.output.flatMap(JSONValue.init(parsing:))
        self.error = error.map { "\($0.type): \($0.message)" }
        generation = run.generation
        // A wait is shown while the driver job waits for it (a due timer reads as running).
        waiting = job?.state == .scheduled ? run.waiting.map(WaitView.init) : nil
        createdAt = run.createdAt.iso8601UTC
        finishedAt = run.finishedAt?.iso8601UTC
        tasks = []
        self.steps = steps.map(StepView.init)
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
        /// `dag` or `code`.
        public var kind: String
        /// The workflow's name.
        public var workflow: String
        /// The version a DAG run runs (`null` for a code run).
        @Nullable public var version: String?
        /// Its state.
        public var state: String
        /// When it started.
        public var createdAt: String
        /// When it ended.
        @Nullable public var finishedAt: String?

        enum CodingKeys: String, CodingKey { case id, kind, workflow, version, state, createdAt = "created_at", finishedAt = "finished_at" }

        /// The row of a code run.
        public init(_ run: DurableRunRecord) {
            id = run.id
            kind = "code"
            workflow = run.workflow
            version = nil
            state = run.state.rawValue
            createdAt = run.createdAt.iso8601UTC
            finishedAt = run.finishedAt?.iso8601UTC
        }

        /// The row of an execution.
        public init(_ run: WorkflowRunRecord) {
            id = run.id
            kind = "dag"
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
