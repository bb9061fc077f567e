import Tracing

/// Wraps every attempt in a span `steward.job <name>` with the job's id, queue and attempt;
/// errors are recorded on the span. Uses the tracer bootstrapped in `InstrumentationSystem`.
public struct TracingMiddleware: JobMiddleware {
    /// Creates the tracing middleware.
    public init() {}

    public func handle(_ context: JobContext, next: JobNext) async throws -> String? {
        try await withSpan("steward.job \(context.name)", ofKind: .consumer) { span in
            span.attributes["steward.job.id"] = Int(context.id.rawValue)
            span.attributes["steward.job.queue"] = context.queue
            span.attributes["steward.job.attempt"] = context.attempt
            return try await next(context)
        }
    }
}
