import Foundation
import Steward
import Testing

extension WorkerProcesses {
    /// Three `steward worker` processes share one global limit of 100 starts/s (burst 10) while
    /// draining 600 jobs. Tolerance: a token bucket allows at most `burst + rate × T` starts in
    /// any window of length T; we allow 2 starts more, for the milliseconds between a process
    /// reading its clock (which stamps `started_at`) and taking the bucket's row lock.
    func checkGlobalRateLimit(on store: any StewardStore, label: String) async throws {
        let (total, rate, burst) = (600, 100.0, 10)
        try await enqueue(total, sleepMs: 0, into: store)
        let flags = ["--rate", "\(Int(rate))", "--burst", "\(burst)", "--rate-scope", "global"]
        let procs = try (0..<3).map { try spawn("rl\($0)", concurrency: 8, extra: flags) }
        func succeeded() async throws -> Int { try await store.queueStats(queue, now: Date()).counts["succeeded"] ?? 0 }
        let drained = try await eventually(timeout: .seconds(60)) { try await succeeded() == total }
        var statuses: [Int32?] = []
        for p in procs { statuses.append(await stop(p)) }
        let done = try await succeeded()
        #expect(drained, "only \(done) of \(total) succeeded; logs:\n\(logs())")
        #expect(statuses.allSatisfy { $0 == 0 }, "workers did not exit cleanly: \(statuses)")

        let jobs = try await store.jobs(JobFilter(queue: queue, state: .succeeded, limit: total), now: Date())
        let starts = jobs.compactMap { $0.startedAt?.timeIntervalSince1970 }.sorted()
        try #require(starts.count == total)
        var busiest = 0
        var j = 0
        for i in starts.indices {
            while j < starts.count, starts[j] < starts[i] + 1 { j += 1 }
            busiest = max(busiest, j - i)
        }
        let span = starts.last! - starts.first!
        let overall = Double(total - burst) / span
        let perProcess = Dictionary(grouping: jobs, by: { $0.leaseOwner ?? "?" }).mapValues(\.count)
        print(
            "\(label) global rate limit: busiest 1 s window \(busiest) starts (bound \(burst + Int(rate)) + 2), "
                + "overall \(String(format: "%.1f", overall))/s, per process \(perProcess.values.sorted())")
        #expect(busiest <= burst + Int(rate) + 2, "\(busiest) starts within one second under a 100/s limit")
        #expect(overall <= rate * 1.02, "overall \(overall)/s above the 100/s limit")
        // The limit is not merely respected by starving: the three processes together keep near it.
        #expect(overall >= rate * 0.7, "overall \(overall)/s: the shared limit starved the workers")
        #expect(perProcess.count == 3, "not every process took part: \(perProcess)")
    }
}
