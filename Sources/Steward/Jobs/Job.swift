import Foundation

/// A typed job that runs itself: the conforming type *is* its parameters (Codable), and `run` is
/// its handler.
///
/// ```swift
/// struct SendWelcomeEmail: Job {
///     static let name = "email.welcome"
///     var userID: Int
///     func run(context: JobContext) async throws -> String {
///         context.reportProgress(JobProgress(percent: 50, message: "rendering"))
///         return "sent to \(userID)"
///     }
/// }
/// ```
/// A job whose `run` returns nothing has no result; any `Encodable` output is kept as JSON.
public protocol Job: JobParameters {
    /// What the handler returns; kept as the job's JSON result when it is `Encodable`.
    associatedtype Output: Sendable = Void
    /// Runs one attempt. Throwing fails the attempt (retried by the retry policy); honour task
    /// cancellation, which is how timeouts, cancels and shutdown stop a handler.
    func run(context: JobContext) async throws -> Output
}
