import Dispatch

/// One serial executor per driven run: the workflow function and the child tasks it starts
/// (`async let`, task groups) run their code between suspensions one at a time, in the order they
/// were started. A child task therefore reaches its first durable call in the order the code
/// started it, so positions are the same on every replay. Step bodies run there too: bodies of
/// one run that run at once interleave at their suspensions (I/O), and a body's CPU-bound work
/// holds the run's other code, never another run's.
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
