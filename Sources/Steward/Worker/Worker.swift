import Foundation
import Instrumentation
import Logging
import Metrics
import ServiceLifecycle
import Synchronization
import Tracing

/// Runs jobs from one or more queues: a swift-service-lifecycle `Service`.
///
/// Per queue, one loop claims as many due jobs as it has free slots (and rate-limit tokens) in
/// one store call, runs each handler in its own task, and sleeps until a wake-up, a due delayed
/// job or the poll interval. Finished attempts are written in batches by one completer; leases
/// of running jobs are extended by one heartbeat. On graceful shutdown the worker stops
/// claiming, lets running jobs finish within `shutdownGracePeriod`, then cancels the rest and
/// releases them to their queue.
public final class Worker: Service, Sendable {
    /// This worker's lease-owner id.
    public let id: String
    let store: any JobStore
    let registry: JobRegistry
    let queues: [QueueConfiguration]
    let configuration: WorkerConfiguration
    let clock: any StewardClock
    let logger: Logger

    /// Creates a worker for `queues`, running handlers from `registry`.
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
                throw StewardError.invalidArgument("queues: '\(queue.name)' is listed twice")
            }
        }
        if queues.isEmpty { throw StewardError.invalidArgument("queues: a worker needs at least one queue") }
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

/// One queue's loop state inside a running worker.
final class QueueRunner: Sendable {
    let config: QueueConfiguration
    let signal = WakeSignal()
    let active = Atomic<Int>(0)
    /// Attempts finished by this runner, for its completion rate.
    let finished = Atomic<Int>(0)
    /// Set by wake-ups: the queue may have new jobs even if it was found drained.
    let newWork = Atomic<Bool>(false)
    let bucket: TokenBucket?

    func wake() {
        newWork.store(true, ordering: .releasing)
        signal.notify()
    }

    init(config: QueueConfiguration, now: Date) {
        self.config = config
        bucket = config.rateLimit.map { TokenBucket($0, now: now) }
    }
}

/// The state of one `Worker.run()`.
final class WorkerRuntime: Sendable {
    enum StopReason { case shutdown, lost }

    struct Entry {
        var runner: QueueRunner
        var task: Task<Void, Never>?
        var stop: StopReason?
        var handlerDone = false
    }

    let worker: Worker
    let runners: [QueueRunner]
    let runnerByQueue: [String: QueueRunner]
    let chain: JobNext
    let running = Mutex<[JobID: Entry]>([:])
    let progress = Mutex<[JobID: ProgressUpdate]>([:])
    let completions = Mutex<[JobOutcome]>([])
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
        let now = worker.clock.now()
        runners = worker.queues.map { QueueRunner(config: $0, now: now) }
        runnerByQueue = Dictionary(uniqueKeysWithValues: runners.map { ($0.config.name, $0) })
        let registry = worker.registry
        var middleware: [any JobMiddleware] = []
        if worker.configuration.standardMiddleware {
            // Tracing and metrics join only when a backend is bootstrapped: recording into the
            // no-op defaults costs a span and two metric updates per job for nothing.
            if !(InstrumentationSystem.tracer is NoOpTracer) { middleware.append(TracingMiddleware()) }
            if !(MetricsSystem.factory is NOOPMetricsHandler) { middleware.append(MetricsMiddleware()) }
            middleware.append(LoggingMiddleware(logPayload: worker.configuration.logPayloads))
        }
        middleware += worker.configuration.middleware
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

    func beginShutdown() {
        guard !shuttingDown.exchange(true, ordering: .acquiringAndReleasing) else { return }
        logger.info("graceful shutdown: no new claims; draining running jobs")
        for r in runners { r.signal.notify() }
        activitySignal.notify()
    }

    var isShuttingDown: Bool { shuttingDown.load(ordering: .acquiring) }

    func run() async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await self.completerLoop() }
            group.addTask { await self.heartbeatLoop() }
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
    }

    // MARK: claiming

    func fetchLoop(_ runner: QueueRunner) async {
        let queue = runner.config.name
        let concurrency = runner.config.concurrency
        let maxPrefetch = runner.bucket == nil ? runner.config.maxPrefetch : 0
        let window = runner.config.prefetchWindow.seconds
        // Completion rate (jobs/s, smoothed) decides how much to hold ahead: about `window` of work.
        var rate = 0.0
        var rateSampledAt = ContinuousClock.now
        var finishedAtSample = 0
        // Claimed jobs waiting for a slot; only this loop touches it.
        var buffer: [ClaimedJob] = []
        var head = 0
        // Set when the queue was found drained: no claim before then unless new work is signalled.
        var idleUntil: ContinuousClock.Instant? = nil
        var failures = 0
        while !isShuttingDown && !Task.isCancelled {
            while runner.active.load(ordering: .relaxed) < concurrency, head < buffer.count {
                let job = buffer[head]
                head += 1
                startBuffered(job, runner)
            }
            if head == buffer.count {
                buffer.removeAll(keepingCapacity: true)
                head = 0
            }
            let sampleNow = ContinuousClock.now
            let sinceSample = (sampleNow - rateSampledAt).seconds
            if sinceSample >= 0.05 {
                let finished = runner.finished.load(ordering: .relaxed)
                rate = 0.5 * rate + 0.5 * Double(finished - finishedAtSample) / sinceSample
                finishedAtSample = finished
                rateSampledAt = sampleNow
            }
            let prefetch = min(maxPrefetch, Int(rate * window))
            let capacity = concurrency + prefetch
            if runner.newWork.exchange(false, ordering: .acquiringAndReleasing) { idleUntil = nil }
            if let until = idleUntil, ContinuousClock.now >= until { idleUntil = nil }
            let active = runner.active.load(ordering: .relaxed)
            let waiting = buffer.count - head
            let free = concurrency - active
            var wanted = 0
            if idleUntil == nil {
                if runner.bucket != nil {
                    wanted = free
                } else if (waiting == 0 && free > 0) || capacity - active - waiting >= max(1, capacity / 2) {
                    wanted = capacity - active - waiting
                }
            }
            if wanted > 0, let bucket = runner.bucket {
                wanted = bucket.take(upTo: wanted, now: worker.clock.now())
                if wanted == 0 {
                    await runner.signal.wait(timeout: max(.milliseconds(1), bucket.waitTime(now: worker.clock.now())))
                    continue
                }
            }
            guard wanted > 0 else {
                let timeout = idleUntil.map { max(.milliseconds(1), $0 - ContinuousClock.now) } ?? config.pollInterval
                await runner.signal.wait(timeout: timeout)
                continue
            }
            let now = worker.clock.now()
            let claimed: [ClaimedJob]
            do {
                claimed = try await store.claim(
                    queue: queue, limit: wanted, owner: worker.id,
                    leaseUntil: now.addingTimeInterval(runner.config.leaseDuration.seconds), now: now)
                failures = 0
            } catch {
                runner.bucket?.giveBack(wanted)
                failures += 1
                let backoff = min(30.0, 0.05 * pow(2, Double(min(failures, 10))))
                logger.error(
                    "claim failed; retrying", metadata: ["queue": "\(queue)", "error": "\(error)", "retry_in_s": "\(backoff)"])
                await runner.signal.wait(timeout: .seconds(double: backoff))
                continue
            }
            runner.bucket?.giveBack(wanted - claimed.count)
            if !claimed.isEmpty {
                running.withLock { map in
                    for job in claimed { map[job.record.id] = Entry(runner: runner) }
                }
                buffer.append(contentsOf: claimed)
            }
            if claimed.count < wanted {
                var wait = config.pollInterval
                if let next = try? await store.nextRunAt(queue: queue, after: worker.clock.now()) {
                    wait = min(wait, .seconds(double: max(0.001, next.timeIntervalSince(worker.clock.now()))))
                }
                idleUntil = ContinuousClock.now + wait
            }
        }
        // Shutdown: claimed jobs that never started go straight back to the queue.
        if head < buffer.count {
            let leftovers = buffer[head...]
            running.withLock { map in
                for job in leftovers { map[job.record.id]?.handlerDone = true }
            }
            for job in leftovers {
                await submit(JobOutcome(id: job.record.id, owner: worker.id, startedAt: worker.clock.now(), kind: .released))
            }
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

    // MARK: running

    /// Starts a claimed job (its entry was registered at claim time) unless it was cancelled or
    /// lost its lease while it waited in the prefetch buffer.
    func startBuffered(_ job: ClaimedJob, _ runner: QueueRunner) {
        let id = job.record.id
        let stillHeld = running.withLock { map -> Bool in
            guard let entry = map[id], entry.stop == nil else {
                map.removeValue(forKey: id)
                return false
            }
            return true
        }
        guard stillHeld else { return }
        runner.active.add(1, ordering: .relaxed)
        let task = Task { await self.execute(job, runner) }
        running.withLock { $0[id]?.task = task }
    }

    func execute(_ job: ClaimedJob, _ runner: QueueRunner) async {
        let record = job.record
        let startedAt = worker.clock.now()
        let owner = worker.id
        let context = JobContext(
            id: record.id, name: record.name, queue: record.queue, attempt: record.attempt,
            maxAttempts: record.maxAttempts, metadata: record.metadata, payload: record.payload,
            enqueuedAt: record.createdAt, workerID: owner, logger: worker.logger
        ) { [weak self] report in
            self?.progress.withLock { $0[record.id] = ProgressUpdate(id: record.id, owner: owner, progress: report) }
        }
        var kind: JobOutcome.Kind
        do {
            let result: String?
            if let timeout = record.timeout ?? runner.config.timeout {
                result = try await Self.withTimeout(timeout) { [chain] in try await chain(context) }
            } else {
                result = try await chain(context)
            }
            kind = .succeeded(result: result)
        } catch {
            kind = failure(error, record: record, runner: runner)
        }
        let stop = running.withLock { map -> StopReason? in
            map[record.id]?.handlerDone = true
            return map[record.id]?.stop
        }
        runner.active.subtract(1, ordering: .relaxed)
        runner.finished.add(1, ordering: .relaxed)
        runner.signal.notify()
        activitySignal.notify()
        switch stop {
        case .lost:
            running.withLock { _ = $0.removeValue(forKey: record.id) }
            context.logger.info("attempt ended after the job was cancelled or its lease was lost; outcome dropped")
            return
        case .shutdown:
            if case .succeeded = kind {} else { kind = .released }
        case nil:
            break
        }
        progress.withLock { _ = $0.removeValue(forKey: record.id) }
        await submit(JobOutcome(id: record.id, owner: owner, startedAt: startedAt, kind: kind))
    }

    static func withTimeout(_ timeout: Duration, _ body: @escaping @Sendable () async throws -> String?)
        async throws -> String?
    {
        try await withThrowingTaskGroup(of: String?.self) { group in
            group.addTask { try await body() }
            group.addTask {
                try await Task.sleep(for: timeout)
                throw JobTimeout(timeout: timeout)
            }
            defer { group.cancelAll() }
            return try await group.next() ?? nil
        }
    }

    func failure(_ error: any Error, record: JobRecord, runner: QueueRunner) -> JobOutcome.Kind {
        let info = JobErrorInfo(type: errorTypeName(error), message: "\(error)", attempt: record.attempt)
        let policy = record.retryPolicy ?? runner.config.retryPolicy
        let permanent = error is PermanentJobError || error is PayloadDecodingError
        if !permanent && policy.allowsRetry(errorType: info.type, attempt: record.attempt, maxAttempts: record.maxAttempts) {
            var rng = SystemRandomNumberGenerator()
            let delay = policy.delay(afterAttempt: record.attempt, using: &rng)
            return .retry(runAt: worker.clock.now().addingTimeInterval(delay.seconds), error: info)
        }
        return .dead(error: info)
    }

    // MARK: completing

    func submit(_ outcome: JobOutcome) async {
        let limit = config.completionBufferLimit
        while true {
            let added = completions.withLock { buffer -> Bool in
                guard buffer.count < limit else { return false }
                buffer.append(outcome)
                return true
            }
            if added {
                completionSignal.notify()
                return
            }
            await capacitySignal.wait(timeout: .milliseconds(50))
        }
    }

    static let lingerBatch = 256
    static let linger = Duration.milliseconds(1)

    func completerLoop() async {
        defer { completerDone.notify() }
        var failures = 0
        while true {
            var batch = completions.withLock { buffer -> [JobOutcome] in
                let taken = buffer
                buffer.removeAll(keepingCapacity: true)
                return taken
            }
            if batch.isEmpty {
                if completerFinish.load(ordering: .acquiring) || Task.isCancelled { return }
                await completionSignal.wait(timeout: .seconds(1))
                continue
            }
            // Under load, linger a moment so one transaction carries many outcomes (a commit costs
            // about as much as a hundred row updates); an idle worker flushes at once.
            if batch.count < Self.lingerBatch, handlersRunning > 0, !completerFinish.load(ordering: .acquiring) {
                try? await Task.sleep(for: Self.linger)
                batch += completions.withLock { buffer -> [JobOutcome] in
                    let taken = buffer
                    buffer.removeAll(keepingCapacity: true)
                    return taken
                }
            }
            capacitySignal.notify()
            while true {
                do {
                    try await store.complete(batch, now: worker.clock.now())
                    failures = 0
                    break
                } catch {
                    failures += 1
                    logger.error("writing \(batch.count) finished attempts failed; retrying", metadata: ["error": "\(error)"])
                    if Task.isCancelled { return }
                    try? await Task.sleep(for: .seconds(double: min(5, 0.05 * pow(2, Double(min(failures, 8))))))
                }
            }
            running.withLock { map in
                for outcome in batch { map.removeValue(forKey: outcome.id) }
            }
        }
    }

    // MARK: heartbeat and progress

    func heartbeatLoop() async {
        var nextBeat = ContinuousClock.now + config.heartbeatInterval
        while !heartbeatFinish.load(ordering: .acquiring) && !Task.isCancelled {
            await heartbeatSignal.wait(timeout: config.progressFlushInterval)
            await flushProgress()
            if ContinuousClock.now >= nextBeat {
                nextBeat = ContinuousClock.now + config.heartbeatInterval
                await extendLeases()
            }
        }
    }

    func flushProgress() async {
        let updates = progress.withLock { map -> [ProgressUpdate] in
            let values = Array(map.values)
            map.removeAll(keepingCapacity: true)
            return values
        }
        guard !updates.isEmpty else { return }
        do {
            try await store.updateProgress(updates, now: worker.clock.now())
        } catch {
            logger.warning("writing progress failed", metadata: ["error": "\(error)"])
        }
    }

    func extendLeases() async {
        let byRunner = running.withLock { map -> [ObjectIdentifier: (QueueRunner, [JobID])] in
            var groups: [ObjectIdentifier: (QueueRunner, [JobID])] = [:]
            for (id, entry) in map where entry.stop == nil {
                groups[ObjectIdentifier(entry.runner), default: (entry.runner, [])].1.append(id)
            }
            return groups
        }
        for (runner, ids) in byRunner.values {
            let until = worker.clock.now().addingTimeInterval(runner.config.leaseDuration.seconds)
            do {
                let held = try await store.extendLeases(ids, owner: worker.id, until: until)
                let lost = ids.filter { !held.contains($0) }
                guard !lost.isEmpty else { continue }
                running.withLock { map in
                    for id in lost {
                        guard var entry = map[id], !entry.handlerDone else { continue }
                        entry.stop = .lost
                        map[id] = entry
                        entry.task?.cancel()
                        logger.info(
                            "job was cancelled or its lease was lost; stopping its handler",
                            metadata: ["job.id": "\(id)"])
                    }
                }
            } catch {
                logger.error("extending leases failed", metadata: ["error": "\(error)", "jobs": "\(ids.count)"])
            }
        }
    }

    // MARK: shutdown

    var handlersRunning: Int {
        runners.reduce(0) { $0 + $1.active.load(ordering: .relaxed) }
    }

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
                entry.task?.cancel()
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
            do { try await store.complete(stuck, now: worker.clock.now()) } catch {
                logger.error("releasing stuck jobs failed; lease rescue will return them", metadata: ["error": "\(error)"])
            }
        }
    }
}

