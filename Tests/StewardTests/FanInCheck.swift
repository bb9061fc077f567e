import Foundation
import Steward
import Testing

extension WorkerProcesses {
    /// 1,000 parents drained by three `steward worker` processes at once, and one child after all
    /// of them: the child is released exactly once, only after the last parent finished, and runs
    /// once.
    func checkFanIn(on store: any StewardStore, label: String) async throws {
        let parents = 1_000
        // The queue stays paused until all three processes run, so all three take part.
        try await store.setPaused(true, queue: queue)
        let ids = try await store.enqueue(
            (0..<parents).map { i in
                NewJob(queue: queue, name: "steward.append", payload: #"{"file":"\#(outPath)","line":"p\#(i)","sleepMs":1}"#)
            }, now: Date()
        ).map(\.id)
        let child = try await store.enqueue(
            [NewJob(queue: queue, name: "steward.append", payload: #"{"file":"\#(outPath)","line":"child"}"#, dependsOn: ids)],
            now: Date())[0]
        #expect(child.state == .waiting)
        let procs = try (0..<3).map { try spawn("fan\($0)", concurrency: 8) }
        try await Task.sleep(for: .seconds(1))
        try await store.setPaused(false, queue: queue)
        let done = try await eventually(timeout: .seconds(90)) {
            try await store.job(child.id, now: Date())?.state == .succeeded
        }
        var statuses: [Int32?] = []
        for p in procs { statuses.append(await stop(p)) }
        #expect(done, "\(label): the child did not succeed; logs:\n\(logs())")
        #expect(statuses.allSatisfy { $0 == 0 }, "workers did not exit cleanly: \(statuses)")
        let counts = try lines()
        #expect(counts["child"] == 1, "\(label): the child ran \(counts["child"] ?? 0) times")
        #expect((0..<parents).allSatisfy { counts["p\($0)"] != nil }, "\(label): some parents never ran")
        let record = try #require(try await store.job(child.id, now: Date()))
        #expect(record.attempt == 1)
        let finished = try await store.jobs(JobFilter(queue: queue, state: .succeeded, limit: parents + 1), now: Date())
        #expect(finished.count == parents + 1)
        // Each parent appends its line before it finishes, so a child released early would not
        // write the file's last line. (Timestamps cannot show this: each process stamps a write
        // with the clock it read before waiting for the database's lock.)
        let runs = try String(contentsOfFile: outPath, encoding: .utf8).split(separator: "\n")
        #expect(runs.last == "child", "\(label): the child ran before its last parent finished")
        // Every process took part, so the parents really finished on different machines' workers.
        let workersSeen = Set(finished.compactMap(\.leaseOwner))
        #expect(workersSeen.count == 3, "\(label): only \(workersSeen.count) worker processes ran parents")
        #expect(try await store.sweepWaitingJobs(now: Date()) == 0)
    }
}
