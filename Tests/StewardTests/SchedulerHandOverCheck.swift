import Foundation
import Steward
import Testing

extension WorkerProcesses {
    func log(_ name: String) -> String {
        (try? String(contentsOfFile: dir.appendingPathComponent("\(name).log").path, encoding: .utf8)) ?? ""
    }

    /// Two `steward worker --scheduler` processes share a schedule firing every second. The active
    /// one is SIGKILLed; the other must take over within the lease TTL (2 s) plus its polling
    /// interval (≤ 1 s) and a second of slack, and in the end every instant from the first to the
    /// last is enqueued exactly once (the instants of the hand-over gap run late, within grace).
    /// The jobs go to the queue the processes work, so each finishes and frees its unique key: a
    /// second active scheduler would then enqueue a second job for an instant, not be deduplicated.
    func checkSchedulerHandOver(on store: any StewardStore, label: String) async throws {
        let schedule = try Schedule.cron("heartbeat", "* * * * * *", job: ScheduledJob(name: "steward.noop", queue: queue))
        try await Scheduler(store: store, schedules: [schedule]).register()
        // Short job leases: a fired job the killed leader had claimed comes back within seconds.
        let flags = ["--scheduler", "--scheduler-lease", "2s", "--lease", "2s", "--rescue-interval", "500ms", "--log-level", "info"]
        var procs = ["s0": try spawn("s0", extra: flags), "s1": try spawn("s1", extra: flags)]
        defer { for p in procs.values where p.isRunning { kill(p.processIdentifier, SIGKILL) } }
        func fired() async throws -> [JobRecord] {
            try await store.jobs(JobFilter(queue: queue, name: "steward.noop", limit: 10_000), now: Date())
        }
        let started = try await eventually(timeout: .seconds(20)) { try await fired().count >= 4 }
        #expect(started, "the schedule did not fire; logs:\n\(logs())")
        let leader = try #require(
            procs.keys.sorted().first { log($0).contains("became the active scheduler") }, "no active scheduler; logs:\n\(logs())")
        let follower = leader == "s0" ? "s1" : "s0"
        await kill9(procs.removeValue(forKey: leader)!)
        let killedAt = Date()
        let tookOver = try await eventually(timeout: .seconds(15)) {
            try await fired().contains { $0.createdAt > killedAt }
        }
        #expect(tookOver, "no fire after the leader died; logs:\n\(logs())")
        let firstAfter = try await fired().filter { $0.createdAt > killedAt }.map(\.createdAt).min() ?? .distantFuture
        let handOver = firstAfter.timeIntervalSince(killedAt)
        try await Task.sleep(for: .seconds(3))
        let ran = try await eventually(timeout: .seconds(20)) { try await fired().allSatisfy { $0.state == .succeeded } }
        #expect(ran, "the fired jobs did not all run, so their unique keys could hide a second leader")
        for p in procs.values { #expect(await stop(p) == 0) }
        #expect(log(follower).contains("became the active scheduler"))

        let instants = try await fired().compactMap { $0.metadata["fire_at"] }.compactMap { ISO8601DateFormatter().date(from: $0) }
        let seconds = instants.map { Int64($0.timeIntervalSince1970) }
        let unique = Set(seconds)
        let span = (unique.max() ?? 0) - (unique.min() ?? 0) + 1
        print(
            "\(label) scheduler hand-over: took over \(String(format: "%.2f", handOver)) s after the SIGKILL (TTL 2 s); "
                + "\(seconds.count) jobs for \(unique.count) instants over \(span) s")
        #expect(handOver <= 4.0, "hand-over took \(handOver) s")
        #expect(seconds.count == unique.count, "an instant was enqueued twice")
        #expect(Int64(unique.count) == span, "instants missing: \(unique.count) of \(span)")
    }
}
