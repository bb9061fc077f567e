import Dispatch

/// One serial executor per driven run: the workflow function and the child tasks it starts
/// (`async let`, task groups) run their code between suspensions one at a time, in the order they
/// were started. A child task therefore reaches its first durable call in the order the code
/// started it, so positions are the same on every replay. Step bodies run on the global
/// executor (see ``DurableContext``), so their work is not serialized.
final class RunExecutor: TaskExecutor, @unchecked Sendable {
    // @unchecked: the queue is the only state, and DispatchQueue is thread-safe.
    private let queue: DispatchQueue

    init(run: String) {
        queue = DispatchQueue(label: "steward.durable.\(run)")
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let unowned = UnownedJob(job)
        queue.async { unowned.runSynchronously(on: self.asUnownedTaskExecutor()) }
    }
}
