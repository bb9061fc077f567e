import Foundation
import Logging
import Steward
import Synchronization
import Testing

/// A code workflow whose body a case gives.
struct ScriptedWorkflow: DurableWorkflow {
    static let name = "conformance.durable"
    let body: @Sendable (DurableContext, Int) async throws -> String
    func run(context: DurableContext, input: Int) async throws -> String { try await body(context, input) }
}

/// A child workflow: doubles its input.
struct DoublingWorkflow: DurableWorkflow {
    static let name = "conformance.double"
    func run(context: DurableContext, input: Int) async throws -> Int {
        try await context.step("double") { input * 2 }
    }
}

/// Counts how often each step body ran.
final class BodyCounter: Sendable {
    private let counts = Mutex<[String: Int]>([:])
    func hit(_ name: String) { counts.withLock { $0[name, default: 0] += 1 } }
    subscript(_ name: String) -> Int { counts.withLock { $0[name] ?? 0 } }
}

extension StoreConformance {
    /// What a worker does, one claim at a time and by hand: claims due driver jobs on `default`
    /// and runs each through the registry's handler, writing the outcome a worker would.
    @discardableResult
    static func drive(_ store: any StewardStore, _ clock: ManualClock, _ registry: JobRegistry) async throws -> Int {
        let claimed = try await claim(store, clock, names: registry.names)
        let client = StewardClient(store: store, clock: clock)
        for job in claimed {
            let r = job.record
            let context = JobContext(
                id: r.id, name: r.name, queue: r.queue, attempt: r.attempt, maxAttempts: r.maxAttempts, metadata: r.metadata,
                payload: r.payload, enqueuedAt: r.createdAt, workerID: owner, logger: Logger(label: "conformance"), client: client)
            let kind: JobOutcome.Kind
            do {
                let result = try await registry.handler(for: r.name)!(r.payload, context)
                kind = .succeeded(result: result)
            } catch is CancellationError {
                kind = .cancelled(error: nil)
            } catch is JobOutcomeWritten {
                continue
            } catch {
                let info = JobErrorInfo(type: errorTypeName(error), message: "\(error)", attempt: r.attempt)
                let final = (r.retryPolicy ?? .default).isFinal(error, attempt: r.attempt, maxAttempts: r.maxAttempts)
                kind = final ? .dead(error: info) : .retry(runAt: clock.now().addingTimeInterval(1), error: info)
            }
            try await store.complete([outcome(job, kind)], now: clock.now())
        }
        return claimed.count
    }

    static func driverState(_ store: any StewardStore, _ clock: ManualClock, run: String) async throws -> JobState? {
        guard let job = try await store.durableRun(run)?.job else { return nil }
        return try await state(store, clock, job)
    }

    static let durable: [ConformanceCase] = [
        ConformanceCase("a code workflow's recorded steps are not run again when its attempt fails and it is replayed") { store, clock in
            let counter = BodyCounter()
            let flaky = Mutex(true)
            let registry = JobRegistry()
            registry.register(
                ScriptedWorkflow { ctx, n in
                    let a = try await ctx.step("a") { counter.hit("a"); return n + 1 }
                    let b = try await ctx.step("b") { counter.hit("b"); return a * 10 }
                    return try await ctx.step("c") {
                        counter.hit("c")
                        if flaky.withLock({ f in defer { f = false }; return f }) { throw PermanentStepTrouble() }
                        return "\(b)"
                    }
                })
            let client = StewardClient(store: store, clock: clock)
            let id = try await client.start(ScriptedWorkflow.self, input: 1, id: "replay-1")
            #expect(id == "replay-1")
            // A code run is a pipeline execution, started with it.
            #expect(try await store.pipelineExecutions(PipelineExecutionFilter(workflowRun: id)).map(\.state) == [.running])
            #expect(try await drive(store, clock, registry) == 1)
            #expect(try await store.durableRun(id)?.state == .running)
            #expect(try await driverState(store, clock, run: id) == .scheduled)
            let steps = try await store.durableSteps(id)
            #expect(steps.map(\.name) == ["a", "b", "c"])
            #expect(steps.map(\.state) == [.succeeded, .succeeded, .failed])
            #expect(steps[2].error?.type == "PermanentStepTrouble")
            clock.advance(by: .seconds(2))
            #expect(try await drive(store, clock, registry) == 1)
            #expect((counter["a"], counter["b"], counter["c"]) == (1, 1, 2))
            let run = try #require(try await store.durableRun(id))
            #expect(run.state == .succeeded)
            #expect(run.output == "\"20\"")
            // The run's end wrote its driver job's success, with the output as the job's result.
            #expect(try await driverState(store, clock, run: id) == .succeeded)
            #expect(try await store.job(try #require(run.job), now: clock.now())?.result == "\"20\"")
            let history = try #require(try await store.durableHistory(id))
            #expect(history.run.state == .succeeded)
            let recorded = try await store.durableSteps(id)
            #expect(history.steps.map(\.name) == ["a", "b", "c"] && history.steps == recorded)
            #expect(try await store.durableHistory("no-such-run") == nil)
            #expect(try await client.result(of: id, as: String.self, timeout: .seconds(1)) == "20")
            #expect(try await store.durableSteps(id).map(\.attempts) == [1, 1, 2])
            let execution = try #require(try await store.pipelineExecutions(PipelineExecutionFilter(workflowRun: id)).first)
            #expect(execution.state == .succeeded && execution.metrics["steps"] == 3, "\(execution)")
        },
        ConformanceCase("starting a run id that exists returns that run: one run, one driver job") { store, clock in
            let client = StewardClient(store: store, clock: clock)
            let first = try await client.start(workflow: ScriptedWorkflow.name, input: "1", id: "once")
            let second = try await client.start(workflow: ScriptedWorkflow.name, input: "2", id: "once")
            #expect(first.job != nil)
            #expect(second.job == first.job)
            #expect(second.input == "1")
            #expect(try await store.jobs(JobFilter(name: ScriptedWorkflow.name), now: clock.now()).count == 1)
            // Concurrent starts of one new id: one run, one driver job.
            async let a = client.start(workflow: ScriptedWorkflow.name, input: "1", id: "raced")
            async let b = client.start(workflow: ScriptedWorkflow.name, input: "1", id: "raced")
            let (ra, rb) = try await (a, b)
            #expect(ra.job == rb.job)
            #expect(try await store.jobs(JobFilter(name: ScriptedWorkflow.name), now: clock.now()).count == 2)
            await #expect(throws: StewardError.invalidArgument(field: "input", message: "input: not valid JSON: {nope")) {
                try await client.start(workflow: ScriptedWorkflow.name, input: "{nope", id: "bad")
            }
        },
        ConformanceCase("step records of many runs at once: each stored once, a succeeded one kept, a cancel seen") { store, clock in
            let client = StewardClient(store: store, clock: clock)
            let runs = (0..<6).map { "many-\($0)" }
            for run in runs { _ = try await client.start(workflow: ScriptedWorkflow.name, input: "1", id: run) }
            _ = try await client.cancel(run: "many-5")
            func step(_ run: String, _ seq: Int, _ output: String) -> DurableStepRecord {
                DurableStepRecord(
                    run: run, seq: seq, kind: .step, name: "s\(seq)", state: .succeeded, output: output, attempts: 1, startedAt: clock.now(),
                    finishedAt: clock.now())
            }
            let answers = try await withThrowingTaskGroup(of: (String, Int, DurableRecorded).self) { group in
                for run in runs {
                    for seq in 0..<8 { group.addTask { (run, seq, try await store.recordDurableSteps(run, [step(run, seq, "\(seq)")])) } }
                }
                var all: [(String, Int, DurableRecorded)] = []
                for try await answer in group { all.append(answer) }
                return all
            }
            #expect(answers.count == 48)
            for (run, seq, recorded) in answers {
                #expect(recorded.steps == [step(run, seq, "\(seq)")])
                #expect(recorded.cancelRequested == (run == "many-5"))
            }
            for run in runs { #expect(try await store.durableSteps(run).map(\.output) == (0..<8).map { "\($0)" }) }
            // A second writer of a succeeded position gets the first one's record back.
            let again = try await store.recordDurableSteps("many-0", [step("many-0", 3, "other")])
            #expect(again.steps.map(\.output) == ["3"])
        },
        ConformanceCase("a start into a full queue is refused and writes nothing: no run, no job, no execution") { store, clock in
            let client = StewardClient(store: store, clock: clock)
            // The first start registers the queue; a max depth set afterwards is still honoured.
            _ = try await client.start(workflow: ScriptedWorkflow.name, queue: "small", input: "1", id: "first")
            try await store.configureQueues([QueueSettings(name: "small", maxDepth: 1)])
            await #expect(throws: StewardError.queueFull(queue: "small", maxDepth: 1)) {
                try await client.start(workflow: ScriptedWorkflow.name, queue: "small", input: "1", id: "second")
            }
            #expect(try await store.durableRun("second") == nil)
            #expect(try await store.jobs(JobFilter(queue: "small"), now: clock.now()).count == 1)
            #expect(try await store.pipelineExecutions(PipelineExecutionFilter(workflowRun: "second")).isEmpty)
            // Room again: the same id starts.
            try await store.configureQueues([QueueSettings(name: "small", maxDepth: 2)])
            let second = try await client.start(workflow: ScriptedWorkflow.name, queue: "small", input: "2", id: "second")
            #expect(second.job != nil && second.input == "2")
            #expect(try await store.pipelineExecutions(PipelineExecutionFilter(workflowRun: "second")).count == 1)
        },
        ConformanceCase("a durable sleep ends the attempt: the job waits scheduled, holding no worker, and runs on when due") { store, clock in
            let counter = BodyCounter()
            let registry = JobRegistry()
            registry.register(
                ScriptedWorkflow { ctx, _ in
                    _ = try await ctx.step("before") { counter.hit("before"); return 1 }
                    try await ctx.sleep(for: .seconds(30))
                    return try await ctx.step("after") { counter.hit("after"); return "woke" }
                })
            let client = StewardClient(store: store, clock: clock)
            let id = try await client.start(ScriptedWorkflow.self, input: 0, id: "sleeper")
            #expect(try await drive(store, clock, registry) == 1)
            let job = try #require(try await store.durableRun(id)?.job)
            let record = try #require(try await store.job(job, now: clock.now()))
            #expect(record.state == .scheduled)
            #expect(abs(record.runAt.timeIntervalSince(clock.now()) - 30) < 0.01)
            #expect(record.attempt == 0)
            #expect(try await store.durableRun(id)?.waiting?.kind == .sleep)
            clock.advance(by: .seconds(10))
            #expect(try await drive(store, clock, registry) == 0)
            clock.advance(by: .seconds(21))
            #expect(try await drive(store, clock, registry) == 1)
            #expect(try await store.durableRun(id)?.state == .succeeded)
            #expect((counter["before"], counter["after"]) == (1, 1))
            #expect(try await store.durableSteps(id).map(\.kind) == [.step, .sleep, .step])
        },
        ConformanceCase("a message sent before the run receives is kept; one sent while it waits wakes it at once") { store, clock in
            let registry = JobRegistry()
            registry.register(
                ScriptedWorkflow { ctx, _ in
                    let first = try await ctx.receive(String.self, topic: "go")
                    let second = try await ctx.receive(String.self, topic: "go")
                    return "\(first ?? "-") \(second ?? "-")"
                })
            let client = StewardClient(store: store, clock: clock)
            let id = try await client.start(ScriptedWorkflow.self, input: 0, id: "inbox")
            try await client.send("early", to: id, topic: "go")
            #expect(try await drive(store, clock, registry) == 1)
            #expect(try await driverState(store, clock, run: id) == .scheduled)
            #expect(try await store.durableRun(id)?.waiting == DurableWait(kind: .message, topic: "go"))
            try await client.send("other topic", to: id, topic: "elsewhere")
            #expect(try await driverState(store, clock, run: id) == .scheduled)
            try await client.send("late", to: id, topic: "go")
            #expect(try await driverState(store, clock, run: id) == .available)
            #expect(try await drive(store, clock, registry) == 1)
            #expect(try await client.result(of: id, as: String.self, timeout: .seconds(1)) == "early late")
            await #expect(throws: StewardError.workflowRunNotFound("nobody")) { try await client.send("x", to: "nobody", topic: "go") }
        },
        ConformanceCase("a receive with a timeout returns nil once it passes, on replay too") { store, clock in
            let registry = JobRegistry()
            registry.register(
                ScriptedWorkflow { ctx, _ in
                    let got = try await ctx.receive(Int.self, topic: "approve", timeout: .seconds(60))
                    return got.map { "\($0)" } ?? "timed out"
                })
            let client = StewardClient(store: store, clock: clock)
            let id = try await client.start(ScriptedWorkflow.self, input: 0, id: "patient")
            #expect(try await drive(store, clock, registry) == 1)
            clock.advance(by: .seconds(30))
            #expect(try await drive(store, clock, registry) == 0)
            clock.advance(by: .seconds(31))
            #expect(try await drive(store, clock, registry) == 1)
            #expect(try await client.result(of: id, as: String.self, timeout: .seconds(1)) == "timed out")
            #expect(try await store.durableSteps(id).first?.output == "null")
        },
        ConformanceCase("a child run starts once, and its end wakes the parent waiting for it") { store, clock in
            let registry = JobRegistry()
            registry.register(DoublingWorkflow())
            registry.register(
                ScriptedWorkflow { ctx, n in
                    let doubled = try await ctx.child(DoublingWorkflow.self, input: n)
                    return "\(doubled)"
                })
            let client = StewardClient(store: store, clock: clock)
            let id = try await client.start(ScriptedWorkflow.self, input: 21, id: "parent")
            #expect(try await drive(store, clock, registry) == 1)
            let child = try #require(try await store.durableRun("parent-1"))
            #expect(child.parent == "parent")
            #expect(try await store.durableRun(id)?.waiting == DurableWait(kind: .child, child: "parent-1"))
            #expect(try await driverState(store, clock, run: id) == .scheduled)
            #expect(try await drive(store, clock, registry) == 1)
            #expect(try await store.durableRun("parent-1")?.state == .succeeded)
            #expect(try await driverState(store, clock, run: id) == .available)
            #expect(try await drive(store, clock, registry) == 1)
            #expect(try await client.result(of: id, as: String.self, timeout: .seconds(1)) == "42")
            #expect(try await store.durableRuns(workflow: DoublingWorkflow.name, state: nil, limit: 10).count == 1)
        },
        ConformanceCase("a replay whose step differs from its history fails the run, naming both steps") { store, clock in
            let registry = JobRegistry()
            registry.register(
                ScriptedWorkflow { ctx, _ in
                    _ = try await ctx.step("charge") { 1 }
                    try await ctx.sleep(for: .seconds(5))
                    return "old"
                })
            let client = StewardClient(store: store, clock: clock)
            let id = try await client.start(ScriptedWorkflow.self, input: 0, id: "changed")
            #expect(try await drive(store, clock, registry) == 1)
            registry.register(
                ScriptedWorkflow { ctx, _ in
                    _ = try await ctx.step("refund") { 1 }
                    return "new"
                })
            clock.advance(by: .seconds(6))
            #expect(try await drive(store, clock, registry) == 1)
            let run = try #require(try await store.durableRun(id))
            #expect(run.state == .failed)
            #expect(run.error?.message == "nondeterministic: step 1 was 'charge', now 'refund'")
            #expect(try await driverState(store, clock, run: id) == .dead)
            await #expect(throws: DurableRunFailed.self) { try await client.result(of: id, as: String.self, timeout: .seconds(1)) }
        },
        ConformanceCase("cancel wakes a waiting run; the step boundary throws CancellationError and compensation runs") { store, clock in
            let counter = BodyCounter()
            let registry = JobRegistry()
            registry.register(
                ScriptedWorkflow { ctx, _ in
                    _ = try await ctx.step("reserve") { counter.hit("reserve"); return 1 }
                    do {
                        try await ctx.sleep(for: .seconds(3600))
                        return "done"
                    } catch {
                        _ = try await ctx.step("release") { counter.hit("release"); return 1 }
                        throw error
                    }
                })
            let client = StewardClient(store: store, clock: clock)
            let id = try await client.start(ScriptedWorkflow.self, input: 0, id: "stopped")
            #expect(try await drive(store, clock, registry) == 1)
            let asked = try await client.cancel(run: id)
            #expect(asked.cancelRequested)
            #expect(try await driverState(store, clock, run: id) == .available)
            #expect(try await drive(store, clock, registry) == 1)
            #expect(try await store.durableRun(id)?.state == .cancelled)
            #expect((counter["reserve"], counter["release"]) == (1, 1))
            #expect(try await store.durableSteps(id).map(\.name) == ["reserve", "sleep", "release"])
            await #expect(throws: StewardError.self) { try await client.cancel(run: id) }
        },
        ConformanceCase("a run started with a timeout is woken at it from a wait without one, and ends cancelled") { store, clock in
            let counter = BodyCounter()
            let registry = JobRegistry()
            registry.register(
                ScriptedWorkflow { ctx, _ in
                    do {
                        return try await ctx.receive(String.self, topic: "never") ?? "nil"
                    } catch {
                        _ = try await ctx.step("undo") { counter.hit("undo"); return 1 }
                        throw error
                    }
                })
            let client = StewardClient(store: store, clock: clock)
            let id = try await client.start(ScriptedWorkflow.self, input: 0, id: "bounded", timeout: .seconds(10))
            #expect(try await drive(store, clock, registry) == 1)
            let job = try #require(try await store.durableRun(id)?.job)
            let waiting = try #require(try await store.job(job, now: clock.now()))
            #expect(abs(waiting.runAt.timeIntervalSince(clock.now()) - 10) < 0.01)
            clock.advance(by: .seconds(11))
            #expect(try await drive(store, clock, registry) == 1)
            #expect(try await store.durableRun(id)?.state == .cancelled)
            #expect(counter["undo"] == 1)
        },
        ConformanceCase("purging finished work removes code runs that ended before the cutoff, with their steps, and keeps live ones") { store, clock in
            let registry = JobRegistry()
            registry.register(
                ScriptedWorkflow { ctx, n in
                    _ = try await ctx.step("one") { n }
                    if n == 0 { return try await ctx.receive(String.self, topic: "go") ?? "" }
                    return "done"
                })
            let client = StewardClient(store: store, clock: clock)
            let done = try await client.start(ScriptedWorkflow.self, input: 1, id: "old")
            let live = try await client.start(ScriptedWorkflow.self, input: 0, id: "live")
            try await client.send("kept", to: live, topic: "other")
            #expect(try await drive(store, clock, registry) == 2)
            #expect(try await store.durableRun(done)?.state == .succeeded)
            clock.advance(by: .seconds(10))
            _ = try await store.purgeFinished(before: clock.now())
            #expect(try await store.durableRun(done) == nil)
            #expect(try await store.durableSteps(done).isEmpty)
            #expect(try await store.durableRun(live)?.state == .running)
            #expect(try await store.durableSteps(live).count == 2)
        },
        ConformanceCase("patched is true for a new run and false where an older history holds another record") { store, clock in
            let registry = JobRegistry()
            registry.register(
                ScriptedWorkflow { ctx, _ in
                    _ = try await ctx.step("a") { 1 }
                    try await ctx.sleep(for: .seconds(5))
                    return "v1"
                })
            let client = StewardClient(store: store, clock: clock)
            let old = try await client.start(ScriptedWorkflow.self, input: 0, id: "old")
            #expect(try await drive(store, clock, registry) == 1)
            // The deploy: a patch gate before step a.
            registry.register(
                ScriptedWorkflow { ctx, _ in
                    let patched = try await ctx.patched("new-a")
                    _ = try await ctx.step("a") { 1 }
                    try await ctx.sleep(for: .seconds(5))
                    try await ctx.setEvent("path", patched ? "new" : "old")
                    return patched ? "v2" : "v1"
                })
            let new = try await client.start(ScriptedWorkflow.self, input: 0, id: "new")
            clock.advance(by: .seconds(6))
            #expect(try await drive(store, clock, registry) == 2)
            clock.advance(by: .seconds(6))
            try await drive(store, clock, registry)
            #expect(try await client.result(of: old, as: String.self, timeout: .seconds(1)) == "v1")
            #expect(try await client.result(of: new, as: String.self, timeout: .seconds(1)) == "v2")
            #expect(try await store.durableSteps(new).map(\.kind) == [.patch, .step, .sleep, .event])
            #expect(try await client.event(of: new, key: "path", as: String.self) == "new")
            #expect(try await client.event(of: old, key: "path", as: String.self) == "old")
            #expect(try await client.event(of: old, key: "none", as: String.self) == nil)
        },
    ]
}

struct PermanentStepTrouble: Error {}
