import Foundation
import Logging
import Synchronization

extension WorkerRuntime {
    /// Claims jobs for one queue and keeps its lanes busy.
    ///
    /// It claims when lanes would otherwise idle, or when the claimed-ahead jobs fall to half of
    /// what the queue may hold (running + prefetch). The prefetch is about `prefetchWindow` of
    /// work at the measured completion rate: hundreds of fast jobs per claim, none for slow ones.
    func fetchLoop(_ runner: QueueRunner) async {
        let queue = runner.config.name
        let concurrency = runner.config.concurrency
        let rateLimited = runner.config.rateLimit != nil
        let maxPrefetch = rateLimited ? 0 : runner.config.maxPrefetch
        let window = runner.config.prefetchWindow.seconds
        var rate = 0.0
        var rateSampledAt = ContinuousClock.now
        var finishedAtSample = 0
        // Set when the queue was found drained: no claim before then unless new work is signalled.
        var idleUntil: ContinuousClock.Instant? = nil
        var failures = 0
        while !isShuttingDown && !Task.isCancelled {
            let sampleNow = ContinuousClock.now
            let sinceSample = (sampleNow - rateSampledAt).seconds
            if sinceSample >= 0.05 {
                let finished = runner.finished.load(ordering: .relaxed)
                rate = 0.5 * rate + 0.5 * Double(finished - finishedAtSample) / sinceSample
                finishedAtSample = finished
                rateSampledAt = sampleNow
            }
            let capacity = concurrency + min(maxPrefetch, Int(rate * window))
            runner.refillBelow.store(max(1, capacity / 2), ordering: .relaxed)
            if runner.newWork.exchange(false, ordering: .acquiringAndReleasing) { idleUntil = nil }
            if let until = idleUntil, ContinuousClock.now >= until { idleUntil = nil }
            let active = runner.active.load(ordering: .relaxed)
            let waiting = runner.waiting
            let free = concurrency - active
            var wanted = 0
            if idleUntil == nil {
                if rateLimited {
                    wanted = waiting == 0 ? free : 0
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
            var claimed: [ClaimedJob]
            // Set when a global limit ran out of tokens: claim again then, not after a poll.
            var nextToken = Duration.zero
            // When the queue's next scheduled job is due, learnt with a claim that came up short.
            var nextRunAt: Date? = nil
            do {
                let (store, owner, limit, names) = (self.store, worker.id, wanted, runnableNames)
                let leaseUntil = now.addingTimeInterval(runner.config.leaseDuration.seconds)
                if let rate = runner.sharedRate {
                    let result = try await storeCall("claim") {
                        try await store.claim(
                            queue: queue, names: names, limit: limit, owner: owner, leaseUntil: leaseUntil, now: now,
                            sharedRate: rate)
                    }
                    (claimed, nextToken) = (result.jobs, result.nextTokenIn)
                } else {
                    (claimed, nextRunAt) = try await storeCall("claim") {
                        try await store.claimWithNextRunAt(
                            queue: queue, names: names, limit: limit, owner: owner, leaseUntil: leaseUntil, now: now)
                    }
                }
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
                claimed = await renewIfLate(claimed, claimedAt: now, lease: runner.config.leaseDuration)
            }
            if !claimed.isEmpty {
                let first = claims.add(UInt64(claimed.count), ordering: .relaxed).newValue - UInt64(claimed.count) + 1
                for i in claimed.indices { claimed[i].claim = first + UInt64(i) }
                running.withLock { map in
                    for job in claimed { map[job.record.id] = Entry(claim: job.claim, runner: runner) }
                }
                for _ in 0..<runner.add(claimed) { startLane(runner) }
            }
            if nextToken > .zero, claimed.count < wanted {
                await runner.signal.wait(timeout: max(.milliseconds(1), nextToken))
            } else if claimed.count < wanted {
                var wait = config.pollInterval
                if runner.sharedRate != nil {
                    let (store, after) = (self.store, worker.clock.now())
                    nextRunAt = try? await storeCall("nextRunAt", { try await store.nextRunAt(queue: queue, after: after) })
                }
                if let next = nextRunAt {
                    wait = min(wait, .seconds(double: max(0.001, next.timeIntervalSince(worker.clock.now()))))
                }
                idleUntil = ContinuousClock.now + wait
            }
        }
        // Shutdown: claimed jobs that never started go straight back to the queue.
        let leftovers = runner.drainPending()
        if !leftovers.isEmpty {
            running.withLock { map in
                for job in leftovers where map[job.record.id]?.claim == job.claim { map[job.record.id]?.handlerDone = true }
            }
            for job in leftovers {
                await submit(
                    JobOutcome(id: job.record.id, owner: worker.id, startedAt: worker.clock.now(), kind: .released), claim: job.claim)
            }
        }
    }

    /// The job names this worker can run: its registry's (read at each claim, so a handler
    /// registered while the worker runs is picked up) and those its middleware runs itself (the
    /// workflow engine's). A worker never claims a job it has no handler for: that job waits for
    /// a worker that has one.
    var runnableNames: [String] {
        worker.registry.names + jobNames
    }

    /// A claim's lease runs from the `now` it was sent with; one that commits late (a stalled
    /// database) could hand out jobs whose lease is nearly or already over, to be rescued and
    /// cancelled under a running handler. Past a quarter of the lease, renew at once from the
    /// current time and keep only the jobs still held.
    func renewIfLate(_ claimed: [ClaimedJob], claimedAt: Date, lease: Duration) async -> [ClaimedJob] {
        let took = worker.clock.now().timeIntervalSince(claimedAt)
        guard took > lease.seconds / 4 else { return claimed }
        let (store, owner, ids) = (self.store, worker.id, claimed.map(\.record.id))
        let until = worker.clock.now().addingTimeInterval(lease.seconds)
        do {
            let held = try await storeCall("extendLeases") { try await store.extendLeases(ids, owner: owner, until: until) }
            logger.warning(
                "a claim returned late; its leases were renewed",
                metadata: ["took_s": "\(took)", "claimed": "\(ids.count)", "still_held": "\(held.count)"])
            return claimed.filter { held.contains($0.record.id) }
        } catch {
            // The heartbeat retries; a job lost meanwhile is rescued and runs again (at-least-once).
            logger.error("renewing the leases of a late claim failed", metadata: ["error": "\(error)"])
            return claimed
        }
    }
}
