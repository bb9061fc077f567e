import Foundation
import Steward
import Synchronization
import Testing

@testable import StewardPostgres

@Suite("Step records of concurrent runs share statements")
struct DurableStepBatcherTests {
    /// What the fake statement saw.
    final class Sent: Sendable {
        let state = Mutex<(batches: [[DurableStepRecord]], out: Int, maxOut: Int)>(([], 0, 0))
    }

    static func step(_ run: String, _ seq: Int) -> DurableStepRecord {
        DurableStepRecord(run: run, seq: seq, kind: .step, name: "s", state: .succeeded, output: "\(seq)", attempts: 1, startedAt: Date(timeIntervalSince1970: 0))
    }

    @Test("each caller gets its own record back; records that arrive while statements are out go together, at most `limit` out, no position twice in one")
    func batches() async throws {
        let batcher = DurableStepBatcher(limit: 2)
        let sent = Sent()
        let send: DurableStepBatcher.Send = { batch in
            sent.state.withLock { s in
                s.batches.append(batch)
                s.out += 1
                s.maxOut = max(s.maxOut, s.out)
            }
            try await Task.sleep(for: .milliseconds(5))
            sent.state.withLock { $0.out -= 1 }
            // The store answers each record as stored; run "kept" had an earlier writer's record.
            return batch.map { ($0.run == "kept" ? Self.step("kept", $0.seq + 100) : $0, $0.run == "cancel") }
        }
        // 40 runs, 3 positions each, and one position recorded twice at once.
        let stored = try await withThrowingTaskGroup(of: (DurableStepRecord, DurableStepBatcher.Stored).self) { group in
            for run in 0..<40 {
                for seq in 0..<3 {
                    let step = Self.step("r\(run)", seq)
                    group.addTask { (step, try await batcher.record(step, send: send)) }
                }
            }
            for step in [Self.step("twice", 1), Self.step("twice", 1), Self.step("kept", 1), Self.step("cancel", 2)] {
                group.addTask { (step, try await batcher.record(step, send: send)) }
            }
            var all: [(DurableStepRecord, DurableStepBatcher.Stored)] = []
            for try await pair in group { all.append(pair) }
            return all
        }
        #expect(stored.count == 124)
        for (step, answer) in stored {
            switch step.run {
            case "kept": #expect(answer.step.seq == 101 && !answer.cancelRequested)
            case "cancel": #expect(answer.step == step && answer.cancelRequested)
            default: #expect(answer.step == step && !answer.cancelRequested)
            }
        }
        let s = sent.state.withLock { $0 }
        #expect(s.maxOut <= 2)
        #expect(s.batches.map(\.count).reduce(0, +) == 124)
        #expect(s.batches.count < 124, "no record shared a statement: \(s.batches.map(\.count))")
        for batch in s.batches {
            #expect(Set(batch.map { "\($0.run)/\($0.seq)" }).count == batch.count, "a position twice in one statement")
        }
    }

    @Test("a failed statement fails every record it carried, and the next records still go")
    func failure() async throws {
        struct Boom: Error {}
        let batcher = DurableStepBatcher(limit: 1)
        let failing = Mutex(true)
        let send: DurableStepBatcher.Send = { batch in
            try await Task.sleep(for: .milliseconds(5))
            if failing.withLock({ $0 }) { throw Boom() }
            return batch.map { ($0, false) }
        }
        let results = await withTaskGroup(of: Bool.self) { group in
            for seq in 0..<10 {
                group.addTask { (try? await batcher.record(Self.step("f", seq), send: send)) != nil }
            }
            return await group.reduce(into: [Bool]()) { $0.append($1) }
        }
        #expect(results.allSatisfy { !$0 })
        failing.withLock { $0 = false }
        #expect(try await batcher.record(Self.step("f", 0), send: send).step == Self.step("f", 0))
    }
}
