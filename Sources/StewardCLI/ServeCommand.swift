import ArgumentParser
import Foundation
import Logging
import Metrics
import Prometheus
import ServiceLifecycle
import Steward
import StewardConfig
import StewardHTTP
import StewardQuality
import StewardSQLite
import StewardStores

struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the HTTP API, /metrics, workers, the scheduler and maintenance from one configuration file.",
        discussion: """
            One process under one service group: SIGINT/SIGTERM drain gracefully (a second one exits at once). \
            The configuration (docs/operations.md) is checked before anything starts; a mistake exits 2 with \
            file:line:column. With no auth tokens the server listens on loopback only.
            """)

    @Option(help: "The configuration file.") var config = "steward.yaml"
    @Option(help: "Override http.port (0: any free port).") var port: Int?
    @Option(
        help: ArgumentHelp(
            "Store URL, overriding the file's `store`. Without either: $STEWARD_STORE or sqlite:./steward.db.", valueName: "url"))
    var store: String?
    @Flag(help: "Also run test jobs that touch this host's files (steward.append).") var enableTestJobs = false
    @OptionGroup var logging: LoggingOptions

    func run() async throws {
        var cfg = try ServeConfiguration.load(path: config)
        if let port {
            guard (0...65535).contains(port) else { throw ValidationError("--port: \(port) is outside 0...65535") }
            cfg.port = port
        }
        try logging.bootstrap(default: .info)
        let registry = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(StewardPrometheusFactory(registry: registry))
        let logger = Logger(label: "steward")
        // Before the API and the worker are built: both add their spans only when a tracer exists.
        let exporter = try cfg.tracing.map { try TraceExporter.start($0, logger: logger) }
        let storeURL = store ?? cfg.store ?? StoreOptions.defaultURL
        let store = try StoreFactory.open(storeURL)
        do {
            try await store.migrate()
            if !cfg.workflows.isEmpty {
                for applied in try await WorkflowAdmin(store: store).apply(cfg.workflows) {
                    logger.info("workflow \(applied.status)", metadata: ["workflow": "\(applied.name)", "version": "\(applied.version)"])
                }
            }
            if let catalog = cfg.pipelines {
                let applied = try await PipelineAdmin(store: store).apply(catalog)
                logger.info("pipelines applied", metadata: ["pipelines": "\(applied.pipelines)", "datasets": "\(applied.datasets)"])
            }
            let jobs = BuiltinJobs.registry(testJobs: enableTestJobs)
            for (name, job) in cfg.jobs { jobs.register(name: name, handler: job.handler()) }
            // The pipeline checks' queues run here unless the file configures them itself.
            let queues = cfg.queues + PipelineChecks.queues.filter { q in !cfg.queues.contains { $0.name == q.name } }
            let worker = Worker(store: store, registry: jobs, queues: queues, logger: logger)
            MetricFamilies.declare(queues: queues.map(\.name), scheduler: cfg.schedules != nil || cfg.pipelines != nil)
            let history = QueueHistory()
            // First, so it shuts down last and sends the spans of the jobs drained before it.
            var services: [any Service] = exporter.map { [$0] } ?? []
            services += [
                Maintenance(store: store, configuration: Maintenance.Configuration(owner: worker.id), logger: logger),
                StoreMetrics(store: store, history: history, logger: logger),
            ]
            if let alerts = cfg.alerts {
                services.append(
                    AlertService(
                        store: store, rules: alerts.rules, notifiers: alerts.notifiers, interval: alerts.interval, history: history, logger: logger))
            }
            if cfg.schedules != nil || cfg.pipelines != nil {
                let checks = cfg.pipelines == nil ? [] : try PipelineChecks.schedules()
                services.append(
                    try Scheduler(
                        store: store, schedules: (cfg.schedules ?? []) + checks, configuration: Scheduler.Configuration(owner: worker.id),
                        logger: logger))
            }
            if cfg.api.tokens.isEmpty {
                logger.warning("no auth tokens configured: listening on \(cfg.host) only, and every request may do everything")
            }
            var recent: RecentWindows? = nil
            if let monitors = cfg.monitors {
                let windows = RecentWindows(tasks: monitors.tasks.map(\.name))
                services.append(MonitorService(monitor: try monitors.makeMonitor(follow: true, sink: { windows.sink(for: $0) }), logger: logger))
                recent = windows
            }
            let api = StewardAPI(store: store, configuration: cfg.api, metrics: registry, monitors: recent, history: history, logger: logger)
            let host = cfg.host
            services.append(
                StewardServer.application(api: api, host: host, port: cfg.port, logger: logger) { bound in
                    logger.info("listening", metadata: ["url": "http://\(host):\(bound)"])
                })
            // Last, so it is the first to hear of a shutdown: claims stop and draining starts at once.
            services.append(worker)
            try await ServiceRunner.run(services, logger: logger)
        } catch {
            try? await store.close()
            throw error
        }
        try await store.close()
    }
}

struct ConfigCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "config", abstract: "Check a `steward serve` configuration file; hash an API token.",
        subcommands: [Validate.self, HashToken.self])

    struct Validate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Check a configuration file (exit 2 with file:line:column on a mistake).")

        @Argument(help: "The configuration file.") var file: String

        func run() async throws {
            let cfg = try ServeConfiguration.load(path: file)
            print("\(file): valid")
            print("  store      \(cfg.store.map(StoreURL.redacted) ?? "not set: --store, $STEWARD_STORE or sqlite:./steward.db")")
            print("  http       \(cfg.host):\(cfg.port), max body \(cfg.api.maxBody) bytes, \(cfg.api.tokens.count) token(s)")
            print("  queues     \(cfg.queues.map(\.name).joined(separator: ", "))")
            let checks = cfg.pipelines == nil ? "" : " + the pipeline freshness and timeliness checks"
            print("  schedules  \(cfg.schedules.map { "\($0.count)\(checks)" } ?? (checks.isEmpty ? "scheduler off" : "the pipeline freshness and timeliness checks"))")
            print("  workflows  \(cfg.workflows.isEmpty ? "none" : cfg.workflows.map { "\($0.name) v\($0.version)" }.joined(separator: ", "))")
            print("  monitors   \(cfg.monitors.map { $0.tasks.map(\.name).joined(separator: ", ") } ?? "none")")
            print("  pipelines  \(cfg.pipelines.map { "\($0.pipelines.count) pipeline(s), \($0.datasets.count) dataset(s) with a max age" } ?? "none")")
            print("  jobs       \(cfg.jobs.isEmpty ? "none" : cfg.jobs.keys.sorted().joined(separator: ", "))")
            print("  tracing    \(cfg.tracing.map { "\($0.tracesURL) (\($0.wireProtocol.rawValue))" } ?? "off")")
            print("  alerts     \(cfg.alerts.map { "every \($0.interval), \($0.notifiers.count) notifier(s)" } ?? "off")")
        }
    }

    struct HashToken: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "hash-token", abstract: "Print the SHA-256 of a token read from standard input (for auth.tokens[].sha256).")

        func run() async throws {
            guard let line = readLine(strippingNewline: true), !line.isEmpty else {
                throw ValidationError("hash-token: give the token on standard input")
            }
            print(AccessToken.sha256Hex(line))
        }
    }
}

struct TokenCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "token", abstract: "Create API tokens for `steward serve`.", subcommands: [Create.self])

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Make a new random token: prints it once, and the line to paste under auth.tokens (only its hash).",
            discussion: "The token itself is not stored anywhere: keep it in your secret store; the configuration holds its SHA-256.")

        @Argument(help: "The token's name (shown in logs, never the token).") var name: String
        @Option(help: "read (GET only) or admin (everything).") var scope: String
        @Flag(help: "Print JSON: {name, scope, token, sha256, config_line}.") var json = false

        func run() async throws {
            guard ["read", "admin"].contains(scope) else { throw ValidationError("--scope: '\(scope)' is not read or admin") }
            guard !name.isEmpty, name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" || $0 == "." }) else {
                throw ValidationError("name: '\(name)' must be letters, digits, '-', '_' or '.'")
            }
            var generator = SystemRandomNumberGenerator()
            let bytes = (0..<32).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
            let token = "stw_" + Data(bytes).base64EncodedString()
                .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
            let hash = AccessToken.sha256Hex(token)
            let line = "    - {name: \(name), sha256: \"\(hash)\", scope: \(scope)}"
            if json {
                return try printJSON(["name": name, "scope": scope, "token": token, "sha256": hash, "config_line": line])
            }
            print("token (shown once; keep it in your secret store): \(token)")
            print("paste under auth.tokens in the serve configuration:")
            print(line)
        }
    }
}

struct BackupCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backup",
        abstract: "Copy a SQLite store to a new file while it is in use (a consistent snapshot; the copy is a store as it is).",
        discussion: "PostgreSQL stores are backed up with PostgreSQL's tools (pg_dump, or the server's base backups and WAL archiving).")

    @Argument(help: "The file to write (must not exist).") var file: String
    @OptionGroup var storeOptions: StoreOptions

    func run() async throws {
        // Opened as it is (no migration: the copy is of the store as it stands).
        let store = try StoreFactory.open(storeOptions.url)
        guard let copyable = store as? any BackupStore else {
            try? await store.close()
            throw ValidationError("backup: only a SQLite store is copied this way; back up PostgreSQL with pg_dump")
        }
        do { try await copyable.backup(to: file) } catch {
            try? await store.close()
            throw error
        }
        try await store.close()
        let size = (try? FileManager.default.attributesOfItem(atPath: file)[.size] as? Int).flatMap { $0 } ?? 0
        print("backed up \(StoreURL.redacted(storeOptions.url)) to \(file) (\(size) bytes)")
    }
}
