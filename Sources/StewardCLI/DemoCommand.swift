import ArgumentParser
import Foundation
import Logging
import ServiceLifecycle
import Steward
import Synchronization
import UnixSignals

struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Enqueue a burst of demo jobs into the store and run a worker until they are done.")

    @Option(help: "Pipeline steps to enqueue.") var steps = 120
    @Option(help: "Worker concurrency.") var concurrency = 8
    @OptionGroup var storeOptions: StoreOptions
    @OptionGroup var logging: LoggingOptions

    func run() async throws {
        // The demo dead-letters a job on purpose; its summary reports it, so no error log line by default.
        try logging.bootstrap(default: .critical)
        guard steps >= 0 else { throw ValidationError("--steps: must not be negative, got \(steps)") }
        guard concurrency >= 1 else { throw ValidationError("--concurrency: must be at least 1, got \(concurrency)") }
        let tty = isatty(STDOUT_FILENO) != 0
        try await storeOptions.with { store in
            let client = StewardClient(store: store)
            print("Steward demo · store \(StoreURL.redacted(storeOptions.url))")

            let queue = QueueConfiguration(
                name: "demo", concurrency: concurrency,
                retryPolicy: .exponential(maxAttempts: 4, initial: .milliseconds(200), max: .seconds(2), jitter: 0.2))
            try await store.configureQueues([queue.settings])
            var jobs: [NewJob] = []
            for batch in 0..<steps { jobs.append(try client.describe(DemoPipelineStep(batch: batch, rows: 5_000))) }
            for endpoint in ["/prices", "/stock", "/weather"] { jobs.append(try client.describe(DemoFlaky(endpoint: endpoint))) }
            jobs.append(try client.describe(DemoSlowReport(title: "monthly revenue", steps: 12), options: JobOptions(priority: 5)))
            jobs.append(try client.describe(DemoSlowReport(title: "churn", steps: 8), options: JobOptions(priority: 5)))
            jobs.append(
                try client.describe(
                    DemoDoomed(account: "acct-4242"),
                    options: JobOptions(retryPolicy: .fixed(maxAttempts: 2, delay: .milliseconds(300)))))
            let started = ContinuousClock.now
            let ids = try await client.enqueue(jobs).map(\.id)
            print("enqueued \(ids.count) jobs on queue 'demo': \(steps) pipeline steps, 3 flaky calls, 2 slow reports, 1 doomed charge")

            let logger = Logger(label: "steward")
            let worker = Worker(
                store: store, registry: BuiltinJobs.registry(), queues: [queue],
                configuration: WorkerConfiguration(heartbeatInterval: .milliseconds(500), shutdownGracePeriod: .seconds(5)),
                logger: logger)
            let maintenance = Maintenance(
                store: store, configuration: Maintenance.Configuration(rescueInterval: .seconds(1), owner: worker.id),
                logger: logger)
            let group = ServiceGroup(
                configuration: ServiceGroupConfiguration(
                    services: [.init(service: worker), .init(service: maintenance)],
                    gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
            let groupStopped = StopFlag()
            let running = Task {
                defer { groupStopped.set() }
                try await group.run()
            }

            var pending = Set(ids)
            var finished: [JobID: JobRecord] = [:]
            var lastLine = ContinuousClock.now - .seconds(10)
            while !pending.isEmpty {
                var live: [JobRecord] = []
                for id in pending {
                    guard let r = try await store.job(id, now: Date()) else { continue }
                    if r.state.isFinished {
                        finished[id] = r
                        pending.remove(id)
                    } else {
                        live.append(r)
                    }
                }
                let line = Self.progressLine(total: ids.count, finished: finished.values, live: live)
                if tty {
                    print("\r\u{1B}[2K" + line, terminator: "")
                    fflush(nil)
                } else if ContinuousClock.now - lastLine >= .seconds(1) || pending.isEmpty {
                    print(line)
                    lastLine = ContinuousClock.now
                }
                if pending.isEmpty { break }
                // Ctrl-C: the group drains the worker and returns; stop watching.
                if groupStopped.isSet { break }
                try? await Task.sleep(for: .milliseconds(100))
            }
            if tty { print("") }
            await group.triggerGracefulShutdown()
            try await running.value
            let elapsed = (ContinuousClock.now - started).seconds
            // Hints name the store given on the command line, so they show this demo's jobs.
            let storeFlag = storeOptions.store.map { " --store \(StoreURL.redacted($0))" } ?? ""
            try await Self.printSummary(store: store, ids: ids, finished: finished, elapsed: elapsed, storeFlag: storeFlag)
        }
    }

    static func progressLine(total: Int, finished: Dictionary<JobID, JobRecord>.Values, live: [JobRecord]) -> String {
        let done = finished.count
        let width = 30
        let filled = total == 0 ? width : done * width / total
        let bar = String(repeating: "█", count: filled) + String(repeating: "░", count: width - filled)
        let running = live.filter { $0.state == .running }.count
        let retrying = live.filter { $0.state == .scheduled || ($0.state == .available && $0.attempt > 0) }.count
        let dead = finished.filter { $0.state == .dead }.count
        var line = "\(bar) \(done)/\(total) done · \(running) running · \(retrying) retrying · \(dead) dead"
        for r in live where r.state == .running {
            if let p = r.progress, let pct = p.percent { line += " · \(r.name) \(Int(pct))%" }
        }
        return line
    }

    static func printSummary(
        store: any StewardStore, ids: [JobID], finished: [JobID: JobRecord], elapsed: Double, storeFlag: String
    ) async throws {
        var byName: [String: (succeeded: Int, dead: Int, attempts: Int)] = [:]
        for r in finished.values {
            var e = byName[r.name, default: (0, 0, 0)]
            if r.state == .succeeded { e.succeeded += 1 }
            if r.state == .dead { e.dead += 1 }
            e.attempts += r.attempt
            byName[r.name] = e
        }
        let succeeded = finished.values.filter { $0.state == .succeeded }.count
        print("\nSummary after \(String(format: "%.1f", elapsed))s")
        print("  succeeded  \(succeeded)/\(ids.count)")
        for (name, e) in byName.sorted(by: { $0.key < $1.key }) {
            print("    \(name.padding(22)) \(e.succeeded) ok, \(e.dead) dead, \(e.attempts) attempts")
        }
        for r in finished.values where r.state == .dead {
            let err = r.lastError.map { "\($0.type): \($0.message) (attempt \($0.attempt))" } ?? "?"
            print("  dead letter: job \(r.id) \(r.name) → queue \(r.queue): \(err)")
        }
        if let flaky = finished.values.first(where: { $0.name == DemoFlaky.name && $0.state == .succeeded }) {
            print("  flaky job \(flaky.id) succeeded on attempt \(flaky.attempt): \(flaky.result ?? "")")
        }
        let unfinished = ids.count - finished.count
        if unfinished > 0 {
            print("  interrupted: \(unfinished) jobs left in the store; finish them with: steward worker --queues demo\(storeFlag)")
        }
        let sample = ids.first.map(String.init(describing:)) ?? "1"
        print(
            "\nNext: steward job status \(sample)\(storeFlag) · steward queue stats demo\(storeFlag)"
                + " · steward job list --queue demo-dlq\(storeFlag)")
    }
}

/// A flag one task sets and another polls.
final class StopFlag: Sendable {
    private let value = Mutex(false)
    func set() { value.withLock { $0 = true } }
    var isSet: Bool { value.withLock { $0 } }
}
