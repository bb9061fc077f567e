import Foundation

/// A run of a code workflow (``DurableWorkflow``): its input, where it stands, what it waits
/// for, and how it ended. The function itself runs inside the run's driver job (``job``).
public struct DurableRunRecord: Codable, Sendable, Equatable {
    /// Where a run stands.
    public enum State: String, Codable, Sendable, CaseIterable {
        /// Started and not finished: running a step, or suspended until something happens.
        case running
        /// The function returned; ``output`` holds its value.
        case succeeded
        /// The function threw on its last attempt (or its replay did not match its history).
        case failed
        /// Cancelled (``StewardClient/cancel(run:)``) or timed out.
        case cancelled

        /// Whether the run has ended.
        public var isFinished: Bool { self != .running }
    }

    /// The run's id, given at start or generated.
    public var id: String
    /// The workflow's ``DurableWorkflow/name``.
    public var workflow: String
    /// The queue its driver job runs on.
    public var queue: String
    /// Where it stands.
    public var state: State
    /// The input as JSON.
    public var input: String
    /// The output as JSON, once it succeeded.
    public var output: String?
    /// Why it failed or was cancelled.
    public var error: JobErrorInfo?
    /// The driver job.
    public var job: JobID?
    /// The run that started this one as its child.
    public var parent: String?
    /// What a suspended run waits for; `nil` while it runs or once it ended.
    public var waiting: DurableWait?
    /// Set by a cancel: the run's next step boundary throws `CancellationError`.
    public var cancelRequested: Bool
    /// The run is cancelled at its first step boundary after this instant (`timeout:` at start).
    public var deadline: Date?
    /// 1, plus one per `workflow retry`.
    public var generation: Int
    /// When it was started.
    public var createdAt: Date
    /// When it last changed.
    public var updatedAt: Date
    /// When it ended.
    public var finishedAt: Date?

    /// Creates a record.
    public init(
        id: String, workflow: String, queue: String, state: State = .running, input: String, output: String? = nil,
        error: JobErrorInfo? = nil, job: JobID? = nil, parent: String? = nil, waiting: DurableWait? = nil,
        cancelRequested: Bool = false, deadline: Date? = nil, generation: Int = 1, createdAt: Date, updatedAt: Date? = nil,
        finishedAt: Date? = nil
    ) {
        self.id = id
        self.workflow = workflow
        self.queue = queue
        self.state = state
        self.input = input
        self.output = output
        self.error = error
        self.job = job
        self.parent = parent
        self.waiting = waiting
        self.cancelRequested = cancelRequested
        self.deadline = deadline
        self.generation = generation
        self.createdAt = createdAt
        self.updatedAt = updatedAt ?? createdAt
        self.finishedAt = finishedAt
    }
}

/// What a suspended run waits for. Its driver job is `scheduled` at ``until`` (far ahead when it
/// waits without a timeout); what it waits for makes the job due at once, in the transaction
/// that stores the message or finishes the child.
public struct DurableWait: Codable, Sendable, Equatable {
    /// What kind of event ends the wait.
    public enum Kind: String, Codable, Sendable {
        /// A timer (``DurableContext/sleep(for:)``).
        case sleep
        /// A message on ``topic``.
        case message
        /// The child run ``child`` finishing.
        case child
    }

    /// What kind of event ends the wait.
    public var kind: Kind
    /// The topic of a message wait.
    public var topic: String?
    /// The child run of a child wait.
    public var child: String?
    /// When the wait ends by itself (a timer, a receive's timeout); `nil` when only the event ends it.
    public var until: Date?

    /// Creates a wait.
    public init(kind: Kind, topic: String? = nil, child: String? = nil, until: Date? = nil) {
        self.kind = kind
        self.topic = topic
        self.child = child
        self.until = until
    }

    /// `sleep until …`, `message 'approve'`, `child order-42-7`: for listings.
    public var description: String {
        let end = until.map { " until \($0.iso8601UTC)" } ?? ""
        switch kind {
        case .sleep: return "sleep\(end)"
        case .message: return "message '\(topic ?? "")'\(end)"
        case .child: return "child \(child ?? "")"
        }
    }
}

extension DurableRunRecord {
    /// A stored record decoded; a record read again unchanged (its start, its driver's history
    /// read and its end's locked read see the same text) is decoded once.
    package static func stored(_ text: String) throws -> DurableRunRecord { try memo.decode(text) }

    private static let memo = DecodeMemo<DurableRunRecord>()
}
