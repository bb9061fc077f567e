public import Foundation
public import Steward
import GRDB

extension SQLiteJobStore {
    // MARK: enqueue

    public func enqueue(_ jobs: [NewJob], now: Date) async throws -> [EnqueueResult] {
        guard !jobs.isEmpty else { return [] }
        let nowS = now.timeIntervalSince1970
        try NewJob.checkBatchIndexes(jobs)
        let prepared = try jobs.map { try JobRow($0, now: now) }
        let results = try await pool.write { db in try Self.enqueue(prepared, now: nowS, in: db) }
        hub.emit(Set(jobs.map(\.queue)))
        return results
    }

    public func enqueue(_ job: NewJob, idempotency: IdempotencyKey, now: Date) async throws -> IdempotentEnqueue {
        let nowS = now.timeIntervalSince1970
        let prepared = try JobRow(job, now: now)
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
    static func enqueue(_ prepared: [JobRow], now nowS: Double, in db: Database) throws -> [EnqueueResult] {
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
            let maxAttempts = p.maxAttempts(queueDefault: settings[p.job.queue]?.maxAttempts)
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
            raw.bind(6, p.runAt.timeIntervalSince1970)
            raw.bind(7, maxAttempts)
            raw.bind(8, p.timeoutSeconds)
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
            try QueueSettings.checkDepth(queue: q, waiting: waiting, maxDepth: maxDepth)
        }
        return out
    }

    /// Inserts a job with parents: `waiting` while any parent is unfinished, with an edge to each
    /// of those (finished parents count as done at once), and one more parent for each job it
    /// holds. An unknown parent, or a held job that is not waiting, fails the enqueue.
    private static func enqueueChild(_ p: JobRow, parents: [Int64], maxAttempts: Int, now: Double, in db: Database) throws
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
            runAt: p.runAt, now: Date(timeIntervalSince1970: now), unfinishedParents: unfinished.count)
        try db.cachedStatement(
            sql: """
                INSERT INTO steward_jobs (queue, name, payload, state, priority, run_at, max_attempts, timeout_s,
                    retry_policy, metadata, unique_key, created_at, depends_on, pending_parents)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """
        ).execute(arguments: [
            p.job.queue, p.job.name, p.job.payload, state.rawValue, p.job.priority, p.runAt.timeIntervalSince1970, maxAttempts, p.timeoutSeconds,
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
                    throw StewardError.invalidArgument(field: "holds", message: "holds: job \(held) is not waiting (it must still wait for a parent)")
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

}
