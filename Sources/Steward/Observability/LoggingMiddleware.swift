import Foundation
import Logging

/// Logs the start of every attempt (debug), with the payload only on request, since it may hold
/// personal data. How an attempt ended (succeeded, retrying, dead-lettered, cancelled) is logged
/// by the worker once it has decided, so each state change is one line at its own level.
public struct LoggingMiddleware: JobMiddleware {
    /// Whether the job's payload is included in the start line.
    public var logPayload: Bool

    /// Creates the logging middleware.
    public init(logPayload: Bool = false) {
        self.logPayload = logPayload
    }

    public func handle(_ context: JobContext, next: JobNext) async throws -> String? {
        if context.logs(at: .debug) {
            var metadata: Logger.Metadata = [:]
            if logPayload { metadata["job.payload"] = "\(context.payload)" }
            context.logger.debug("attempt started", metadata: metadata)
        }
        return try await next(context)
    }
}
