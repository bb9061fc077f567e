/// The rest of the chain after a middleware: eventually the handler, returning the JSON result.
public typealias JobNext = @Sendable (JobContext) async throws -> String?

/// Code that wraps every attempt (logging, metrics, tracing, your own).
///
/// The worker composes the chain once, outermost first: tracing (when a tracer is bootstrapped),
/// metrics (when a metrics backend is bootstrapped), logging, then the middleware you pass in
/// that order, then the handler. A middleware sees the handler's error
/// (it may rethrow, wrap or translate it) and the attempt's timeout applies to the whole chain.
public protocol JobMiddleware: Sendable {
    /// Runs around one attempt; call `next` to continue the chain.
    func handle(_ context: JobContext, next: JobNext) async throws -> String?

    /// Names of jobs this middleware runs itself, with no handler in the registry (the workflow
    /// engine's own jobs): the worker claims them as well as its registry's.
    var jobNames: [String] { get }
}

extension JobMiddleware {
    /// None: jobs are run by their registered handlers.
    public var jobNames: [String] { [] }
}

extension Array where Element == any JobMiddleware {
    /// Composes the middleware (first = outermost) around `handler`.
    func compose(around handler: @escaping JobNext) -> JobNext {
        reversed().reduce(handler) { next, middleware in
            { context in try await middleware.handle(context, next: next) }
        }
    }
}
