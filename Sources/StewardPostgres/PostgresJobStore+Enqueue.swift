public import Foundation
import Logging
import PostgresNIO
public import Steward
import Synchronization

extension PostgresJobStore {
    /// A job as the JSON recordset of an insert reads it (keyed jobs; graphs, which also give
    /// their reserved id and dependency columns).
    struct InsertRow: Encodable {
        var queue: String
        var name: String
        var payload: String
        var state: String
        var priority: Int
        var run_at: Double
        var max_attempts: Int
        var timeout_s: Double?
        var retry_policy: String?
        var metadata: String?
        var unique_key: String?
        var id: Int64? = nil
        var depends_on: String? = nil
        var pending_parents: Int? = nil
        var has_children: Bool? = nil
    }

    /// The columns `json_to_recordset` reads an ``InsertRow`` batch with (keyed jobs).
    static let recordColumns = """
        queue text, name text, payload text, state text, priority integer,
            run_at double precision, max_attempts integer, timeout_s double precision, retry_policy text, metadata text,
            unique_key text
        """

    public func enqueue(_ jobs: [NewJob], now: Date) async throws -> [EnqueueResult] {
        guard !jobs.isEmpty else { return [] }
        // Each job is validated once, as its row is built (JobRow); the batch's indexes here.
        try NewJob.checkBatchIndexes(jobs)
        let queues = Array(Set(jobs.map(\.queue))).sorted()
        let transactional =
            jobs.contains { $0.uniqueKey != nil || $0.hasDependencies } || boundedQueues.withLock { !$0.isDisjoint(with: queues) }
        var results: [EnqueueResult]
        do {
            results =
                transactional
                ? try await enqueueOneByOne(jobs, queues: queues, now: now)
                : try await enqueueInOneStatement(jobs, queues: queues, now: now)
        } catch let bounded as BoundedQueue {
            // Learnt once per process; the statement still checks, so a queue bounded later by
            // another process is never over-filled.
            boundedQueues.withLock { _ = $0.insert(bounded.queue) }
            results = try await enqueueOneByOne(jobs, queues: queues, now: now)
        }
        hub.emit(queues)
        return results
    }

    /// Jobs without unique keys, in one autocommit statement (one round trip): register the
    /// queues, read their settings, check max depth, insert from binary arrays, notify. A single
    /// job into a queue this store has registered takes the leaner ``PostgresStatements/EnqueueOne``.
    private func enqueueInOneStatement(_ jobs: [NewJob], queues: [String], now: Date) async throws -> [EnqueueResult] {
        if jobs.count == 1, registeredQueues.withLock({ $0.contains(jobs[0].queue) }) {
            let (statement, state) = try enqueueOne(jobs[0], now: now)
            return try Self.results(of: try await execute(statement)[0], states: [state])
        }
        let (statement, states) = try enqueueStatement(jobs, now: now, depthLocked: false)
        let results = try Self.results(of: try await execute(statement)[0], states: states)
        registeredQueues.withLock { $0.formUnion(queues) }
        return results
    }

    /// The lean statement for one job into a registered queue, and the state the job starts in.
    private func enqueueOne(_ job: NewJob, now: Date) throws -> (PostgresStatements.EnqueueOne, JobState) {
        let (bindings, state) = try enqueueOneBindings(job, now: now)
        return (PostgresStatements.EnqueueOne(bindings: bindings), state)
    }

    /// The bindings `$1`–`$14` of ``PostgresStatements/EnqueueOne`` (which
    /// ``PostgresStatements/StartRun`` shares), and the state the job starts in.
    func enqueueOneBindings(_ job: NewJob, now: Date) throws -> (PostgresBindings, JobState) {
        let c = try Columns(job, now: now)
        var bindings = PostgresBindings()
        bindings.append(c.queue)
        bindings.append(c.name)
        bindings.append(c.payload)
        bindings.append(c.state.rawValue)
        bindings.append(c.priority)
        bindings.append(c.runAt)
        bindings.append(c.maxAttempts)
        bindings.append(c.timeout)
        bindings.append(c.retryPolicy)
        bindings.append(c.metadata)
        appendCommon(&bindings, now: now, depthLocked: false)
        return (bindings, c.state)
    }

    /// Whether one job may take the lean one-statement path: its queue is registered and not
    /// bounded, and it has no unique key and no dependencies.
    func isLean(_ job: NewJob) -> Bool {
        job.uniqueKey == nil && !job.hasDependencies && registeredQueues.withLock { $0.contains(job.queue) }
            && !boundedQueues.withLock { $0.contains(job.queue) }
    }

    /// One job inside the caller's transaction: the lean statement when its queue is registered,
    /// unbounded and the job plain (one round trip), else the general path.
    func enqueueOne(_ job: NewJob, now: Date, on conn: PostgresConnection) async throws -> EnqueueResult {
        if isLean(job) {
            let (statement, state) = try enqueueOne(job, now: now)
            var rows: [PostgresStatements.Enqueue.Row] = []
            for try await row in try await conn.execute(statement, logger: logger) { rows.append(row) }
            if let row = rows.first, row.0 == nil { return try Self.results(of: row, states: [state])[0] }
        }
        return try await enqueue([job], queues: [job.queue], now: now, on: conn)[0]
    }

    /// One job's column values as the enqueue statements bind them (sentinels stand for NULL,
    /// since binary arrays cannot hold one: 0 attempts = the queue's default, -1 = no timeout).
    private struct Columns {
        var queue: String, name: String, payload: String, state: JobState, priority: Int32, runAt: Date
        var maxAttempts: Int32, timeout: Double, retryPolicy: String, metadata: String

        init(_ job: NewJob, now: Date) throws {
            let r = try JobRow(job, now: now)
            (queue, name, payload) = (job.queue, job.name, job.payload)
            state = r.state
            priority = Int32(clamping: job.priority)
            runAt = r.runAt
            // 0: the statement takes the queue's default, as JobRow.maxAttempts would.
            maxAttempts = Int32(clamping: job.retryPolicy?.maxAttempts ?? 0)
            timeout = r.timeoutSeconds ?? -1
            retryPolicy = r.retryPolicy ?? ""
            metadata = r.metadata ?? ""
        }
    }

    private func appendCommon(_ bindings: inout PostgresBindings, now: Date, depthLocked: Bool) {
        bindings.append(now)
        bindings.append(channel)
        bindings.append(RetryPolicy.default.maxAttempts)
        bindings.append(depthLocked)
    }

    /// A one-statement enqueue met a queue with a max depth (see ``PostgresStatements/Enqueue``).
    struct BoundedQueue: Error {
        var queue: String
    }

    /// The prepared enqueue statement for keyless jobs, and the state each job starts in.
    private func enqueueStatement(_ jobs: [NewJob], now: Date, depthLocked: Bool) throws
        -> (PostgresStatements.Enqueue, [JobState])
    {
        var queue: [String] = [], name: [String] = [], payload: [String] = [], state: [String] = []
        var priority: [Int32] = [], runAt: [Date] = [], maxAttempts: [Int32] = [], timeout: [Double] = []
        var retry: [String] = [], metadata: [String] = []
        var states: [JobState] = []
        for job in jobs {
            let c = try Columns(job, now: now)
            states.append(c.state)
            queue.append(c.queue)
            name.append(c.name)
            payload.append(c.payload)
            state.append(c.state.rawValue)
            priority.append(c.priority)
            runAt.append(c.runAt)
            maxAttempts.append(c.maxAttempts)
            timeout.append(c.timeout)
            retry.append(c.retryPolicy)
            metadata.append(c.metadata)
        }
        var bindings = PostgresBindings()
        bindings.append(queue)
        bindings.append(name)
        bindings.append(payload)
        bindings.append(state)
        bindings.append(priority)
        bindings.append(runAt)
        bindings.append(maxAttempts)
        bindings.append(timeout)
        bindings.append(retry)
        bindings.append(metadata)
        appendCommon(&bindings, now: now, depthLocked: depthLocked)
        return (PostgresStatements.Enqueue(bindings: bindings), states)
    }

    /// Maps the enqueue statement's answer to results, or throws ``BoundedQueue``.
    private static func results(of row: PostgresStatements.Enqueue.Row, states: [JobState]) throws -> [EnqueueResult] {
        if let bounded = row.0 { throw BoundedQueue(queue: bounded) }
        // Ids come from the sequence in input order (the insert is ordered by ordinality).
        let ids: [Int64] = row.2 ?? []
        guard ids.count == states.count else {
            throw StewardError.storeUnavailable("postgres: inserted \(ids.count) of \(states.count) jobs")
        }
        return zip(ids, states).map { EnqueueResult(id: JobID($0), state: $1, duplicate: false) }
    }

    /// A concurrent request recorded the same key first; the transaction is undone and the key read again.
    private struct IdempotencyRace: Error {}

    public func enqueue(_ job: NewJob, idempotency: IdempotencyKey, now: Date) async throws -> IdempotentEnqueue {
        for _ in 0..<3 {
            do {
                let s = quotedSchema
                let outcome = try await transaction { [self] conn -> IdempotentEnqueue in
                    for try await (id, fingerprint) in try await conn.query(
                        """
                        SELECT job_id, fingerprint FROM \(unescaped: s).steward_idempotency_keys
                        WHERE key = \(idempotency.key) AND expires_at > \(now) FOR UPDATE
                        """, logger: logger
                    ).decode((Int64, String).self) {
                        return .held(JobID(id), fingerprint: fingerprint, asked: idempotency)
                    }
                    let result = try await enqueue([job], queues: [job.queue], now: now, on: conn)[0]
                    // An expired row is taken over; a live one (another request's, committed
                    // meanwhile) is not: then this transaction is undone and the key read again.
                    var recorded = false
                    for try await _ in try await conn.query(
                        """
                        INSERT INTO \(unescaped: s).steward_idempotency_keys AS k (key, fingerprint, job_id, created_at, expires_at)
                        VALUES (\(idempotency.key), \(idempotency.fingerprint), \(result.id.rawValue), \(now), \(idempotency.expiresAt))
                        ON CONFLICT (key) DO UPDATE SET fingerprint = excluded.fingerprint, job_id = excluded.job_id,
                            created_at = excluded.created_at, expires_at = excluded.expires_at
                        WHERE k.expires_at <= excluded.created_at
                        RETURNING k.key
                        """, logger: logger
                    ) {
                        recorded = true
                    }
                    guard recorded else { throw IdempotencyRace() }
                    return .created(result)
                }
                if case .created = outcome { hub.emit([job.queue]) }
                return outcome
            } catch is IdempotencyRace {
                continue
            }
        }
        throw StewardError.storeUnavailable("idempotency key '\(idempotency.key)': kept changing under concurrent requests")
    }

    /// Batches with unique keys: one transaction; a live job holding a key (also one earlier in
    /// the same batch) is returned instead of a new one.
    private func enqueueOneByOne(_ jobs: [NewJob], queues: [String], now: Date) async throws -> [EnqueueResult] {
        try await transaction { [self] conn in try await enqueue(jobs, queues: queues, now: now, on: conn) }
    }

    /// Enqueues inside the caller's transaction on `conn` (any mix of keyed and plain jobs).
    func enqueue(_ jobs: [NewJob], queues: [String], now: Date, on conn: PostgresConnection) async throws -> [EnqueueResult] {
        let s = quotedSchema
        try await conn.query(
            "INSERT INTO \(unescaped: s).steward_queues (name) SELECT unnest(\(queues)::text[]) ON CONFLICT DO NOTHING", logger: logger)
        // Bounded queues are locked first, so the depth counted below (a later statement, a newer
        // snapshot) includes every enqueue that committed before this one: none can overfill.
        try await conn.query(
            "SELECT name FROM \(unescaped: s).steward_queues WHERE name = ANY(\(queues)) AND max_depth IS NOT NULL ORDER BY name FOR UPDATE",
            logger: logger)
        var settings: [String: (maxDepth: Int?, maxAttempts: Int?)] = [:]
        let settingRows = try await conn.query(
            "SELECT name, max_depth, max_attempts FROM \(unescaped: s).steward_queues WHERE name = ANY(\(queues))", logger: logger)
        for try await (name, maxDepth, maxAttempts) in settingRows.decode((String, Int?, Int?).self) {
            settings[name] = (maxDepth, maxAttempts)
        }
        func row(_ job: NewJob) throws -> InsertRow {
            let r = try JobRow(job, now: now)
            return InsertRow(
                queue: job.queue, name: job.name, payload: job.payload, state: r.state.rawValue, priority: job.priority,
                run_at: r.runAt.timeIntervalSince1970, max_attempts: r.maxAttempts(queueDefault: settings[job.queue]?.maxAttempts),
                timeout_s: r.timeoutSeconds, retry_policy: r.retryPolicy, metadata: r.metadata, unique_key: job.uniqueKey)
        }
        var out = [EnqueueResult?](repeating: nil, count: jobs.count)
        // Jobs without a unique key: the same prepared statement as a keyless batch.
        let plain = jobs.indices.filter { jobs[$0].uniqueKey == nil && !jobs[$0].hasDependencies }
        if !plain.isEmpty {
            let (statement, states) = try enqueueStatement(plain.map { jobs[$0] }, now: now, depthLocked: true)
            var answer: PostgresStatements.Enqueue.Row? = nil
            for try await row in try await conn.execute(statement, logger: logger) { answer = row }
            for (index, result) in zip(plain, try Self.results(of: answer!, states: states)) { out[index] = result }
        }
        // Jobs with a unique key, in one statement: ON CONFLICT DO NOTHING skips a key held by a
        // live job (also by an earlier row of this batch); those are looked up in one more query.
        let keyed = jobs.indices.filter { jobs[$0].uniqueKey != nil && !jobs[$0].hasDependencies }
        if !keyed.isEmpty {
            let keyedRows = try JSONCoding.encode(try keyed.map { try row(jobs[$0]) })
            var inserted: [String: Int64] = [:]
            for try await (id, key) in try await conn.query(
                """
                INSERT INTO \(unescaped: s).steward_jobs (queue, name, payload, state, priority, run_at, max_attempts, timeout_s,
                    retry_policy, metadata, unique_key, created_at)
                SELECT r.queue, r.name, r.payload, r.state, r.priority, to_timestamp(r.run_at), r.max_attempts,
                    r.timeout_s, r.retry_policy, r.metadata, r.unique_key, \(now)
                FROM json_to_recordset(\(keyedRows)::json) AS r(\(unescaped: Self.recordColumns))
                ON CONFLICT (unique_key) WHERE unique_key IS NOT NULL AND state IN (\(unescaped: JobState.liveSQL))
                DO NOTHING RETURNING id, unique_key
                """, logger: logger
            ).decode((Int64, String).self) {
                inserted[key] = id
            }
            var existing: [String: (Int64, JobState)] = [:]
            let missing = Set(keyed.compactMap { jobs[$0].uniqueKey }).subtracting(inserted.keys)
            if !missing.isEmpty {
                for try await (key, id, state, runAt) in try await conn.query(
                    """
                    SELECT unique_key, id, state, run_at FROM \(unescaped: s).steward_jobs
                    WHERE unique_key = ANY(\(Array(missing))) AND state IN (\(unescaped: JobState.liveSQL))
                    """, logger: logger
                ).decode((String, Int64, String, Date).self) {
                    let st = JobState(rawValue: state) ?? .available
                    existing[key] = (id, st.effective(runAt: runAt, now: now))
                }
            }
            var firstSeen: [String: JobState] = [:]
            for index in keyed {
                let job = jobs[index]
                let key = job.uniqueKey!
                if let id = inserted[key] {
                    if let state = firstSeen[key] {
                        out[index] = EnqueueResult(id: JobID(id), state: state, duplicate: true)
                    } else {
                        let state = JobState.initial(runAt: job.runAt ?? now, now: now)
                        firstSeen[key] = state
                        out[index] = EnqueueResult(id: JobID(id), state: state, duplicate: false)
                    }
                } else if let (id, state) = existing[key] {
                    out[index] = EnqueueResult(id: JobID(id), state: state, duplicate: true)
                } else {
                    throw StewardError.storeUnavailable("postgres: unique key '\(key)' neither inserted nor held by a live job")
                }
            }
        }
        // A graph enqueued at once (a workflow's tasks, a fan-out's items): new jobs that depend
        // only on jobs of this call, in a fixed number of statements however many there are.
        let graph = jobs.indices.filter { i in
            jobs[i].hasDependencies && jobs[i].dependsOn.isEmpty && jobs[i].uniqueKey == nil
                && jobs[i].dependsOnBatch.allSatisfy { jobs[$0].uniqueKey == nil && jobs[$0].dependsOn.isEmpty }
        }
        if !graph.isEmpty {
            try await enqueueGraph(graph, of: jobs, into: &out, settings: settings, now: now, on: conn)
        }
        // Other jobs with dependencies last, in order: a batch index names an earlier job, inserted by now.
        for index in jobs.indices where jobs[index].hasDependencies && out[index] == nil {
            out[index] = try await enqueueChild(
                jobs[index], parents: jobs[index].storedParents(earlier: out) ?? [],
                maxAttempts: QueueSettings.maxAttempts(of: jobs[index], queueDefault: settings[jobs[index].queue]?.maxAttempts),
                now: now, on: conn)
        }
        for q in queues {
            guard let maxDepth = settings[q]?.maxDepth else { continue }
            for try await waiting in try await conn.query(
                "SELECT count(*) FROM \(unescaped: s).steward_jobs WHERE queue = \(q) AND state IN (\(unescaped: JobState.queuedSQL))",
                logger: logger
            ).decode(Int.self) {
                try QueueSettings.checkDepth(queue: q, waiting: waiting, maxDepth: maxDepth)
            }
        }
        try await conn.query("SELECT pg_notify(\(channel), q) FROM unnest(\(queues)::text[]) AS q", logger: logger)
        return out.map { $0! }
    }

    /// Inserts a job with parents inside the caller's transaction: `waiting` while any parent is
    /// unfinished, with an edge to each of those. Parent rows are locked (in id order) first, so a
    /// parent finishing at the same moment either commits before (and counts as finished here) or
    /// sees `has_children` and releases through the transactional path.
    private func enqueueChild(_ job: NewJob, parents: [Int64], maxAttempts: Int, now: Date, on conn: PostgresConnection) async throws
        -> EnqueueResult
    {
        let s = quotedSchema
        var states: [Int64: JobState] = [:]
        for try await (id, state) in try await conn.query(
            "SELECT id, state FROM \(unescaped: s).steward_jobs WHERE id = ANY(\(parents)) ORDER BY id FOR UPDATE", logger: logger
        ).decode((Int64, String).self) {
            states[id] = JobState(rawValue: state)
        }
        if let missing = parents.first(where: { states[$0] == nil }) { throw StewardError.parentNotFound(JobID(missing)) }
        let unfinished = parents.filter { !(states[$0]?.isFinished ?? false) }
        let r = try JobRow(job, now: now)
        let state = unfinished.isEmpty ? r.state : .waiting
        let parentsJSON = try JobRecord.encodeParents(parents.isEmpty ? nil : parents)
        var inserted: Int64? = nil
        for try await id in try await conn.query(
            """
            INSERT INTO \(unescaped: s).steward_jobs (queue, name, payload, state, priority, run_at, max_attempts, timeout_s,
                retry_policy, metadata, unique_key, created_at, depends_on, pending_parents)
            VALUES (\(job.queue), \(job.name), \(job.payload), \(state.rawValue), \(job.priority), \(r.runAt), \(maxAttempts),
                \(r.timeoutSeconds), \(r.retryPolicy), \(r.metadata), \(job.uniqueKey), \(now), \(parentsJSON), \(unfinished.count))
            ON CONFLICT (unique_key) WHERE unique_key IS NOT NULL AND state IN (\(unescaped: JobState.liveSQL)) DO NOTHING
            RETURNING id
            """, logger: logger
        ).decode(Int64.self) {
            inserted = id
        }
        guard let id = inserted else {
            for try await (id, state, runAt) in try await conn.query(
                "SELECT id, state, run_at FROM \(unescaped: s).steward_jobs WHERE unique_key = \(job.uniqueKey ?? "") AND state IN (\(unescaped: JobState.liveSQL))",
                logger: logger
            ).decode((Int64, String, Date).self) {
                return EnqueueResult(id: JobID(id), state: (JobState(rawValue: state) ?? .available).effective(runAt: runAt, now: now), duplicate: true)
            }
            throw StewardError.storeUnavailable("postgres: unique key '\(job.uniqueKey ?? "")' neither inserted nor held by a live job")
        }
        if !unfinished.isEmpty {
            try await conn.query(
                """
                WITH marked AS (
                    UPDATE \(unescaped: s).steward_jobs SET has_children = true WHERE id = ANY(\(unfinished)) AND NOT has_children
                )
                INSERT INTO \(unescaped: s).steward_job_dependencies (parent_id, child_id) SELECT unnest(\(unfinished)::bigint[]), \(id)
                """, logger: logger)
        }
        if !job.holds.isEmpty {
            // The held jobs wait (for a running parent, at least), so none can be released meanwhile.
            let held = Array(Set(job.holds.map(\.rawValue))).sorted()
            var updated = 0
            for try await _ in try await conn.query(
                """
                WITH held AS (
                    UPDATE \(unescaped: s).steward_jobs SET pending_parents = pending_parents + 1
                    WHERE id = ANY(\(held)) AND state = \(unescaped: JobState.waiting.sql) RETURNING id
                ), edges AS (
                    INSERT INTO \(unescaped: s).steward_job_dependencies (parent_id, child_id) SELECT \(id), id FROM held
                ), marked AS (
                    UPDATE \(unescaped: s).steward_jobs SET has_children = true WHERE id = \(id)
                )
                SELECT id FROM held
                """, logger: logger
            ) {
                updated += 1
            }
            guard updated == held.count else {
                throw StewardError.invalidArgument(field: "holds", message: "holds: a held job is not waiting (it must still wait for a parent)")
            }
        }
        return EnqueueResult(id: JobID(id), state: state, duplicate: false)
    }

    /// Inserts new jobs whose parents are all new jobs of the same call (so unfinished): ids are
    /// reserved first, so each row is written whole (parents, count, `has_children`) in one
    /// insert, then the edges and the held jobs' counts, in a fixed number of round trips.
    private func enqueueGraph(
        _ graph: [Int], of jobs: [NewJob], into out: inout [EnqueueResult?], settings: [String: (maxDepth: Int?, maxAttempts: Int?)],
        now: Date, on conn: PostgresConnection
    ) async throws {
        let s = quotedSchema
        var reserved: [Int64] = []
        for try await id in try await conn.query(
            "SELECT nextval(pg_get_serial_sequence('\(unescaped: s).steward_jobs', 'id')) FROM generate_series(1, \(graph.count))",
            logger: logger
        ).decode(Int64.self) {
            reserved.append(id)
        }
        var ids: [Int: Int64] = [:]
        for (index, id) in zip(graph, reserved) { ids[index] = id }
        func id(_ index: Int) -> Int64? { ids[index] ?? out[index]?.id.rawValue }
        var hasChildren = Set<Int>()
        for index in graph { hasChildren.formUnion(jobs[index].dependsOnBatch) }
        var rows: [InsertRow] = []
        var edgeParents: [Int64] = []
        var edgeChildren: [Int64] = []
        var held: [Int64] = []
        for index in graph {
            let job = jobs[index]
            let parents = Array(Set(job.dependsOnBatch.compactMap(id))).sorted()
            let r = try JobRow(job, now: now)
            let state = parents.isEmpty ? r.state : JobState.waiting
            rows.append(
                InsertRow(
                    queue: job.queue, name: job.name, payload: job.payload, state: state.rawValue,
                    priority: job.priority, run_at: r.runAt.timeIntervalSince1970,
                    max_attempts: r.maxAttempts(queueDefault: settings[job.queue]?.maxAttempts),
                    timeout_s: r.timeoutSeconds, retry_policy: r.retryPolicy, metadata: r.metadata,
                    unique_key: nil, id: ids[index]!, depends_on: try JobRecord.encodeParents(parents.isEmpty ? nil : parents),
                    pending_parents: parents.count, has_children: hasChildren.contains(index) || !job.holds.isEmpty))
            for parent in parents {
                edgeParents.append(parent)
                edgeChildren.append(ids[index]!)
            }
            for h in Set(job.holds.map(\.rawValue)) {
                edgeParents.append(ids[index]!)
                edgeChildren.append(h)
                held.append(h)
            }
            out[index] = EnqueueResult(id: JobID(ids[index]!), state: state, duplicate: false)
        }
        let insert = try JSONCoding.encode(rows)
        try await conn.query(
            """
            INSERT INTO \(unescaped: s).steward_jobs (id, queue, name, payload, state, priority, run_at, max_attempts, timeout_s,
                retry_policy, metadata, created_at, depends_on, pending_parents, has_children)
            SELECT r.id, r.queue, r.name, r.payload, r.state, r.priority, to_timestamp(r.run_at), r.max_attempts, r.timeout_s,
                r.retry_policy, r.metadata, \(now), r.depends_on, r.pending_parents, r.has_children
            FROM json_to_recordset(\(insert)::json) AS r(id bigint, queue text, name text, payload text, state text, priority integer,
                run_at double precision, max_attempts integer, timeout_s double precision, retry_policy text, metadata text,
                depends_on text, pending_parents integer, has_children boolean)
            """, logger: logger)
        // Parents inserted by the plain statement of this call learn that jobs wait for them.
        let plainParents = Array(Set(graph.flatMap { jobs[$0].dependsOnBatch }.filter { ids[$0] == nil }.compactMap(id)))
        if !edgeParents.isEmpty || !plainParents.isEmpty {
            try await conn.query(
                """
                WITH marked AS (
                    UPDATE \(unescaped: s).steward_jobs SET has_children = true WHERE id = ANY(\(plainParents))
                )
                INSERT INTO \(unescaped: s).steward_job_dependencies (parent_id, child_id)
                SELECT * FROM unnest(\(edgeParents)::bigint[], \(edgeChildren)::bigint[])
                """, logger: logger)
        }
        if !held.isEmpty {
            var updated = 0
            for try await _ in try await conn.query(
                """
                UPDATE \(unescaped: s).steward_jobs j SET pending_parents = j.pending_parents + h.n
                FROM (SELECT id, count(*)::int AS n FROM unnest(\(held)::bigint[]) AS id GROUP BY id) h
                WHERE j.id = h.id AND j.state = \(unescaped: JobState.waiting.sql) RETURNING j.id
                """, logger: logger
            ) {
                updated += 1
            }
            guard updated == Set(held).count else {
                throw StewardError.invalidArgument(field: "holds", message: "holds: a held job is not waiting (it must still wait for a parent)")
            }
        }
    }

    /// In the transaction that finishes `parents` (a later statement than the one that finished
    /// them, so children enqueued meanwhile are seen): deletes their edges, releases each child
    /// whose last unfinished parent this was and announces their queues (`NOTIFY`, at commit),
    /// in one statement. Returns the queues of released children.
    func releaseChildren(of parents: [Int64], on conn: PostgresConnection) async throws -> Set<String> {
        guard !parents.isEmpty else { return [] }
        var queues = Set<String>()
        for try await queue in try await conn.execute(PostgresStatements.ReleaseChildren(parents: parents, channel: channel), logger: logger) {
            queues.insert(queue)
        }
        return queues
    }

    public func sweepWaitingJobs(now: Date) async throws -> Int {
        let queues = try await transaction { [self] conn -> [String] in
            // Edges whose parent finished or was purged; normally deleted with the parent's finish.
            try await query(
                """
                DELETE FROM \(quotedSchema).steward_job_dependencies d WHERE NOT EXISTS (
                    SELECT 1 FROM \(quotedSchema).steward_jobs p WHERE p.id = d.parent_id AND p.state IN (\(JobState.liveSQL)))
                """, PostgresBindings(), on: conn)
            var queues: [String] = []
            for try await queue in try await query(
                """
                UPDATE \(quotedSchema).steward_jobs j SET state = \(JobState.released.sql), pending_parents = 0
                WHERE j.pending_parents > 0 AND j.state = \(JobState.waiting.sql)
                    AND NOT EXISTS (SELECT 1 FROM \(quotedSchema).steward_job_dependencies d WHERE d.child_id = j.id)
                RETURNING j.queue
                """, PostgresBindings(), on: conn
            ).decode(String.self) {
                queues.append(queue)
            }
            if !queues.isEmpty {
                try await conn.query("SELECT pg_notify(\(channel), q) FROM unnest(\(Array(Set(queues)))::text[]) AS q", logger: logger)
            }
            return queues
        }
        if !queues.isEmpty { hub.emit(Set(queues)) }
        return queues.count
    }
}
