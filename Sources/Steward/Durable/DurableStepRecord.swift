import Foundation

/// One recorded position of a code workflow's history: a step's output or final error, a
/// timer, a received message, a child's result, an event, a patch marker. Replay returns what
/// is recorded here instead of running the body again.
public struct DurableStepRecord: Codable, Sendable, Equatable {
    /// What the position records.
    public enum Kind: String, Codable, Sendable, CaseIterable {
        /// ``DurableContext/step(_:retry:_:)`` (and the recorded ``DurableContext/now()`` and
        /// ``DurableContext/uuid()``).
        case step
        /// ``DurableContext/sleep(for:)``.
        case sleep
        /// ``DurableContext/receive(_:topic:timeout:)``.
        case receive
        /// ``DurableContext/child(_:input:id:)``.
        case child
        /// ``DurableContext/setEvent(_:_:)``.
        case event
        /// ``DurableContext/patched(_:)``.
        case patch
    }

    /// Where the position stands.
    public enum State: String, Codable, Sendable {
        /// Started and waiting (a timer or a receive with its deadline fixed).
        case pending
        /// Done; ``output`` holds its value.
        case succeeded
        /// Its body threw; final once a later position is recorded (the workflow moved past it).
        case failed
    }

    /// The run.
    public var run: String
    /// The position, from 1, in the order the workflow reached it.
    public var seq: Int
    /// What it records.
    public var kind: Kind
    /// The step's name (a receive's topic, a child's workflow, an event's key, a patch's id).
    public var name: String
    /// Where it stands.
    public var state: State
    /// Its value as JSON (`null` for a receive that timed out).
    public var output: String?
    /// Why it failed: the error's type name and message.
    public var error: JobErrorInfo?
    /// Times its body ran.
    public var attempts: Int
    /// When it was first reached.
    public var startedAt: Date
    /// When it was done.
    public var finishedAt: Date?
    /// A timer's or receive's deadline, fixed when first reached so replays keep it.
    public var until: Date?

    /// Creates a record.
    public init(
        run: String, seq: Int, kind: Kind, name: String, state: State, output: String? = nil, error: JobErrorInfo? = nil,
        attempts: Int = 0, startedAt: Date, finishedAt: Date? = nil, until: Date? = nil
    ) {
        self.run = run
        self.seq = seq
        self.kind = kind
        self.name = name
        self.state = state
        self.output = output
        self.error = error
        self.attempts = attempts
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.until = until
    }
}

/// A message sent to a run (``StewardClient/send(_:to:topic:)``), kept until a `receive` on its
/// topic takes it; each is received once, oldest first per topic.
public struct DurableMessage: Codable, Sendable, Equatable {
    /// Its id in the store (order of arrival).
    public var id: Int64
    /// The run.
    public var run: String
    /// The topic.
    public var topic: String
    /// The payload as JSON.
    public var payload: String
    /// When it was sent.
    public var sentAt: Date

    /// Creates a message.
    public init(id: Int64 = 0, run: String, topic: String, payload: String, sentAt: Date) {
        self.id = id
        self.run = run
        self.topic = topic
        self.payload = payload
        self.sentAt = sentAt
    }
}
