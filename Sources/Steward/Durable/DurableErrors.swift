import Foundation

/// A replayed run reached a position whose record is of another step: the code changed in a way
/// its history cannot follow. The run fails (never mixing histories); guard such changes with
/// ``DurableContext/patched(_:)``.
public struct DurableNondeterminism: Error, Sendable, CustomStringConvertible {
    /// The position.
    public var seq: Int
    /// What the history holds there: kind and name.
    public var recorded: String
    /// What the code asked for there.
    public var now: String

    public var description: String { "nondeterministic: step \(seq) was \(recorded), now \(now)" }
}

/// A step's body threw (after its own retries). Replays throw the same, from the record, so a
/// `do/catch` around a step takes the same path every time.
public struct DurableStepFailed: Error, Sendable, CustomStringConvertible {
    /// The step's name.
    public var step: String
    /// The type name of the error its body threw.
    public var type: String
    /// That error's description.
    public var message: String

    /// The step's position.
    public var seq: Int

    /// Whether its body asked not to be retried (``PermanentJobError``): the run then fails
    /// without replaying.
    public var permanent: Bool { type == "PermanentJobError" }

    /// The failure a failed record holds (a replay throws it again).
    init(_ record: DurableStepRecord) {
        step = record.name
        type = record.error?.type ?? "Error"
        message = record.error?.message ?? ""
        seq = record.seq
    }

    init(step: String, type: String, message: String, seq: Int) {
        self.step = step
        self.type = type
        self.message = message
        self.seq = seq
    }

    public var description: String { "step '\(step)' failed: \(type): \(message)" }
}

/// A value too large to record (a step's output, a run's input or output, a message, an event).
public struct DurableValueTooLarge: Error, Sendable, CustomStringConvertible {
    /// What it is, e.g. `step 'charge' output`.
    public var what: String
    /// Its size in bytes of JSON.
    public var bytes: Int
    /// The limit.
    public var limit: Int

    public var description: String { "\(what) is \(bytes) bytes of JSON, over the limit of \(limit) bytes" }
}

/// A run ended without an output: it failed or was cancelled.
public struct DurableRunFailed: Error, Sendable, CustomStringConvertible {
    /// The run.
    public var run: String
    /// How it ended.
    public var state: DurableRunRecord.State
    /// Why.
    public var error: JobErrorInfo?

    public var description: String {
        "workflow run '\(run)' \(state.rawValue)" + (error.map { ": \($0.type): \($0.message)" } ?? "")
    }
}
