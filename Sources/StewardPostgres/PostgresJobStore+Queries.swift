public import Foundation
import Logging
import PostgresNIO
public import Steward

extension PostgresJobStore {
    static let columns = """
        id, queue, name, payload, state, priority, run_at, attempt, max_attempts, timeout_s, retry_policy, metadata,
        unique_key, progress, result, error_type, error_message, error_attempt, original_queue, lease_owner,
        lease_expires_at, created_at, started_at, finished_at, depends_on
        """

    /// Decodes a row selected with `columns`, in that order.
    static func record(_ row: PostgresRow, now: Date) throws -> JobRecord {
        let r = row.makeRandomAccess()
        let state = JobState(rawValue: try r.get(4, String.self)) ?? .available
        let runAt: Date = try r.get(6)
        let (retryPolicy, metadata) = try JobRecord.decodeStored(retryPolicy: try r.get(10), metadata: try r.get(11))
        let progressJSON: String? = try r.get(13)
        let errorType: String? = try r.get(15)
        return JobRecord(
            id: JobID(try r.get(0, Int64.self)), queue: try r.get(1), name: try r.get(2), payload: try r.get(3),
            state: state.effective(runAt: runAt, now: now), priority: try r.get(5), runAt: runAt,
            attempt: try r.get(7), maxAttempts: try r.get(8), timeout: try r.get(9, Double?.self).map { .seconds(double: $0) },
            retryPolicy: retryPolicy, metadata: metadata,
            uniqueKey: try r.get(12), progress: try progressJSON.map { try JSONCoding.decode(JobProgress.self, from: $0) },
            result: try r.get(14),
            lastError: try errorType.map {
                JobErrorInfo(type: $0, message: try r.get(16, String?.self) ?? "", attempt: try r.get(17, Int?.self) ?? 0)
            },
            originalQueue: try r.get(18), leaseOwner: try r.get(19), leaseExpiresAt: try r.get(20), createdAt: try r.get(21),
            startedAt: try r.get(22), finishedAt: try r.get(23), dependsOn: try JobRecord.decodeParents(try r.get(24)))
    }

    func fetchRecord(_ id: JobID, now: Date, on conn: PostgresConnection, lock: Bool = false) async throws -> JobRecord? {
        for try await row in try await conn.query(
            "SELECT \(unescaped: Self.columns) FROM \(unescaped: quotedSchema).steward_jobs WHERE id = \(id.rawValue)\(unescaped: lock ? " FOR UPDATE" : "")",
            logger: logger)
        {
            return try Self.record(row, now: now)
        }
        return nil
    }

    public func job(_ id: JobID, now: Date) async throws -> JobRecord? {
        try await execute(PostgresStatements.Job(id)).first.map { try Self.record($0, now: now) }
    }

    public func jobs(_ filter: JobFilter, now: Date) async throws -> [JobRecord] {
        var clauses: [String] = []
        var bindings = PostgresBindings()
        func param(_ value: some PostgresNonThrowingEncodable & Sendable) -> String {
            bindings.append(value)
            return "$\(bindings.count)"
        }
        if let queue = filter.queue { clauses.append("queue = \(param(queue))") }
        if let name = filter.name { clauses.append("name = \(param(name))") }
        if let before = filter.beforeID { clauses.append("id < \(param(before.rawValue))") }
        switch filter.state {
        case .available?: clauses.append("(state = \(JobState.available.sql) OR (state = \(JobState.scheduled.sql) AND run_at <= \(param(now))))")
        case .scheduled?: clauses.append("state = \(JobState.scheduled.sql) AND run_at > \(param(now))")
        case let state?: clauses.append("state = \(param(state.rawValue))")
        case nil: break
        }
        if filter.retrying { clauses.append(JobState.retryingSQL(now: param(now))) }
        let whereSQL = clauses.isEmpty ? "" : "WHERE " + clauses.joined(separator: " AND ")
        let limit = param(max(1, filter.limit))
        return try await query("SELECT \(Self.columns) FROM \(quotedSchema).steward_jobs \(whereSQL) ORDER BY id DESC LIMIT \(limit)", bindings)
            .map { try Self.record($0, now: now) }
    }

    public func history(_ id: JobID) async throws -> [AttemptRecord] {
        let s = quotedSchema
        var out = try await rows(
            """
            SELECT attempt, worker, started_at, finished_at, outcome, error_type, error_message
            FROM \(unescaped: s).steward_attempts WHERE job_id = \(id.rawValue) ORDER BY id
            """
        ).map { row -> AttemptRecord in
            let r = row.makeRandomAccess()
            let attempt: Int = try r.get(0)
            let type: String? = try r.get(5)
            return AttemptRecord(
                jobID: id, attempt: attempt, worker: try r.get(1), startedAt: try r.get(2), finishedAt: try r.get(3),
                outcome: try r.get(4), error: type.map { JobErrorInfo(type: $0, message: (try? r.get(6, String?.self)) ?? "", attempt: attempt) })
        }
        for row in try await rows(
            """
            SELECT attempt, lease_owner, started_at, finished_at FROM \(unescaped: s).steward_jobs
            WHERE id = \(id.rawValue) AND state = \(unescaped: JobState.succeeded.sql)
            """)
        {
            let r = row.makeRandomAccess()
            out.append(
                AttemptRecord(
                    jobID: id, attempt: try r.get(0), worker: try r.get(1, String?.self) ?? "",
                    startedAt: try r.get(2, Date?.self) ?? Date(timeIntervalSince1970: 0),
                    finishedAt: try r.get(3, Date?.self) ?? Date(timeIntervalSince1970: 0), outcome: JobOutcome.HistoryName.succeeded.rawValue, error: nil))
        }
        return out
    }

    public func queueStats(_ queue: String, now: Date) async throws -> QueueStats {
        let (s, queued, scheduled, runningSQL) = (quotedSchema, JobState.queuedSQL, JobState.scheduled.sql, JobState.running.sql)
        let (succeeded, cancelled, dead, waiting) = (JobState.succeeded.sql, JobState.cancelled.sql, JobState.dead.sql, JobState.waiting.sql)
        // The parameters once, named (p.q, p.now, p.since), for the eleven counts that read them.
        let found = try await rows(
            """
            WITH p AS (SELECT \(queue)::text AS q, \(now)::timestamptz AS now, \(now.addingTimeInterval(-60))::timestamptz AS since)
            SELECT
              (SELECT count(*) FROM \(unescaped: s).steward_jobs, p WHERE queue = p.q AND state IN (\(unescaped: queued)) AND run_at <= p.now),
              (SELECT count(*) FROM \(unescaped: s).steward_jobs, p WHERE queue = p.q AND state = \(unescaped: scheduled) AND run_at > p.now),
              (SELECT min(run_at) FROM \(unescaped: s).steward_jobs, p WHERE queue = p.q AND state IN (\(unescaped: queued)) AND run_at <= p.now),
              (SELECT count(*) FROM \(unescaped: s).steward_jobs, p WHERE queue = p.q AND state = \(unescaped: runningSQL)),
              (SELECT count(*) FILTER (WHERE state = \(unescaped: succeeded)) FROM \(unescaped: s).steward_jobs, p WHERE queue = p.q AND finished_at IS NOT NULL),
              (SELECT count(*) FILTER (WHERE state = \(unescaped: cancelled)) FROM \(unescaped: s).steward_jobs, p WHERE queue = p.q AND finished_at IS NOT NULL),
              (SELECT count(*) FILTER (WHERE state = \(unescaped: dead)) FROM \(unescaped: s).steward_jobs, p WHERE queue = p.q AND finished_at IS NOT NULL),
              (SELECT count(*) FROM \(unescaped: s).steward_jobs, p WHERE queue = p.q AND state = \(unescaped: succeeded) AND finished_at >= p.since),
              (SELECT count(*) FROM \(unescaped: s).steward_attempts, p
                 WHERE queue = p.q AND finished_at >= p.since AND outcome IN (\(unescaped: JobOutcome.HistoryName.failedSQL))),
              coalesce((SELECT paused FROM \(unescaped: s).steward_queues, p WHERE name = p.q), false),
              (SELECT count(*) FROM \(unescaped: s).steward_jobs, p WHERE queue = p.q AND pending_parents > 0 AND state = \(unescaped: waiting))
            FROM p
            """)
        let r = found[0].makeRandomAccess()
        let available: Int = try r.get(0)
        let oldest: Date? = try r.get(2)
        let running: Int = try r.get(3)
        let counts: [String: Int] = [
            JobState.available.rawValue: available, JobState.scheduled.rawValue: try r.get(1), JobState.running.rawValue: running,
            JobState.succeeded.rawValue: try r.get(4), JobState.cancelled.rawValue: try r.get(5), JobState.dead.rawValue: try r.get(6),
            JobState.waiting.rawValue: try r.get(10),
        ]
        return QueueStats(
            queue: queue, paused: try r.get(9), counts: counts, running: running, succeededLastMinute: try r.get(7),
            failedLastMinute: try r.get(8), oldestWaitingAgeSeconds: oldest.map { max(0, now.timeIntervalSince($0)) })
    }

    public func queues() async throws -> [QueueInfo] {
        try await query(
            """
            SELECT q.name, q.paused, q.max_depth, q.dead_letter_queue, q.max_attempts,
                (SELECT count(*) FROM \(quotedSchema).steward_jobs j WHERE j.queue = q.name AND j.state IN (\(JobState.queuedSQL))),
                (SELECT count(*) FROM \(quotedSchema).steward_jobs j WHERE j.queue = q.name AND j.state = \(JobState.running.sql))
            FROM \(quotedSchema).steward_queues q ORDER BY q.name
            """
        ).map { row in
            let r = row.makeRandomAccess()
            let name: String = try r.get(0)
            let maxAttempts: Int? = try r.get(4)
            let settings = try maxAttempts.map {
                QueueSettings(name: name, maxDepth: try r.get(2), deadLetterQueue: try r.get(3), maxAttempts: $0)
            }
            return QueueInfo(name: name, paused: try r.get(1), settings: settings, waiting: try r.get(5), running: try r.get(6))
        }
    }

    public func nextRunAt(queue: String, after now: Date) async throws -> Date? {
        try await execute(PostgresStatements.NextRunAt(queue: queue, after: now)).first ?? nil
    }
}
