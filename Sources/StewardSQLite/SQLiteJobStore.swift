public import Foundation
public import Steward
import GRDB

/// The embedded store: one SQLite file in WAL mode, shared safely by threads and processes.
///
/// Durability: `synchronous=NORMAL` (default) survives process crashes; a power loss may lose
/// the transactions committed since the last checkpoint (the WAL is fsynced at checkpoints,
/// which run every 500 ms in the background). Pass `synchronous=full` in the URL to fsync
/// every commit.
public final class SQLiteJobStore: JobStore {
    /// How commits reach the disk.
    public enum Synchronous: String, Sendable {
        /// fsync at WAL checkpoints only; safe across process crashes.
        case normal
        /// fsync every commit; safe across power loss.
        case full
    }

    /// The database file.
    public let path: String
    /// The durability setting in use.
    public let synchronous: Synchronous
    let pool: SQLitePool
    let hub: WakeupHub
    /// Announces finished jobs (``JobStore/finishedJobs()``).
    let finishedHub = WakeupHub()
    private let background: SQLiteBackground

    /// Whether the store only reads (`?mode=ro`, or a file this process may not write): queries
    /// work, anything that writes fails, and nothing is changed on open.
    public let readOnly: Bool

    /// Opens (creating if needed) the database at `path`. An existing file must be empty or a
    /// Steward database: another application's SQLite file is refused before anything (its
    /// journal mode included) is changed.
    public init(path: String, synchronous: Synchronous = .normal, readOnly: Bool = false) throws {
        self.path = path
        self.synchronous = synchronous
        let exists = FileManager.default.fileExists(atPath: path)
        self.readOnly = readOnly || (exists && !FileManager.default.isWritableFile(atPath: path))
        if exists { try Self.checkBelongsToSteward(path) }
        var config = Configuration()
        config.busyMode = .timeout(30)
        config.maximumReaderCount = 4
        config.readonly = self.readOnly
        let sync = synchronous.rawValue.uppercased()
        if !self.readOnly {
            config.prepareDatabase { db in
                try db.execute(sql: "PRAGMA synchronous = \(sync)")
                // Checkpoints run in the background (SQLiteBackground), not inside a commit.
                try db.execute(sql: "PRAGMA wal_autocheckpoint = 0")
            }
        }
        pool = SQLitePool(base: try Self.openPool(path: path, configuration: config), path: path)
        hub = WakeupHub()
        background = SQLiteBackground(path: path, hubs: [hub, finishedHub])
    }

    /// Opens a store from a URL: `sqlite:PATH`, `sqlite://PATH`, with `?synchronous=full` or `?mode=ro`.
    public convenience init(url: String) throws {
        let (path, synchronous, readOnly) = try Self.parse(url: url)
        try self.init(path: path, synchronous: synchronous, readOnly: readOnly)
    }

    /// Opens the pool, waiting out another process that is creating the same file: switching a
    /// new file to WAL needs a lock SQLite's busy timeout does not wait for, so two processes
    /// starting at once (a worker and an enqueue) could fail with "database is locked".
    static func openPool(path: String, configuration: Configuration) throws -> DatabasePool {
        let deadline = ContinuousClock.now + .seconds(30)
        while true {
            do {
                return try DatabasePool(path: path, configuration: configuration)
            } catch let error as DatabaseError where error.resultCode == .SQLITE_BUSY && ContinuousClock.now < deadline {
                usleep(10_000)
            } catch {
                throw StewardError.storeUnavailable("cannot open SQLite database at '\(path)': \(error)")
            }
        }
    }

    /// Refuses a file that is not SQLite, or a SQLite database with tables but no Steward schema,
    /// reading it through a read-only connection so nothing about it changes.
    static func checkBelongsToSteward(_ path: String) throws {
        var config = Configuration()
        config.readonly = true
        // Another process may be creating the file right now (switching it to WAL locks it briefly).
        config.busyMode = .timeout(30)
        let tables: [String]
        do {
            let queue = try DatabaseQueue(path: path, configuration: config)
            tables = try queue.read { db in
                try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
            }
            try queue.close()
        } catch {
            throw StewardError.storeUnavailable("cannot open SQLite database at '\(path)': \(error)")
        }
        if !tables.isEmpty, !tables.contains("steward_migrations") {
            let shown = tables.prefix(5).joined(separator: ", ") + (tables.count > 5 ? ", …" : "")
            throw StewardError.invalidArgument(
                "store: '\(path)' is another application's SQLite database (tables: \(shown)); give Steward a file of its own")
        }
    }

    /// Splits a SQLite store URL into its file path and durability setting; the error names the
    /// offending part.
    public static func parse(url: String) throws -> (path: String, synchronous: Synchronous, readOnly: Bool) {
        guard url.hasPrefix("sqlite:") else {
            throw StewardError.invalidArgument("store: '\(url)' is not a SQLite URL (expected sqlite:PATH)")
        }
        var rest = String(url.dropFirst("sqlite:".count))
        if rest.hasPrefix("//") { rest.removeFirst(2) }
        var sync = Synchronous.normal
        var readOnly = false
        if let q = rest.firstIndex(of: "?") {
            let query = rest[rest.index(after: q)...]
            rest = String(rest[..<q])
            for pair in query.split(separator: "&") {
                let kv = pair.split(separator: "=", maxSplits: 1).map { $0.lowercased() }
                if kv.count == 2, kv[0] == "synchronous", let value = Synchronous(rawValue: kv[1]) {
                    sync = value
                } else if kv.count == 2, kv[0] == "mode", kv[1] == "ro" || kv[1] == "rw" {
                    readOnly = kv[1] == "ro"
                } else {
                    throw StewardError.invalidArgument(
                        "store: unknown option '\(pair)' in '\(url)' (supported: synchronous=normal|full, mode=ro|rw)")
                }
            }
        }
        guard !rest.isEmpty else { throw StewardError.invalidArgument("store: '\(url)' has no file path") }
        return (rest, sync, readOnly)
    }

    deinit {
        background.stop()
    }

    // MARK: schema

    public func migrate() async throws {
        // A current schema needs no write: read-only stores open, and readers never queue for the lock.
        if try await pool.read({ db in try SQLiteMigrations.isCurrent(db) }) { return }
        if readOnly {
            throw StewardError.storeUnavailable("sqlite: '\(path)' is read-only and its schema needs migrating; open it writable once")
        }
        try await pool.write { db in try SQLiteMigrations.migrate(db) }
    }

    // MARK: enqueue

    public func enqueue(_ jobs: [NewJob], now: Date) async throws -> [EnqueueResult] {
        guard !jobs.isEmpty else { return [] }
        let nowS = now.timeIntervalSince1970
        try NewJob.checkBatchIndexes(jobs)
        let prepared = try jobs.map { job -> PreparedJob in
            try PreparedJob(job: job, now: nowS)
        }
        let results = try await pool.write { db in try Self.enqueue(prepared, now: nowS, in: db) }
        hub.emit(Set(jobs.map(\.queue)))
        return results
    }

    public func enqueue(_ job: NewJob, idempotency: IdempotencyKey, now: Date) async throws -> IdempotentEnqueue {
        let nowS = now.timeIntervalSince1970
        let prepared = try PreparedJob(job: job, now: nowS)
        let outcome = try await pool.write { db -> IdempotentEnqueue in
            if let row = try Row.fetchOne(
                db, sql: "SELECT job_id, fingerprint FROM steward_idempotency_keys WHERE key = ? AND expires_at > ?",
                arguments: [idempotency.key, nowS])
            {
                return .held(JobID(row[0] as Int64), fingerprint: row[1], asked: idempotency)
            }
            let result = try Self.enqueue([prepared], now: nowS, in: db)[0]
            try db.execute(
                sql: """
                    INSERT OR REPLACE INTO steward_idempotency_keys (key, fingerprint, job_id, created_at, expires_at)
                    VALUES (?, ?, ?, ?, ?)
                    """,
                arguments: [idempotency.key, idempotency.fingerprint, result.id.rawValue, nowS, idempotency.expiresAt.timeIntervalSince1970])
            return .created(result)
        }
        if case .created = outcome { hub.emit([job.queue]) }
        return outcome
    }

    /// Enqueues inside the caller's write transaction.
    static func enqueue(_ prepared: [PreparedJob], now nowS: Double, in db: Database) throws -> [EnqueueResult] {
        let jobs = prepared.map(\.job)
        let queues = Array(Set(jobs.map(\.queue)))
        var settings: [String: (maxDepth: Int?, maxAttempts: Int?)] = [:]
        let register = try db.cachedStatement(sql: "INSERT OR IGNORE INTO steward_queues (name) VALUES (?)")
        let read = try db.cachedStatement(sql: "SELECT max_depth, max_attempts FROM steward_queues WHERE name = ?")
        for q in queues {
            try register.execute(arguments: [q])
            if let row = try Row.fetchOne(read, arguments: [q]) {
                settings[q] = (row[0], row[1])
            }
        }
        let findUnique = try db.cachedStatement(
            sql: "SELECT id, state, run_at FROM steward_jobs WHERE unique_key = ? AND state IN (\(JobState.liveSQL))")
        let insert = try db.cachedStatement(
            sql: """
                INSERT INTO steward_jobs (queue, name, payload, state, priority, run_at, max_attempts, timeout_s,
                    retry_policy, metadata, unique_key, created_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """)
        var out: [EnqueueResult] = []
        out.reserveCapacity(prepared.count)
        let raw = RawStatement(insert, db)
        for p in prepared {
            if let key = p.job.uniqueKey, let row = try Row.fetchOne(findUnique, arguments: [key]) {
                let state = JobState(rawValue: row[1]) ?? .available
                let runAt: Double = row[2]
                out.append(EnqueueResult(id: JobID(row[0] as Int64), state: effective(state, runAt: runAt, now: nowS), duplicate: true))
                continue
            }
            let maxAttempts = QueueSettings.maxAttempts(of: p.job, queueDefault: settings[p.job.queue]?.maxAttempts)
            if p.job.hasDependencies {
                out.append(
                    try enqueueChild(p, parents: p.job.storedParents(earlier: out) ?? [], maxAttempts: maxAttempts, now: nowS, in: db))
                continue
            }
            raw.bind(1, p.job.queue)
            raw.bind(2, p.job.name)
            raw.bind(3, p.job.payload)
            raw.bind(4, p.state.rawValue)
            raw.bind(5, p.job.priority)
            raw.bind(6, p.runAt)
            raw.bind(7, maxAttempts)
            raw.bind(8, p.timeout)
            raw.bind(9, p.retryPolicy)
            raw.bind(10, p.metadata)
            raw.bind(11, p.job.uniqueKey)
            raw.bind(12, nowS)
            _ = try raw.step()
            raw.reset()
            out.append(EnqueueResult(id: JobID(db.lastInsertedRowID), state: p.state, duplicate: false))
        }
        let depth = try db.cachedStatement(
            sql: "SELECT count(*) FROM steward_jobs WHERE queue = ? AND state IN (\(JobState.queuedSQL))")
        for q in queues {
            guard let maxDepth = settings[q]?.maxDepth else { continue }
            let waiting = try Int.fetchOne(depth, arguments: [q]) ?? 0
            if waiting > maxDepth { throw StewardError.queueFull(queue: q, maxDepth: maxDepth) }
        }
        return out
    }

    /// Inserts a job with parents: `waiting` while any parent is unfinished, with an edge to each
    /// of those (finished parents count as done at once), and one more parent for each job it
    /// holds. An unknown parent, or a held job that is not waiting, fails the enqueue.
    private static func enqueueChild(_ p: PreparedJob, parents: [Int64], maxAttempts: Int, now: Double, in db: Database) throws
        -> EnqueueResult
    {
        let parentsJSON = try JobRecord.encodeParents(parents.isEmpty ? nil : parents)
        var unfinished: [Int64] = []
        if !parents.isEmpty {
            let read = try db.cachedStatement(sql: "SELECT id, state FROM steward_jobs WHERE id IN (SELECT value FROM json_each(?))")
            var states: [Int64: String] = [:]
            for row in try Row.fetchAll(read, arguments: [parentsJSON]) { states[row[0]] = row[1] }
            if let missing = parents.first(where: { states[$0] == nil }) { throw StewardError.parentNotFound(JobID(missing)) }
            unfinished = parents.filter { !(JobState(rawValue: states[$0]!)?.isFinished ?? false) }
        }
        let state = JobState.initial(
            runAt: Date(timeIntervalSince1970: p.runAt), now: Date(timeIntervalSince1970: now), unfinishedParents: unfinished.count)
        try db.cachedStatement(
            sql: """
                INSERT INTO steward_jobs (queue, name, payload, state, priority, run_at, max_attempts, timeout_s,
                    retry_policy, metadata, unique_key, created_at, depends_on, pending_parents)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """
        ).execute(arguments: [
            p.job.queue, p.job.name, p.job.payload, state.rawValue, p.job.priority, p.runAt, maxAttempts, p.timeout,
            p.retryPolicy, p.metadata, p.job.uniqueKey, now, parentsJSON, unfinished.count,
        ])
        let id = db.lastInsertedRowID
        let edge = try db.cachedStatement(sql: "INSERT INTO steward_job_dependencies (parent_id, child_id) VALUES (?, ?)")
        for parent in unfinished { try edge.execute(arguments: [parent, id]) }
        if !p.job.holds.isEmpty {
            let hold = try db.cachedStatement(
                sql: "UPDATE steward_jobs SET pending_parents = pending_parents + 1 WHERE id = ? AND state = \(JobState.waiting.sql)")
            for held in Set(p.job.holds.map(\.rawValue)).sorted() {
                try hold.execute(arguments: [held])
                guard db.changesCount == 1 else {
                    throw StewardError.invalidArgument("holds: job \(held) is not waiting (it must still wait for a parent)")
                }
                try edge.execute(arguments: [id, held])
            }
        }
        return EnqueueResult(id: JobID(id), state: state, duplicate: false)
    }

    /// In the transaction that finishes `parents`: deletes their edges and releases each child
    /// whose last unfinished parent this was. Returns the queues of released children.
    static func releaseChildren(of parents: [Int64], in db: Database) throws -> Set<String> {
        guard !parents.isEmpty else { return [] }
        // Most stores have no job waiting for another: one cheap probe skips the work.
        let anyEdge = try db.cachedStatement(sql: "SELECT EXISTS (SELECT 1 FROM steward_job_dependencies)")
        guard try Bool.fetchOne(anyEdge) == true else { return [] }
        let edges = try db.cachedStatement(
            sql: "DELETE FROM steward_job_dependencies WHERE parent_id IN (SELECT value FROM json_each(?)) RETURNING child_id")
        var finishedParents: [Int64: Int] = [:]
        for child in try Int64.fetchAll(edges, arguments: [jsonArray(parents)]) { finishedParents[child, default: 0] += 1 }
        guard !finishedParents.isEmpty else { return [] }
        let release = try db.cachedStatement(
            sql: """
                UPDATE steward_jobs SET pending_parents = pending_parents - ?,
                    state = CASE WHEN pending_parents - ? <= 0 THEN \(JobState.released.sql) ELSE state END
                WHERE id = ? AND state = \(JobState.waiting.sql) RETURNING state, queue
                """)
        var queues = Set<String>()
        for (child, count) in finishedParents {
            if let row = try Row.fetchOne(release, arguments: [count, count, child]), (row[0] as String) != JobState.waiting.rawValue {
                queues.insert(row[1])
            }
        }
        return queues
    }

    public func sweepWaitingJobs(now: Date) async throws -> Int {
        let (released, queues) = try await pool.write { db -> (Int, Set<String>) in
            // Edges whose parent finished or was purged; normally deleted with the parent's finish.
            try db.execute(
                sql: """
                    DELETE FROM steward_job_dependencies WHERE NOT EXISTS (
                        SELECT 1 FROM steward_jobs p WHERE p.id = steward_job_dependencies.parent_id AND p.state IN (\(JobState.liveSQL)))
                    """)
            let rows = try Row.fetchAll(
                db,
                sql: """
                    UPDATE steward_jobs SET state = \(JobState.released.sql), pending_parents = 0
                    WHERE pending_parents > 0 AND state = \(JobState.waiting.sql)
                        AND NOT EXISTS (SELECT 1 FROM steward_job_dependencies d WHERE d.child_id = steward_jobs.id)
                    RETURNING queue
                    """)
            return (rows.count, Set(rows.map { $0[0] as String }))
        }
        if !queues.isEmpty { hub.emit(queues) }
        return released
    }

    // MARK: claim and complete

    static let columns = """
        id, queue, name, payload, state, priority, run_at, attempt, max_attempts, timeout_s, retry_policy, metadata,
        unique_key, progress, result, error_type, error_message, error_attempt, original_queue, lease_owner,
        lease_expires_at, created_at, started_at, finished_at, depends_on
        """

    public func claim(queue: String, names: [String]?, limit: Int, owner: String, leaseUntil: Date, now: Date) async throws
        -> [ClaimedJob]
    {
        guard limit > 0, names?.isEmpty != true else { return [] }
        let records = try await pool.write { db in
            try Self.claimRows(db, queue: queue, names: names, limit: limit, owner: owner, leaseUntil: leaseUntil, now: now)
        }
        return ClaimedJob.inClaimOrder(records, leaseExpiresAt: leaseUntil)
    }

    public func claim(
        queue: String, names: [String]?, limit: Int, owner: String, leaseUntil: Date, now: Date, sharedRate rate: RateLimit
    ) async throws -> RateLimitedClaim {
        let (records, wait) = try await pool.write { db -> ([JobRecord], Duration) in
            let row = try Row.fetchOne(
                db, sql: "SELECT tokens, updated_at FROM steward_rate_buckets WHERE queue = ?", arguments: [queue])
            var bucket =
                row.map { TokenBucketState(tokens: $0[0], updatedAt: Date(timeIntervalSince1970: $0[1])) }
                ?? .full(rate, at: now)
            bucket.refill(rate, now: now)
            let n = names?.isEmpty == true ? 0 : bucket.available(upTo: limit)
            let records =
                n == 0
                ? []
                : try Self.claimRows(db, queue: queue, names: names, limit: n, owner: owner, leaseUntil: leaseUntil, now: now)
            bucket.tokens -= Double(records.count)
            try db.execute(
                sql: """
                    INSERT INTO steward_rate_buckets (queue, tokens, updated_at) VALUES (?, ?, ?)
                    ON CONFLICT (queue) DO UPDATE SET tokens = excluded.tokens, updated_at = excluded.updated_at
                    """,
                arguments: [queue, bucket.tokens, bucket.updatedAt.timeIntervalSince1970])
            return (records, bucket.waitTime(rate))
        }
        return RateLimitedClaim(jobs: ClaimedJob.inClaimOrder(records, leaseExpiresAt: leaseUntil), nextTokenIn: wait)
    }

    /// The claim itself, inside the caller's write transaction. `names` are the job names to
    /// take (not empty), or nil for every name: bound as `IN (?, …)`, one cached statement per
    /// count, so a claim pays no JSON.
    private static func claimRows(
        _ db: Database, queue: String, names: [String]?, limit: Int, owner: String, leaseUntil: Date, now: Date
    ) throws -> [JobRecord] {
        let nowS = now.timeIntervalSince1970
        let until = leaseUntil.timeIntervalSince1970
        let paused = try db.cachedStatement(sql: "SELECT paused FROM steward_queues WHERE name = ?")
        if try Bool.fetchOne(paused, arguments: [queue]) == true { return [] }
        let claim = try db.cachedStatement(
            sql: """
                UPDATE steward_jobs SET state = \(JobState.running.sql), attempt = attempt + 1, lease_owner = ?,
                    lease_expires_at = ?, started_at = ?, progress = NULL
                WHERE id IN (
                    SELECT id FROM steward_jobs
                    WHERE queue = ? AND state IN (\(JobState.queuedSQL)) AND run_at <= ?
                        \(names.map { "AND name IN (" + Array(repeating: "?", count: $0.count).joined(separator: ", ") + ")" } ?? "")
                    ORDER BY priority DESC, run_at, id LIMIT ?)
                RETURNING id, name, payload, priority, run_at, attempt, max_attempts, timeout_s, retry_policy,
                    metadata, unique_key, created_at, depends_on
                """)
        let raw = RawStatement(claim, db)
        raw.bind(1, owner)
        raw.bind(2, until)
        raw.bind(3, nowS)
        raw.bind(4, queue)
        raw.bind(5, nowS)
        var index: Int32 = 6
        for name in names ?? [] {
            raw.bind(index, name)
            index += 1
        }
        raw.bind(index, limit)
        defer { raw.reset() }
        var out: [JobRecord] = []
        out.reserveCapacity(limit)
        let leaseUntil = Date(timeIntervalSince1970: until)
        let startedAt = Date(timeIntervalSince1970: nowS)
        while try raw.step() {
            let (retryPolicy, metadata) = try JobRecord.decodeStored(
                retryPolicy: raw.optionalString(8), metadata: raw.optionalString(9))
            out.append(
                JobRecord(
                    id: JobID(raw.int64(0)), queue: queue, name: raw.string(1), payload: raw.string(2),
                    state: .running, priority: raw.int(3), runAt: Date(timeIntervalSince1970: raw.double(4)),
                    attempt: raw.int(5), maxAttempts: raw.int(6), timeout: raw.optionalDouble(7).map { .seconds(double: $0) },
                    retryPolicy: retryPolicy, metadata: metadata, uniqueKey: raw.optionalString(10), progress: nil, result: nil, lastError: nil, originalQueue: nil,
                    leaseOwner: owner, leaseExpiresAt: leaseUntil, createdAt: Date(timeIntervalSince1970: raw.double(11)),
                    startedAt: startedAt, finishedAt: nil, dependsOn: try JobRecord.decodeParents(raw.optionalString(12))))
        }
        return out
    }

    @discardableResult
    public func complete(_ outcomes: [JobOutcome], now: Date) async throws -> Set<JobID> {
        guard !outcomes.isEmpty else { return [] }
        let nowS = now.timeIntervalSince1970
        // Plain successes of one owner go in one statement; the rest one by one. Grouping and
        // JSON are prepared here, off the single writer connection.
        var plain: [String: [Int64]] = [:]
        var others: [JobOutcome] = []
        for o in outcomes {
            if case .succeeded(nil) = o.kind {
                plain[o.owner, default: []].append(o.id.rawValue)
            } else {
                others.append(o)
            }
        }
        let groups = plain.map { (owner: $0.key, ids: Self.jsonArray($0.value)) }
        let rest = others
        let (applied, wake) = try await pool.write { db -> (Set<JobID>, Set<String>) in
            var applied = Set<JobID>()
            var wake = Set<String>()
            let stmt = try db.cachedStatement(
                sql: """
                    UPDATE steward_jobs SET state = \(JobState.succeeded.sql), finished_at = ?, lease_expires_at = NULL
                    WHERE id IN (SELECT value FROM json_each(?)) AND state = \(JobState.running.sql) AND lease_owner = ?
                    RETURNING id
                    """)
            var finished: [Int64] = []
            for group in groups {
                let ids = try Int64.fetchCursor(stmt, arguments: [nowS, group.ids, group.owner])
                while let id = try ids.next() {
                    applied.insert(JobID(id))
                    finished.append(id)
                }
            }
            for o in rest where try self.apply(o, db: db, now: nowS, wake: &wake) {
                applied.insert(o.id)
                if o.kind.finishesJob { finished.append(o.id.rawValue) }
            }
            wake.formUnion(try Self.releaseChildren(of: finished, in: db))
            return (applied, wake)
        }
        if !wake.isEmpty { hub.emit(wake) }
        if !applied.isEmpty { finishedHub.emit([WakeupHub.anyQueue]) }
        return applied
    }

    /// Applies one guarded outcome; returns whether the job was still running under its owner.
    private func apply(_ o: JobOutcome, db: Database, now: Double, wake: inout Set<String>) throws -> Bool {
        let id = o.id.rawValue
        switch o.kind {
        case .succeeded(let result):
            let stmt = try db.cachedStatement(
                sql: """
                    UPDATE steward_jobs SET state = \(JobState.succeeded.sql), result = ?, finished_at = ?, lease_expires_at = NULL
                    WHERE id = ? AND state = \(JobState.running.sql) AND lease_owner = ?
                    """)
            try stmt.execute(arguments: [result, now, id, o.owner])
            return db.changesCount > 0
        case .retry(let runAt, let error):
            guard try recordAttempt(db, id: id, owner: o.owner, startedAt: o.startedAt, now: now, outcome: o.historyName, error: error)
            else { return false }
            let stmt = try db.cachedStatement(
                sql: """
                    UPDATE steward_jobs SET state = \(JobState.scheduled.sql), run_at = ?, error_type = ?, error_message = ?,
                        error_attempt = ?, lease_owner = NULL, lease_expires_at = NULL
                    WHERE id = ?
                    """)
            try stmt.execute(arguments: [runAt.timeIntervalSince1970, error.type, error.message, error.attempt, id])
            return true
        case .dead(let error):
            guard try recordAttempt(db, id: id, owner: o.owner, startedAt: o.startedAt, now: now, outcome: o.historyName, error: error)
            else { return false }
            try deadLetter(db, whereSQL: "id = ?", arguments: [id], error: error, now: now)
            return true
        case .cancelled(let error):
            guard try recordAttempt(db, id: id, owner: o.owner, startedAt: o.startedAt, now: now, outcome: o.historyName, error: error)
            else { return false }
            let stmt = try db.cachedStatement(
                sql: """
                    UPDATE steward_jobs SET state = \(JobState.cancelled.sql), finished_at = ?, lease_expires_at = NULL,
                        error_type = coalesce(?, error_type), error_message = coalesce(?, error_message),
                        error_attempt = coalesce(?, error_attempt)
                    WHERE id = ?
                    """)
            try stmt.execute(arguments: [now, error?.type, error?.message, error?.attempt, id])
            return true
        case .notRun(let reason):
            let stmt = try db.cachedStatement(
                sql: """
                    UPDATE steward_jobs SET state = \(JobState.cancelled.sql), attempt = max(0, attempt - 1), finished_at = ?,
                        lease_expires_at = NULL, error_type = ?, error_message = ?, error_attempt = 0
                    WHERE id = ? AND state = \(JobState.running.sql) AND lease_owner = ?
                    """)
            try stmt.execute(arguments: [now, reason.type, reason.message, id, o.owner])
            return db.changesCount > 0
        case .released:
            guard try recordAttempt(db, id: id, owner: o.owner, startedAt: o.startedAt, now: now, outcome: o.historyName, error: nil)
            else { return false }
            let stmt = try db.cachedStatement(
                sql: """
                    UPDATE steward_jobs SET state = \(JobState.available.sql), attempt = max(0, attempt - 1), lease_owner = NULL,
                        lease_expires_at = NULL, run_at = min(run_at, ?)
                    WHERE id = ? RETURNING queue
                    """)
            if let queue = try String.fetchOne(stmt, arguments: [now, id]) { wake.insert(queue) }
            return true
        }
    }

    /// Writes a history row for a non-successful attempt, if the job is still running under `owner`.
    private func recordAttempt(
        _ db: Database, id: Int64, owner: String, startedAt: Date, now: Double, outcome: String, error: JobErrorInfo?
    ) throws -> Bool {
        let stmt = try db.cachedStatement(
            sql: """
                INSERT INTO steward_attempts (job_id, queue, attempt, worker, started_at, finished_at, outcome,
                    error_type, error_message)
                SELECT id, queue, attempt, lease_owner, ?, ?, ?, ?, ? FROM steward_jobs
                WHERE id = ? AND state = \(JobState.running.sql) AND lease_owner = ?
                """)
        try stmt.execute(arguments: [
            startedAt.timeIntervalSince1970, now, outcome, error?.type, error?.message, id, owner,
        ])
        return db.changesCount > 0
    }

    /// Moves matching running jobs to their queue's dead-letter queue; returns their ids.
    @discardableResult
    private func deadLetter(
        _ db: Database, whereSQL: String, arguments: StatementArguments, error: JobErrorInfo?, now: Double
    ) throws -> [Int64] {
        let rows = try Row.fetchAll(
            db,
            sql: """
                UPDATE steward_jobs SET state = \(JobState.dead.sql), original_queue = queue,
                    queue = coalesce((SELECT dead_letter_queue FROM steward_queues q WHERE q.name = steward_jobs.queue),
                                     queue || ?),
                    finished_at = ?, lease_expires_at = NULL,
                    error_type = coalesce(?, error_type), error_message = coalesce(?, error_message),
                    error_attempt = coalesce(?, error_attempt, attempt)
                WHERE \(whereSQL) RETURNING id, queue
                """,
            arguments: [QueueSettings.deadLetterSuffix, now, error?.type, error?.message, error?.attempt] + arguments)
        let register = try db.cachedStatement(sql: "INSERT OR IGNORE INTO steward_queues (name) VALUES (?)")
        for queue in Set(rows.map { $0[1] as String }) { try register.execute(arguments: [queue]) }
        return rows.map { $0[0] }
    }

    public func extendLeases(_ ids: [JobID], owner: String, until: Date) async throws -> Set<JobID> {
        guard !ids.isEmpty else { return [] }
        let held = try await pool.write { db in
            try Int64.fetchAll(
                db.cachedStatement(
                    sql: """
                        UPDATE steward_jobs SET lease_expires_at = ?
                        WHERE id IN (SELECT value FROM json_each(?)) AND state = \(JobState.running.sql) AND lease_owner = ?
                        RETURNING id
                        """),
                arguments: [until.timeIntervalSince1970, Self.jsonArray(ids.map(\.rawValue)), owner])
        }
        return Set(held.map { JobID(rawValue: $0) })
    }

    public func updateProgress(_ updates: [ProgressUpdate], now: Date) async throws {
        guard !updates.isEmpty else { return }
        let encoded = try updates.map { ($0, try JSONCoding.encode($0.progress)) }
        try await pool.write { db in
            let stmt = try db.cachedStatement(
                sql: "UPDATE steward_jobs SET progress = ? WHERE id = ? AND state = \(JobState.running.sql) AND lease_owner = ?")
            for (u, json) in encoded {
                try stmt.execute(arguments: [json, u.id.rawValue, u.owner])
            }
        }
    }

    public func rescueExpiredLeases(now: Date) async throws -> RescueReport {
        let nowS = now.timeIntervalSince1970
        let (report, wake) = try await pool.write { db -> (RescueReport, Set<String>) in
            var expired: [(job: LeaseRescue.Expired, queue: String)] = []
            for row in try Row.fetchAll(
                db,
                sql: """
                    SELECT id, queue, attempt, max_attempts, retry_policy FROM steward_jobs
                    WHERE state = \(JobState.running.sql) AND lease_expires_at < ?
                    """, arguments: [nowS])
            {
                let id: Int64 = try row.value(0, "id")
                let policy = try JobRecord.decodeStored(retryPolicy: try row.value(4, "retry_policy", job: id), metadata: nil).0
                expired.append((
                    LeaseRescue.Expired(
                        id: JobID(id), attempt: try row.value(2, "attempt", job: id), maxAttempts: try row.value(3, "max_attempts", job: id),
                        retryPolicy: policy),
                    try row.value(1, "queue", job: id)
                ))
            }
            guard !expired.isEmpty else { return (RescueReport(), []) }
            try db.execute(
                sql: """
                    INSERT INTO steward_attempts (job_id, queue, attempt, worker, started_at, finished_at, outcome,
                        error_type, error_message)
                    SELECT id, queue, attempt, coalesce(lease_owner, ''), coalesce(started_at, ?), ?, '\(LeaseRescue.historyName)', 'LeaseExpired',
                        'lease of worker ' || coalesce(lease_owner, '?') || ' expired: the worker stopped heartbeating'
                    FROM steward_jobs WHERE state = \(JobState.running.sql) AND lease_expires_at < ?
                    """, arguments: [nowS, nowS, nowS])
            var requeued: [JobID] = []
            var deadIDs: [Int64] = []
            var wake = Set<String>()
            let requeue = try db.cachedStatement(
                sql: """
                    UPDATE steward_jobs SET state = ?, run_at = ?, lease_owner = NULL, lease_expires_at = NULL,
                        error_type = ?, error_message = ?, error_attempt = attempt
                    WHERE id = ? AND state = \(JobState.running.sql)
                    """)
            for (job, queue) in expired {
                switch LeaseRescue.decide(job, now: now) {
                case .dead:
                    deadIDs.append(job.id.rawValue)
                case .retry(let runAt):
                    let state = JobState.initial(runAt: runAt, now: now)
                    try requeue.execute(arguments: [
                        state.rawValue, runAt.timeIntervalSince1970, LeaseRescue.requeuedError.type,
                        LeaseRescue.requeuedError.message, job.id.rawValue,
                    ])
                    requeued.append(job.id)
                    wake.insert(queue)
                }
            }
            if !deadIDs.isEmpty {
                try self.deadLetter(
                    db, whereSQL: "id IN (SELECT value FROM json_each(?))", arguments: [Self.jsonArray(deadIDs)],
                    error: JobErrorInfo(type: LeaseRescue.deadError.type, message: LeaseRescue.deadError.message, attempt: 0),
                    now: nowS)
                // The error belongs to the attempt the lease expired on.
                try db.execute(
                    sql: "UPDATE steward_jobs SET error_attempt = attempt WHERE id IN (SELECT value FROM json_each(?))",
                    arguments: [Self.jsonArray(deadIDs)])
                wake.formUnion(try Self.releaseChildren(of: deadIDs, in: db))
            }
            return (RescueReport(requeued: requeued, deadLettered: deadIDs.map { JobID(rawValue: $0) }), wake)
        }
        if !wake.isEmpty { hub.emit(wake) }
        if !report.deadLettered.isEmpty { finishedHub.emit([WakeupHub.anyQueue]) }
        return report
    }

    // MARK: control

    public func cancel(_ id: JobID, now: Date) async throws -> JobRecord {
        let nowS = now.timeIntervalSince1970
        let (record, wake) = try await pool.write { db -> (JobRecord, Set<String>) in
            guard let current = try self.fetchRecord(db, id: id.rawValue, now: nowS) else { throw StewardError.jobNotFound(id) }
            if current.state.isFinished {
                throw StewardError.invalidTransition(job: id, from: current.state, action: "cancel")
            }
            if current.state == .running, let owner = current.leaseOwner {
                _ = try self.recordAttempt(
                    db, id: id.rawValue, owner: owner, startedAt: current.startedAt ?? now, now: nowS,
                    outcome: JobOutcome.HistoryName.cancelled.rawValue, error: nil)
            }
            try db.execute(
                sql: """
                    UPDATE steward_jobs SET state = \(JobState.cancelled.sql), finished_at = ?, lease_expires_at = NULL WHERE id = ?
                    """, arguments: [nowS, id.rawValue])
            let wake = try Self.releaseChildren(of: [id.rawValue], in: db)
            return (try self.fetchRecord(db, id: id.rawValue, now: nowS)!, wake)
        }
        if !wake.isEmpty { hub.emit(wake) }
        finishedHub.emit([record.queue])
        return record
    }

    public func retry(_ id: JobID, now: Date) async throws -> JobRecord {
        let nowS = now.timeIntervalSince1970
        let record = try await pool.write { db in
            guard let current = try self.fetchRecord(db, id: id.rawValue, now: nowS) else { throw StewardError.jobNotFound(id) }
            guard current.state == .dead || current.state == .cancelled else {
                throw StewardError.invalidTransition(job: id, from: current.state, action: "retry")
            }
            if let key = current.uniqueKey,
                try Int64.fetchOne(
                    db, sql: "SELECT id FROM steward_jobs WHERE unique_key = ? AND state IN (\(JobState.liveSQL))",
                    arguments: [key]) != nil
            {
                throw StewardError.invalidArgument("job \(id): another live job holds its unique key '\(key)'")
            }
            try db.execute(
                sql: """
                    UPDATE steward_jobs SET state = \(JobState.available.sql), queue = coalesce(original_queue, queue),
                        original_queue = NULL, attempt = 0, run_at = ?, finished_at = NULL, result = NULL,
                        lease_owner = NULL, lease_expires_at = NULL, progress = NULL
                    WHERE id = ?
                    """, arguments: [nowS, id.rawValue])
            return try self.fetchRecord(db, id: id.rawValue, now: nowS)!
        }
        hub.emit([record.queue])
        return record
    }

    public func configureQueues(_ settings: [QueueSettings]) async throws {
        try await pool.write { db in
            for s in settings {
                try db.execute(
                    sql: """
                        INSERT INTO steward_queues (name, max_depth, dead_letter_queue, max_attempts) VALUES (?, ?, ?, ?)
                        ON CONFLICT (name) DO UPDATE SET max_depth = excluded.max_depth,
                            dead_letter_queue = excluded.dead_letter_queue, max_attempts = excluded.max_attempts
                        """, arguments: [s.name, s.maxDepth, s.deadLetterQueue, s.maxAttempts])
            }
        }
    }

    public func setPaused(_ paused: Bool, queue: String) async throws {
        try await pool.write { db in
            try db.execute(
                sql: """
                    INSERT INTO steward_queues (name, paused) VALUES (?, ?)
                    ON CONFLICT (name) DO UPDATE SET paused = excluded.paused
                    """, arguments: [queue, paused])
        }
        if !paused { hub.emit([queue]) }
    }

    public func purgeFinished(before: Date) async throws -> Int {
        let cutoff = before.timeIntervalSince1970
        return try await pool.write { db in
            var total = 0
            for queue in try String.fetchAll(db, sql: "SELECT name FROM steward_queues") {
                let ids = try Int64.fetchAll(
                    db,
                    sql: """
                        DELETE FROM steward_jobs WHERE queue = ? AND finished_at IS NOT NULL
                            AND finished_at < ? RETURNING id
                        """, arguments: [queue, cutoff])
                if !ids.isEmpty {
                    try db.execute(
                        sql: "DELETE FROM steward_attempts WHERE job_id IN (SELECT value FROM json_each(?))",
                        arguments: [Self.jsonArray(ids)])
                }
                total += ids.count
            }
            try db.execute(sql: "DELETE FROM steward_idempotency_keys WHERE expires_at < ?", arguments: [cutoff])
            return total
        }
    }

    // MARK: coordination

    public func acquireLease(name: String, owner: String, ttl: Duration, now: Date) async throws -> Bool {
        let nowS = now.timeIntervalSince1970
        return try await pool.write { db in
            try db.execute(
                sql: """
                    INSERT INTO steward_leases (name, owner, expires_at) VALUES (?, ?, ?)
                    ON CONFLICT (name) DO UPDATE SET owner = excluded.owner, expires_at = excluded.expires_at
                    WHERE steward_leases.owner = excluded.owner OR steward_leases.expires_at <= ?
                    """, arguments: [name, owner, nowS + ttl.seconds, nowS])
            return db.changesCount > 0
        }
    }

    public func releaseLease(name: String, owner: String) async throws {
        try await pool.write { db in
            try db.execute(sql: "DELETE FROM steward_leases WHERE name = ? AND owner = ?", arguments: [name, owner])
        }
    }

    public func finishedJobs() -> AsyncStream<String> {
        background.startWatching()
        return finishedHub.stream()
    }

    public func wakeups() -> AsyncStream<String> {
        background.startWatching()
        return hub.stream()
    }

    public func close() async throws {
        background.stop()
        hub.finish()
        finishedHub.finish()
        try pool.close()
    }
}

/// A job's column values computed before the write transaction (JSON encoding off the lock).
struct PreparedJob {
    var job: NewJob
    var state: JobState
    var runAt: Double
    var timeout: Double?
    var retryPolicy: String?
    var metadata: String?

    init(job: NewJob, now: Double) throws {
        try job.validate()
        self.job = job
        let at = job.runAt?.timeIntervalSince1970 ?? now
        runAt = at
        state = JobState.initial(runAt: Date(timeIntervalSince1970: at), now: Date(timeIntervalSince1970: now))
        timeout = job.timeout?.seconds
        retryPolicy = try job.storedRetryPolicy()
        metadata = try job.storedMetadata()
    }
}

/// ``JobState/effective(runAt:now:)`` for the store's epoch seconds.
func effective(_ state: JobState, runAt: Double, now: Double) -> JobState {
    state.effective(runAt: Date(timeIntervalSince1970: runAt), now: Date(timeIntervalSince1970: now))
}
