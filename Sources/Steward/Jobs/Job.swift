import Foundation

/// A job's parameters: a Codable value stored as the job's payload, with the name (and default
/// queue) a worker knows it by. Register a closure or a ``JobHandler`` for it when the handler
/// needs dependencies (a database pool, an HTTP client, a mailer); conform to ``Job`` instead
/// when the parameters can run themselves.
///
/// ```swift
/// struct ResizeImage: JobParameters {
///     static let name = "images.resize"
///     var path: String
///     var width: Int
/// }
/// registry.register(ResizeImage.self) { job, context in
///     try await images.resize(job.path, to: job.width)   // `images` captured from your app
/// }
/// ```
public protocol JobParameters: Codable, Sendable {
    /// The job's registered name, stable across deployments.
    static var name: String { get }
    /// The queue it goes to unless the caller names another; default `"default"`.
    static var queue: String { get }
}

extension JobParameters {
    /// The default queue.
    public static var queue: String { "default" }
}

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

/// A handler held as a value, for parameters that do not run themselves: it carries what the
/// work needs (a pool, a client), given once when you register it.
///
/// ```swift
/// struct Resizer: JobHandler {
///     let images: ImageService
///     func handle(_ job: ResizeImage, context: JobContext) async throws -> Size {
///         try await images.resize(job.path, to: job.width)
///     }
/// }
/// registry.register(Resizer(images: live))
/// ```
public protocol JobHandler: Sendable {
    /// The parameters it runs.
    associatedtype Parameters: JobParameters
    /// What it returns; kept as the job's JSON result when it is `Encodable`.
    associatedtype Output: Sendable = Void
    /// Runs one attempt, as ``Job/run(context:)`` does.
    func handle(_ job: Parameters, context: JobContext) async throws -> Output
}

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
