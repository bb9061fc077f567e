import Foundation
import Logging
import Synchronization

extension WorkerRuntime {
    func startLane(_ runner: QueueRunner) {
        let handle = LaneHandle()
        handle.set(Task { await self.lane(runner, handle) })
    }

    /// Runs claimed jobs of one queue one after another until none is waiting. A lane is one
    /// long-lived task, so a busy queue costs no task creation and no hop through the fetch loop
    /// per job. Cancelling a job cancels its lane, which ends after that job (a fresh lane takes
    /// over if work is waiting).
    func lane(_ runner: QueueRunner, _ handle: LaneHandle) async {
        while let job = runner.take(stopping: isShuttingDown) {
            let id = job.record.id
            let startable = running.withLock { map -> Bool in
                guard var entry = map[id], entry.claim == job.claim else { return false }
                guard entry.stop == nil else {
                    map.removeValue(forKey: id)
                    return false
                }
                entry.lane = handle
                map[id] = entry
                return true
            }
            guard startable else {
                runner.active.subtract(1, ordering: .relaxed)
                continue
            }
            await execute(job, runner)
            runner.active.subtract(1, ordering: .relaxed)
            runner.finished.add(1, ordering: .relaxed)
            if isShuttingDown { activitySignal.notify() }
            if Task.isCancelled {
                if runner.retireCancelledLane(stopping: isShuttingDown) { startLane(runner) }
                runner.signal.notify()
                return
            }
        }
    }

    func execute(_ job: ClaimedJob, _ runner: QueueRunner) async {
        let record = job.record
        let startedAt = worker.clock.now()
        let owner = worker.id
        let context = JobContext(
            id: record.id, name: record.name, queue: record.queue, attempt: record.attempt,
            maxAttempts: record.maxAttempts, metadata: record.metadata, payload: record.payload,
            enqueuedAt: record.createdAt, workerID: owner, logger: worker.logger, client: client,
            dependsOn: record.dependsOn
        ) { [weak self] report in
            switch report {
            case .progress(let progress):
                self?.progress.withLock { $0[record.id] = ProgressUpdate(id: record.id, owner: owner, progress: progress) }
            case .payload(let payload):
                self?.payloads.withLock { $0[record.id] = payload }
            }
        }
        var kind: JobOutcome.Kind
        let began = ContinuousClock.now
        do {
            let result: String?
            if let timeout = record.timeout ?? runner.config.timeout {
                result = try await withTimeout(timeout, throwing: JobTimeout(timeout: timeout)) { [chain] in try await chain(context) }
            } else {
                result = try await chain(context)
            }
            kind = .succeeded(result: result)
        } catch let notRun as WorkflowEngine.NotRun {
            kind = .notRun(reason: notRun.info)
        } catch let written as JobOutcomeWritten {
            // The store applied the outcome with the run's change (or the lease was lost): none
            // is left to write.
            forget(record.id, claim: job.claim)
            if config.standardMiddleware { Self.log(written.kind, context: context, since: began, clock: worker.clock) }
            if written.applied { runner.signal.notify() }
            return
        } catch {
            kind = failure(error, record: record, runner: runner)
        }
        let stop = running.withLock { map -> StopReason? in
            // Not this claim's entry any more: nothing the worker holds is this attempt's to change.
            guard map[record.id]?.claim == job.claim else { return .lost }
            map[record.id]?.handlerDone = true
            return map[record.id]?.stop
        }
        switch stop {
        case .lost:
            forget(record.id, claim: job.claim)
            context.logger.debug("handler ended after its job was cancelled or its lease lost; outcome dropped")
            return
        case .shutdown:
            if case .succeeded = kind {} else { kind = .released }
        case nil:
            break
        }
        if config.standardMiddleware { Self.log(kind, context: context, since: began, clock: worker.clock) }
        progress.withLock { _ = $0.removeValue(forKey: record.id) }
        let payload = payloads.withLock { $0.removeValue(forKey: record.id) }
        await submit(JobOutcome(id: record.id, owner: owner, startedAt: startedAt, kind: kind, payload: payload), claim: job.claim)
    }

    /// Drops what the worker holds for a job whose outcome it will not write (the store has it,
    /// or the lease is gone).
    /// (A later claim of the same job, made meanwhile, keeps what it holds.)
    func forget(_ id: JobID, claim: UInt64) {
        let current = running.withLock { map -> Bool in
            guard map[id]?.claim == claim else { return false }
            map.removeValue(forKey: id)
            return true
        }
        guard current else { return }
        payloads.withLock { _ = $0.removeValue(forKey: id) }
        progress.withLock { _ = $0.removeValue(forKey: id) }
    }

    /// One line per state change, at its level: success info, a retry warning, a dead letter error,
    /// a release on shutdown info. The context's logger carries job id, name, queue and attempt;
    /// it is built only when the line will be written (a busy worker succeeds thousands of times a second).
    static func log(_ kind: JobOutcome.Kind, context: JobContext, since began: ContinuousClock.Instant, clock: any StewardClock) {
        let level: Logger.Level
        let message: Logger.Message
        var metadata: Logger.Metadata = [:]
        switch kind {
        case .succeeded:
            (level, message) = (.info, "job succeeded")
        case .retry(let runAt, let error):
            (level, message) = (.warning, "attempt failed; retrying")
            metadata = ["error.type": "\(error.type)", "error.message": "\(error.message)"]
            metadata["retry_in_s"] = "\((runAt.timeIntervalSince(clock.now()) * 1000).rounded() / 1000)"
        case .dead(let error):
            (level, message) = (.error, "job failed for good; moved to the dead-letter queue")
            metadata = ["error.type": "\(error.type)", "error.message": "\(error.message)"]
        case .cancelled:
            (level, message) = (.info, "job cancelled")
        case .released:
            (level, message) = (.info, "job released to its queue at shutdown")
        case .notRun(let reason):
            (level, message) = (.info, "workflow task not run")
            metadata = ["reason": "\(reason.message)"]
        case .suspended(let until):
            (level, message) = (.debug, "durable run suspended")
            metadata = ["until": "\(until.iso8601UTC)"]
        }
        guard context.logs(at: level) else { return }
        metadata["duration_ms"] = "\(Int(((ContinuousClock.now - began).seconds * 1000).rounded()))"
        context.logger.log(level: level, message, metadata: metadata)
    }

    func failure(_ error: any Error, record: JobRecord, runner: QueueRunner) -> JobOutcome.Kind {
        let info = JobErrorInfo(type: errorTypeName(error), message: "\(error)", attempt: record.attempt)
        let policy = record.retryPolicy ?? runner.config.retryPolicy
        if !policy.isFinal(error, attempt: record.attempt, maxAttempts: record.maxAttempts) {
            var rng = SystemRandomNumberGenerator()
            let delay = policy.delay(afterAttempt: record.attempt, using: &rng)
            return .retry(runAt: worker.clock.now().addingTimeInterval(delay.seconds), error: info)
        }
        return .dead(error: info)
    }
}
