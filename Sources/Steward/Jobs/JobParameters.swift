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
