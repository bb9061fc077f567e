public import Foundation
public import Steward
import GRDB

extension SQLiteJobStore {
    static func jsonArray(_ ids: [Int64]) -> String {
        "[" + ids.map(String.init).joined(separator: ",") + "]"
    }

    /// Decodes a row selected with `columns`, in that order. A malformed value (a hand-edited
    /// `run_at='abc'`) is an error naming the job and the column, never a trap.
    static func record(_ row: Row, now: Double) throws -> JobRecord {
        let id: Int64 = try row.value(0, "id")
        func v<T: DatabaseValueConvertible>(_ index: Int) throws -> T { try row.value(index, columnNames[index], job: id) }
        let state = JobState(rawValue: try v(4)) ?? .available
        let runAt: Double = try v(6)
        let (retryPolicy, metadata) = try JobRecord.decodeStored(retryPolicy: try v(10), metadata: try v(11))
        let progressJSON: String? = try v(13)
        let errorType: String? = try v(15)
        let errorMessage: String? = try v(16)
        let errorAttempt: Int? = try v(17)
        let timeout: Double? = try v(9)
        let leaseExpires: Double? = try v(20)
        let started: Double? = try v(22)
        let finished: Double? = try v(23)
        let parents: String? = try v(24)
        return JobRecord(
            id: JobID(id),
            queue: try v(1),
            name: try v(2),
            payload: try v(3),
            state: effective(state, runAt: runAt, now: now),
            priority: try v(5),
            runAt: Date(timeIntervalSince1970: runAt),
            attempt: try v(7),
            maxAttempts: try v(8),
            timeout: timeout.map { .seconds(double: $0) },
            retryPolicy: retryPolicy,
            metadata: metadata,
            uniqueKey: try v(12),
            progress: try progressJSON.map { try JSONCoding.decode(JobProgress.self, from: $0) },
            result: try v(14),
            lastError: errorType.map { JobErrorInfo(type: $0, message: errorMessage ?? "", attempt: errorAttempt ?? 0) },
            originalQueue: try v(18),
            leaseOwner: try v(19),
            leaseExpiresAt: leaseExpires.map(Date.init(timeIntervalSince1970:)),
            createdAt: Date(timeIntervalSince1970: try v(21)),
            startedAt: started.map(Date.init(timeIntervalSince1970:)),
            finishedAt: finished.map(Date.init(timeIntervalSince1970:)),
            dependsOn: try JobRecord.decodeParents(parents)
        )
    }

    static let columnNames = columns.split(separator: ",").map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }

    func fetchRecord(_ db: Database, id: Int64, now: Double) throws -> JobRecord? {
        let stmt = try db.cachedStatement(sql: "SELECT \(Self.columns) FROM steward_jobs WHERE id = ?")
        return try Row.fetchOne(stmt, arguments: [id]).map { try Self.record($0, now: now) }
    }

    public func job(_ id: JobID, now: Date) async throws -> JobRecord? {
        try await pool.read { db in try self.fetchRecord(db, id: id.rawValue, now: now.timeIntervalSince1970) }
    }

    public func jobs(_ filter: JobFilter, now: Date) async throws -> [JobRecord] {
        let nowS = now.timeIntervalSince1970
        var clauses: [String] = []
        var args: StatementArguments = []
        if let queue = filter.queue {
            clauses.append("queue = ?")
            args += [queue]
        }
        if let name = filter.name {
            clauses.append("name = ?")
            args += [name]
        }
        if let before = filter.beforeID {
            clauses.append("id < ?")
            args += [before.rawValue]
        }
        switch filter.state {
        case .available?:
            clauses.append("(state = \(JobState.available.sql) OR (state = \(JobState.scheduled.sql) AND run_at <= ?))")
            args += [nowS]
        case .scheduled?:
            clauses.append("state = \(JobState.scheduled.sql) AND run_at > ?")
            args += [nowS]
        case let state?:
            clauses.append("state = ?")
            args += [state.rawValue]
        case nil:
            break
        }
        if filter.retrying {
            clauses.append(JobState.retryingSQL(now: "?"))
            args += [nowS]
        }
        let whereSQL = clauses.isEmpty ? "" : "WHERE " + clauses.joined(separator: " AND ")
        args += [max(1, filter.limit)]
        let arguments = args
        return try await pool.read { db in
            try Row.fetchAll(
                db, sql: "SELECT \(Self.columns) FROM steward_jobs \(whereSQL) ORDER BY id DESC LIMIT ?", arguments: arguments
            ).map { try Self.record($0, now: nowS) }
        }
    }

    public func history(_ id: JobID) async throws -> [AttemptRecord] {
        try await pool.read { db in
            var out = try Row.fetchAll(
                db,
                sql: """
                    SELECT attempt, worker, started_at, finished_at, outcome, error_type, error_message
                    FROM steward_attempts WHERE job_id = ? ORDER BY id
                    """, arguments: [id.rawValue]
            ).map { row -> AttemptRecord in
                let type: String? = try row.value(5, "error_type", job: id.rawValue)
                let attempt: Int = try row.value(0, "attempt", job: id.rawValue)
                let message: String? = try row.value(6, "error_message", job: id.rawValue)
                return AttemptRecord(
                    jobID: id, attempt: attempt, worker: try row.value(1, "worker", job: id.rawValue),
                    startedAt: Date(timeIntervalSince1970: try row.value(2, "started_at", job: id.rawValue)),
                    finishedAt: Date(timeIntervalSince1970: try row.value(3, "finished_at", job: id.rawValue)),
                    outcome: try row.value(4, "outcome", job: id.rawValue),
                    error: type.map { JobErrorInfo(type: $0, message: message ?? "", attempt: attempt) })
            }
            // A success is kept on the job row rather than as a history row (one write fewer per job).
            if let row = try Row.fetchOne(
                db,
                sql: """
                    SELECT attempt, lease_owner, started_at, finished_at FROM steward_jobs
                    WHERE id = ? AND state = \(JobState.succeeded.sql)
                    """, arguments: [id.rawValue])
            {
                let worker: String? = try row.value(1, "lease_owner", job: id.rawValue)
                let started: Double? = try row.value(2, "started_at", job: id.rawValue)
                let finished: Double? = try row.value(3, "finished_at", job: id.rawValue)
                out.append(
                    AttemptRecord(
                        jobID: id, attempt: try row.value(0, "attempt", job: id.rawValue), worker: worker ?? "",
                        startedAt: Date(timeIntervalSince1970: started ?? 0), finishedAt: Date(timeIntervalSince1970: finished ?? 0),
                        outcome: JobOutcome.HistoryName.succeeded.rawValue, error: nil))
            }
            return out
        }
    }

    public func queueStats(_ queue: String, now: Date) async throws -> QueueStats {
        let nowS = now.timeIntervalSince1970
        return try await pool.read { db in
            var counts = Dictionary(uniqueKeysWithValues: JobState.allCases.map { ($0.rawValue, 0) })
            var oldestDue: Double? = nil
            for row in try Row.fetchAll(
                db,
                sql: """
                    SELECT run_at <= ?, count(*), min(run_at) FROM steward_jobs
                    WHERE queue = ? AND state IN (\(JobState.queuedSQL)) GROUP BY 1
                    """, arguments: [nowS, queue])
            {
                let due: Bool = row[0]
                counts[(due ? JobState.available : .scheduled).rawValue] = row[1]
                if due { oldestDue = row[2] }
            }
            let running =
                try Int.fetchOne(
                    db, sql: "SELECT count(*) FROM steward_jobs WHERE queue = ? AND state = \(JobState.running.sql)", arguments: [queue]) ?? 0
            counts[JobState.running.rawValue] = running
            counts[JobState.waiting.rawValue] =
                try Int.fetchOne(
                    db, sql: "SELECT count(*) FROM steward_jobs WHERE queue = ? AND pending_parents > 0 AND state = \(JobState.waiting.sql)", arguments: [queue]) ?? 0
            for row in try Row.fetchAll(
                db,
                sql: """
                    SELECT state, count(*) FROM steward_jobs
                    WHERE queue = ? AND finished_at IS NOT NULL GROUP BY state
                    """, arguments: [queue])
            {
                counts[row[0]] = row[1]
            }
            let since = nowS - 60
            let succeeded =
                try Int.fetchOne(
                    db,
                    sql: """
                        SELECT count(*) FROM steward_jobs
                        WHERE queue = ? AND state = \(JobState.succeeded.sql) AND finished_at >= ? AND finished_at IS NOT NULL
                        """, arguments: [queue, since]) ?? 0
            let failed =
                try Int.fetchOne(
                    db,
                    sql: """
                        SELECT count(*) FROM steward_attempts
                        WHERE queue = ? AND finished_at >= ? AND outcome IN (\(JobOutcome.HistoryName.failedSQL))
                        """, arguments: [queue, since]) ?? 0
            let paused = try Bool.fetchOne(db, sql: "SELECT paused FROM steward_queues WHERE name = ?", arguments: [queue]) ?? false
            return QueueStats(
                queue: queue, paused: paused, counts: counts, running: running, succeededLastMinute: succeeded,
                failedLastMinute: failed, oldestWaitingAgeSeconds: oldestDue.map { max(0, nowS - $0) })
        }
    }

    public func queues() async throws -> [QueueInfo] {
        try await pool.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT q.name, q.paused, q.max_depth, q.dead_letter_queue, q.max_attempts,
                        (SELECT count(*) FROM steward_jobs j WHERE j.queue = q.name AND j.state IN (\(JobState.queuedSQL))),
                        (SELECT count(*) FROM steward_jobs j WHERE j.queue = q.name AND j.state = \(JobState.running.sql))
                    FROM steward_queues q ORDER BY q.name
                    """
            ).map { row in
                let name: String = row[0]
                let maxAttempts: Int? = row[4]
                let settings = maxAttempts.map {
                    QueueSettings(name: name, maxDepth: row[2], deadLetterQueue: row[3], maxAttempts: $0)
                }
                return QueueInfo(name: name, paused: row[1], settings: settings, waiting: row[5], running: row[6])
            }
        }
    }

    public func nextRunAt(queue: String, after now: Date) async throws -> Date? {
        try await pool.read { db in
            try Double.fetchOne(
                db.cachedStatement(sql: "SELECT min(run_at) FROM steward_jobs WHERE queue = ? AND state = \(JobState.scheduled.sql) AND run_at > ?"),
                arguments: [queue, now.timeIntervalSince1970]
            ).map(Date.init(timeIntervalSince1970:))
        }
    }
}

extension Row {
    /// The value at `index`; a value of the wrong type (a hand-edited row) throws an error naming
    /// the column and the job, where GRDB's subscript would trap.
    func value<T: DatabaseValueConvertible>(_ index: Int, _ column: String, job: Int64? = nil) throws -> T {
        do {
            return try decode(T.self, atIndex: index)
        } catch {
            let which = job.map { "job \($0): " } ?? ""
            throw StewardError.storeUnavailable(
                "sqlite: \(which)column \(column) holds \(self[index] as DatabaseValue), which is not a valid \(T.self)")
        }
    }
}
