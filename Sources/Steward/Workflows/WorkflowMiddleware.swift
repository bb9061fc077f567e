import Foundation

/// The DAG workflow engine in a worker's middleware chain: a job of a workflow execution (a
/// task, or one of the engine's own jobs) is run here; any other job passes through.
///
/// For a task it reads how the upstream tasks ended, applies the trigger rule and the `when`
/// condition, renders the input and calls `next` with it, so the task reaches its job's handler
/// through the rest of the chain like any job. A ``Worker`` whose store keeps workflows adds it
/// innermost, after your middleware; the engine's own job names are claimed through
/// ``jobNames``.
public struct WorkflowMiddleware: JobMiddleware {
    let store: any WorkflowStore & PipelineStore
    let clock: any StewardClock

    /// The engine on `store`.
    public init(store: any WorkflowStore & PipelineStore, clock: any StewardClock = SystemClock()) {
        self.store = store
        self.clock = clock
    }

    public var jobNames: [String] { WorkflowEngine.JobName.all }

    public func handle(_ context: JobContext, next: JobNext) async throws -> String? {
        // A map's items and a saga's compensations are plain jobs with rendered payloads.
        guard let role = context.metadata[WorkflowEngine.Key.role].flatMap(WorkflowEngine.Role.init(rawValue:)),
            role != .item, role != .compensate
        else { return try await next(context) }
        return try await WorkflowEngine.run(context, role: role, store: store, clock: clock, next: next)
    }
}
