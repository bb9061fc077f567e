/// Errors raised by Steward's API and stores; each names what is wrong and where.
public enum StewardError: Error, Sendable, Equatable, CustomStringConvertible {
    /// An enqueue was refused because the queue already holds its configured maximum of waiting jobs.
    case queueFull(queue: String, maxDepth: Int)
    /// No job has this id.
    case jobNotFound(JobID)
    /// The requested transition is not allowed from the job's current state.
    case invalidTransition(job: JobID, from: JobState, action: String)
    /// An argument (CLI flag, URL, field) is malformed. `field` names it as a value (the HTTP API
    /// answers it in its `field` key; `nil` when no single field is to blame); `message` says
    /// what is wrong, naming the field and the value.
    case invalidArgument(field: String?, message: String)
    /// Waiting for a job's result took longer than allowed.
    case waitTimedOut(job: JobID, state: JobState)
    /// The job ended without a result: it is dead or cancelled.
    case jobDidNotSucceed(job: JobID, state: JobState, error: JobErrorInfo?)
    /// The store could not be opened or used.
    case storeUnavailable(String)
    /// No schedule has this name.
    case scheduleNotFound(String)
    /// No queue has this name (it has neither jobs nor stored settings); `known` lists those that do.
    case queueNotFound(String, known: [String])
    /// A job was enqueued after (``NewJob/dependsOn``) a job that does not exist: never
    /// enqueued, or purged after it finished.
    case parentNotFound(JobID)
    /// No workflow has this name (and version); `known` lists the stored workflow names.
    case workflowNotFound(String, known: [String])
    /// No workflow execution has this id.
    case workflowRunNotFound(String)
    /// The requested action is not allowed in the execution's current state (as
    /// ``invalidTransition(job:from:action:)`` for a job); `allowed` says from which states it is.
    case invalidWorkflowTransition(run: String, from: String, action: String, allowed: String)
    /// An idempotency key still held by an earlier, different request (whose job is `job`).
    case idempotencyKeyReused(key: String, job: JobID)

    /// Whether the error is the caller's input (a malformed value, an unknown id or name) rather
    /// than a failure: the CLI exits 2 for these, 1 for the rest.
    public var isInvalidInput: Bool {
        switch self {
        case .invalidArgument, .jobNotFound, .scheduleNotFound, .queueNotFound, .parentNotFound, .workflowNotFound, .workflowRunNotFound:
            return true
        default: return false
        }
    }

    public var description: String {
        switch self {
        case let .queueFull(queue, maxDepth):
            return "queueFull: queue '\(queue)' already holds its maximum of \(maxDepth) waiting jobs"
        case let .jobNotFound(id):
            return "job \(id) not found"
        case let .invalidTransition(job, from, action):
            return "cannot \(action) job \(job): it is \(from.rawValue)"
        case let .invalidArgument(_, message):
            return message
        case let .waitTimedOut(job, state):
            return "timed out waiting for job \(job) (still \(state.rawValue))"
        case let .jobDidNotSucceed(job, state, error):
            let detail = error.map { ": \($0.type): \($0.message)" } ?? ""
            return "job \(job) ended \(state.rawValue)\(detail)"
        case let .storeUnavailable(text):
            return "store unavailable: \(text)"
        case let .scheduleNotFound(name):
            return "schedule '\(name)' not found"
        case let .queueNotFound(name, known):
            let list = known.isEmpty ? "none yet" : known.map { "'\($0)'" }.joined(separator: ", ")
            return "queue '\(name)' not found (known queues: \(list))"
        case let .workflowNotFound(name, known):
            let list = known.isEmpty ? "none applied yet" : known.map { "'\($0)'" }.joined(separator: ", ")
            return "workflow '\(name)' not found (known workflows: \(list))"
        case let .workflowRunNotFound(id):
            return "workflow run '\(id)' not found"
        case let .idempotencyKeyReused(key, job):
            return "Idempotency-Key '\(key)' was used for a different request (job \(job)); use a new key for a new request"
        case let .invalidWorkflowTransition(run, from, action, allowed):
            return "cannot \(action) workflow run '\(run)': it is \(from) (\(allowed))"
        case let .parentNotFound(id):
            return "after: job \(id) not found (never enqueued, or purged after it finished)"
        }
    }
}
