import Steward
import Synchronization

/// Gathers the step records of concurrent runs into one statement: a record that arrives while
/// `limit` statements are out waits for the next one, which carries every record that waited
/// (one commit for many runs' steps). A record arriving when fewer are out goes at once, so an
/// idle store adds no delay. Two records of one position never share a statement (one
/// statement cannot update a row twice): the later waits for the next.
final class DurableStepBatcher: Sendable {
    typealias Stored = (step: DurableStepRecord, cancelRequested: Bool)
    typealias Send = @Sendable ([DurableStepRecord]) async throws -> [Stored]

    private struct Waiting {
        let step: DurableStepRecord
        let continuation: CheckedContinuation<Stored, any Error>
    }

    private struct State {
        var waiting: [Waiting] = []
        var out = 0
    }

    private let state = Mutex(State())
    private let limit: Int

    /// At most `limit` statements out at once.
    init(limit: Int) {
        self.limit = max(1, limit)
    }

    /// Records `step` (alone or with others) and returns it as stored; `send` writes a statement's
    /// records and returns them as stored, in order (every caller passes the same).
    func record(_ step: DurableStepRecord, send: @escaping Send) async throws -> Stored {
        // Fewer statements out than the limit: this caller sends its own record and whatever waits.
        let others: [Waiting]? = state.withLock { s in
            guard s.out < limit else { return nil }
            s.out += 1
            return take(&s, besides: step)
        }
        guard let others else {
            return try await withCheckedThrowingContinuation { continuation in
                let batch: [Waiting]? = state.withLock { s in
                    s.waiting.append(Waiting(step: step, continuation: continuation))
                    // A statement ended between the two locks: send now rather than wait for none.
                    guard s.out < limit else { return nil }
                    s.out += 1
                    return take(&s, besides: nil)
                }
                if let batch { Task { await self.run(batch, send: send) } }
            }
        }
        let result: Result<[Stored], any Error>
        do { result = .success(try await send([step] + others.map(\.step))) } catch { result = .failure(error) }
        switch result {
        case .success(let stored): for (w, s) in zip(others, stored.dropFirst()) { w.continuation.resume(returning: s) }
        case .failure(let error): for w in others { w.continuation.resume(throwing: error) }
        }
        handOff(send)
        return try result.get()[0]
    }

    /// After a statement: what waited meanwhile goes in the next one (a task of its own, so the
    /// caller returns), or the statement's slot is given back.
    private func handOff(_ send: @escaping Send) {
        let next: [Waiting]? = state.withLock { s in
            if s.waiting.isEmpty {
                s.out -= 1
                return nil
            }
            return take(&s, besides: nil)
        }
        if let next { Task { await self.run(next, send: send) } }
    }

    /// The waiting records for one statement (distinct positions, none at `step`'s, in arrival order).
    private func take(_ s: inout State, besides step: DurableStepRecord?) -> [Waiting] {
        guard !s.waiting.isEmpty else { return [] }
        var seen = Set<String>()
        if let step { seen.insert("\(step.run)\u{0}\(step.seq)") }
        var batch: [Waiting] = []
        var rest: [Waiting] = []
        for w in s.waiting {
            if seen.insert("\(w.step.run)\u{0}\(w.step.seq)").inserted { batch.append(w) } else { rest.append(w) }
        }
        s.waiting = rest
        return batch
    }

    /// Sends a batch of waiting records, then hands off.
    private func run(_ batch: [Waiting], send: @escaping Send) async {
        do {
            let stored = try await send(batch.map(\.step))
            for (w, s) in zip(batch, stored) { w.continuation.resume(returning: s) }
        } catch {
            for w in batch { w.continuation.resume(throwing: error) }
        }
        handOff(send)
    }
}
