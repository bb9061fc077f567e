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

/// Thrown by a handler whose attempt's outcome was written by its own store transaction, so the
/// worker writes none: a code workflow's driver, suspended with the run's wait
/// (``JobOutcome/Kind/suspended(until:)``, the job `scheduled` at `until`) or succeeded with the
/// run's end.
package struct JobOutcomeWritten: Error, Sendable, CustomStringConvertible {
    /// The outcome written.
    package var kind: JobOutcome.Kind
    /// Whether it applied (`false`: the lease was lost meanwhile).
    package var applied: Bool

    package init(_ kind: JobOutcome.Kind, applied: Bool) {
        self.kind = kind
        self.applied = applied
    }

    /// A suspension until `until`.
    package static func suspended(until: Date, applied: Bool) -> Self { Self(.suspended(until: until), applied: applied) }

    /// When a suspended job is due again at the latest.
    package var suspendedUntil: Date? {
        if case .suspended(let until) = kind { until } else { nil }
    }

    /// The outcome's name in metrics: `suspended` or `succeeded`.
    package var label: String { suspendedUntil == nil ? "succeeded" : "suspended" }

    package var description: String {
        if let until = suspendedUntil { "suspended until \(until.iso8601UTC)" } else { "outcome written: \(label)" }
    }
}
