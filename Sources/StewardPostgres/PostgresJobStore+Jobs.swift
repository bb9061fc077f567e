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

    static let recordset = """
        json_to_recordset($1::json) AS r(queue text, name text, payload text, state text, priority integer,
            run_at double precision, max_attempts integer, timeout_s double precision, retry_policy text, metadata text,
            unique_key text)
        """

    public func enqueue(_ jobs: [NewJob], now: Date) async throws -> [EnqueueResult] {
        guard !jobs.isEmpty else { return [] }
        for job in jobs { try job.validate() }
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
            let c = try Columns(jobs[0], now: now)
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
            return try Self.results(of: try await execute(PostgresStatements.EnqueueOne(bindings: bindings))[0], states: [c.state])
        }
        let (statement, states) = try enqueueStatement(jobs, now: now, depthLocked: false)
        let results = try Self.results(of: try await execute(statement)[0], states: states)
        registeredQueues.withLock { $0.formUnion(queues) }
        return results
    }

    /// One job's column values as the enqueue statements bind them (sentinels stand for NULL,
    /// since binary arrays cannot hold one: 0 attempts = the queue's default, -1 = no timeout).
    private struct Columns {
        var queue: String, name: String, payload: String, state: JobState, priority: Int32, runAt: Date
        var maxAttempts: Int32, timeout: Double, retryPolicy: String, metadata: String

        init(_ job: NewJob, now: Date) throws {
            let at = job.runAt ?? now
            (queue, name, payload) = (job.queue, job.name, job.payload)
            state = JobState.initial(runAt: at, now: now)
            priority = Int32(clamping: job.priority)
            runAt = at
            maxAttempts = Int32(clamping: job.retryPolicy?.maxAttempts ?? 0)
            timeout = job.timeout?.seconds ?? -1
            retryPolicy = try job.storedRetryPolicy() ?? ""
            metadata = try job.storedMetadata() ?? ""
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
        try job.validate()
        for _ in 0..<3 {
            do {
                let outcome = try await transaction { [self] conn -> IdempotentEnqueue in
                    var lookup = PostgresBindings()
                    lookup.append(idempotency.key)
                    lookup.append(now)
                    for try await (id, fingerprint) in try await query(
                        """
                        SELECT job_id, fingerprint FROM \(quotedSchema).steward_idempotency_keys
                        WHERE key = $1 AND expires_at > $2 FOR UPDATE
                        """, lookup, on: conn
                    ).decode((Int64, String).self) {
                        return .held(JobID(id), fingerprint: fingerprint, asked: idempotency)
                    }
                    let result = try await enqueue([job], queues: [job.queue], now: now, on: conn)[0]
                    var record = PostgresBindings()
                    record.append(idempotency.key)
                    record.append(idempotency.fingerprint)
                    record.append(result.id.rawValue)
                    record.append(now)
                    record.append(idempotency.expiresAt)
                    // An expired row is taken over; a live one (another request's, committed
                    // meanwhile) is not: then this transaction is undone and the key read again.
                    var recorded = false
                    for try await _ in try await query(
                        """
                        INSERT INTO \(quotedSchema).steward_idempotency_keys AS k (key, fingerprint, job_id, created_at, expires_at)
                        VALUES ($1, $2, $3, $4, $5)
                        ON CONFLICT (key) DO UPDATE SET fingerprint = excluded.fingerprint, job_id = excluded.job_id,
                            created_at = excluded.created_at, expires_at = excluded.expires_at
                        WHERE k.expires_at <= excluded.created_at
                        RETURNING k.key
                        """, record, on: conn
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
        let nowS = now.timeIntervalSince1970
        var queueNames = PostgresBindings()
        queueNames.append(queues)
        try await query("INSERT INTO \(quotedSchema).steward_queues (name) SELECT unnest($1::text[]) ON CONFLICT DO NOTHING", queueNames, on: conn)
        // Bounded queues are locked first, so the depth counted below (a later statement, a newer
        // snapshot) includes every enqueue that committed before this one: none can overfill.
        try await query(
            "SELECT name FROM \(quotedSchema).steward_queues WHERE name = ANY($1) AND max_depth IS NOT NULL ORDER BY name FOR UPDATE",
            queueNames, on: conn)
        var settings: [String: (maxDepth: Int?, maxAttempts: Int?)] = [:]
        let settingRows = try await query(
            "SELECT name, max_depth, max_attempts FROM \(quotedSchema).steward_queues WHERE name = ANY($1)", queueNames, on: conn)
        for try await (name, maxDepth, maxAttempts) in settingRows.decode((String, Int?, Int?).self) {
            settings[name] = (maxDepth, maxAttempts)
        }
        func row(_ job: NewJob) throws -> InsertRow {
            let runAt = job.runAt?.timeIntervalSince1970 ?? nowS
            return InsertRow(
                queue: job.queue, name: job.name, payload: job.payload,
                state: JobState.initial(runAt: Date(timeIntervalSince1970: runAt), now: now).rawValue, priority: job.priority,
                run_at: runAt,
                max_attempts: QueueSettings.maxAttempts(of: job, queueDefault: settings[job.queue]?.maxAttempts),
                timeout_s: job.timeout?.seconds, retry_policy: try job.storedRetryPolicy(),
                metadata: try job.storedMetadata(), unique_key: job.uniqueKey)
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
            var keyedRows = PostgresBindings()
            keyedRows.append(try JSONCoding.encode(try keyed.map { try row(jobs[$0]) }))
            keyedRows.append(now)
            var inserted: [String: Int64] = [:]
            for try await (id, key) in try await query(
                """
                INSERT INTO \(quotedSchema).steward_jobs (queue, name, payload, state, priority, run_at, max_attempts, timeout_s,
                    retry_policy, metadata, unique_key, created_at)
                SELECT r.queue, r.name, r.payload, r.state, r.priority, to_timestamp(r.run_at), r.max_attempts,
                    r.timeout_s, r.retry_policy, r.metadata, r.unique_key, $2
                FROM \(Self.recordset)
                ON CONFLICT (unique_key) WHERE unique_key IS NOT NULL AND state IN (\(JobState.liveSQL))
                DO NOTHING RETURNING id, unique_key
                """, keyedRows, on: conn
            ).decode((Int64, String).self) {
                inserted[key] = id
            }
            var existing: [String: (Int64, JobState)] = [:]
            let missing = Set(keyed.compactMap { jobs[$0].uniqueKey }).subtracting(inserted.keys)
            if !missing.isEmpty {
                var heldKeys = PostgresBindings()
                heldKeys.append(Array(missing))
                for try await (key, id, state, runAt) in try await query(
                    """
                    SELECT unique_key, id, state, run_at FROM \(quotedSchema).steward_jobs
                    WHERE unique_key = ANY($1) AND state IN (\(JobState.liveSQL))
                    """, heldKeys, on: conn
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
                        let runAt = job.runAt?.timeIntervalSince1970 ?? nowS
                        let state = JobState.initial(runAt: Date(timeIntervalSince1970: runAt), now: now)
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
            var depthArguments = PostgresBindings()
            depthArguments.append(q)
            for try await waiting in try await query(
                "SELECT count(*) FROM \(quotedSchema).steward_jobs WHERE queue = $1 AND state IN (\(JobState.queuedSQL))", depthArguments, on: conn
            ).decode(Int.self) where waiting > maxDepth {
                throw StewardError.queueFull(queue: q, maxDepth: maxDepth)
            }
        }
        var notifyArguments = PostgresBindings()
        notifyArguments.append(channel)
        notifyArguments.append(queues)
        try await query("SELECT pg_notify($1, q) FROM unnest($2::text[]) AS q", notifyArguments, on: conn)
        return out.map { $0! }
    }

    /// Inserts a job with parents inside the caller's transaction: `waiting` while any parent is
    /// unfinished, with an edge to each of those. Parent rows are locked (in id order) first, so a
    /// parent finishing at the same moment either commits before (and counts as finished here) or
    /// sees `has_children` and releases through the transactional path.
    private func enqueueChild(_ job: NewJob, parents: [Int64], maxAttempts: Int, now: Date, on conn: PostgresConnection) async throws
        -> EnqueueResult
    {
        var parentIDs = PostgresBindings()
        parentIDs.append(parents)
        var states: [Int64: JobState] = [:]
        for try await (id, state) in try await query(
            "SELECT id, state FROM \(quotedSchema).steward_jobs WHERE id = ANY($1) ORDER BY id FOR UPDATE", parentIDs, on: conn
        ).decode((Int64, String).self) {
            states[id] = JobState(rawValue: state)
        }
        if let missing = parents.first(where: { states[$0] == nil }) { throw StewardError.parentNotFound(JobID(missing)) }
        let unfinished = parents.filter { !(states[$0]?.isFinished ?? false) }
        let runAt = job.runAt ?? now
        let state = JobState.initial(runAt: runAt, now: now, unfinishedParents: unfinished.count)
        var row = PostgresBindings()
        row.append(job.queue)
        row.append(job.name)
        row.append(job.payload)
        row.append(state.rawValue)
        row.append(job.priority)
        row.append(runAt)
        row.append(maxAttempts)
        row.appendOptional(job.timeout?.seconds)
        row.appendOptional(try job.storedRetryPolicy())
        row.appendOptional(try job.storedMetadata())
        row.appendOptional(job.uniqueKey)
        row.append(now)
        row.appendOptional(try JobRecord.encodeParents(parents.isEmpty ? nil : parents))
        row.append(unfinished.count)
        var inserted: Int64? = nil
        for try await id in try await query(
            """
            INSERT INTO \(quotedSchema).steward_jobs (queue, name, payload, state, priority, run_at, max_attempts, timeout_s,
                retry_policy, metadata, unique_key, created_at, depends_on, pending_parents)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
            ON CONFLICT (unique_key) WHERE unique_key IS NOT NULL AND state IN (\(JobState.liveSQL)) DO NOTHING
            RETURNING id
            """, row, on: conn
        ).decode(Int64.self) {
            inserted = id
        }
        guard let id = inserted else {
            var key = PostgresBindings()
            key.append(job.uniqueKey ?? "")
            for try await (id, state, runAt) in try await query(
                "SELECT id, state, run_at FROM \(quotedSchema).steward_jobs WHERE unique_key = $1 AND state IN (\(JobState.liveSQL))",
                key, on: conn
            ).decode((Int64, String, Date).self) {
                return EnqueueResult(id: JobID(id), state: (JobState(rawValue: state) ?? .available).effective(runAt: runAt, now: now), duplicate: true)
            }
            throw StewardError.storeUnavailable("postgres: unique key '\(job.uniqueKey ?? "")' neither inserted nor held by a live job")
        }
        if !unfinished.isEmpty {
            var edges = PostgresBindings()
            edges.append(unfinished)
            edges.append(id)
            try await query(
                """
                WITH marked AS (
                    UPDATE \(quotedSchema).steward_jobs SET has_children = true WHERE id = ANY($1) AND NOT has_children
                )
                INSERT INTO \(quotedSchema).steward_job_dependencies (parent_id, child_id) SELECT unnest($1::bigint[]), $2
                """, edges, on: conn)
        }
        if !job.holds.isEmpty {
            // The held jobs wait (for a running parent, at least), so none can be released meanwhile.
            let held = Array(Set(job.holds.map(\.rawValue))).sorted()
            var holds = PostgresBindings()
            holds.append(held)
            holds.append(id)
            var updated = 0
            for try await _ in try await query(
                """
                WITH held AS (
                    UPDATE \(quotedSchema).steward_jobs SET pending_parents = pending_parents + 1
                    WHERE id = ANY($1) AND state = \(JobState.waiting.sql) RETURNING id
                ), edges AS (
                    INSERT INTO \(quotedSchema).steward_job_dependencies (parent_id, child_id) SELECT $2, id FROM held
                ), marked AS (
                    UPDATE \(quotedSchema).steward_jobs SET has_children = true WHERE id = $2
                )
                SELECT id FROM held
                """, holds, on: conn
            ) {
                updated += 1
            }
            guard updated == held.count else {
                throw StewardError.invalidArgument("holds: a held job is not waiting (it must still wait for a parent)")
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
        var count = PostgresBindings()
        count.append(graph.count)
        var reserved: [Int64] = []
        for try await id in try await query(
            "SELECT nextval(pg_get_serial_sequence('\(quotedSchema).steward_jobs', 'id')) FROM generate_series(1, $1)", count, on: conn
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
            let runAt = job.runAt ?? now
            let state = JobState.initial(runAt: runAt, now: now, unfinishedParents: parents.count)
            rows.append(
                InsertRow(
                    queue: job.queue, name: job.name, payload: job.payload, state: state.rawValue, priority: job.priority,
                    run_at: runAt.timeIntervalSince1970,
                    max_attempts: QueueSettings.maxAttempts(of: job, queueDefault: settings[job.queue]?.maxAttempts),
                    timeout_s: job.timeout?.seconds, retry_policy: try job.storedRetryPolicy(), metadata: try job.storedMetadata(),
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
        var insert = PostgresBindings()
        insert.append(try JSONCoding.encode(rows))
        insert.append(now)
        try await query(
            """
            INSERT INTO \(quotedSchema).steward_jobs (id, queue, name, payload, state, priority, run_at, max_attempts, timeout_s,
                retry_policy, metadata, created_at, depends_on, pending_parents, has_children)
            SELECT r.id, r.queue, r.name, r.payload, r.state, r.priority, to_timestamp(r.run_at), r.max_attempts, r.timeout_s,
                r.retry_policy, r.metadata, $2, r.depends_on, r.pending_parents, r.has_children
            FROM json_to_recordset($1::json) AS r(id bigint, queue text, name text, payload text, state text, priority integer,
                run_at double precision, max_attempts integer, timeout_s double precision, retry_policy text, metadata text,
                depends_on text, pending_parents integer, has_children boolean)
            """, insert, on: conn)
        // Parents inserted by the plain statement of this call learn that jobs wait for them.
        let plainParents = Array(Set(graph.flatMap { jobs[$0].dependsOnBatch }.filter { ids[$0] == nil }.compactMap(id)))
        if !edgeParents.isEmpty || !plainParents.isEmpty {
            var edges = PostgresBindings()
            edges.append(edgeParents)
            edges.append(edgeChildren)
            edges.append(plainParents)
            try await query(
                """
                WITH marked AS (
                    UPDATE \(quotedSchema).steward_jobs SET has_children = true WHERE id = ANY($3)
                )
                INSERT INTO \(quotedSchema).steward_job_dependencies (parent_id, child_id)
                SELECT * FROM unnest($1::bigint[], $2::bigint[])
                """, edges, on: conn)
        }
        if !held.isEmpty {
            var holds = PostgresBindings()
            holds.append(held)
            var updated = 0
            for try await _ in try await query(
                """
                UPDATE \(quotedSchema).steward_jobs j SET pending_parents = j.pending_parents + h.n
                FROM (SELECT id, count(*)::int AS n FROM unnest($1::bigint[]) AS id GROUP BY id) h
                WHERE j.id = h.id AND j.state = \(JobState.waiting.sql) RETURNING j.id
                """, holds, on: conn
            ) {
                updated += 1
            }
            guard updated == Set(held).count else {
                throw StewardError.invalidArgument("holds: a held job is not waiting (it must still wait for a parent)")
            }
        }
    }

    /// In the transaction that finishes `parents` (a later statement than the one that finished
    /// them, so children enqueued meanwhile are seen): deletes their edges and releases each child
    /// whose last unfinished parent this was. Returns the queues of released children.
    func releaseChildren(of parents: [Int64], on conn: PostgresConnection) async throws -> Set<String> {
        guard !parents.isEmpty else { return [] }
        var bindings = PostgresBindings()
        bindings.append(parents)
        var queues = Set<String>()
        for try await queue in try await query(
            """
            WITH edges AS (
                DELETE FROM \(quotedSchema).steward_job_dependencies WHERE parent_id = ANY($1) RETURNING child_id
            ), finished AS (
                SELECT child_id, count(*)::int AS n FROM edges GROUP BY child_id
            )
            UPDATE \(quotedSchema).steward_jobs j SET pending_parents = j.pending_parents - f.n,
                state = CASE WHEN j.pending_parents - f.n <= 0 THEN \(JobState.released.sql) ELSE j.state END
            FROM finished f WHERE j.id = f.child_id AND j.state = \(JobState.waiting.sql)
            RETURNING j.queue, j.state
            """, bindings, on: conn
        ).decode((String, String).self) where queue.1 != JobState.waiting.rawValue {
            queues.insert(queue.0)
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
                var notifyArguments = PostgresBindings()
                notifyArguments.append(channel)
                notifyArguments.append(Array(Set(queues)))
                try await query("SELECT pg_notify($1, q) FROM unnest($2::text[]) AS q", notifyArguments, on: conn)
            }
            return queues
        }
        if !queues.isEmpty { hub.emit(Set(queues)) }
        return queues.count
    }

    public func claim(queue: String, names: [String]?, limit: Int, owner: String, leaseUntil: Date, now: Date) async throws
        -> [ClaimedJob]
    {
        guard limit > 0 else { return [] }
        let rows = try await execute(
            PostgresStatements.Claim(owner: owner, leaseUntil: leaseUntil, now: now, queue: queue, limit: limit, names: names))
        return try Self.claimed(rows, queue: queue, owner: owner, leaseUntil: leaseUntil, now: now)
    }

    public func claim(
        queue: String, names: [String]?, limit: Int, owner: String, leaseUntil: Date, now: Date, sharedRate rate: RateLimit
    ) async throws -> RateLimitedClaim {
        let logger = self.logger
        return try await transaction { [self] conn -> RateLimitedClaim in
            // The upsert locks the queue's bucket row until commit: claimers of a rate-limited
            // queue take turns, which is what a shared limit means.
            var bindings = PostgresBindings()
            bindings.append(queue)
            bindings.append(Double(rate.burst))
            bindings.append(now)
            var bucket = TokenBucketState.full(rate, at: now)
            for try await (tokens, updatedAt) in try await query(
                """
                INSERT INTO \(quotedSchema).steward_rate_buckets (queue, tokens, updated_at) VALUES ($1, $2, $3)
                ON CONFLICT (queue) DO UPDATE SET queue = excluded.queue RETURNING tokens, updated_at
                """, bindings, on: conn
            ).decode((Double, Date).self) {
                bucket = TokenBucketState(tokens: tokens, updatedAt: updatedAt)
            }
            bucket.refill(rate, now: now)
            let n = bucket.available(upTo: limit)
            var rows: [PostgresRow] = []
            if n > 0 {
                let claim = PostgresStatements.Claim(
                    owner: owner, leaseUntil: leaseUntil, now: now, queue: queue, limit: n, names: names)
                for try await row in try await conn.execute(claim, logger: logger) { rows.append(row) }
            }
            let jobs = try Self.claimed(rows, queue: queue, owner: owner, leaseUntil: leaseUntil, now: now)
            bucket.tokens -= Double(jobs.count)
            var u = PostgresBindings()
            u.append(queue)
            u.append(bucket.tokens)
            u.append(bucket.updatedAt)
            try await query("UPDATE \(quotedSchema).steward_rate_buckets SET tokens = $2, updated_at = $3 WHERE queue = $1", u, on: conn)
            return RateLimitedClaim(jobs: jobs, nextTokenIn: bucket.waitTime(rate))
        }
    }

    /// Decodes the rows of ``PostgresStatements/Claim``.
    private static func claimed(_ rows: [PostgresRow], queue: String, owner: String, leaseUntil: Date, now: Date) throws
        -> [ClaimedJob]
    {
        var records: [JobRecord] = []
        records.reserveCapacity(rows.count)
        for row in rows {
            let r = row.makeRandomAccess()
            let (retryPolicy, metadata) = try JobRecord.decodeStored(retryPolicy: try r.get(8), metadata: try r.get(9))
            records.append(
                JobRecord(
                    id: JobID(try r.get(0, Int64.self)), queue: queue, name: try r.get(1), payload: try r.get(2), state: .running,
                    priority: try r.get(3), runAt: try r.get(4), attempt: try r.get(5), maxAttempts: try r.get(6),
                    timeout: try r.get(7, Double?.self).map { .seconds(double: $0) },
                    retryPolicy: retryPolicy, metadata: metadata, uniqueKey: try r.get(10), progress: nil, result: nil, lastError: nil, originalQueue: nil, leaseOwner: owner,
                    leaseExpiresAt: leaseUntil, createdAt: try r.get(11), startedAt: now, finishedAt: nil,
                    dependsOn: try JobRecord.decodeParents(try r.get(12))))
        }
        return ClaimedJob.inClaimOrder(records, leaseExpiresAt: leaseUntil)
    }

    @discardableResult
    public func complete(_ outcomes: [JobOutcome], now: Date) async throws -> Set<JobID> {
        guard !outcomes.isEmpty else { return [] }
        guard let owner = outcomes.first?.owner,
            outcomes.allSatisfy({ $0.owner == owner && $0.kind == .succeeded(result: nil) })
        else { return try await completeInTransaction(outcomes, now: now) }
        // The common case under load: one prepared statement, no transaction round trips.
        let ids = outcomes.map(\.id.rawValue)
        let done = try await execute(
            PostgresStatements.CompletePlain(now: now, ids: ids, owner: owner, channel: channel, parents: false))
        if !done.isEmpty { finishedHub.emit([WakeupHub.anyQueue]) }
        let applied = Set(done.map { JobID($0.id) })
        guard applied.count < ids.count else { return applied }
        // Parents (and lost leases, which apply nowhere): the transactional path releases children.
        return applied.union(try await completeInTransaction(outcomes.filter { !applied.contains($0.id) }, now: now))
    }

    /// Completes `outcomes` in one transaction, releasing the children of jobs that finish.
    private func completeInTransaction(_ outcomes: [JobOutcome], now: Date) async throws -> Set<JobID> {
        guard !outcomes.isEmpty else { return [] }
        var plainBatches: [String: [Int64]] = [:]
        var resultBatches: [String: (ids: [Int64], results: [String])] = [:]
        var rest: [JobOutcome] = []
        for o in outcomes {
            switch o.kind {
            case .succeeded(nil): plainBatches[o.owner, default: []].append(o.id.rawValue)
            case .succeeded(let result?):
                resultBatches[o.owner, default: ([], [])].ids.append(o.id.rawValue)
                resultBatches[o.owner, default: ([], [])].results.append(result)
            default: rest.append(o)
            }
        }
        let (plainGroups, resultGroups, others) = (plainBatches, resultBatches, rest)
        let (applied, wake) = try await transaction { [self] conn -> (Set<JobID>, Set<String>) in
            var applied = Set<JobID>()
            var wake = Set<String>()
            var parents: [Int64] = []
            // Plain successes: the fast path's own statement, here inside the transaction.
            for (owner, ids) in plainGroups {
                let statement = PostgresStatements.CompletePlain(now: now, ids: ids, owner: owner, channel: channel, parents: true)
                for try await row in try await conn.execute(statement, logger: logger) {
                    applied.insert(JobID(row.id))
                    if row.hasChildren { parents.append(row.id) }
                }
            }
            for (owner, group) in resultGroups {
                var bindings = PostgresBindings()
                bindings.append(now)
                bindings.append(group.ids)
                bindings.append(group.results)
                bindings.append(owner)
                for try await id in try await query(
                    """
                    UPDATE \(quotedSchema).steward_jobs j SET state = \(JobState.succeeded.sql), result = r.result, finished_at = $1, lease_expires_at = NULL
                    FROM unnest($2::bigint[], $3::text[]) AS r(id, result)
                    WHERE j.id = r.id AND j.state = \(JobState.running.sql) AND j.lease_owner = $4 RETURNING j.id, j.has_children
                    """, bindings, on: conn
                ).decode((Int64, Bool).self) {
                    applied.insert(JobID(id.0))
                    if id.1 { parents.append(id.0) }
                }
            }
            for o in others where try await self.apply(o, now: now, on: conn, wake: &wake) {
                applied.insert(o.id)
                if o.kind.finishesJob { parents.append(o.id.rawValue) }
            }
            wake.formUnion(try await releaseChildren(of: parents, on: conn))
            // Queues with work again, and (an empty payload) that jobs finished.
            let payloads = Array(wake) + (applied.isEmpty ? [] : [""])
            if !payloads.isEmpty {
                var notifyArguments = PostgresBindings()
                notifyArguments.append(channel)
                notifyArguments.append(payloads)
                try await query("SELECT pg_notify($1, q) FROM unnest($2::text[]) AS q", notifyArguments, on: conn)
            }
            return (applied, wake)
        }
        if !wake.isEmpty { hub.emit(wake) }
        if !applied.isEmpty { finishedHub.emit([WakeupHub.anyQueue]) }
        return applied
    }

    /// Applies one guarded, non-plain outcome; returns whether the job was still held.
    private func apply(_ o: JobOutcome, now: Date, on conn: PostgresConnection, wake: inout Set<String>) async throws -> Bool {
        var bindings = PostgresBindings()
        switch o.kind {
        case .succeeded:
            return false  // handled in bulk
        case .retry(let runAt, let error):
            guard try await recordAttempt(o, error: error, now: now, on: conn) else { return false }
            bindings.append(runAt)
            bindings.append(error.type)
            bindings.append(error.message)
            bindings.append(error.attempt)
            bindings.append(o.id.rawValue)
            try await query(
                """
                UPDATE \(quotedSchema).steward_jobs SET state = \(JobState.scheduled.sql), run_at = $1, error_type = $2, error_message = $3,
                    error_attempt = $4, lease_owner = NULL, lease_expires_at = NULL
                WHERE id = $5
                """, bindings, on: conn)
            return true
        case .dead(let error):
            guard try await recordAttempt(o, error: error, now: now, on: conn) else { return false }
            _ = try await deadLetter(whereSQL: "j.id = $5", extra: o.id.rawValue, error: error, now: now, on: conn)
            return true
        case .cancelled(let error):
            guard try await recordAttempt(o, error: error, now: now, on: conn) else { return false }
            bindings.append(now)
            bindings.appendOptional(error?.type)
            bindings.appendOptional(error?.message)
            bindings.appendOptional(error?.attempt)
            bindings.append(o.id.rawValue)
            try await query(
                """
                UPDATE \(quotedSchema).steward_jobs SET state = \(JobState.cancelled.sql), finished_at = $1, lease_expires_at = NULL,
                    error_type = coalesce($2, error_type), error_message = coalesce($3, error_message),
                    error_attempt = coalesce($4, error_attempt)
                WHERE id = $5
                """, bindings, on: conn)
            return true
        case .notRun(let reason):
            bindings.append(now)
            bindings.append(reason.type)
            bindings.append(reason.message)
            bindings.append(o.id.rawValue)
            bindings.append(o.owner)
            var held = false
            for try await _ in try await query(
                """
                UPDATE \(quotedSchema).steward_jobs SET state = \(JobState.cancelled.sql), attempt = greatest(0, attempt - 1), finished_at = $1,
                    lease_expires_at = NULL, error_type = $2, error_message = $3, error_attempt = 0
                WHERE id = $4 AND state = \(JobState.running.sql) AND lease_owner = $5 RETURNING id
                """, bindings, on: conn
            ) {
                held = true
            }
            return held
        case .released:
            guard try await recordAttempt(o, error: nil, now: now, on: conn) else { return false }
            bindings.append(now)
            bindings.append(o.id.rawValue)
            for try await queue in try await query(
                """
                UPDATE \(quotedSchema).steward_jobs SET state = \(JobState.available.sql), attempt = greatest(0, attempt - 1), lease_owner = NULL,
                    lease_expires_at = NULL, run_at = least(run_at, $1)
                WHERE id = $2 RETURNING queue
                """, bindings, on: conn
            ).decode(String.self) {
                wake.insert(queue)
            }
            return true
        }
    }

    /// Writes a history row for a non-successful attempt if the job is still held by its owner.
    func recordAttempt(_ o: JobOutcome, error: JobErrorInfo?, now: Date, on conn: PostgresConnection)
        async throws -> Bool
    {
        var bindings = PostgresBindings()
        bindings.append(o.startedAt)
        bindings.append(now)
        bindings.append(o.historyName)
        bindings.appendOptional(error?.type)
        bindings.appendOptional(error?.message)
        bindings.append(o.id.rawValue)
        bindings.append(o.owner)
        var written = false
        for try await _ in try await query(
            """
            INSERT INTO \(quotedSchema).steward_attempts (job_id, queue, attempt, worker, started_at, finished_at, outcome, error_type,
                error_message)
            SELECT id, queue, attempt, lease_owner, $1, $2, $3, $4, $5 FROM \(quotedSchema).steward_jobs
            WHERE id = $6 AND state = \(JobState.running.sql) AND lease_owner = $7
            FOR UPDATE
            RETURNING id
            """, bindings, on: conn
        ) {
            written = true
        }
        return written
    }

    /// Moves matching jobs to their dead-letter queue; `$1…$4` are now and the error, `$5` is
    /// `extra`, `$6` the default dead-letter suffix.
    func deadLetter(whereSQL: String, extra: some PostgresNonThrowingEncodable & Sendable, error: JobErrorInfo?, now: Date, on conn: PostgresConnection)
        async throws -> [Int64]
    {
        var bindings = PostgresBindings()
        bindings.append(now)
        bindings.appendOptional(error?.type)
        bindings.appendOptional(error?.message)
        bindings.appendOptional(error?.attempt)
        bindings.append(extra)
        bindings.append(QueueSettings.deadLetterSuffix)
        var ids: [Int64] = []
        var queues = Set<String>()
        for try await (id, queue) in try await query(
            """
            UPDATE \(quotedSchema).steward_jobs j SET state = \(JobState.dead.sql), original_queue = j.queue,
                queue = coalesce((SELECT dead_letter_queue FROM \(quotedSchema).steward_queues q WHERE q.name = j.queue), j.queue || $6),
                finished_at = $1, lease_expires_at = NULL,
                error_type = coalesce($2, j.error_type), error_message = coalesce($3, j.error_message),
                error_attempt = coalesce($4, j.error_attempt, j.attempt)
            WHERE \(whereSQL) RETURNING j.id, j.queue
            """, bindings, on: conn
        ).decode((Int64, String).self) {
            ids.append(id)
            queues.insert(queue)
        }
        if !queues.isEmpty {
            var queueNames = PostgresBindings()
            queueNames.append(Array(queues))
            try await query("INSERT INTO \(quotedSchema).steward_queues (name) SELECT unnest($1::text[]) ON CONFLICT DO NOTHING", queueNames, on: conn)
        }
        return ids
    }

    public func extendLeases(_ ids: [JobID], owner: String, until: Date) async throws -> Set<JobID> {
        guard !ids.isEmpty else { return [] }
        var bindings = PostgresBindings()
        bindings.append(until)
        bindings.append(ids.map(\.rawValue))
        bindings.append(owner)
        let rows = try await query(
            """
            UPDATE \(quotedSchema).steward_jobs SET lease_expires_at = $1
            WHERE id = ANY($2) AND state = \(JobState.running.sql) AND lease_owner = $3 RETURNING id
            """, bindings)
        return Set(try rows.map { JobID(try $0.decode(Int64.self)) })
    }

    public func updateProgress(_ updates: [ProgressUpdate], now: Date) async throws {
        guard !updates.isEmpty else { return }
        var bindings = PostgresBindings()
        bindings.append(updates.map(\.id.rawValue))
        bindings.append(try updates.map { try JSONCoding.encode($0.progress) })
        bindings.append(updates.map(\.owner))
        _ = try await query(
            """
            UPDATE \(quotedSchema).steward_jobs j SET progress = u.progress
            FROM unnest($1::bigint[], $2::text[], $3::text[]) AS u(id, progress, owner)
            WHERE j.id = u.id AND j.state = \(JobState.running.sql) AND j.lease_owner = u.owner
            """, bindings)
    }

    public func rescueExpiredLeases(now: Date) async throws -> RescueReport {
        let (report, wake) = try await transaction { [self] conn -> (RescueReport, Set<String>) in
            var nowArgument = PostgresBindings()
            nowArgument.append(now)
            // Lock the expired rows first so a late completion cannot slip in between the steps.
            var expired: [(job: LeaseRescue.Expired, queue: String)] = []
            for try await (id, queue, attempt, maxAttempts, policy) in try await query(
                """
                SELECT id, queue, attempt, max_attempts, retry_policy FROM \(quotedSchema).steward_jobs
                WHERE state = \(JobState.running.sql) AND lease_expires_at < $1 FOR UPDATE
                """, nowArgument, on: conn
            ).decode((Int64, String, Int, Int, String?).self) {
                let retryPolicy = try JobRecord.decodeStored(retryPolicy: policy, metadata: nil).0
                expired.append((LeaseRescue.Expired(id: JobID(id), attempt: attempt, maxAttempts: maxAttempts, retryPolicy: retryPolicy), queue))
            }
            guard !expired.isEmpty else { return (RescueReport(), []) }
            try await query(
                """
                INSERT INTO \(quotedSchema).steward_attempts (job_id, queue, attempt, worker, started_at, finished_at, outcome,
                    error_type, error_message)
                SELECT id, queue, attempt, coalesce(lease_owner, ''), coalesce(started_at, $1), $1, '\(LeaseRescue.historyName)', 'LeaseExpired',
                    'lease of worker ' || coalesce(lease_owner, '?') || ' expired: the worker stopped heartbeating'
                FROM \(quotedSchema).steward_jobs WHERE state = \(JobState.running.sql) AND lease_expires_at < $1
                """, nowArgument, on: conn)
            var retryIDs: [Int64] = [], retryRunAt: [Date] = [], retryStates: [String] = []
            var deadIDs: [Int64] = []
            var wake = Set<String>()
            for (job, queue) in expired {
                switch LeaseRescue.decide(job, now: now) {
                case .dead:
                    deadIDs.append(job.id.rawValue)
                case .retry(let runAt):
                    retryIDs.append(job.id.rawValue)
                    retryRunAt.append(runAt)
                    retryStates.append(JobState.initial(runAt: runAt, now: now).rawValue)
                    wake.insert(queue)
                }
            }
            if !retryIDs.isEmpty {
                var retries = PostgresBindings()
                retries.append(retryIDs)
                retries.append(retryRunAt)
                retries.append(retryStates)
                retries.append(LeaseRescue.requeuedError.type)
                retries.append(LeaseRescue.requeuedError.message)
                try await query(
                    """
                    UPDATE \(quotedSchema).steward_jobs j SET state = r.state, run_at = r.run_at, lease_owner = NULL,
                        lease_expires_at = NULL, error_type = $4, error_message = $5, error_attempt = j.attempt
                    FROM unnest($1::bigint[], $2::timestamptz[], $3::text[]) AS r(id, run_at, state)
                    WHERE j.id = r.id AND j.state = \(JobState.running.sql)
                    """, retries, on: conn)
            }
            if !deadIDs.isEmpty {
                _ = try await deadLetter(
                    whereSQL: "j.id = ANY($5)", extra: deadIDs,
                    error: JobErrorInfo(type: LeaseRescue.deadError.type, message: LeaseRescue.deadError.message, attempt: 0),
                    now: now, on: conn)
                var deadArguments = PostgresBindings()
                deadArguments.append(deadIDs)
                try await query(
                    "UPDATE \(quotedSchema).steward_jobs SET error_attempt = attempt WHERE id = ANY($1)", deadArguments, on: conn)
                wake.formUnion(try await releaseChildren(of: deadIDs, on: conn))
            }
            let payloads = Array(wake) + (deadIDs.isEmpty ? [] : [""])
            var notifyArguments = PostgresBindings()
            notifyArguments.append(channel)
            notifyArguments.append(payloads)
            try await query("SELECT pg_notify($1, q) FROM unnest($2::text[]) AS q", notifyArguments, on: conn)
            return (
                RescueReport(requeued: retryIDs.map { JobID(rawValue: $0) }, deadLettered: deadIDs.map { JobID(rawValue: $0) }), wake
            )
        }
        if !wake.isEmpty { hub.emit(wake) }
        if !report.deadLettered.isEmpty { finishedHub.emit([WakeupHub.anyQueue]) }
        return report
    }
}
