import Foundation
import Logging

/// Logs the start (debug) and end of every attempt, with its duration; payloads only on request,
/// since they may hold personal data.
public struct LoggingMiddleware: JobMiddleware {
    /// Whether the job's payload is included in the start line.
    public var logPayload: Bool

    /// Creates the logging middleware.
    public init(logPayload: Bool = false) {
        self.logPayload = logPayload
    }

    public func handle(_ context: JobContext, next: JobNext) async throws -> String? {
        let debug = context.logs(at: .debug)
        if debug {
            var metadata: Logger.Metadata = [:]
            if logPayload { metadata["job.payload"] = "\(context.payload)" }
            context.logger.debug("attempt started", metadata: metadata)
        }
        let start = ContinuousClock.now
        do {
            let result = try await next(context)
            if debug {
                context.logger.debug("attempt succeeded", metadata: ["duration_ms": "\(elapsedMs(since: start))"])
            }
            return result
        } catch {
            context.logger.warning(
                "attempt failed",
                metadata: [
                    "duration_ms": "\(elapsedMs(since: start))",
                    "error.type": "\(errorTypeName(error))",
                    "error.message": "\(error)",
                ])
            throw error
        }
    }

    private func elapsedMs(since start: ContinuousClock.Instant) -> Int {
        Int(((ContinuousClock.now - start).seconds * 1000).rounded())
    }
}
