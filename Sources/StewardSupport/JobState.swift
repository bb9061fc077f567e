import Foundation

/// Where a job stands in its lifecycle (see docs/design.md for the diagram).
///
/// `scheduled` jobs become claimable when their run-at passes; stores report such a due job as
/// `available` without a separate pass over the table.
public enum JobState: String, Sendable, Codable, CaseIterable {
    /// Waiting for its parent jobs (``NewJob/dependsOn``) to finish; it becomes `available` (or
    /// `scheduled`) in the transaction that finishes the last of them.
    case waiting
    /// Waiting for its run-at instant (delayed, or backing off before a retry).
    case scheduled
    /// Ready to be claimed.
    case available
    /// Claimed by a worker holding a lease.
    case running
    /// Finished successfully; the result is kept for the retention period.
    case succeeded
    /// Cancelled before it could finish.
    case cancelled
    /// Failed its last attempt (or a non-retryable error); moved to the dead-letter queue.
    case dead

    /// Whether the job will not run again unless retried by hand.
    public var isFinished: Bool {
        switch self {
        case .succeeded, .cancelled, .dead: true
        case .waiting, .scheduled, .available, .running: false
        }
    }

    /// Parses a state name; the error lists the valid names.
    public static func parse(_ text: String) throws -> JobState {
        guard let state = JobState(rawValue: text.lowercased()) else {
            let names = JobState.allCases.map(\.rawValue).joined(separator: ", ")
            throw StewardError.invalidArgument(field: "state", message: "state: '\(text)' is not a job state (one of \(names))")
        }
        return state
    }
}
