import Foundation

/// A workflow written as plain async Swift whose steps are recorded, so a run resumes after any
/// crash without running finished steps again (docs/durable.md).
///
/// Register an instance (it may hold dependencies) with `JobRegistry.register(_:)` (its overload for a workflow instance);
/// start runs with ``StewardClient/start(_:input:id:timeout:)``. The function runs inside its
/// run's driver job: after a crash, the job's lease is rescued like any job's and the function
/// runs again from the top, each recorded position returning its recorded value. Code between
/// steps must therefore be deterministic: take time and randomness from ``DurableContext/now()``
/// and ``DurableContext/uuid()``, and side effects only inside steps.
public protocol DurableWorkflow: Sendable {
    /// What a run is started with.
    associatedtype Input: Codable & Sendable
    /// What a run returns.
    associatedtype Output: Codable & Sendable

    /// The name runs are started under (and the driver job's name).
    static var name: String { get }
    /// The queue the driver jobs run on (`default` unless given).
    static var queue: String { get }
    /// The driver job's retry policy: a run whose function throws is replayed with this backoff
    /// (the queue's policy when `nil`).
    static var retryPolicy: RetryPolicy? { get }

    /// The workflow.
    func run(context: DurableContext, input: Input) async throws -> Output
}

extension DurableWorkflow {
    /// `default`.
    public static var queue: String { "default" }
    /// The queue's.
    public static var retryPolicy: RetryPolicy? { nil }
}

extension JobRegistry {
    /// Registers a code workflow: workers with this registry run its runs (their driver jobs,
    /// named ``DurableWorkflow/name``), beside the registry's jobs.
    public func register<W: DurableWorkflow>(_ workflow: W) {
        register(name: W.name) { payload, context in
            try await DurableDriver(workflow: workflow, context: context).run(payload: payload)
        }
    }
}
