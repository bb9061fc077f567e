import Foundation
import Instrumentation
import Logging
import Metrics
import Synchronization
import Tracing

/// The state of one `Worker.run()`.
final class WorkerRuntime: Sendable {
    enum StopReason { case shutdown, lost }

    /// An attempt's outcome waiting to be written, with the claim it ends.
    struct Finished {
        var outcome: JobOutcome
        var claim: UInt64
    }

    /// A job this worker holds a lease on, from claim to written outcome.
    struct Entry {
        /// Which claim of the job this is (``ClaimedJob/claim``).
        var claim: UInt64
        var runner: QueueRunner
        /// The lane running it, once started (cancelling it stops the handler).
        var lane: LaneHandle?
        var stop: StopReason?
        var handlerDone = false
    }

    let worker: Worker
    let runners: [QueueRunner]
    let runnerByQueue: [String: QueueRunner]
    let chain: JobNext
    /// Jobs the middleware runs itself (the workflow engine's), claimed beside the registry's.
    let jobNames: [String]
    /// Handed to every job's context, for follow-up jobs.
    let client: StewardClient
    /// Per queue: jobs running and jobs claimed ahead, sampled every heartbeat tick (only when a
    /// metrics backend is bootstrapped).
    let gauges: [(runner: QueueRunner, running: Gauge, claimedAhead: Gauge)]
    let running = Mutex<[JobID: Entry]>([:])
    /// The last claim number handed out.
    let claims = Atomic<UInt64>(0)
    let progress = Mutex<[JobID: ProgressUpdate]>([:])
    /// Payloads the middleware rewrote (a workflow task's rendered input), kept with the outcome.
    let payloads = Mutex<[JobID: String]>([:])
    let completions = Mutex<[Finished]>([])
    let completionSignal = WakeSignal()
    let capacitySignal = WakeSignal()
    let activitySignal = WakeSignal()
    let heartbeatSignal = WakeSignal()
    let completerDone = WakeSignal()
    let shuttingDown = Atomic<Bool>(false)
    let completerFinish = Atomic<Bool>(false)
    let heartbeatFinish = Atomic<Bool>(false)

    init(worker: Worker) {
        self.worker = worker
        client = StewardClient(store: worker.store, clock: worker.clock)
        let now = worker.clock.now()
        runners = worker.queues.map { QueueRunner(config: $0, now: now) }
        runnerByQueue = Dictionary(uniqueKeysWithValues: runners.map { ($0.config.name, $0) })
        let registry = worker.registry
        var middleware: [any JobMiddleware] = []
        // Tracing and metrics join only when a backend is bootstrapped: recording into the
        // no-op defaults costs a span and two metric updates per job for nothing.
        let metricsOn = !(MetricsSystem.factory is NOOPMetricsHandler)
        if worker.configuration.standardMiddleware {
            if !(InstrumentationSystem.tracer is NoOpTracer) { middleware.append(TracingMiddleware()) }
            if metricsOn { middleware.append(MetricsMiddleware()) }
            middleware.append(LoggingMiddleware(logPayload: worker.configuration.logPayloads))
        }
        gauges =
            metricsOn
            ? runners.map { runner in
                let dims = [("queue", runner.config.name)]
                return (
                    runner, Gauge(label: "steward_jobs_running", dimensions: dims),
                    Gauge(label: "steward_jobs_claimed_ahead", dimensions: dims)
                )
            } : []
        middleware += worker.configuration.middleware + worker.engine
        jobNames = middleware.flatMap(\.jobNames)
        chain = middleware.compose { context in
            guard let handler = registry.handler(for: context.name) else {
                throw UnregisteredJobError(job: context.name)
            }
            return try await handler(context.payload, context)
        }
    }

    var store: any JobStore { worker.store }
    var config: WorkerConfiguration { worker.configuration }
    var logger: Logger { worker.logger }
    var isShuttingDown: Bool { shuttingDown.load(ordering: .acquiring) }
    var handlersRunning: Int { runners.reduce(0) { $0 + $1.active.load(ordering: .relaxed) } }

    /// A store call with the configured deadline (see `withStoreDeadline`).
    @discardableResult
    func storeCall<T: Sendable>(_ operation: String, _ body: @escaping @Sendable () async throws -> T) async throws -> T {
        try await withStoreDeadline(operation, timeout: config.storeCallTimeout, body)
    }

    func beginShutdown() {
        guard !shuttingDown.exchange(true, ordering: .acquiringAndReleasing) else { return }
        logger.info("graceful shutdown: no new claims; draining running jobs")
        for r in runners { r.signal.notify() }
        activitySignal.notify()
    }

    func run() async {
        let started = worker.clock.now()
        await withTaskGroup(of: Void.self) { group in
            // Beside the loops, not before them: claiming starts as soon as it did without it.
            group.addTask { await self.reportPresence(startedAt: started) }
            group.addTask { await self.completerLoop() }
            group.addTask { await self.heartbeatLoop(startedAt: started) }
            let wakeups = Task { await self.forwardWakeups() }
            await withTaskGroup(of: Void.self) { fetchers in
                for runner in runners {
                    fetchers.addTask { await self.fetchLoop(runner) }
                }
            }
            await drain()
            completerFinish.store(true, ordering: .releasing)
            completionSignal.notify()
            if !Task.isCancelled { await completerDone.wait() }
            heartbeatFinish.store(true, ordering: .releasing)
            heartbeatSignal.notify()
            wakeups.cancel()
        }
        if !Task.isCancelled { await reportPresence(startedAt: started, stopped: true) }
    }

    /// Writes this worker's ``WorkerPresence`` (on a store that keeps it); a failed write is
    /// only logged: presence is for operators, and the next report replaces it.
    func reportPresence(startedAt: Date, stopped: Bool = false) async {
        guard let store = store as? any WorkerPresenceStore else { return }
        let now = worker.clock.now()
        let presence = WorkerPresence(
            id: worker.id, host: ProcessIdentity.host, pid: ProcessIdentity.pid,
            queues: runners.map { WorkerPresence.Queue(name: $0.config.name, concurrency: $0.config.concurrency) },
            running: running.withLock { $0.count }, startedAt: startedAt, lastHeartbeatAt: now, stoppedAt: stopped ? now : nil)
        do {
            // Workers silent for a day are forgotten.
            try await storeCall("recordWorker") { try await store.recordWorker(presence, forgetBefore: now.addingTimeInterval(-86_400)) }
        } catch {
            logger.warning("recording this worker's presence failed", metadata: ["error": "\(error)"])
        }
    }

    func forwardWakeups() async {
        for await queue in store.wakeups() {
            if queue == WakeupHub.anyQueue {
                for runner in runners { runner.wake() }
            } else {
                runnerByQueue[queue]?.wake()
            }
        }
    }

    // MARK: shutdown

    func drain() async {
        let grace = Task.isCancelled ? Duration.zero : config.shutdownGracePeriod
        let deadline = ContinuousClock.now + grace
        while handlersRunning > 0, ContinuousClock.now < deadline, !Task.isCancelled {
            await activitySignal.wait(timeout: min(.milliseconds(100), deadline - ContinuousClock.now))
        }
        guard handlersRunning > 0 else { return }
        let stopping = running.withLock { map -> Int in
            var n = 0
            for (id, var entry) in map where !entry.handlerDone {
                entry.stop = .shutdown
                map[id] = entry
                entry.lane?.cancel()
                n += 1
            }
            return n
        }
        logger.warning("shutdown grace period over; cancelling \(stopping) running jobs and releasing them")
        if Task.isCancelled { return }
        let hardDeadline = ContinuousClock.now + .seconds(5)
        while handlersRunning > 0, ContinuousClock.now < hardDeadline {
            await activitySignal.wait(timeout: .milliseconds(100))
        }
        // Handlers that ignore cancellation: give their jobs back now; their late outcome is dropped.
        let stuck = running.withLock { map -> [JobOutcome] in
            var out: [JobOutcome] = []
            for (id, var entry) in map where !entry.handlerDone {
                entry.stop = .lost
                map[id] = entry
                out.append(JobOutcome(id: id, owner: worker.id, startedAt: worker.clock.now(), kind: .released))
            }
            return out
        }
        if !stuck.isEmpty {
            logger.warning("\(stuck.count) handlers ignored cancellation; releasing their jobs anyway")
            let store = self.store
            let now = worker.clock.now()
            do { try await storeCall("complete") { try await store.complete(stuck, now: now) } } catch {
                logger.error("releasing stuck jobs failed; lease rescue will return them", metadata: ["error": "\(error)"])
            }
        }
    }
}
