import Foundation

/// A handler failure that must not be retried: the job goes straight to dead letters.
public struct PermanentJobError: Error, Sendable, CustomStringConvertible {
    /// Why the job cannot succeed.
    public var message: String
    /// Creates a permanent failure.
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// The error an attempt fails with when it runs longer than its timeout.
public struct JobTimeout: Error, Sendable, CustomStringConvertible {
    /// The timeout that was exceeded.
    public var timeout: Duration
    /// Creates the error for an attempt stopped after `timeout`.
    public init(timeout: Duration) { self.timeout = timeout }
    public var description: String { "attempt exceeded its timeout of \(timeout.seconds)s" }
}

/// The error for a job whose payload does not decode into its job type; never retried.
public struct PayloadDecodingError: Error, Sendable, CustomStringConvertible {
    /// The job name.
    public var job: String
    /// What the decoder said.
    public var reason: String
    public var description: String { "payload of '\(job)' does not decode: \(reason)" }
}

/// The error for a claimed job whose name no handler is registered for in this worker.
public struct UnregisteredJobError: Error, Sendable, CustomStringConvertible {
    /// The job name.
    public var job: String
    public var description: String { "no handler registered for job '\(job)' in this worker" }
}

/// An error that names its own type for the history and `retryOn` (an HTTP job's
/// `HTTPStatus503`), instead of its Swift type's name.
public protocol NamedJobError: Error {
    /// The name recorded as the error's type.
    var errorTypeName: String { get }
}

/// The type name Steward records for an error and matches against `retryOn`.
public func errorTypeName(_ error: any Error) -> String {
    (error as? any NamedJobError)?.errorTypeName ?? String(describing: type(of: error))
}

/// Thrown by a code workflow's driver when its attempt ended suspended: the store has already
/// made the job `scheduled` at `until` (``JobOutcome/Kind/suspended(until:)``), so the worker
/// writes no outcome.
package struct JobSuspended: Error, Sendable, CustomStringConvertible {
    /// When the job is due again at the latest.
    package var until: Date
    /// Whether the suspension applied (`false`: the lease was lost meanwhile).
    package var applied: Bool

    package init(until: Date, applied: Bool) {
        self.until = until
        self.applied = applied
    }

    package var description: String { "suspended until \(until.iso8601UTC)" }
}
