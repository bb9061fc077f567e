import Foundation
import Steward
import StewardQuality
import Yams

/// `steward serve`'s configuration file (docs/operations.md): the store, the HTTP server and its
/// tokens, queues, schedules and workflows. Everything is checked before anything starts; the
/// first problem is a ``ConfigFileError`` with `file:line:column`.
public struct ServeConfiguration: Sendable {
    /// The store URL from the file's `store` key, a relative `sqlite:` path resolved against the
    /// file's folder (as monitor paths and job configurations are); `nil` when the file does not
    /// name one (serve then uses `--store`, `$STEWARD_STORE` or `sqlite:./steward.db`, as every
    /// command does).
    public var store: String?
    /// The address to listen on.
    public var host: String
    /// The port (0: any free port).
    public var port: Int
    /// The API's limits and tokens.
    public var api: APISettings
    /// Queues the worker runs, with their settings.
    public var queues: [QueueConfiguration]
    /// Schedules registered at start; `nil` when the file has no `scheduler` section (the
    /// scheduler then does not run in this process).
    public var schedules: [Schedule]?
    /// Workflows applied at start.
    public var workflows: [WorkflowDefinition]
    /// Alerting, when the file has an `alerts` section.
    public var alerts: Alerts?
    /// Jobs defined in the file (`http` and `shell` executors), by name.
    public var jobs: [String: ConfiguredJob] = [:]
    /// Data-quality monitors (the quality configuration's `sources` and `tasks`), followed while
    /// `serve` runs.
    public var monitors: QualityConfigFile? = nil
    /// Pipelines and datasets (docs/pipelines.md), when the file has either section: applied at
    /// start as the whole catalog; the freshness and timeliness checks then run every 5 minutes.
    public var pipelines: PipelineCatalog? = nil
    /// Span export over OTLP, when the file has a `tracing` section.
    public var tracing: TraceExport? = nil

    /// The `alerts` section: thresholds (with per-queue overrides), where to send, how often.
    public struct Alerts: Sendable, Equatable {
        /// What is watched.
        public var rules: AlertRules
        /// Where alerts go (the log when none is given).
        public var notifiers: [AlertNotifier]
        /// How often the queues are checked.
        public var interval: Duration
    }
    /// The file it came from.
    public var file: String

    /// Reads and checks `path`.
    public static func load(path: String, environment: [String: String] = ProcessInfo.processInfo.environment) throws
        -> ServeConfiguration
    {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw ConfigFileError(file: path, line: 0, column: 0, message: "cannot read the file")
        }
        return try parse(text, file: path, environment: environment)
    }

    static let topKeys: Set<String> = [
        "store", "http", "auth", "queues", "scheduler", "workflows", "alerts", "jobs", "executors", "monitors", "tracing", "pipelines", "datasets",
    ]

    /// Parses configuration text.
    public static func parse(_ text: String, file: String = "<config>", environment: [String: String] = [:]) throws
        -> ServeConfiguration
    {
        let reader = YAMLReader(file: file)
        // Paths in the file (the store, monitor sources, job configurations) are the file's folder's.
        let base = URL(fileURLWithPath: file).deletingLastPathComponent().path
        let root = try reader.compose(text)
        let top = try reader.mapping(root, "the configuration", allowed: topKeys)
        var config = ServeConfiguration(
            store: nil, host: "127.0.0.1", port: 8080, api: .init(), queues: [], schedules: nil, workflows: [],
            alerts: nil, file: file)
        if let s = top["store"] {
            config.store = StoreURL.resolvingSQLitePath(try reader.string(s, "store"), against: base)
        }
        var hostNode: Node? = nil
        if let h = top["http"] {
            let m = try reader.mapping(h, "http", allowed: ["host", "port", "max_body", "request_timeout", "idempotency_retention"])
            if let v = m["host"] {
                config.host = try reader.string(v, "http host")
                hostNode = v
            }
            if let v = m["port"] { config.port = try reader.integer(v, "http port", in: 0...65535) }
            if let v = m["max_body"] { config.api.maxBody = try bytes(v, "http max_body", reader) }
            if let v = m["request_timeout"] { config.api.requestTimeout = .seconds(double: try reader.duration(v, "http request_timeout")) }
            if let v = m["idempotency_retention"] {
                config.api.idempotencyRetention = .seconds(double: try reader.duration(v, "http idempotency_retention"))
            }
        }
        if let a = top["auth"] {
            let m = try reader.mapping(a, "auth", allowed: ["tokens"])
            for node in try m["tokens"].map({ try reader.sequence($0, "auth tokens") }) ?? [] {
                config.api.tokens.append(try token(node, reader, environment: environment))
            }
        }
        if config.api.tokens.isEmpty, !isLoopback(config.host) {
            throw reader.error(
                hostNode ?? root, "http host: '\(config.host)' is not a loopback address and auth has no tokens; add auth tokens or listen on 127.0.0.1")
        }
        var overrides: [String: [AlertRules.Measure: AlertThresholds]] = [:]
        if let q = top["queues"] {
            for (k, v) in try reader.pairs(q, "queues") {
                let name = try reader.string(k, "queue name")
                config.queues.append(try queue(name, v, reader))
                if let a = reader.values(of: v)["alerts"] {
                    overrides[name] = try thresholds(a, what: "queue '\(name)' alerts", allowed: [], reader).measures
                }
            }
        }
        if let a = top["alerts"] {
            let parsed = try thresholds(a, what: "alerts", allowed: ["interval", "notifiers"], reader)
            var defaults: [AlertRules.Measure: AlertThresholds] = [.queueDepth: AlertThresholds(info: 20, warning: 50, critical: 100)]
            defaults.merge(parsed.measures) { $1 }
            var notifiers: [AlertNotifier] = []
            for node in try parsed.node["notifiers"].map({ try reader.sequence($0, "alerts notifiers") }) ?? [] {
                notifiers.append(try notifier(node, reader))
            }
            config.alerts = Alerts(
                rules: AlertRules(defaults: defaults, overrides: overrides), notifiers: notifiers,
                interval: .seconds(double: try parsed.node["interval"].map { try reader.duration($0, "alerts interval") } ?? 10))
        } else if let queue = overrides.keys.sorted().first {
            throw reader.error(top["queues"]!, "queue '\(queue)' alerts: add a top-level 'alerts' section (with its notifiers)")
        }
        if config.queues.isEmpty { config.queues = [QueueConfiguration(name: "default")] }
        if let s = top["scheduler"] {
            let m = try reader.mapping(s, "scheduler", allowed: ["tasks"])
            config.schedules = try m["tasks"].map { try reader.sequence($0, "scheduler tasks").map { try schedule($0, reader) } } ?? []
            var seen = Set<String>()
            for (node, s) in zip(try m["tasks"].map { try reader.sequence($0, "scheduler tasks") } ?? [], config.schedules ?? []) {
                if !seen.insert(s.name).inserted { throw reader.error(node, "scheduler task '\(s.name)': duplicate name") }
            }
        }
        var shellEnabled = false
        if let e = top["executors"] {
            let m = try reader.mapping(e, "executors", allowed: ["shell"])
            if let shell = m["shell"] {
                shellEnabled = try reader.bool(try reader.mapping(shell, "executors shell", allowed: ["enabled"])["enabled"], "executors shell enabled", default: false)
            }
        }
        if let m = top["monitors"] {
            config.monitors = try QualityConfigFile.parse(node: m, reader: reader, baseDirectory: base, what: "monitors")
        }
        if top["pipelines"] != nil || top["datasets"] != nil {
            config.pipelines = try PipelineFile.catalog(pipelines: top["pipelines"], datasets: top["datasets"], reader)
        }
        if let t = top["tracing"] { config.tracing = try TraceExport.parse(t, reader, environment: environment) }
        if let j = top["jobs"] {
            config.jobs = try configuredJobs(j, shellEnabled: shellEnabled, baseDirectory: base, reader)
        }
        if let w = top["workflows"] {
            for (k, v) in try reader.pairs(w, "workflows") {
                config.workflows.append(try WorkflowFile.definition(name: try reader.string(k, "workflow name"), keyNode: k, v, reader))
            }
        }
        return config
    }

    /// `queue_depth`, `oldest_age` (durations), `failure_rate` (0–1), each `{info, warning, critical}`.
    static func thresholds(_ node: Node, what: String, allowed extra: Set<String>, _ reader: YAMLReader) throws
        -> (measures: [AlertRules.Measure: AlertThresholds], node: [String: Node])
    {
        let m = try reader.mapping(node, what, allowed: Set(AlertRules.Measure.allCases.map(\.rawValue)).union(extra))
        var out: [AlertRules.Measure: AlertThresholds] = [:]
        for measure in AlertRules.Measure.allCases {
            guard let t = m[measure.rawValue] else { continue }
            let levels = try reader.mapping(t, "\(what) \(measure.rawValue)", allowed: Set(AlertLevel.allCases.map(\.rawValue)))
            var thresholds = AlertThresholds()
            for level in AlertLevel.allCases {
                guard let v = levels[level.rawValue] else { continue }
                let field = "\(what) \(measure.rawValue) \(level.rawValue)"
                let value: Double
                switch measure {
                case .oldestAge: value = try reader.duration(v, field)
                case .queueDepth: value = Double(try reader.integer(v, field, in: 1...Int(Int32.max)))
                case .failureRate:
                    value = try reader.number(v, field)
                    guard value > 0, value <= 1 else { throw reader.error(v, "\(field): \(value) is not a rate in (0, 1]") }
                }
                thresholds.levels[level] = value
            }
            let ordered = AlertLevel.allCases.compactMap { thresholds.levels[$0] }
            guard ordered == ordered.sorted() else {
                throw reader.error(t, "\(what) \(measure.rawValue): thresholds must rise from info to warning to critical")
            }
            out[measure] = thresholds
        }
        return (out, m)
    }

    static func notifier(_ node: Node, _ reader: YAMLReader) throws -> AlertNotifier {
        let m = try reader.mapping(node, "alerts notifier", allowed: ["type", "url"])
        guard let typeNode = m["type"] else { throw reader.error(node, "alerts notifier: missing 'type' (log, webhook or slack)") }
        let type = try reader.string(typeNode, "alerts notifier type")
        func url() throws -> String {
            guard let u = m["url"] else { throw reader.error(node, "alerts notifier \(type): missing 'url'") }
            let text = try reader.string(u, "alerts notifier url")
            guard let parsed = URL(string: text), ["http", "https"].contains(parsed.scheme ?? ""), parsed.host != nil else {
                throw reader.error(u, "alerts notifier url: '\(text)' is not an http(s) URL")
            }
            return text
        }
        switch type {
        case "log": return .log
        case "webhook": return .webhook(try url())
        case "slack": return .slack(try url())
        default: throw reader.error(typeNode, "alerts notifier type: '\(type)' is not log, webhook or slack")
        }
    }

    static func isLoopback(_ host: String) -> Bool {
        host == "localhost" || host == "::1" || host.hasPrefix("127.")
    }

    /// `1048576`, `512KiB`, `1MiB`.
    static func bytes(_ node: Node, _ what: String, _ reader: YAMLReader) throws -> Int {
        let text = try reader.string(node, what).trimmingCharacters(in: .whitespaces)
        let units: [(String, Int)] = [("KiB", 1 << 10), ("MiB", 1 << 20), ("GiB", 1 << 30), ("KB", 1_000), ("MB", 1_000_000), ("B", 1)]
        var number = text
        var scale = 1
        for (suffix, factor) in units where text.hasSuffix(suffix) {
            number = String(text.dropLast(suffix.count)).trimmingCharacters(in: .whitespaces)
            scale = factor
            break
        }
        guard let n = Int(number), n > 0, n <= (1 << 30) / scale else {
            throw reader.error(node, "\(what): '\(text)' is not a size such as 1048576, 512KiB or 1MiB (at most 1GiB)")
        }
        return n * scale
    }

    static func token(_ node: Node, _ reader: YAMLReader, environment: [String: String]) throws -> AccessToken {
        let m = try reader.mapping(node, "auth token", allowed: ["name", "sha256", "env", "scope"])
        guard let nameNode = m["name"] else { throw reader.error(node, "auth token: missing 'name'") }
        let name = try reader.string(nameNode, "auth token name")
        guard let scopeNode = m["scope"] else { throw reader.error(node, "auth token '\(name)': missing 'scope' (read or admin)") }
        let scopeText = try reader.string(scopeNode, "auth token '\(name)' scope")
        guard let scope = AccessToken.Scope(rawValue: scopeText) else {
            throw reader.error(scopeNode, "auth token '\(name)' scope: '\(scopeText)' is not read or admin")
        }
        switch (m["sha256"], m["env"]) {
        case (let hash?, nil):
            do { return try AccessToken(name: name, sha256: try reader.string(hash, "auth token '\(name)' sha256"), scope: scope) } catch {
                throw reader.error(hash, "\(error)")
            }
        case (nil, let env?):
            let variable = try reader.string(env, "auth token '\(name)' env")
            // Named, never printed: the value is a secret.
            guard let value = environment[variable], !value.isEmpty else {
                throw reader.error(env, "auth token '\(name)': environment variable \(variable) is not set")
            }
            return AccessToken(name: name, plaintext: value, scope: scope)
        default:
            throw reader.error(node, "auth token '\(name)': give exactly one of sha256 and env")
        }
    }

    static func queue(_ name: String, _ node: Node, _ reader: YAMLReader) throws -> QueueConfiguration {
        let what = "queue '\(name)'"
        let m = try reader.mapping(
            node, what, allowed: ["concurrency", "rate_limit", "retry_policy", "max_depth", "dead_letter_queue", "timeout", "lease", "alerts"])
        var q = QueueConfiguration(name: name)
        if let v = m["concurrency"] { q.concurrency = try reader.integer(v, "\(what) concurrency", in: 1...10_000) }
        if let r = m["rate_limit"] {
            let rm = try reader.mapping(r, "\(what) rate_limit", allowed: ["requests_per_second", "burst_size", "scope"])
            guard let rps = rm["requests_per_second"] else { throw reader.error(r, "\(what) rate_limit: missing 'requests_per_second'") }
            var scope = RateLimit.Scope.worker
            if let s = rm["scope"] {
                let text = try reader.string(s, "\(what) rate_limit scope")
                guard let parsed = RateLimit.Scope(rawValue: text) else {
                    throw reader.error(s, "\(what) rate_limit scope: '\(text)' is not worker or global")
                }
                scope = parsed
            }
            let limit = RateLimit(
                perSecond: try reader.number(rps, "\(what) rate_limit requests_per_second"),
                burst: try rm["burst_size"].map { try reader.integer($0, "\(what) rate_limit burst_size", in: 1...1_000_000) }, scope: scope)
            do { try limit.validate(queue: name) } catch { throw reader.error(r, "\(error)") }
            q.rateLimit = limit
        }
        if let r = m["retry_policy"] { q.retryPolicy = try WorkflowFile.retry(r, what: "\(what) retry_policy", reader) }
        if let v = m["max_depth"] { q.maxDepth = try reader.integer(v, "\(what) max_depth", in: 1...Int(Int32.max)) }
        if let v = m["dead_letter_queue"] { q.deadLetterQueue = try reader.string(v, "\(what) dead_letter_queue") }
        if let v = m["timeout"] { q.timeout = .seconds(double: try reader.duration(v, "\(what) timeout")) }
        if let v = m["lease"] { q.leaseDuration = .seconds(double: try reader.duration(v, "\(what) lease")) }
        do { try q.validate() } catch { throw reader.error(node, "\(error)") }
        return q
    }

    static func schedule(_ node: Node, _ reader: YAMLReader) throws -> Schedule {
        let m = try reader.mapping(
            node, "scheduler task", allowed: ["name", "schedule", "timezone", "timeout", "job", "input", "queue", "retry_policy", "misfire", "exclusive"])
        guard let nameNode = m["name"] else { throw reader.error(node, "scheduler task: missing 'name'") }
        let name = try reader.string(nameNode, "scheduler task name")
        let what = "scheduler task '\(name)'"
        guard let cronNode = m["schedule"] else { throw reader.error(node, "\(what): missing 'schedule' (a cron expression)") }
        guard let jobNode = m["job"] else { throw reader.error(node, "\(what): missing 'job'") }
        var misfire = Schedule.MisfirePolicy.coalesce
        if let v = m["misfire"] {
            let text = try reader.string(v, "\(what) misfire")
            do { misfire = try Schedule.MisfirePolicy.parse(text) } catch let StewardError.invalidArgument(_, message) {
                throw reader.error(v, "\(what) \(message)")
            }
        }
        let job = ScheduledJob(
            name: try reader.string(jobNode, "\(what) job"), payload: m["input"].map { reader.json($0).jsonText } ?? "{}",
            queue: try m["queue"].map { try reader.string($0, "\(what) queue") } ?? "default",
            timeout: try m["timeout"].map { .seconds(double: try reader.duration($0, "\(what) timeout")) },
            retryPolicy: try m["retry_policy"].map { try WorkflowFile.retry($0, what: "\(what) retry_policy", reader) })
        do {
            return try Schedule.cron(
                name, try reader.string(cronNode, "\(what) schedule"),
                timeZone: try m["timezone"].map { try reader.string($0, "\(what) timezone") } ?? "UTC", job: job, misfire: misfire,
                exclusive: try reader.bool(m["exclusive"], "\(what) exclusive", default: false))
        } catch let e as ConfigFileError {
            throw e
        } catch {
            throw reader.error(cronNode, "\(what): \(error)")
        }
    }
}
