import Foundation
import Logging
import NIOSSL
import PostgresNIO
public import Steward
import Synchronization

/// The shared store: many workers on many machines, one PostgreSQL database.
///
/// Claims take `FOR UPDATE SKIP LOCKED` rows in one statement per batch; completions of a batch
/// are one statement per kind; enqueues notify listeners (`LISTEN/NOTIFY`) so idle workers in
/// every process wake within milliseconds. All tables live in one schema (default `steward`).
public final class PostgresJobStore: StewardStore {
    /// The connection settings in use.
    public let configuration: PostgresStoreConfiguration
    let logger: Logger
    let hub = WakeupHub()
    /// Announces finished jobs (``JobStore/finishedJobs()``); other processes' arrive as a
    /// `NOTIFY` with an empty payload on the store's channel (no queue name is empty).
    let finishedHub = WakeupHub()
    /// The quoted schema, spliced into SQL (validated as a plain identifier).
    let quotedSchema: String
    /// The NOTIFY channel for this schema.
    let channel: String
    /// Queues this store has seen registered in `steward_queues` (rows are never deleted), so a
    /// single enqueue can skip the registering upsert.
    let registeredQueues = Mutex<Set<String>>([])
    /// Queues seen with a max depth: their enqueues take the transactional path at once.
    let boundedQueues = Mutex<Set<String>>([])
    /// Step records of concurrent runs share statements (``DurableStepBatcher``).
    let stepBatcher = DurableStepBatcher(limit: 2)
    /// What each code run's attempt read at its start, for its end in one statement.
    let endBases = DurableEndBases(limit: 4096)
    private let clientConfiguration: PostgresClient.Configuration
    private let backgroundLogger: Logger
    /// The connection pool and the task running it; replaced when a call misses its deadline.
    private let pool: Mutex<(client: PostgresClient, task: Task<Void, Never>, generation: Int)?>
    private let listenerTask = Mutex<Task<Void, Never>?>(nil)

    /// Connects (lazily) to the database described by `configuration`.
    public init(configuration: PostgresStoreConfiguration, logger: Logger = Logger(label: "steward.postgres")) throws {
        try PostgresStoreConfiguration.validate(schema: configuration.schema)
        self.configuration = configuration
        self.logger = logger
        quotedSchema = "\"\(configuration.schema)\""
        channel = "steward_\(configuration.schema)"
        let tls: PostgresClient.Configuration.TLS
        switch try configuration.tlsConfiguration() {
        case nil: tls = .disable
        case let settings? where configuration.requiresTLS: tls = .require(settings)
        case let settings?: tls = .prefer(settings)
        }
        var config = PostgresClient.Configuration(
            host: configuration.host, port: configuration.port, username: configuration.username,
            password: configuration.password, database: configuration.database, tls: tls)
        config.options.maximumConnections = configuration.maxConnections
        config.options.connectTimeout = .seconds(5)
        // Prepared statements use unqualified table names (see PostgresStatements).
        config.options.additionalStartupParameters = [("search_path", configuration.schema)]
        clientConfiguration = config
        // The pool logs every cancelled connection attempt at info; keep its chatter to warnings.
        var background = logger
        background.logLevel = max(.warning, logger.logLevel)
        backgroundLogger = background
        pool = Mutex(Self.makePool(config, logger: background, generation: 0))
    }

    private static func makePool(_ config: PostgresClient.Configuration, logger: Logger, generation: Int)
        -> (client: PostgresClient, task: Task<Void, Never>, generation: Int)
    {
        let client = PostgresClient(configuration: config, backgroundLogger: logger)
        // Detached: a pool replaced from inside a service must not inherit that service's
        // graceful-shutdown scope (`PostgresClient.run()` stops on it), or a SIGTERM would shut the
        // pool down under a worker that still has outcomes to write.
        return (client, Task.detached { await client.run() }, generation)
    }

    /// The current connection pool and its generation.
    var current: (client: PostgresClient, generation: Int) {
        get throws {
            guard let p = pool.withLock({ $0 }) else { throw StewardError.storeUnavailable("postgres: the store was closed") }
            return (p.client, p.generation)
        }
    }

    /// Runs `body` on a connection of the current pool, with the call deadline. A call that missed
    /// it on its connection (a dropped connection may never answer) replaces the pool (cancelling
    /// the old one fails whatever is stuck in it); one still waiting for a connection (every one
    /// busy, or none can be made) leaves the pool as it is: replacing it would fail every call
    /// in flight on a pool that is only busy.
    func withClient<T: Sendable>(
        _ operation: String, timeout: Duration? = nil, _ body: @escaping @Sendable (PostgresConnection) async throws -> T
    ) async throws -> T {
        let (client, generation) = try current
        let timeout = timeout ?? configuration.callTimeout
        let leased = Atomic<Bool>(false)
        do {
            return try await withStoreDeadline(operation, timeout: timeout) {
                try await client.withConnection { conn in
                    leased.store(true, ordering: .relaxed)
                    return try await body(conn)
                }
            }
        } catch let error as StoreCallTimedOut {
            let server = "postgres \(configuration.host):\(configuration.port)"
            guard leased.load(ordering: .relaxed) else {
                throw StewardError.storeUnavailable(
                    "\(server): no connection for \(operation) within \(timeout.seconds)s (all \(configuration.maxConnections) "
                        + "pooled connections busy, or the server cannot be reached) [\(error)]")
            }
            let old = pool.withLock { slot -> Task<Void, Never>? in
                guard let p = slot, p.generation == generation else { return nil }
                slot = Self.makePool(clientConfiguration, logger: backgroundLogger, generation: generation + 1)
                return p.task
            }
            if let old {
                logger.warning(
                    "a PostgreSQL call did not return; replacing the connection pool",
                    metadata: ["operation": "\(operation)", "timeout_s": "\(timeout.seconds)"])
                old.cancel()
            }
            throw StewardError.storeUnavailable(
                "\(server): no answer to \(operation) within "
                    + "\(timeout.seconds)s (server down, unreachable, or a dropped connection; "
                    + "the connection pool was replaced) [\(error)]")
        }
    }

    /// Connects to the database of a `postgres://` URL (see `PostgresStoreConfiguration`).
    public convenience init(url: String, logger: Logger = Logger(label: "steward.postgres")) throws {
        try self.init(configuration: PostgresStoreConfiguration(url: url), logger: logger)
    }

    deinit {
        listenerTask.withLock { $0?.cancel() }
        pool.withLock { $0?.task.cancel() }
    }

    // MARK: plumbing

    /// Runs `body` in one transaction on one pooled connection; rethrows `body`'s own error.
    func transaction<T: Sendable>(
        _ operation: String = #function, timeout: Duration? = nil, _ body: @escaping @Sendable (PostgresConnection) async throws -> T
    ) async throws -> T {
        try await mapErrors {
            try await withClient(operation, timeout: timeout) { conn in try await Self.inTransaction(conn, logger: self.logger, body) }
        }
    }

    private static func inTransaction<T: Sendable>(
        _ conn: PostgresConnection, logger: Logger, _ body: @Sendable (PostgresConnection) async throws -> T
    ) async throws -> T {
        try await conn.query("BEGIN", logger: logger)
        do {
            let value = try await body(conn)
            try await conn.query("COMMIT", logger: logger)
            return value
        } catch {
            _ = try? await conn.query("ROLLBACK", logger: logger)
            throw error
        }
    }

    /// Connects once outside the pool, so a refused login, a missing database or a server that is
    /// not there is reported at once in the server's words (the pool would retry quietly until the
    /// call deadline and report only a timeout).
    func probe() async throws {
        let c = configuration
        let tls: PostgresConnection.Configuration.TLS
        switch try c.tlsConfiguration() {
        case nil: tls = .disable
        case let settings? where c.requiresTLS: tls = .require(try NIOSSLContext(configuration: settings))
        case let settings?: tls = .prefer(try NIOSSLContext(configuration: settings))
        }
        var config = PostgresConnection.Configuration(
            host: c.host, port: c.port, username: c.username, password: c.password, database: c.database, tls: tls)
        config.options.connectTimeout = .seconds(Int64(min(c.callTimeout.seconds, 10)))
        let logger = backgroundLogger
        try await mapErrors {
            do {
                let conn = try await PostgresConnection.connect(
                    on: PostgresClient.defaultEventLoopGroup.next(), configuration: config, id: 0, logger: logger
                ).get()
                try await conn.close()
            } catch let error as PSQLError where error.serverInfo == nil {
                throw StewardError.storeUnavailable("postgres \(c.host):\(c.port): cannot connect: \(Self.plainWords(error, c))")
            }
        }
    }

    /// PSQLError hides the server's message from its description; surface it, with the SQLSTATE.
    func mapErrors<T>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let error as PSQLError {
            if let message = error.serverInfo?[.message] {
                let code = error.serverInfo?[.sqlState].map { " (SQLSTATE \($0))" } ?? ""
                throw StewardError.storeUnavailable("postgres: \(message)\(code)")
            }
            throw StewardError.storeUnavailable(
                "postgres \(configuration.host):\(configuration.port): \(Self.plainWords(error, configuration))")
        }
    }

    /// A connection failure as a user can act on it: TLS problems name the `sslmode` and the fix.
    static func plainWords(_ error: PSQLError, _ c: PostgresStoreConfiguration) -> String {
        if error.code == .sslUnsupported {
            return "the server does not offer TLS, which sslmode=\(c.sslMode.rawValue) requires (use sslmode=prefer, or enable ssl on the server)"
        }
        let timeout = "\(Int(min(c.callTimeout.seconds, 10)))s"
        guard let underlying = error.underlying else {
            return error.code == .serverClosedConnection
                ? "no connection within \(timeout) (the host did not answer, or closed the connection at once)"
                : "the connection failed (\(error.code))"
        }
        let text = "\(underlying)"
        // Connection errors in words, as libpq says them (the driver's types stay out).
        if text.contains("Connection refused") || text.contains("errno: 111") {
            return "connection refused (is PostgreSQL running and listening on \(c.host):\(c.port)?)"
        }
        if text.contains("UnknownHost") || text.contains("Name or service not known") || text.contains("nodename nor servname") {
            return "host '\(c.host)' not found (DNS)"
        }
        if text.contains("connectTimeout") || text.contains("timed out") || text.contains("errno: 110") {
            return "no connection within \(timeout) (timed out)"
        }
        if text.contains("No route to host") || text.contains("errno: 113") { return "no route to host '\(c.host)'" }
        if text.contains("Network is unreachable") || text.contains("errno: 101") { return "the network is unreachable" }
        if text.contains("CERTIFICATE_VERIFY_FAILED") {
            let roots = c.sslRootCert.map { "the CA certificates in sslrootcert '\($0)'" } ?? "the system's trusted CAs (set sslrootcert=PATH to trust the server's CA)"
            return "TLS: the server's certificate is not signed by \(roots); sslmode=\(c.sslMode.rawValue) checks it (sslmode=require encrypts without checking)"
        }
        if let ssl = underlying as? NIOSSLExtraError, ssl == .failedToValidateHostname {
            return "TLS: the server's certificate does not name the host '\(c.host)' (sslmode=verify-full; verify-ca checks only the CA)"
        }
        if underlying is NIOSSLError || underlying is NIOSSLExtraError {
            return "TLS handshake with sslmode=\(c.sslMode.rawValue) failed: \(text)"
        }
        return "the connection failed: \(text)"
    }

    @discardableResult
    func query(_ sql: String, _ binds: PostgresBindings = PostgresBindings(), on conn: PostgresConnection) async throws
        -> PostgresRowSequence
    {
        try await conn.query(PostgresQuery(unsafeSQL: sql, binds: binds), logger: logger)
    }

    func query(_ sql: String, _ binds: PostgresBindings = PostgresBindings(), operation: String = #function) async throws
        -> [PostgresRow]
    {
        let logger = self.logger
        return try await mapErrors {
            try await withClient(operation) { conn in
                var rows: [PostgresRow] = []
                for try await row in try await conn.query(PostgresQuery(unsafeSQL: sql, binds: binds), logger: logger) {
                    rows.append(row)
                }
                return rows
            }
        }
    }

    /// Runs `query` (its values bound by `PostgresQuery` interpolation: `\(value)` is a parameter,
    /// `\(unescaped: name)` is SQL text) on the current pool, with the call deadline; collects its rows.
    func rows(_ query: PostgresQuery, operation: String = #function) async throws -> [PostgresRow] {
        let logger = self.logger
        return try await mapErrors {
            try await withClient(operation) { conn in
                var rows: [PostgresRow] = []
                for try await row in try await conn.query(query, logger: logger) { rows.append(row) }
                return rows
            }
        }
    }

    /// Runs a prepared statement on the current pool, with the call deadline; collects its rows.
    func execute<S: PostgresPreparedStatement>(_ statement: S, operation: String = #function) async throws -> [S.Row]
    where S.Row: Sendable {
        let logger = self.logger
        return try await mapErrors {
            try await withClient(operation) { conn in
                var rows: [S.Row] = []
                for try await row in try await conn.execute(statement, logger: logger) { rows.append(row) }
                return rows
            }
        }
    }

    // MARK: schema

    /// Creating a schema is many DDL statements: on a busy server it may take seconds, so it gets
    /// at least two minutes rather than the per-call deadline (a timeout would also replace the pool).
    static let migrationTimeout = Duration.seconds(120)

    public func migrate() async throws {
        try await probe()
        try await transaction(timeout: max(configuration.callTimeout, Self.migrationTimeout)) { [self] conn in
            // Serializes concurrent migrators; released at commit.
            let lockName = "steward.migrate.\(configuration.schema)"
            try await conn.query("SELECT pg_advisory_xact_lock(hashtext(\(lockName)))", logger: logger)
            try await query("CREATE SCHEMA IF NOT EXISTS \(quotedSchema)", on: conn)
            try await query(
                "CREATE TABLE IF NOT EXISTS \(quotedSchema).steward_migrations (version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())",
                on: conn)
            var applied = Set<Int>()
            for try await (version) in try await query("SELECT version FROM \(quotedSchema).steward_migrations", on: conn).decode(Int.self) {
                applied.insert(version)
            }
            let pending = PostgresMigrations.all.filter { !applied.contains($0.version) }
            guard !pending.isEmpty else { return }
            // Every pending statement in one DO block: one round trip instead of one per statement
            // (many processes or test schemas migrating at once made the per-statement form slow).
            var block = "DO $steward_migrate$ BEGIN\n"
            for migration in pending {
                for statement in PostgresMigrations.statements(migration.sql.replacingOccurrences(of: "S.", with: "\(quotedSchema).")) {
                    block += "EXECUTE $steward_statement$\(statement)$steward_statement$;\n"
                }
                block += "INSERT INTO \(quotedSchema).steward_migrations (version) VALUES (\(migration.version));\n"
            }
            block += "END $steward_migrate$"
            try await query(block, on: conn)
        }
    }

    /// Drops this store's schema with every table in it: all jobs, history and settings.
    /// For tests and benchmarks that need an empty store.
    package func destroySchema() async throws {
        _ = try await query("DROP SCHEMA IF EXISTS \(quotedSchema) CASCADE")
    }

    public func close() async throws {
        listenerTask.withLock { task in
            task?.cancel()
            task = nil
        }
        hub.finish()
        finishedHub.finish()
        let running = pool.withLock { slot -> Task<Void, Never>? in
            defer { slot = nil }
            return slot?.task
        }
        running?.cancel()
        await running?.value
    }

    // MARK: wake-ups

    public func wakeups() -> AsyncStream<String> {
        startListener()
        return hub.stream()
    }

    public func finishedJobs() -> AsyncStream<String> {
        startListener()
        return finishedHub.stream()
    }

    /// One connection per process LISTENs; on a lost connection it reconnects with backoff and
    /// wakes every queue (notifications sent meanwhile are lost, the poll would find the jobs).
    private func startListener() {
        listenerTask.withLock { task in
            guard task == nil else { return }
            task = Task { [weak self, channel, hub, finishedHub, logger] in
                var failures = 0
                while !Task.isCancelled {
                    do {
                        // The pool may have been replaced since the last attempt.
                        guard let client = try self?.current.client else { return }
                        try await client.withConnection { conn in
                            try await conn.listen(on: channel) { notifications in
                                if failures > 0 {
                                    logger.notice("wake-up listener reconnected", metadata: ["channel": "\(channel)"])
                                    hub.emit([WakeupHub.anyQueue])
                                    finishedHub.emit([WakeupHub.anyQueue])
                                }
                                failures = 0
                                for try await note in notifications {
                                    if note.payload.isEmpty {
                                        finishedHub.emit([WakeupHub.anyQueue])
                                    } else {
                                        hub.emit([note.payload])
                                    }
                                }
                            }
                        }
                    } catch {
                        if Task.isCancelled { return }
                        failures += 1
                        let backoff = min(5.0, 0.05 * pow(2, Double(min(failures, 7))))
                        logger.warning(
                            "wake-up listener lost its connection; reconnecting",
                            metadata: ["error": "\(String(reflecting: error))", "retry_in_s": "\(backoff)"])
                        try? await Task.sleep(for: .seconds(double: backoff))
                    }
                }
            }
        }
    }
}

extension PostgresRandomAccessRow {
    func get<T: PostgresDecodable>(_ index: Int, _ type: T.Type = T.self) throws -> T {
        try self[index].decode(T.self, context: .default)
    }
}
