public import Foundation
public import Steward
import GRDB

extension SQLiteJobStore {
    static func jsonArray(_ ids: [Int64]) -> String {
        "[" + ids.map(String.init).joined(separator: ",") + "]"
    }

    /// Decodes a row selected with `columns`, in that order.
    static func record(_ row: Row, now: Double) throws -> JobRecord {
        let state = JobState(rawValue: row[4]) ?? .available
        let runAt: Double = row[6]
        let (retryPolicy, metadata) = try JobRecord.decodeStored(retryPolicy: row[10], metadata: row[11])
        let progressJSON: String? = row[13]
        let errorType: String? = row[15]
        return JobRecord(
            id: JobID(row[0] as Int64),
            queue: row[1],
            name: row[2],
            payload: row[3],
            state: effective(state, runAt: runAt, now: now),
            priority: row[5],
            runAt: Date(timeIntervalSince1970: runAt),
            attempt: row[7],
            maxAttempts: row[8],
            timeout: (row[9] as Double?).map { .seconds(double: $0) },
            retryPolicy: retryPolicy,
            metadata: metadata,
            uniqueKey: row[12],
            progress: try progressJSON.map { try JSONCoding.decode(JobProgress.self, from: $0) },
            result: row[14],
            lastError: errorType.map { JobErrorInfo(type: $0, message: row[16] ?? "", attempt: row[17] ?? 0) },
            originalQueue: row[18],
            leaseOwner: row[19],
            leaseExpiresAt: (row[20] as Double?).map(Date.init(timeIntervalSince1970:)),
            createdAt: Date(timeIntervalSince1970: row[21]),
            startedAt: (row[22] as Double?).map(Date.init(timeIntervalSince1970:)),
            finishedAt: (row[23] as Double?).map(Date.init(timeIntervalSince1970:))
        )
    }

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
            clauses.append("(state = 'available' OR (state = 'scheduled' AND run_at <= ?))")
            args += [nowS]
        case .scheduled?:
            clauses.append("state = 'scheduled' AND run_at > ?")
            args += [nowS]
        case let state?:
            clauses.append("state = ?")
            args += [state.rawValue]
        case nil:
            break
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
                let type: String? = row[5]
                let attempt: Int = row[0]
                return AttemptRecord(
                    jobID: id, attempt: attempt, worker: row[1], startedAt: Date(timeIntervalSince1970: row[2]),
                    finishedAt: Date(timeIntervalSince1970: row[3]), outcome: row[4],
                    error: type.map { JobErrorInfo(type: $0, message: row[6] ?? "", attempt: attempt) })
            }
            // A success is kept on the job row rather than as a history row (one write fewer per job).
            if let row = try Row.fetchOne(
                db,
                sql: """
                    SELECT attempt, lease_owner, started_at, finished_at FROM steward_jobs
                    WHERE id = ? AND state = 'succeeded'
                    """, arguments: [id.rawValue])
            {
                out.append(
                    AttemptRecord(
                        jobID: id, attempt: row[0], worker: row[1] ?? "", startedAt: Date(timeIntervalSince1970: row[2] ?? 0),
                        finishedAt: Date(timeIntervalSince1970: row[3] ?? 0), outcome: "succeeded", error: nil))
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
                    WHERE queue = ? AND state IN ('scheduled', 'available') GROUP BY 1
                    """, arguments: [nowS, queue])
            {
                let due: Bool = row[0]
                counts[due ? "available" : "scheduled"] = row[1]
                if due { oldestDue = row[2] }
            }
            let running =
                try Int.fetchOne(
                    db, sql: "SELECT count(*) FROM steward_jobs WHERE queue = ? AND state = 'running'", arguments: [queue]) ?? 0
            counts["running"] = running
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
                        WHERE queue = ? AND state = 'succeeded' AND finished_at >= ? AND finished_at IS NOT NULL
                        """, arguments: [queue, since]) ?? 0
            let failed =
                try Int.fetchOne(
                    db,
                    sql: """
                        SELECT count(*) FROM steward_attempts
                        WHERE queue = ? AND finished_at >= ? AND outcome IN ('retry', 'dead', 'rescued')
                        """, arguments: [queue, since]) ?? 0
            let paused = try Bool.fetchOne(db, sql: "SELECT paused FROM steward_queues WHERE name = ?", arguments: [queue]) ?? false
            return QueueStats(
                queue: queue, paused: paused, counts: counts, running: running, succeededLastMinute: succeeded,
                failedLastMinute: failed, oldestWaitingAgeSeconds: oldestDue.map { max(0, nowS - $0) } ?? 0)
        }
    }

    public func queues() async throws -> [QueueInfo] {
        try await pool.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT q.name, q.paused, q.max_depth, q.dead_letter_queue, q.max_attempts,
                        (SELECT count(*) FROM steward_jobs j WHERE j.queue = q.name AND j.state IN ('scheduled', 'available')),
                        (SELECT count(*) FROM steward_jobs j WHERE j.queue = q.name AND j.state = 'running')
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
                db.cachedStatement(sql: "SELECT min(run_at) FROM steward_jobs WHERE queue = ? AND state = 'scheduled' AND run_at > ?"),
                arguments: [queue, now.timeIntervalSince1970]
            ).map(Date.init(timeIntervalSince1970:))
        }
    }
}
