import ArgumentParser
import Foundation
import Logging
import Steward
import StewardConfig
import StewardHTTP

struct PipelineCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pipeline", abstract: "Declare pipelines and datasets; report executions; check anomalies, freshness and timeliness.",
        discussion: "See docs/pipelines.md.",
        subcommands: [Apply.self, Start.self, Finish.self, Tree.self, Anomalies.self, Check.self])

    struct Apply: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Store the pipelines and datasets of a file as the whole catalog (a lineage cycle is refused, exit 2).")

        @Argument(help: "The YAML file (its `pipelines` and `datasets` sections).") var file: String
        @Flag(help: "Print JSON.") var json = false
        @OptionGroup var storeOptions: StoreOptions

        func run() async throws {
            let catalog = try PipelineFile.load(path: file)
            let applied = try await storeOptions.with { try await PipelineAdmin(store: $0).apply(catalog) }
            if json { return try printJSON(applied) }
            print(
                "\(plural(applied.pipelines, "pipeline", "pipelines")), \(plural(applied.datasets, "dataset", "datasets")) with a max age; "
                    + "lineage: \(applied.lineageRowsWritten) closure rows written, \(applied.lineageRowsRemoved) removed")
        }
    }

    struct Start: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Record that an execution started; prints its id.")

        @Argument(help: "The pipeline's name.") var name: String
        @Option(help: "The execution this one is part of.") var parent: Int64?
        @Option(help: "When it started (ISO 8601; default now).") var at: String?
        @Flag(help: "Print JSON.") var json = false
        @OptionGroup var storeOptions: StoreOptions

        func run() async throws {
            let when = try at.map { try parseInstant($0, flag: "--at") }
            let execution = try await storeOptions.with { try await PipelineAdmin(store: $0).start(name, parent: parent, at: when) }
            if json { return try printJSON(execution) }
            print(execution.id)
        }
    }

    struct Finish: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Record that an execution finished; waits for its anomaly check and prints what it found.",
            discussion: """
                A succeeded execution of a pipeline with an `anomaly` section is checked by a \
                steward.pipeline.anomalies job; this command runs that queue itself while it waits, so no worker is \
                needed. Exit 0 whether or not anomalies were found; 3 when --wait-timeout passed first.
                """)

        @Argument(help: "The execution's id.") var id: Int64
        @Option(help: "succeeded or failed.") var status: PipelineExecution.State = .succeeded
        @Option(help: "Rows inserted.") var inserted: Int64?
        @Option(help: "Rows updated.") var updated: Int64?
        @Option(help: "Rows deleted.") var deleted: Int64?
        @Option(help: "A custom metric KEY=VALUE (repeatable).") var metric: [String] = []
        @Option(help: "When it finished (ISO 8601; default now).") var at: String?
        @Option(help: "How long to wait for the anomaly check (exit 3 after).") var waitTimeout = "60s"
        @Flag(help: "Print JSON.") var json = false
        @OptionGroup var storeOptions: StoreOptions
        @OptionGroup var logging: LoggingOptions

        func run() async throws {
            try logging.bootstrap(default: .warning)
            let waitFor = try parseDuration(waitTimeout, flag: "--wait-timeout")
            var metrics: [String: Double] = [:]
            for m in metric {
                let parts = m.split(separator: "=", maxSplits: 1).map(String.init)
                guard parts.count == 2, !parts[0].isEmpty, let v = Double(parts[1]), v.isFinite else {
                    throw ValidationError("--metric: '\(m)' is not KEY=NUMBER")
                }
                metrics[parts[0]] = v
            }
            let when = try at.map { try parseInstant($0, flag: "--at") }
            let outcome: Result<AnomalyReport, StewardError> = try await storeOptions.with { store in
                let admin = PipelineAdmin(store: store)
                let finished = try await admin.finish(
                    id,
                    PipelineFinish(
                        state: status, at: when ?? Date(), inserted: inserted, updated: updated, deleted: deleted, metrics: metrics))
                guard let check = finished.check else { return .success(AnomalyReport(execution: id, anomalies: [])) }
                do {
                    let record = try await Self.runCheck(check, store: store, timeout: waitFor)
                    return .success(try JSONCoding.decode(AnomalyReport.self, from: record.result ?? "{}"))
                } catch let error as StewardError {
                    return .failure(error)
                }
            }
            switch outcome {
            case .failure(let error):
                FileHandle.standardError.write(Data("Error: the anomaly check did not finish: \(error)\n".utf8))
                throw ExitCode(3)
            case .success(let report):
                if json { return try printJSON(report) }
                if report.anomalies.isEmpty { print("execution \(id): no anomalies") }
                for a in report.anomalies {
                    print(
                        "execution \(id): \(a.metric) = \(a.value) is anomalous (mean \(a.mean), std \(a.std), z \(a.z.map { "\($0)" } ?? "n/a (std 0)"))")
                }
            }
        }

        /// Runs the anomaly queue in this process until `job` has finished (another worker may
        /// take it first; either way its result is read from the store).
        static func runCheck(_ job: JobID, store: any StewardStore, timeout: Duration) async throws -> JobRecord {
            let registry = JobRegistry()
            PipelineChecks.register(in: registry)
            let queue = PipelineChecks.queues.filter { $0.name == PipelineChecks.anomalies }
            var logger = Logger(label: "steward")
            logger.logLevel = .warning
            let worker = Worker(store: store, registry: registry, queues: queue, logger: logger)
            let running = Task { try await worker.run() }
            defer { running.cancel() }
            return try await StewardClient(store: store).waitForResult(job, timeout: timeout)
        }
    }

    struct Tree: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show an execution and every execution under it.")

        @Argument(help: "The execution's id.") var id: Int64
        @Flag(help: "Print JSON.") var json = false
        @OptionGroup var storeOptions: StoreOptions

        func run() async throws {
            let rows = try await storeOptions.with { try await PipelineAdmin(store: $0).tree(id) }
            if json { return try printJSON(["executions": rows.map { PipelineTreeRow(depth: $0.depth, execution: $0.execution) }]) }
            for (depth, e) in rows {
                let since = e.finishedAt.map { String(format: "took %.1fs", $0.timeIntervalSince(e.startedAt)) }
                    ?? "since \(e.startedAt.iso8601UTC)"
                print("\(String(repeating: "  ", count: depth))\(e.id) \(e.pipeline) \(e.state.rawValue) (\(since))")
            }
        }
    }

    struct Anomalies: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List recorded anomalies, newest first.")

        @Argument(help: "Only this pipeline.") var name: String?
        @Option(help: "At most this many.") var limit = 100
        @Flag(help: "Print JSON.") var json = false
        @OptionGroup var storeOptions: StoreOptions

        func run() async throws {
            guard (1...100_000).contains(limit) else { throw ValidationError("--limit: \(limit) is outside 1...100000") }
            let found = try await storeOptions.with { try await PipelineAdmin(store: $0).anomalies(pipeline: name, limit: limit) }
            if json { return try printJSON(["anomalies": found]) }
            if found.isEmpty { print("no anomalies") }
            for a in found {
                print(
                    "\(a.detectedAt.iso8601UTC) \(a.pipeline) execution \(a.execution): \(a.metric) = \(a.value) (mean \(a.mean), std \(a.std), z \(a.z.map { "\($0)" } ?? "n/a"))")
            }
        }
    }

    struct Check: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run a check now: freshness of datasets, timeliness of executions.", subcommands: [Freshness.self, Timeliness.self])

        struct Freshness: AsyncParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Datasets older than their max_age (or never modified) are stale. Exit 0 either way.")

            @Option(help: "Judge as of this instant (ISO 8601; default now).") var asOf: String?
            @Flag(help: "Print JSON.") var json = false
            @OptionGroup var storeOptions: StoreOptions

            func run() async throws {
                let when = try asOf.map { try parseInstant($0, flag: "--as-of") }
                let report = try await storeOptions.with { try await PipelineAdmin(store: $0).freshness(asOf: when) }
                if json { return try printJSON(report) }
                for e in report.stale {
                    print("stale  \(e.dataset): \(e.lastModified.map { "last modified \($0.iso8601UTC), \(Int(e.ageSeconds ?? 0))s ago" } ?? "never modified") (max \(Int(e.maxAgeSeconds))s)")
                }
                for e in report.fresh { print("fresh  \(e.dataset): \(Int(e.ageSeconds ?? 0))s old (max \(Int(e.maxAgeSeconds))s)") }
                if report.stale.isEmpty && report.fresh.isEmpty { print("no datasets with a max_age") }
            }
        }

        struct Timeliness: AsyncParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Executions started within --lookback that ran longer than their pipeline's max_duration, or still run past it.")

            @Option(help: "How far back to look from --as-of.") var lookback = "60m"
            @Option(help: "Judge as of this instant (ISO 8601; default now).") var asOf: String?
            @Flag(help: "Print JSON.") var json = false
            @OptionGroup var storeOptions: StoreOptions

            func run() async throws {
                let window = try parseDuration(lookback, flag: "--lookback")
                let when = try asOf.map { try parseInstant($0, flag: "--as-of") }
                let report = try await storeOptions.with {
                    try await PipelineAdmin(store: $0).timeliness(lookback: window.seconds, asOf: when)
                }
                if json { return try printJSON(report) }
                if report.late.isEmpty { print("no late executions") }
                for e in report.late {
                    print(
                        "late  \(e.pipeline) execution \(e.execution) (\(e.state.rawValue)): \(Int(e.durationSeconds))s, max \(Int(e.maxDurationSeconds))s")
                }
            }
        }
    }
}

struct DatasetCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dataset", abstract: "Mark a dataset modified outside reported executions.", subcommands: [Touch.self])

    struct Touch: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Record that a dataset was modified (now, or --at).")

        @Argument(help: "The dataset.") var name: String
        @Option(help: "When (ISO 8601; default now).") var at: String?
        @Flag(help: "Print JSON.") var json = false
        @OptionGroup var storeOptions: StoreOptions

        func run() async throws {
            let when = try at.map { try parseInstant($0, flag: "--at") }
            let touched = try await storeOptions.with { try await PipelineAdmin(store: $0).touch(name, at: when) }
            if json { return try printJSON(touched) }
            print("dataset \(touched.dataset): last modified \(touched.touchedAt)")
        }
    }
}

struct LineageCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lineage", abstract: "Datasets downstream or upstream of a dataset, with their distance.",
        subcommands: [Downstream.self, Upstream.self])

    static func show(_ dataset: String, downstream: Bool, json: Bool, store: StoreOptions) async throws {
        let out = try await store.with { try await PipelineAdmin(store: $0).lineageView(of: dataset, downstream: downstream) }
        if json { return try printJSON(out) }
        if out.datasets.isEmpty { print("nothing \(downstream ? "downstream" : "upstream") of \(dataset)") }
        for e in out.datasets { print("\(e.depth)  \(e.name)") }
    }

    struct Downstream: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Datasets made from this one, nearest first.")
        @Argument(help: "The dataset.") var dataset: String
        @Flag(help: "Print JSON.") var json = false
        @OptionGroup var storeOptions: StoreOptions
        func run() async throws { try await LineageCommand.show(dataset, downstream: true, json: json, store: storeOptions) }
    }

    struct Upstream: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Datasets this one is made from, nearest first.")
        @Argument(help: "The dataset.") var dataset: String
        @Flag(help: "Print JSON.") var json = false
        @OptionGroup var storeOptions: StoreOptions
        func run() async throws { try await LineageCommand.show(dataset, downstream: false, json: json, store: storeOptions) }
    }
}

extension PipelineExecution.State: ExpressibleByArgument {
    /// `--status` finishes an execution: only the final states are offered (and accepted).
    public static var allValueStrings: [String] { [Self.succeeded, .failed].map(\.rawValue) }

    public init?(argument: String) {
        guard let state = Self(rawValue: argument), state != .running else { return nil }
        self = state
    }
}

/// An ISO 8601 instant given to a flag.
func parseInstant(_ text: String, flag: String) throws -> Date {
    guard let date = Date(iso8601: text) else {
        throw ValidationError("\(flag): '\(text)' is not an ISO 8601 instant such as 2026-12-01T09:00:00Z")
    }
    return date
}
