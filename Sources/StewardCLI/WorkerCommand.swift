import ArgumentParser
import Foundation
import Logging
import ServiceLifecycle
import Steward
import StewardConfig
import StewardHTTP
import UnixSignals

struct WorkerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "worker",
        abstract: "Run the built-in jobs from one or more queues until SIGINT/SIGTERM (then drain gracefully).",
        discussion: """
            This binary runs only Steward's built-in jobs (steward.noop, steward.sleep, steward.fail and \
            the demo's jobs); your own jobs run in a worker you build with the Steward library \
            (docs/guide.md). A first SIGINT/SIGTERM stops claiming and lets running jobs finish within \
            --shutdown-grace; a second one exits at once (lease rescue returns what was running). \
            `steward worker list` shows every worker process on the store.
            """,
        subcommands: [WorkerList.self])

    @Option(help: "Comma-separated queues.") var queues = "default"
    @Option(help: "Jobs run at once, per queue.") var concurrency = 10
    @Option(help: "Rate limit per queue: job starts per second.") var rate: Double?
    @Option(help: "Rate-limit burst (default: one second's worth).") var burst: Int?
    @Option(help: "Who shares --rate: 'worker' (this process) or 'global' (every worker on the store).")
    var rateScope: RateLimit.Scope = .worker
    @Option(help: "Lease length; a worker silent this long is presumed dead.") var lease = "30s"
    @Option(help: "How long running jobs may finish on shutdown.") var shutdownGrace = "10s"
    @Option(help: "Default per-attempt timeout.") var timeout: String?
    @Option(help: "Seconds between retention purges / rescue passes.") var rescueInterval = "5s"
    @Option(help: "How long finished jobs are kept.") var retention = "24h"
    @Flag(help: "Skip rescue and purge duties (another process runs them).") var noMaintenance = false
    @Flag(
        help: ArgumentHelp(
            "Also run test jobs that touch this host's files (steward.append). Never on a worker that untrusted enqueuers reach."
        ))
    var enableTestJobs = false
    @Flag(
        help: "Also fire stored schedules (one process among all with --scheduler is active at a time), and the pipeline freshness and timeliness checks every 5 minutes (running their queues).")
    var scheduler = false
    @Option(help: "With --scheduler: how soon another process takes over from a dead active scheduler.")
    var schedulerLease = "10s"
    @Option(help: "Export spans to this OTLP/HTTP collector, e.g. http://127.0.0.1:4318 (needs a build with --traits OTLP).")
    var otlpEndpoint: String?
    @Option(help: "With --otlp-endpoint: http/protobuf or http/json.") var otlpProtocol: TraceExport.WireProtocol = .httpProtobuf
    @Option(help: "With --otlp-endpoint: the service.name of the spans.") var otlpServiceName = "steward"
    @OptionGroup var storeOptions: StoreOptions
    @OptionGroup var logging: LoggingOptions

    func run() async throws {
        try logging.bootstrap(default: .info)
        let export: TraceExport?
        do {
            export = try otlpEndpoint.map { try TraceExport(endpoint: $0, wireProtocol: otlpProtocol, serviceName: otlpServiceName) }
        } catch {
            // The messages name the configuration file's fields; here they are flags.
            throw ValidationError(
                "\(error)".replacingOccurrences(of: "otlp_endpoint:", with: "--otlp-endpoint:")
                    .replacingOccurrences(of: "service_name:", with: "--otlp-service-name:"))
        }
        let names = queues.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        guard !names.isEmpty else { throw ValidationError("--queues: name at least one queue") }
        guard concurrency >= 1 else { throw ValidationError("--concurrency: must be at least 1, got \(concurrency)") }
        let leaseDuration = try parseDuration(lease, flag: "--lease")
        let timeoutDuration = try timeout.map { try parseDuration($0, flag: "--timeout") }
        let configs = names.map {
            QueueConfiguration(
                name: $0, concurrency: concurrency, rateLimit: rate.map { RateLimit(perSecond: $0, burst: burst, scope: rateScope) },
                timeout: timeoutDuration, leaseDuration: leaseDuration)
        }
        if let rate {
            do { try RateLimit(perSecond: rate, burst: burst).validate(queue: names[0]) } catch {
                throw ValidationError("--rate/--burst: \(error)")
            }
        }
        // The pipeline checks' queues keep their own limits; --scheduler fires those checks, so it runs their queues too.
        var queueConfigs = configs.map { c in PipelineChecks.queues.first { $0.name == c.name } ?? c }
        if scheduler { queueConfigs += PipelineChecks.queues.filter { q in !names.contains(q.name) } }
        for c in configs {
            do { try c.validate() } catch { throw ValidationError("\(error)") }
        }
        let workerConfig = WorkerConfiguration(
            heartbeatInterval: min(.seconds(2), leaseDuration / 3),
            shutdownGracePeriod: try parseDuration(shutdownGrace, flag: "--shutdown-grace"))
        let rescueEvery = try parseDuration(rescueInterval, flag: "--rescue-interval")
        let keepFor = try parseDuration(retention, flag: "--retention")
        let schedulerTTL = try parseDuration(schedulerLease, flag: "--scheduler-lease")
        try await storeOptions.with { store in
            let logger = Logger(label: "steward")
            // Before the worker: it adds its span middleware only when a tracer exists. First in
            // the group, so it shuts down last and sends the spans of the drained jobs.
            var services: [any Service] = try export.map { [try TraceExporter.start($0, logger: logger)] } ?? []
            let worker = Worker(
                store: store, registry: BuiltinJobs.registry(testJobs: enableTestJobs), queues: queueConfigs, configuration: workerConfig, logger: logger)
            if !noMaintenance {
                services.append(
                    Maintenance(
                        store: store,
                        configuration: Maintenance.Configuration(
                            rescueInterval: rescueEvery, retention: keepFor, owner: worker.id),
                        logger: logger))
            }
            if scheduler {
                services.append(
                    try Scheduler(
                        store: store, schedules: try PipelineChecks.schedules(),
                        configuration: Scheduler.Configuration(
                            leaseTTL: schedulerTTL, owner: worker.id),
                        logger: logger))
            }
            // Last, so it is the first to hear of a shutdown: claims stop and draining starts at once.
            services.append(worker)
            try await ServiceRunner.run(services, logger: logger)
        }
    }
}

extension RateLimit.Scope: ExpressibleByArgument {}
extension TraceExport.WireProtocol: ExpressibleByArgument {}

/// `steward worker list`: the worker processes on the store, as the dashboard's Workers page.
struct WorkerList: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List worker processes: online, stopped, or gone (silent for three 10 s reports).")

    @Flag(help: "Print JSON.") var json = false
    @OptionGroup var storeOptions: StoreOptions

    func run() async throws {
        let workers = try await storeOptions.with { try await WorkerAdmin(store: $0).list() }
        if json { return try printJSON(workers) }
        if workers.isEmpty { return print("no workers have reported to this store") }
        printTable(
            ["ID", "HOST", "PID", "QUEUES", "RUNNING", "STATE", "STARTED", "LAST HEARTBEAT"],
            workers.map { w in
                [
                    w.id, w.host, String(w.pid), w.queues.map { "\($0.name)×\($0.concurrency)" }.joined(separator: ","),
                    String(w.running), w.state, w.startedAt,
                    "\(w.lastHeartbeatAt) (\(DurationParser.format(w.lastHeartbeatAgeSeconds)) ago)",
                ]
            })
    }
}
