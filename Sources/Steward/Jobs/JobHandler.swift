import Foundation

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
