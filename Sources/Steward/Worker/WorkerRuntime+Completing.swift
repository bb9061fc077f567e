import Foundation
import Logging
import Synchronization

extension WorkerRuntime {
    /// Hands a finished attempt to the completer; waits while its buffer is full (back-pressure).
    func submit(_ outcome: JobOutcome, claim: UInt64) async {
        let limit = config.completionBufferLimit
        while true {
            let added = completions.withLock { buffer -> Bool in
                guard buffer.count < limit else { return false }
                buffer.append(Finished(outcome: outcome, claim: claim))
                return true
            }
            if added {
                completionSignal.notify()
                return
            }
            await capacitySignal.wait(timeout: .milliseconds(50))
        }
    }

    /// Empties the buffer of finished attempts.
    private func takeCompletions() -> [Finished] {
        completions.withLock { buffer in
            let taken = buffer
            buffer.removeAll(keepingCapacity: true)
            return taken
        }
    }

    static let lingerBatch = 256
    static let linger = Duration.milliseconds(1)

    func completerLoop() async {
        defer { completerDone.notify() }
        var failures = 0
        while true {
            var batch = takeCompletions()
            if batch.isEmpty {
                if completerFinish.load(ordering: .acquiring) || Task.isCancelled { return }
                await completionSignal.wait(timeout: .seconds(1))
                continue
            }
            // Under load, linger a moment so one transaction carries many outcomes (a commit costs
            // about as much as a hundred row updates); an idle worker flushes at once.
            if batch.count < Self.lingerBatch, handlersRunning > 0, !completerFinish.load(ordering: .acquiring) {
                try? await Task.sleep(for: Self.linger)
                batch += takeCompletions()
            }
            capacitySignal.notify()
            while true {
                do {
                    let (store, now, outcomes) = (self.store, worker.clock.now(), batch.map(\.outcome))
                    try await storeCall("complete") { try await store.complete(outcomes, now: now) }
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
                for finished in batch where map[finished.outcome.id]?.claim == finished.claim {
                    map.removeValue(forKey: finished.outcome.id)
                }
            }
        }
    }
}
