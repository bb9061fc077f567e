import Foundation
import Synchronization

/// One queue's state inside a running worker: its claimed-but-unstarted jobs, its lanes and the
/// signal its fetch loop sleeps on.
final class QueueRunner: Sendable {
    struct Pending {
        var jobs: [ClaimedJob] = []
        var head = 0
        /// Lane tasks alive for this queue (at most `concurrency`).
        var lanes = 0
        var count: Int { jobs.count - head }
    }

    let config: QueueConfiguration
    /// Wakes the fetch loop: new work, the buffer running low, a lane ending, shutdown.
    let signal = WakeSignal()
    /// Jobs whose handler is running now.
    let active = Atomic<Int>(0)
    /// Attempts finished, for the completion rate that sizes the prefetch.
    let finished = Atomic<Int>(0)
    /// Set by wake-ups: the queue may have new jobs even if it was found drained.
    let newWork = Atomic<Bool>(false)
    /// Below this many claimed jobs, a lane taking one wakes the fetch loop to claim more.
    let refillBelow = Atomic<Int>(0)
    let pending = Mutex(Pending())
    /// This process's bucket, for a per-worker rate limit.
    let bucket: TokenBucket?
    /// The limit whose bucket lives in the store, for a global rate limit.
    let sharedRate: RateLimit?

    init(config: QueueConfiguration, now: Date) {
        self.config = config
        let limit = config.rateLimit
        bucket = limit.flatMap { $0.scope == .worker ? TokenBucket($0, now: now) : nil }
        sharedRate = limit.flatMap { $0.scope == .global ? $0 : nil }
    }

    /// Marks that the queue may have new jobs and wakes the fetch loop.
    func wake() {
        newWork.store(true, ordering: .releasing)
        signal.notify()
    }

    /// Claimed jobs not started yet.
    var waiting: Int { pending.withLock { $0.count } }

    /// Adds claimed jobs; returns how many new lanes to start for them.
    func add(_ claimed: [ClaimedJob]) -> Int {
        pending.withLock { p in
            p.jobs.append(contentsOf: claimed)
            let spawn = max(0, min(config.concurrency - p.lanes, p.count))
            p.lanes += spawn
            return spawn
        }
    }

    /// The next claimed job for a lane, already counted in `active`, or `nil`, in which case the
    /// lane has been retired and must end (retiring under the same lock as `add` means no job is
    /// ever left without a lane).
    func take(stopping: Bool) -> ClaimedJob? {
        let (job, low) = pending.withLock { p -> (ClaimedJob?, Bool) in
            guard !stopping, p.head < p.jobs.count else {
                p.lanes -= 1
                return (nil, false)
            }
            let job = p.jobs[p.head]
            p.head += 1
            // Counted as active before the lock is released: between leaving the buffer and
            // starting, a job must never look like a free slot to the fetch loop.
            active.add(1, ordering: .relaxed)
            if p.head == p.jobs.count {
                p.jobs.removeAll(keepingCapacity: true)
                p.head = 0
            }
            return (job, p.count < refillBelow.load(ordering: .relaxed))
        }
        if job == nil || low { signal.notify() }
        return job
    }

    /// A lane that was cancelled ends; returns whether a replacement should start.
    func retireCancelledLane(stopping: Bool) -> Bool {
        pending.withLock { p in
            if !stopping && p.count > 0 { return true }
            p.lanes -= 1
            return false
        }
    }

    /// Removes and returns every claimed job not started yet (shutdown).
    func drainPending() -> [ClaimedJob] {
        pending.withLock { p in
            let rest = Array(p.jobs[p.head...])
            p.jobs.removeAll()
            p.head = 0
            return rest
        }
    }
}

/// The handle a running job's lane can be cancelled through; set just after the lane starts.
final class LaneHandle: Sendable {
    private let state = Mutex<(task: Task<Void, Never>?, cancelled: Bool)>((nil, false))

    func set(_ task: Task<Void, Never>) {
        let cancelNow = state.withLock { s -> Bool in
            s.task = task
            return s.cancelled
        }
        if cancelNow { task.cancel() }
    }

    func cancel() {
        let task = state.withLock { s -> Task<Void, Never>? in
            s.cancelled = true
            return s.task
        }
        task?.cancel()
    }
}
