import Foundation

/// A workflow: a DAG of tasks, each run as a job, with templated inputs, conditions, trigger
/// rules, fan-out and compensation (see docs/workflows.md). Built in Swift or read from YAML
/// (`WorkflowFile` (StewardConfig)); stored by name and version, so every worker runs the same definition and a
/// running execution stays on the version it started with.
public struct WorkflowDefinition: Sendable, Codable, Equatable {
    /// What happens when a task fails for good.
    public enum ErrorHandling: String, Sendable, Codable, CaseIterable {
        /// Stop scheduling; running tasks finish; the execution ends `failed`.
        case fail
        /// Stop scheduling, then run the `compensate` jobs of succeeded tasks in reverse completion
        /// order; the execution ends `compensated` or `compensation_failed`.
        case compensatingActions = "compensating_actions"
        /// Keep going: tasks downstream follow their trigger rules; the execution ends `failed`
        /// if any task failed.
        case `continue`
    }

    /// The workflow's name.
    public var name: String
    /// Its version; a stored name and version always mean the same body.
    public var version: String
    /// Longest an execution may run before its tasks are cancelled (and compensated, under
    /// ``ErrorHandling/compensatingActions``), seconds.
    public var timeoutSeconds: Double?
    /// What a failed task does to the execution.
    public var errorHandling: ErrorHandling
    /// The tasks, in declaration order.
    public var tasks: [WorkflowTask]
    /// The execution's output as a template over `input` and `tasks`; `nil` means the outputs of
    /// the tasks no other task depends on, keyed by task name.
    public var output: JSONValue?

    /// Creates a definition; ``validate(place:)`` checks it.
    public init(
        name: String, version: String = "1", timeout: Duration? = nil, errorHandling: ErrorHandling = .fail,
        tasks: [WorkflowTask], output: JSONValue? = nil
    ) {
        self.name = name
        self.version = version
        self.timeoutSeconds = timeout?.seconds
        self.errorHandling = errorHandling
        self.tasks = tasks
        self.output = output
    }

    /// The task named `name`.
    public func task(_ name: String) -> WorkflowTask? { tasks.first { $0.name == name } }

    /// Tasks no other task depends on.
    public var leaves: [WorkflowTask] {
        let upstream = Set(tasks.flatMap(\.dependsOn))
        return tasks.filter { !upstream.contains($0.name) }
    }

    enum CodingKeys: String, CodingKey {
        case name, version, timeoutSeconds = "timeout_s", errorHandling = "error_handling", tasks, output
    }
}

/// One task of a workflow: a job run with an input rendered from the workflow's input and
/// upstream outputs.
public struct WorkflowTask: Sendable, Codable, Equatable {
    /// When a task runs, given how its upstream tasks ended (as in Airflow). A task starts only
    /// once every upstream task has finished.
    public enum Trigger: String, Sendable, Codable, CaseIterable {
        /// Every upstream task succeeded (the default).
        case allSuccess = "all_success"
        /// Every upstream task finished, however.
        case allDone = "all_done"
        /// At least one upstream task succeeded.
        case oneSuccess = "one_success"
        /// At least one upstream task failed.
        case oneFailed = "one_failed"
        /// No upstream task failed (skipped ones are fine).
        case noneFailed = "none_failed"
    }

    /// A job that undoes a succeeded task (sagas).
    public struct Compensation: Sendable, Codable, Equatable {
        /// The job's registered name.
        public var job: String
        /// Its input, a template over `input` and `tasks` (the task's own output included).
        public var input: JSONValue

        /// Creates a compensation.
        public init(job: String, input: JSONValue = .object([:])) {
            self.job = job
            self.input = input
        }
    }

    /// The task's name, unique in its workflow.
    public var name: String
    /// The registered job it runs.
    public var job: String
    /// Its input: JSON whose strings may hold `{{ path }}` templates.
    public var input: JSONValue
    /// Tasks that must finish first.
    public var dependsOn: [String]
    /// When it runs, given how those ended.
    public var trigger: Trigger
    /// A condition (see ``WorkflowCondition``); false makes the task `skipped`.
    public var when: String?
    /// Attempts and backoff; the job's queue policy when `nil`.
    public var retry: RetryPolicy?
    /// Longest one attempt may run, seconds.
    public var timeoutSeconds: Double?
    /// The queue its jobs go to; `default` when `nil`.
    public var queue: String?
    /// Its jobs' priority.
    public var priority: Int?
    /// The job that undoes it, under ``WorkflowDefinition/ErrorHandling/compensatingActions``.
    public var compensate: Compensation?
    /// Fan-out: a template that yields a list; one job runs per item (`{{item}}`, `{{index}}`
    /// in `input`), and the task's output is the list of their outputs, in item order.
    public var map: String?
    /// Fan-out: at most this many items run at once (in item order); unlimited when `nil`.
    public var parallelism: Int?
    /// Fan-out: the task fails when more than this many items fail.
    public var tolerateFailures: Int

    /// Creates a task; `job` defaults to the task's name.
    public init(
        _ name: String, job: String? = nil, input: JSONValue = .object([:]), dependsOn: [String] = [],
        trigger: Trigger = .allSuccess, when: String? = nil, retry: RetryPolicy? = nil, timeout: Duration? = nil,
        queue: String? = nil, priority: Int? = nil, compensate: Compensation? = nil, map: String? = nil,
        parallelism: Int? = nil, tolerateFailures: Int = 0
    ) {
        self.name = name
        self.job = job ?? name
        self.input = input
        self.dependsOn = dependsOn
        self.trigger = trigger
        self.when = when
        self.retry = retry
        self.timeoutSeconds = timeout?.seconds
        self.queue = queue
        self.priority = priority
        self.compensate = compensate
        self.map = map
        self.parallelism = parallelism
        self.tolerateFailures = tolerateFailures
    }

    enum CodingKeys: String, CodingKey {
        case name, job, input, dependsOn = "depends_on", trigger, when, retry, timeoutSeconds = "timeout_s", queue, priority,
            compensate, map, parallelism, tolerateFailures = "tolerate_failures"
    }
}
