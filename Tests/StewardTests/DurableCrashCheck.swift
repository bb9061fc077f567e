import Foundation
import Steward
import Testing

extension WorkerProcesses {
    /// A code workflow under `kill -9`: a worker killed inside step 3 of 5 and another killed
    /// while the run sleeps; steps 1–2 never run again, step 3 runs at most twice, the sleep ends
    /// on time on a third worker, and the run succeeds.
    func checkDurableCrash(on store: any StewardStore, label: String) async throws {
        let flags = ["--lease", "2s", "--rescue-interval", "300ms"]
        let client = StewardClient(store: store)
        let input = #"{"file":"\#(outPath)","steps":5,"sleepMs":600,"pauseAfter":4,"pauseMs":2500}"#
        let run = try await client.start(workflow: "steward.durable.steps", queue: queue, input: input, id: "crash-\(label)")
        let a = try spawn("durable-a", concurrency: 2, extra: flags)
        func count(_ line: String) throws -> Int { try lines()[line] ?? 0 }
        #expect(try await eventually(timeout: .seconds(60)) { try count("start 3") >= 1 }, "\(label): step 3 never started; logs:\n\(logs())")
        await kill9(a)
        #expect(try count("end 3") == 0, "\(label): step 3 ended before the kill; the test proves little")
        let b = try spawn("durable-b", concurrency: 2, extra: flags)
        // Step 4 done, the run asleep: its driver job waits scheduled, held by no worker.
        let asleep = try await eventually(timeout: .seconds(60)) {
            let last = try await store.durableSteps(run.id).last
            let job = try await store.job(run.job!, now: Date())
            return last?.kind == .sleep && job?.state == .scheduled
        }
        #expect(asleep, "\(label): the run never went to sleep; logs:\n\(logs())")
        await kill9(b)
        let c = try spawn("durable-c", concurrency: 2, extra: flags)
        let finished = try await client.wait(for: run.id, timeout: .seconds(60))
        let status = await stop(c)
        #expect(finished.output == "15")
        let seen = try lines()
        #expect(seen["start 1"] == 1 && seen["start 2"] == 1, "\(label): a finished step ran again: \(seen)")
        #expect((1...2).contains(seen["start 3"] ?? 0) && seen["end 3"] == 1, "\(label): \(seen)")
        #expect(seen["start 4"] == 1 && seen["start 5"] == 1, "\(label): \(seen)")
        let sleep = try #require(try await store.durableSteps(run.id).first { $0.kind == .sleep })
        let late = try #require(sleep.finishedAt).timeIntervalSince(try #require(sleep.until))
        #expect(late >= 0 && late < 2, "\(label): the sleep ended \(late)s after its time")
        #expect(status == 0)
        print("\(label) durable crash test: step 3 ran \(seen["start 3"] ?? 0) times; the sleep ended \(Int(late * 1000)) ms after its time")
    }
}
