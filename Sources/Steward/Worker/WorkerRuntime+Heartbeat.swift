import Foundation
import Logging
import Metrics
import Synchronization

extension WorkerRuntime {
    /// Flushes progress every `progressFlushInterval`, extends leases every `heartbeatInterval`
    /// (a job whose lease could not be extended, cancelled or rescued, has its lane cancelled),
    /// and reports the worker's presence every ``WorkerPresence/interval``.
    func heartbeatLoop(startedAt: Date) async {
        var nextBeat = ContinuousClock.now + config.heartbeatInterval
        var nextPresence = ContinuousClock.now + WorkerPresence.interval
        while !heartbeatFinish.load(ordering: .acquiring) && !Task.isCancelled {
            await heartbeatSignal.wait(timeout: config.progressFlushInterval)
            await flushProgress()
            for g in gauges {
                g.running.record(g.runner.active.load(ordering: .relaxed))
                g.claimedAhead.record(g.runner.waiting)
            }
            if ContinuousClock.now >= nextBeat {
                nextBeat = ContinuousClock.now + config.heartbeatInterval
                await extendLeases()
            }
            if ContinuousClock.now >= nextPresence {
                nextPresence = ContinuousClock.now + WorkerPresence.interval
                await reportPresence(startedAt: startedAt)
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
            let (store, now) = (self.store, worker.clock.now())
            try await storeCall("updateProgress") { try await store.updateProgress(updates, now: now) }
        } catch {
            logger.warning("writing progress failed", metadata: ["error": "\(error)"])
        }
    }

    func extendLeases() async {
        let byRunner = running.withLock { map -> [ObjectIdentifier: (QueueRunner, [JobID: UInt64])] in
            var groups: [ObjectIdentifier: (QueueRunner, [JobID: UInt64])] = [:]
            for (id, entry) in map where entry.stop == nil {
                groups[ObjectIdentifier(entry.runner), default: (entry.runner, [:])].1[id] = entry.claim
            }
            return groups
        }
        for (runner, claimsByID) in byRunner.values {
            let ids = Array(claimsByID.keys)
            let until = worker.clock.now().addingTimeInterval(runner.config.leaseDuration.seconds)
            do {
                let (store, owner) = (self.store, worker.id)
                let held = try await storeCall("extendLeases") { try await store.extendLeases(ids, owner: owner, until: until) }
                let lost = ids.filter { !held.contains($0) }
                guard !lost.isEmpty else { continue }
                running.withLock { map in
                    for id in lost {
                        // Only the claim asked about: the job may have been claimed again since
                        // (a suspended run woken at once), and that claim holds its lease.
                        guard var entry = map[id], entry.claim == claimsByID[id], !entry.handlerDone else { continue }
                        entry.stop = .lost
                        map[id] = entry
                        entry.lane?.cancel()
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
}
