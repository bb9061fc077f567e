import ArgumentParser
import Foundation
import Logging
import ServiceLifecycle
import Steward
import StewardStores
import StewardPostgres
import StewardSQLite
import Synchronization

struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure enqueue and processing throughput, or pickup latency, with no-op jobs.",
        discussion: """
            throughput: enqueue --single-jobs one call per job, the rest of --jobs in bulk calls of --batch-size, \
            then start a worker on the full queue; process_per_s = jobs / (worker start -> last handler start).
            latency: the worker idles 2 s, then --jobs are enqueued one at a time at --rate per second; each \
            records enqueue-call start -> handler start.
            result: with a worker running, --jobs no-op jobs one after another: enqueue, then wait for \
            the result (StewardClient.waitForResult); each records enqueue-call start -> result in hand.
            http: the HTTP API in this process (no worker), --jobs POST /api/v1/jobs over --clients keep-alive \
            connections (default 32): http_enqueue_per_s and latency; beside it the same enqueues through the \
            library (as many concurrent callers), and GET /metrics latency.
            workflow: a 10-task chain of no-op jobs run 30 times, beside the same 10 jobs chained by hand \
            (enqueue, wait for the result, enqueue the next); chain_overhead_ms_p50 = (workflow - by hand) / 10, \
            median of the rounds. Then a fan-out 1 -> --jobs (default 1000) -> 1, 3 times: fanout_tasks_per_s = \
            items / (run start -> execution finished), median.
            durable: code workflows (docs/durable.md), 30 rounds of a 0-step and a 20-step run, start to \
            result in hand: step_overhead_ms_p50 = (20-step - 0-step) / 20; then --jobs (default 1000) runs \
            of 3 steps, first start to last result: workflows_per_s; then replay_ms_per_1000_steps = a run \
            with 1,000 recorded steps resumed by a message (message to result) minus one with none, median of 3.
            With no --store, a temporary SQLite file is used and deleted afterwards.
            """)

    enum Workload: String, ExpressibleByArgument, CaseIterable {
        case throughput, latency, result, workflow, http, durable
    }

    enum Suite: String, ExpressibleByArgument, CaseIterable {
        case jobs, quality, pipelines, checks
    }

    @Argument(
        help: "jobs (queues and workers, the default), quality (a 4-task data-quality monitor on --events) pipelines (anomaly check latency, lineage on 10,000 datasets) or checks (a batch check on --rows generated CSV rows).")
    var suite: Suite = .jobs
    @Option(help: "quality: events in the generated CSV stream.") var events = 500_000
    @Option(help: "checks: rows in the generated CSV.") var rows = 1_000_000
    @Flag(help: "checks: leave out the unique field (its memory grows with distinct values).") var noUnique = false

    @Option(help: "Store URL (default: a temporary SQLite file).") var store: String?
    @Option(help: "throughput, latency, result, workflow, http or durable.") var workload: Workload = .throughput
    @Option(help: "Jobs (throughput default 20000, latency and result default 1000).") var jobs: Int?
    @Option(help: "Worker concurrency.") var concurrency = 10
    @Option(help: "http: concurrent HTTP clients (keep-alive connections).") var clients = 32
    @Option(help: "throughput: jobs enqueued one call per job.") var singleJobs = 2000
    @Option(help: "throughput: jobs per bulk enqueue call.") var batchSize = 1000
    @Option(help: "latency: jobs enqueued per second.") var rate: Double = 200
    @Option(help: "latency: seconds the worker idles first.") var idle: Double = 2
    @Option(help: "Give up after this many seconds.") var timeout: Double = 300
    @Flag(help: "Start from an empty store: delete the SQLite file, or drop the PostgreSQL schema.") var fresh = false
    @Flag(help: "Print one JSON object.") var json = false
    // For an external peer harness (not in this repository), so hidden from --help.
    @Flag(
        help: ArgumentHelp(
            "Print a RESULT line for a peer harness (reads PEERS_SQLITE_PATH, or PEERS_PG_DSN with STEWARD_PEERS_BACKEND=postgres; implies --fresh).",
            visibility: .hidden)
    ) var peers = false
    @OptionGroup var logging: LoggingOptions

    /// Checked in `run` (not `validate`), so a bad value exits 2 like every other invalid input.
    func checkArguments() throws {
        if let jobs, jobs < 1 { throw ValidationError("--jobs: must be at least 1, got \(jobs)") }
        if concurrency < 1 { throw ValidationError("--concurrency: must be at least 1, got \(concurrency)") }
        if clients < 1 { throw ValidationError("--clients: must be at least 1, got \(clients)") }
        if batchSize < 1 { throw ValidationError("--batch-size: must be at least 1, got \(batchSize)") }
        if singleJobs < 0 { throw ValidationError("--single-jobs: must not be negative, got \(singleJobs)") }
        if !(rate > 0 && rate <= 1_000_000) { throw ValidationError("--rate: must be above 0 and at most 1000000, got \(rate)") }
        if events < 1 { throw ValidationError("--events: must be at least 1, got \(events)") }
        do {
            _ = try DurationParser.checked(idle, field: "--idle")
            _ = try DurationParser.checked(timeout, field: "--timeout")
        } catch {
            throw ValidationError("\(error)")
        }
    }

    func run() async throws {
        try checkArguments()
        try logging.bootstrap(default: .warning)
        if suite == .checks {
            guard rows >= 1 else { throw ValidationError("--rows: must be at least 1, got \(rows)") }
            let result = try await BatchCheckBench(rows: rows, unique: !noUnique).run()
            if json { return try printJSON(result) }
            return printHuman(result)
        }
        if suite == .quality {
            let result = try await QualityBench(events: events).run()
            if json { return try printJSON(result) }
            return printHuman(result)
        }
        let jobCount = jobs ?? (workload == .throughput ? 20_000 : workload == .http ? 10_000 : 1_000)
        var temporary: String? = nil
        let url: String
        if let store {
            url = store
        } else if peers, let dsn = ProcessInfo.processInfo.environment["PEERS_PG_DSN"],
            ProcessInfo.processInfo.environment["STEWARD_PEERS_BACKEND"] == "postgres"
        {
            url = dsn.replacingOccurrences(of: "postgresql://", with: "postgres://") + "?schema=steward_bench&sslmode=disable"
        } else if peers, let path = ProcessInfo.processInfo.environment["PEERS_SQLITE_PATH"] {
            url = "sqlite:\(path)"
        } else {
            let path = FileManager.default.temporaryDirectory.appendingPathComponent("steward-bench-\(UUID().uuidString).db").path
            temporary = path
            url = "sqlite:\(path)"
        }
        if fresh || peers, url.hasPrefix("sqlite:") { try removeSQLiteFiles(url) }
        let jobStore = try StoreFactory.open(url)
        if fresh || peers, let pg = jobStore as? PostgresJobStore { try await pg.destroySchema() }
        try await jobStore.migrate()
        guard try await jobStore.jobs(JobFilter(limit: 1), now: Date()).isEmpty else {
            try await jobStore.close()
            throw ValidationError("--store: \(StoreURL.redacted(url)) already holds jobs; the bench needs an empty store (pass --fresh to empty it)")
        }
        let bench = Benchmark(
            store: jobStore, jobs: jobCount, concurrency: concurrency, timeout: timeout,
            showProgress: isatty(STDERR_FILENO) != 0 && !peers)
        var result: [String: JSONValue] = [
            "workload": .string(workload.rawValue), "store": .string(StoreURL.redacted(url)), "jobs": .number(Double(jobCount)),
            "concurrency": .number(Double(concurrency)),
        ]
        do {
            if suite == .pipelines {
                result = try await PipelineBench(store: jobStore).run()
                result["store"] = .string(StoreURL.redacted(url))
            } else {
                switch workload {
                case .throughput:
                    result.merge(try await bench.throughput(single: min(singleJobs, jobCount), batchSize: batchSize)) { $1 }
                case .latency:
                    result.merge(try await bench.latency(rate: rate, idle: idle)) { $1 }
                case .result:
                    result.merge(try await bench.roundTrip()) { $1 }
                case .workflow:
                    result.merge(try await bench.workflows(chainSteps: 10, rounds: 30, fanoutRounds: 3)) { $1 }
                case .http:
                    result.merge(try await HTTPBench(store: jobStore, jobs: jobCount, connections: clients).run()) { $1 }
                case .durable:
                    result.merge(try await bench.durable(rounds: 30, runs: jobCount, replays: 3)) { $1 }
                }
            }
        } catch {
            try? await jobStore.close()
            throw error
        }
        try await jobStore.close()
        if let temporary { try? removeSQLiteFiles("sqlite:\(temporary)") }
        if peers {
            try printPeersResult(result, url: url)
        } else if json {
            try printJSON(result)
        } else {
            printHuman(result)
        }
    }

    /// One `key  value` line per figure, in key order.
    private func printHuman(_ result: [String: JSONValue]) {
        for key in result.keys.sorted() { print("\(key.padding(22)) \(result[key]!)") }
    }

    private func removeSQLiteFiles(_ url: String) throws {
        let path = try SQLiteJobStore.parse(url: url).path
        for suffix in ["", "-wal", "-shm"] {
            try? FileManager.default.removeItem(atPath: path + suffix)
        }
    }

    /// The peers harness's RESULT line: the same figures under its key names.
    private func printPeersResult(_ r: [String: JSONValue], url: String) throws {
        var out = r
        let renames = [
            "enqueue_single_per_s": "enq_single_jps", "enqueue_bulk_per_s": "enq_bulk_jps", "process_per_s": "proc_jps",
        ]
        for (from, to) in renames { if let v = out.removeValue(forKey: from) { out[to] = v } }
        let backend = url.hasPrefix("sqlite:") ? "sqlite" : "postgres"
        out["system"] = .string("steward-\(backend)")
        out["version"] = .string(StewardCommand.configuration.version)
        out["backend"] = .string(backend)
        out["complete"] = .bool(true)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        print("RESULT " + String(decoding: try encoder.encode(out), as: UTF8.self))
    }
}

/// Runs the two workloads against one store with a no-op handler that records handler starts.
struct Benchmark {
    let store: any StewardStore
    let jobs: Int
    let concurrency: Int
    let timeout: Double
    let showProgress: Bool
    static let queue = "bench"

    final class Recorder: Sendable {
        let count = Atomic<Int>(0)
        let expected: Int
        let lastStart = Mutex<ContinuousClock.Instant?>(nil)
        let latencies: Mutex<[Double]>
        let done = WakeSignal()

        init(expected: Int) {
            self.expected = expected
            latencies = Mutex(Array(repeating: -1, count: expected))
        }

        func hit(payload: String?) {
            let now = DispatchTime.now().uptimeNanoseconds
            if let payload, let (index, sent) = Self.parse(payload), index < expected {
                latencies.withLock { $0[index] = Double(now &- sent) / 1e6 }
            }
            let n = count.add(1, ordering: .relaxed).newValue
            if n == expected {
                lastStart.withLock { $0 = .now }
                done.notify()
            }
        }

        /// Reads `{"i":N,"t":T}` without a JSON decoder, to keep the handler a no-op.
        static func parse(_ s: String) -> (Int, UInt64)? {
            var numbers: [UInt64] = []
            var current: UInt64 = 0
            var inNumber = false
            for byte in s.utf8 {
                if byte >= 48 && byte <= 57 {
                    current = current &* 10 &+ UInt64(byte - 48)
                    inNumber = true
                } else if inNumber {
                    numbers.append(current)
                    current = 0
                    inNumber = false
                }
            }
            guard numbers.count == 2 else { return nil }
            return (Int(numbers[0]), numbers[1])
        }
    }

    func makeWorker(_ recorder: Recorder, latency: Bool, extra: (JobRegistry) -> Void = { _ in }) -> (Worker, ServiceGroup) {
        let registry = JobRegistry()
        extra(registry)
        registry.register(name: "bench.noop") { payload, _ in
            recorder.hit(payload: latency ? payload : nil)
            return nil
        }
        let worker = Worker(
            store: store, registry: registry,
            queues: [QueueConfiguration(name: Self.queue, concurrency: concurrency)],
            logger: Logger(label: "steward.bench"))
        let group = ServiceGroup(
            configuration: ServiceGroupConfiguration(
                services: [.init(service: worker)], logger: Logger(label: "steward.bench")))
        return (worker, group)
    }

    func progress(_ text: String) {
        guard showProgress else { return }
        FileHandle.standardError.write(Data("\r\u{1B}[2K[bench] \(text)".utf8))
    }

    func endProgress() {
        guard showProgress else { return }
        FileHandle.standardError.write(Data("\r\u{1B}[2K".utf8))
    }

    func bar(_ done: Int, _ total: Int) -> String {
        let width = 30
        let filled = total == 0 ? width : min(width, done * width / total)
        return String(repeating: "█", count: filled) + String(repeating: "░", count: width - filled) + " \(done)/\(total)"
    }

    func throughput(single: Int, batchSize: Int) async throws -> [String: JSONValue] {
        let job = NewJob(queue: Self.queue, name: "bench.noop")
        let t0 = ContinuousClock.now
        for i in 0..<single {
            _ = try await store.enqueue([job], now: Date())
            if i % 200 == 0 { progress("enqueue one by one " + bar(i, jobs)) }
        }
        let t1 = ContinuousClock.now
        var left = jobs - single
        let batch = Array(repeating: job, count: min(batchSize, max(left, 1)))
        while left > 0 {
            let n = min(batchSize, left)
            _ = try await store.enqueue(n == batch.count ? batch : Array(batch.prefix(n)), now: Date())
            left -= n
            progress("enqueue in bulk " + bar(jobs - left, jobs))
        }
        let t2 = ContinuousClock.now

        let recorder = Recorder(expected: jobs)
        let (_, group) = makeWorker(recorder, latency: false)
        let tw = ContinuousClock.now
        let running = Task { try await group.run() }
        let monitor = Task {
            while !Task.isCancelled {
                progress("process " + bar(recorder.count.load(ordering: .relaxed), jobs))
                try? await Task.sleep(for: .milliseconds(100))
            }
        }
        let deadline = tw + .seconds(timeout)
        while recorder.count.load(ordering: .relaxed) < jobs, ContinuousClock.now < deadline {
            await recorder.done.wait(timeout: .milliseconds(200))
        }
        monitor.cancel()
        await group.triggerGracefulShutdown()
        try await running.value
        let ts = ContinuousClock.now
        endProgress()
        let processed = recorder.count.load(ordering: .relaxed)
        guard processed >= jobs, let last = recorder.lastStart.withLock({ $0 }) else {
            throw ValidationError("bench timed out after \(timeout)s with \(processed)/\(jobs) jobs processed")
        }
        try await requireAllSucceeded()
        return [
            "enqueue_single_per_s": .number(Self.rate(single, t1 - t0)),
            "enqueue_bulk_per_s": .number(Self.rate(jobs - single, t2 - t1)),
            "process_per_s": .number(Self.rate(jobs, last - tw)),
            "e2e_s": .number(Self.round((ts - t0).seconds)),
            "processed": .number(Double(processed)),
        ]
    }

    func latency(rate: Double, idle: Double) async throws -> [String: JSONValue] {
        let recorder = Recorder(expected: jobs)
        let (_, group) = makeWorker(recorder, latency: true)
        let running = Task { try await group.run() }
        progress("worker idles \(idle)s")
        try await Task.sleep(for: .seconds(double: idle))
        let start = ContinuousClock.now + .milliseconds(50)
        for i in 0..<jobs {
            let target = start + .seconds(double: Double(i) / rate)
            let wait = target - ContinuousClock.now
            if wait > .zero { try await Task.sleep(for: wait) }
            let sent = DispatchTime.now().uptimeNanoseconds
            _ = try await store.enqueue(
                [NewJob(queue: Self.queue, name: "bench.noop", payload: "{\"i\":\(i),\"t\":\(sent)}")], now: Date())
            if i % 20 == 0 { progress("enqueue at \(Int(rate))/s " + bar(recorder.count.load(ordering: .relaxed), jobs)) }
        }
        let deadline = ContinuousClock.now + .seconds(max(5, timeout - idle - Double(jobs) / rate))
        while recorder.count.load(ordering: .relaxed) < jobs, ContinuousClock.now < deadline {
            await recorder.done.wait(timeout: .milliseconds(200))
        }
        await group.triggerGracefulShutdown()
        try await running.value
        endProgress()
        let samples = recorder.latencies.withLock { $0 }
        let received = samples.filter { $0 >= 0 }
        guard received.count == jobs else {
            throw ValidationError("bench timed out with \(received.count)/\(jobs) jobs picked up")
        }
        try await requireAllSucceeded()
        let sorted = received.sorted()
        return [
            "p50_ms": .number(Self.round(Self.percentile(sorted, 50))),
            "p90_ms": .number(Self.round(Self.percentile(sorted, 90))),
            "p99_ms": .number(Self.round(Self.percentile(sorted, 99))),
            "max_ms": .number(Self.round(sorted.last ?? 0)),
            "first_ms": .number(Self.round(samples[0])),
        ]
    }

    /// Enqueue one job and wait for its result, one after another, with the worker idle between.
    func roundTrip() async throws -> [String: JSONValue] {
        let recorder = Recorder(expected: jobs)
        let (_, group) = makeWorker(recorder, latency: false)
        let running = Task { try await group.run() }
        try await Task.sleep(for: .milliseconds(200))
        let client = StewardClient(store: store)
        var samples: [Double] = []
        samples.reserveCapacity(jobs)
        try await stopping(group, running) {
            for i in 0..<jobs {
                let start = ContinuousClock.now
                let id = try await client.enqueue([NewJob(queue: Self.queue, name: "bench.noop")])[0].id
                _ = try await client.waitForResult(id, timeout: .seconds(10))
                samples.append((ContinuousClock.now - start).seconds * 1000)
                if i % 50 == 0 { progress("enqueue and wait " + bar(i, jobs)) }
            }
        }
        endProgress()
        try await requireAllSucceeded()
        let sorted = samples.sorted()
        return [
            "p50_ms": .number(Self.round(Self.percentile(sorted, 50))),
            "p90_ms": .number(Self.round(Self.percentile(sorted, 90))),
            "p99_ms": .number(Self.round(Self.percentile(sorted, 99))),
            "max_ms": .number(Self.round(sorted.last ?? 0)),
        ]
    }

    /// Workflow overhead: a chain against the same jobs chained by hand, and a fan-out's rate.
    func workflows(chainSteps: Int, rounds: Int, fanoutRounds: Int) async throws -> [String: JSONValue] {
        let recorder = Recorder(expected: 0)
        let (_, group) = makeWorker(recorder, latency: false, extra: { registry in
            let items = JSONValue.object(["items": .array((0..<jobs).map { .integer(Int64($0)) })]).jsonText
            registry.register(name: "bench.list") { _, _ in items }
        })
        let running = Task { try await group.run() }
        try await Task.sleep(for: .milliseconds(200))
        let client = StewardClient(store: store)
        let admin = WorkflowAdmin(store: store)
        let chain = WorkflowDefinition(
            name: "bench-chain",
            tasks: (0..<chainSteps).map { WorkflowTask("s\($0)", job: "bench.noop", dependsOn: $0 == 0 ? [] : ["s\($0 - 1)"], queue: Self.queue) })
        let fanout = WorkflowDefinition(
            name: "bench-fanout",
            tasks: [
                WorkflowTask("list", job: "bench.list", queue: Self.queue),
                WorkflowTask("each", job: "bench.noop", input: .object(["n": .string("{{item}}")]), dependsOn: ["list"], queue: Self.queue, map: "{{tasks.list.output.items}}"),
                WorkflowTask("gather", job: "bench.noop", dependsOn: ["each"], queue: Self.queue),
            ])
        var overheads: [Double] = []
        var chainTimes: [Double] = []
        var handTimes: [Double] = []
        var rates: [Double] = []
        try await stopping(group, running) {
            _ = try await admin.apply([chain, fanout])
            for round in 0..<rounds {
                progress("chain " + bar(round, rounds))
                var start = ContinuousClock.now
                for _ in 0..<chainSteps {
                    let id = try await client.enqueue([NewJob(queue: Self.queue, name: "bench.noop")])[0].id
                    _ = try await client.waitForResult(id, timeout: .seconds(30))
                }
                let hand = (ContinuousClock.now - start).seconds * 1000
                start = ContinuousClock.now
                let run = try await admin.run("bench-chain")
                let done = try await admin.wait(run.id, timeout: .seconds(60))
                guard done.state == .succeeded else { throw Failure(description: "bench: chain run ended \(done.state.rawValue): \(done.error ?? "")") }
                let flow = (ContinuousClock.now - start).seconds * 1000
                handTimes.append(hand)
                chainTimes.append(flow)
                overheads.append((flow - hand) / Double(chainSteps))
            }
            for round in 0..<fanoutRounds {
                progress("fan-out " + bar(round, fanoutRounds))
                let start = ContinuousClock.now
                let run = try await admin.run("bench-fanout")
                let done = try await admin.wait(run.id, timeout: .seconds(timeout))
                guard done.state == .succeeded else { throw Failure(description: "bench: fan-out run ended \(done.state.rawValue): \(done.error ?? "")") }
                rates.append(Double(jobs) / (ContinuousClock.now - start).seconds)
            }
        }
        endProgress()
        func median(_ values: [Double]) -> Double { Self.percentile(values.sorted(), 50) }
        return [
            "chain_steps": .integer(Int64(chainSteps)), "chain_rounds": .integer(Int64(rounds)),
            "chain_ms_p50": .number(Self.round(median(chainTimes))), "chain_by_hand_ms_p50": .number(Self.round(median(handTimes))),
            "chain_overhead_ms_p50": .number(Self.round(median(overheads))),
            "fanout_items": .integer(Int64(jobs)), "fanout_rounds": .integer(Int64(fanoutRounds)),
            "fanout_tasks_per_s": .number(median(rates).rounded()),
        ]
    }

    /// Runs `body` while the worker group runs, then shuts the group down (also when `body` throws).
    func stopping(_ group: ServiceGroup, _ running: Task<Void, any Error>, _ body: () async throws -> Void) async throws {
        do {
            try await body()
        } catch {
            await group.triggerGracefulShutdown()
            _ = await running.result
            throw error
        }
        await group.triggerGracefulShutdown()
        try await running.value
    }

    /// A figure counts only if every job ended `succeeded` in the store (a handler that ran but
    /// whose outcome was lost, retried or dead-lettered would make it a lie).
    func requireAllSucceeded() async throws {
        let counts = try await store.queueStats(Self.queue, now: Date()).counts
        guard counts["succeeded"] == jobs else {
            let shown = counts.filter { $0.value > 0 }.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }
            throw Failure(
                description: "bench: \(counts["succeeded"] ?? 0) of \(jobs) jobs ended succeeded (\(shown.joined(separator: ", ")))")
        }
    }

    /// A run whose figures cannot be trusted (exit 1).
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// Nearest-rank percentile of sorted values (the peers harness's definition).
    static func percentile(_ sorted: [Double], _ p: Double) -> Double {
        guard !sorted.isEmpty else { return 0 }
        let k = max(0, min(sorted.count - 1, Int((p / 100 * Double(sorted.count)).rounded(.up)) - 1))
        return sorted[k]
    }

    static func rate(_ n: Int, _ d: Duration) -> Double {
        let s = d.seconds
        return s <= 0 ? 0 : (Double(n) / s).rounded()
    }

    static func round(_ x: Double) -> Double { (x * 1000).rounded() / 1000 }
}
