public import Foundation
import GRDB
public import Steward

/// The dashboard's counts and attempts per minute, read in one snapshot.
extension SQLiteJobStore {
    public func jobActivity(since: Date, now: Date) async throws -> JobActivity {
        let nowS = now.timeIntervalSince1970
        return try await pool.read { db in
            // Each count walks a partial index (running, scheduled/available) or one queue's
            // slice of the finished index (dead, succeeded), never the table of finished jobs.
            let running = try Int.fetchOne(db, sql: "SELECT count(*) FROM steward_jobs WHERE state = \(JobState.running.sql)") ?? 0
            let queued = try Row.fetchOne(
                db,
                sql: """
                    SELECT coalesce(sum(state = \(JobState.available.sql) OR run_at <= ?1), 0),
                           coalesce(sum(state = \(JobState.scheduled.sql) AND run_at > ?1), 0),
                           coalesce(sum(\(JobState.retryingSQL(now: "?1"))), 0)
                    FROM steward_jobs WHERE state IN (\(JobState.queuedSQL))
                    """, arguments: [nowS])
            let dead =
                try Int.fetchOne(
                    db,
                    sql: """
                        SELECT coalesce(sum((SELECT count(*) FROM steward_jobs j
                                             WHERE j.queue = q.name AND j.state = \(JobState.dead.sql) AND j.finished_at IS NOT NULL)), 0)
                        FROM steward_queues q
                        """) ?? 0
            // A success is the job's (the history keeps no row for it); a failure is an attempt's.
            let minutes = try Row.fetchAll(
                db,
                sql: """
                    SELECT m, sum(ok), sum(failed) FROM (
                        SELECT CAST(j.finished_at / 60 AS INTEGER) AS m, 1 AS ok, 0 AS failed
                        FROM steward_queues q JOIN steward_jobs j
                            ON j.queue = q.name AND j.state = \(JobState.succeeded.sql) AND j.finished_at >= ?1 AND j.finished_at IS NOT NULL
                        UNION ALL
                        SELECT CAST(finished_at / 60 AS INTEGER), 0, 1 FROM steward_attempts
                        WHERE finished_at >= ?1 AND outcome IN (\(JobOutcome.HistoryName.failedSQL))
                    ) GROUP BY m ORDER BY m
                    """, arguments: [since.timeIntervalSince1970]
            ).map { row in
                AttemptMinute(minute: Date(timeIntervalSince1970: Double(row[0] as Int64) * 60), succeeded: row[1], failed: row[2])
            }
            return JobActivity(
                running: running, available: queued?[0] ?? 0, scheduled: queued?[1] ?? 0, retrying: queued?[2] ?? 0, dead: dead,
                minutes: minutes)
        }
    }

    public func dependents(of id: JobID) async throws -> [JobID] {
        try await pool.read { db in
            try Int64.fetchAll(
                db,
                sql: """
                    SELECT id FROM steward_jobs INDEXED BY steward_jobs_children
                    WHERE depends_on IS NOT NULL AND EXISTS (SELECT 1 FROM json_each(depends_on) WHERE value = ?)
                    ORDER BY id
                    """, arguments: [id.rawValue]
            ).map { JobID($0) }
        }
    }
}
