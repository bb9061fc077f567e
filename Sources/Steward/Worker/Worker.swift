import Foundation
import Logging
import ServiceLifecycle

/// Runs jobs from one or more queues: a swift-service-lifecycle `Service`.
///
/// Per queue, one loop claims due jobs in batches (free slots plus a prefetch sized to the
/// queue's completion rate) and up to `concurrency` lanes run them, each lane taking the next
/// claimed job as soon as it finishes one. Finished attempts are written in batches by one
/// completer; leases of running and claimed jobs are extended by one heartbeat. On graceful
/// shutdown the worker stops claiming, gives claimed-but-unstarted jobs back, lets running jobs
/// finish within `shutdownGracePeriod`, then cancels the rest and releases them to their queue.
public final class Worker: Service, Sendable {
    /// This worker's lease-owner id.
    public let id: String
    let store: any JobStore
    let registry: JobRegistry
    let queues: [QueueConfiguration]
    let configuration: WorkerConfiguration
    let clock: any StewardClock
    let logger: Logger
    /// Innermost in the chain, after ``WorkerConfiguration/middleware``: the workflow engine when
    /// the store keeps workflows.
    let engine: [any JobMiddleware]

    /// Creates a worker for `queues`, running handlers from `registry`. When `store` keeps
    /// workflows (``WorkflowStore`` and ``PipelineStore``), the worker also runs the jobs of DAG
    /// workflow executions, through ``WorkflowMiddleware``.
    public init(
        store: any JobStore,
        registry: JobRegistry,
        queues: [QueueConfiguration],
        configuration: WorkerConfiguration = WorkerConfiguration(),
        clock: any StewardClock = SystemClock(),
        logger: Logger = Logger(label: "steward.worker")
    ) {
        self.id = configuration.workerID
        self.store = store
        self.registry = registry
        self.queues = queues
        self.configuration = configuration
        self.clock = clock
        engine = (store as? any WorkflowStore & PipelineStore).map { [WorkflowMiddleware(store: $0, clock: clock)] } ?? []
        var logger = logger
        logger[metadataKey: "worker"] = "\(configuration.workerID)"
        self.logger = logger
    }

    /// Runs until graceful shutdown (or cancellation, which stops at once and leaves unfinished
    /// jobs to lease rescue).
    public func run() async throws {
        var seen = Set<String>()
        for queue in queues {
            try queue.validate()
            guard seen.insert(queue.name).inserted else {
                throw StewardError.invalidArgument(field: "queues", message: "queues: '\(queue.name)' is listed twice")
            }
        }
        if queues.isEmpty { throw StewardError.invalidArgument(field: "queues", message: "queues: a worker needs at least one queue") }
        try await store.configureQueues(queues.map(\.settings))
        let runtime = WorkerRuntime(worker: self)
        logger.info(
            "worker started",
            metadata: ["queues": "\(queues.map { "\($0.name)x\($0.concurrency)" }.joined(separator: ","))"])
        await withTaskCancellationHandler {
            await withGracefulShutdownHandler {
                await runtime.run()
            } onGracefulShutdown: {
                runtime.beginShutdown()
            }
        } onCancel: {
            runtime.beginShutdown()
        }
        logger.info("worker stopped")
    }
}
