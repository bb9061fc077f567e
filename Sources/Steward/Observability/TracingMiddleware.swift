import Instrumentation
import Tracing

/// Wraps every attempt in a span `steward.job <name>` with the job's id, queue and attempt;
/// errors are recorded on the span. Uses the tracer bootstrapped in `InstrumentationSystem`.
///
/// The span continues the trace that enqueued the job: ``StewardClient`` writes the enqueuer's
/// trace context into the job's metadata (`traceparent`, `tracestate` with the W3C propagator),
/// and this middleware reads it back, so an HTTP request and the jobs it enqueued form one trace.
public struct TracingMiddleware: JobMiddleware {
    /// Creates the tracing middleware.
    public init() {}

    public func handle(_ context: JobContext, next: JobNext) async throws -> String? {
        var parent = ServiceContext.current ?? .topLevel
        InstrumentationSystem.instrument.extract(context.metadata, into: &parent, using: MetadataCarrier())
        let ended: Result<String?, JobOutcomeWritten> = try await withSpan("steward.job \(context.name)", context: parent, ofKind: .consumer) { span in
            span.attributes["steward.job.id"] = Int(context.id.rawValue)
            span.attributes["steward.job.queue"] = context.queue
            span.attributes["steward.job.attempt"] = context.attempt
            do {
                return .success(try await next(context))
            } catch let written as JobOutcomeWritten {
                // A durable run waiting (or ended with its job) is no failure: the span ends without an error.
                if let until = written.suspendedUntil { span.attributes["steward.job.suspended_until"] = until.iso8601UTC }
                return .failure(written)
            }
        }
        return try ended.get()
    }

    /// The trace context of the current task as job metadata entries (empty when nothing is
    /// traced or no instrument is bootstrapped).
    static func propagationMetadata() -> [String: String] {
        guard let current = ServiceContext.current else { return [:] }
        var carrier: [String: String] = [:]
        InstrumentationSystem.instrument.inject(current, into: &carrier, using: MetadataCarrier())
        return carrier
    }
}

/// Job metadata as a carrier of trace context.
struct MetadataCarrier: Injector, Extractor {
    func inject(_ value: String, forKey key: String, into carrier: inout [String: String]) {
        carrier[key] = value
    }

    func extract(key: String, from carrier: [String: String]) -> String? {
        carrier[key]
    }
}
