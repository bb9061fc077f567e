public import Foundation
public import Steward
import GRDB

/// How attempts end: every outcome and every rescued lease is a ``JobTransition`` decided in
/// Swift; this file only executes them.
extension SQLiteJobStore {
    @discardableResult
    public func complete(_ outcomes: [JobOutcome], now: Date) async throws -> Set<JobID> {
        guard !outcomes.isEmpty else { return [] }
        let nowS = now.timeIntervalSince1970
        // Transitions, their grouping and the JSON of id lists are made here, off the single
        // writer; only a dead job's queue needs the database (its dead-letter setting).
        let dying = outcomes.compactMap { o -> Int64? in
            if case .dead = o.kind { o.id.rawValue } else { nil }
        }
        let transitions = outcomes.map { JobTransition($0, deadLetterQueue: nil) }
        let plan = dying.isEmpty ? TransitionPlan(transitions) : nil
        let (applied, wake) = try await pool.write { db -> ([AppliedTransition], Set<String>) in
            if let plan { return try Self.apply(plan, now: nowS, in: db) }
            let deadLetters = try Self.deadLetterQueues(of: dying, in: db)
            let routed = transitions.map { t in
                var t = t
                if t.state == .dead { t.moveToQueue = deadLetters[t.id.rawValue] }
                return t
            }
            return try Self.apply(TransitionPlan(routed), now: nowS, in: db)
        }
        if !wake.isEmpty { hub.emit(wake) }
        if !applied.isEmpty { finishedHub.emit([WakeupHub.anyQueue]) }
        return Set(applied.map(\.id))
    }

    /// The dead-letter queue each of these jobs would move to, read in the caller's transaction.
    private static func deadLetterQueues(of ids: [Int64], in db: Database) throws -> [Int64: String] {
        guard !ids.isEmpty else { return [:] }
        var out: [Int64: String] = [:]
        for row in try Row.fetchAll(
            db,
            sql: """
                SELECT j.id, j.queue, q.dead_letter_queue FROM steward_jobs j LEFT JOIN steward_queues q ON q.name = j.queue
                WHERE j.id IN (SELECT value FROM json_each(?))
                """, arguments: [jsonArray(ids)])
        {
            out[row[0]] = JobTransition.deadLetterQueue(queue: row[1], configured: row[2])
        }
        return out
    }

    /// Applies `transitions` in the caller's write transaction, each guarded by the lease, then
    /// the history rows of those that applied, and the release of the jobs that waited for the
    /// ones that finished. Returns what applied and the queues to wake.
    ///
    /// Transitions that carry nothing of their own but the job (a plain success, above all) go
    /// in one statement per kind and owner, over a JSON list of ids; the others run one statement
    /// per job (in-process, no round trip). Either statement sets only the columns a transition
    /// changes: SQLite rewrites every index holding a column named in `SET`, whatever its value.
    static func apply(_ plan: TransitionPlan, now: Double, in db: Database) throws -> ([AppliedTransition], Set<String>) {
        var statements: [TransitionColumns: RawStatement] = [:]
        var applied: [AppliedTransition] = []
        applied.reserveCapacity(plan.count)
        var history: [(JobTransition, queue: String, attempt: Int)] = []
        var moved = Set<String>()
        for group in plan.uniform {
            let key = group.key
            let update = RawStatement(try db.cachedStatement(sql: group.sql), db)
            update.bind(1, key.state.rawValue)
            update.bind(3, key.attemptDelta)
            update.bind(4, key.state.isFinished ? now : nil)
            update.bind(12, group.ids)
            update.bind(13, key.owner)
            defer { update.reset() }
            // A finished job wakes no queue: its queue is not read back.
            let finished = key.state.isFinished
            while try update.step() {
                applied.append(AppliedTransition(id: JobID(update.int64(1)), queue: finished ? "" : update.string(0), state: key.state))
            }
        }
        for t in plan.singles {
            let columns = TransitionColumns(t)
            let update: RawStatement
            if let cached = statements[columns] {
                update = cached
            } else {
                update = RawStatement(try db.cachedStatement(sql: columns.sql), db)
                statements[columns] = update
            }
            update.bind(1, t.state.rawValue)
            update.bind(2, t.runAt?.timeIntervalSince1970)
            update.bind(3, t.attemptDelta)
            update.bind(4, t.finishes ? now : nil)
            update.bind(6, t.result)
            update.bind(8, t.error?.type)
            update.bind(9, t.error?.message)
            if let attempt = t.error?.attempt { update.bind(10, attempt) }
            update.bind(11, t.moveToQueue)
            update.bind(12, t.id.rawValue)
            update.bind(13, t.owner)
            if columns.payload { update.bind(14, t.payload) }
            if try update.step() {
                let queue = update.string(0)
                applied.append(AppliedTransition(id: t.id, queue: queue, state: t.state))
                if t.history != nil {
                    // The history keeps the queue and attempt the job ran under.
                    let ranOn = t.moveToQueue == nil ? queue : update.string(1)
                    history.append((t, ranOn, update.int(2) - t.attemptDelta))
                }
                if let target = t.moveToQueue { moved.insert(target) }
            }
            update.reset()
        }
        if !history.isEmpty {
            let insert = try db.cachedStatement(
                sql: """
                    INSERT INTO steward_attempts (job_id, queue, attempt, worker, started_at, finished_at, outcome, error_type, error_message)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """)
            for (t, queue, attempt) in history {
                let h = t.history!
                try insert.execute(arguments: [
                    t.id.rawValue, queue, attempt, t.owner, h.startedAt.timeIntervalSince1970, now, h.outcome, h.errorType, h.errorMessage,
                ])
            }
        }
        if !moved.isEmpty {
            let register = try db.cachedStatement(sql: "INSERT OR IGNORE INTO steward_queues (name) VALUES (?)")
            for queue in moved { try register.execute(arguments: [queue]) }
        }
        var wake = AppliedTransition.queuesToWake(applied)
        let finished = applied.lazy.filter(\.state.isFinished).map(\.id.rawValue)
        if !finished.isEmpty { wake.formUnion(try releaseChildren(of: Array(finished), in: db)) }
        return (applied, wake)
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
        let (applied, wake) = try await pool.write { db -> ([AppliedTransition], Set<String>) in
            var transitions: [JobTransition] = []
            for row in try Row.fetchAll(
                db,
                sql: """
                    SELECT j.id, j.queue, j.attempt, j.max_attempts, j.retry_policy, j.lease_owner, j.started_at, q.dead_letter_queue
                    FROM steward_jobs j LEFT JOIN steward_queues q ON q.name = j.queue
                    WHERE j.state = \(JobState.running.sql) AND j.lease_expires_at < ?
                    """, arguments: [nowS])
            {
                let id: Int64 = try row.value(0, "id")
                let policy = try JobRecord.decodeStored(retryPolicy: try row.value(4, "retry_policy", job: id), metadata: nil).0
                let startedAt: Double? = try row.value(6, "started_at", job: id)
                let expired = LeaseRescue.Expired(
                    id: JobID(id), attempt: try row.value(2, "attempt", job: id), maxAttempts: try row.value(3, "max_attempts", job: id),
                    retryPolicy: policy, owner: try row.value(5, "lease_owner", job: id),
                    startedAt: startedAt.map { Date(timeIntervalSince1970: $0) }, queue: try row.value(1, "queue", job: id),
                    deadLetterQueue: try row.value(7, "dead_letter_queue", job: id))
                transitions.append(JobTransition(rescuing: expired, now: now))
            }
            guard !transitions.isEmpty else { return ([], []) }
            return try Self.apply(TransitionPlan(transitions), now: nowS, in: db)
        }
        if !wake.isEmpty { hub.emit(wake) }
        let dead = applied.filter { $0.state == .dead }.map(\.id)
        if !dead.isEmpty { finishedHub.emit([WakeupHub.anyQueue]) }
        return RescueReport(requeued: applied.filter { $0.state != .dead }.map(\.id), deadLettered: dead)
    }
}

/// Which columns a transition's statement sets (see ``SQLiteJobStore/apply(_:now:in:)``); its
/// parameters keep their numbers in every form, so binding is the same code.
struct TransitionColumns: Hashable {
    var runAt, attempt, owner, result, error, queue, payload, finishes: Bool
    /// `?12` is a JSON list of ids rather than one id.
    var batch = false

    init(_ t: JobTransition) {
        runAt = t.runAt != nil
        attempt = t.attemptDelta != 0
        owner = t.clearsOwner
        result = t.result != nil
        error = t.error != nil
        queue = t.moveToQueue != nil
        payload = t.payload != nil
        finishes = t.finishes
    }

    var sql: String {
        var set = ["state = ?1", "lease_expires_at = NULL"]
        if runAt { set.append("run_at = ?2") }
        if attempt { set.append("attempt = max(0, attempt + ?3)") }
        if finishes { set.append("finished_at = ?4") }
        if owner { set.append("lease_owner = NULL") }
        if result { set.append("result = ?6") }
        if error { set += ["error_type = ?8", "error_message = ?9", "error_attempt = coalesce(?10, attempt)"] }
        if queue { set += ["original_queue = queue", "queue = ?11"] }
        if payload { set.append("payload = ?14") }
        return """
            UPDATE steward_jobs SET \(set.joined(separator: ", "))
            WHERE \(batch ? "id IN (SELECT value FROM json_each(?12))" : "id = ?12")
                AND state = \(JobState.running.sql) AND lease_owner = ?13
            RETURNING queue, \(batch ? "id" : "original_queue"), attempt
            """
    }
}

/// A batch of transitions as ``SQLiteJobStore/apply(_:now:in:)`` runs them: those that carry
/// nothing but their job grouped (with the group's statement and its ids as JSON), the rest one
/// by one. Made before the write transaction.
struct TransitionPlan {
    var uniform: [(key: UniformKey, sql: String, ids: String)] = []
    var singles: [JobTransition] = []
    var count: Int

    init(_ transitions: [JobTransition]) {
        count = transitions.count
        var groups: [UniformKey: [Int64]] = [:]
        for t in transitions {
            if let key = UniformKey(t) { groups[key, default: []].append(t.id.rawValue) } else { singles.append(t) }
        }
        uniform = groups.map { (key: $0.key, sql: $0.key.columns.sql, ids: SQLiteJobStore.jsonArray($0.value)) }
    }
}

/// Transitions that differ only in their job: one statement applies them all.
struct UniformKey: Hashable {
    var columns: TransitionColumns
    var state: JobState
    var attemptDelta: Int
    var owner: String

    init?(_ t: JobTransition) {
        guard t.runAt == nil, t.result == nil, t.error == nil, t.moveToQueue == nil, t.payload == nil, t.history == nil else {
            return nil
        }
        columns = TransitionColumns(t)
        columns.batch = true
        state = t.state
        attemptDelta = t.attemptDelta
        owner = t.owner
    }
}
