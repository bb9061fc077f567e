import Foundation
import ServiceLifecycle
import Steward

/// The code workflow `steward bench --workload durable` runs: `steps` no-op steps, then (with
/// `wait`) a `receive` on `go`.
struct BenchDurableSteps: DurableWorkflow {
    static let name = "bench.durable.steps"
    struct Input: Codable, Sendable {
        var steps: Int
        var wait: Bool
    }

    func run(context: DurableContext, input: Input) async throws -> Int {
        var total = 0
        for i in 0..<input.steps { total += try await context.step("s") { i } }
        if input.wait { _ = try await context.receive(Int.self, topic: "go") }
        return total
    }
}

extension Benchmark {
    /// `step_overhead_ms_p50`: (a 20-step run - a 0-step run) / 20, start to result in hand, over
    /// `rounds`; `workflows_per_s`: `runs` runs of 3 steps started one after another, the worker
    /// at `--concurrency`, first start to last result; `replay_ms_per_1000_steps`: a run with
    /// 1,000 recorded steps waiting for a message, message sent to result in hand, minus the same
    /// for a run with none (median of `replays`).
    func durable(rounds: Int, runs: Int, replays: Int) async throws -> [String: JSONValue] {
        let recorder = Recorder(expected: 0)
        let (_, group) = makeWorker(recorder, latency: false, extra: { $0.register(BenchDurableSteps()) })
        let running = Task { try await group.run() }
        try await Task.sleep(for: .milliseconds(200))
        let client = StewardClient(store: store)
        let limit = Duration.seconds(timeout)
        func start(_ steps: Int, wait: Bool = false) async throws -> String {
            let input = try JSONCoding.encode(BenchDurableSteps.Input(steps: steps, wait: wait))
            return try await client.start(workflow: BenchDurableSteps.name, queue: Self.queue, input: input).id
        }
        func timed(_ steps: Int) async throws -> Double {
            let begin = ContinuousClock.now
            let id = try await start(steps)
            _ = try await client.wait(for: id, timeout: limit)
            return (ContinuousClock.now - begin).seconds * 1000
        }
        var empty: [Double] = []
        var twenty: [Double] = []
        var overheads: [Double] = []
        var rate = 0.0
        var replay: [Double] = []
        try await stopping(group, running) {
            _ = try await timed(1)  // warm-up: statements prepared, pools filled
            for round in 0..<rounds {
                progress("steps " + bar(round, rounds))
                let e = try await timed(0)
                let t = try await timed(20)
                empty.append(e)
                twenty.append(t)
                overheads.append((t - e) / 20)
            }
            progress("runs")
            let begin = ContinuousClock.now
            var ids: [String] = []
            for _ in 0..<runs { ids.append(try await start(3)) }
            for id in ids { _ = try await client.wait(for: id, timeout: limit) }
            rate = Double(runs) / (ContinuousClock.now - begin).seconds
            for round in 0..<replays {
                progress("replay " + bar(round, replays))
                var took: [Int: Double] = [:]
                for steps in [0, 1_000] {
                    let id = try await start(steps, wait: true)
                    while try await client.run(id)?.waiting == nil { try await Task.sleep(for: .milliseconds(2)) }
                    let sent = ContinuousClock.now
                    try await client.send(1, to: id, topic: "go")
                    _ = try await client.wait(for: id, timeout: limit)
                    took[steps] = (ContinuousClock.now - sent).seconds * 1000
                }
                replay.append(took[1_000]! - took[0]!)
            }
        }
        endProgress()
        func median(_ values: [Double]) -> Double { Self.percentile(values.sorted(), 50) }
        return [
            "rounds": .integer(Int64(rounds)), "empty_run_ms_p50": .number(Self.round(median(empty))),
            "steps20_run_ms_p50": .number(Self.round(median(twenty))), "step_overhead_ms_p50": .number(Self.round(median(overheads))),
            "runs": .integer(Int64(runs)), "workflows_per_s": .number(rate.rounded()),
            "replays": .integer(Int64(replays)), "replay_ms_per_1000_steps": .number(Self.round(median(replay))),
        ]
    }
}
