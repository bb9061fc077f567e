public import Foundation
import PostgresNIO
public import Steward

/// The dashboard's counts and attempts per minute, in one statement.
extension PostgresJobStore {
    public func jobActivity(since: Date, now: Date) async throws -> JobActivity {
        let s = quotedSchema
        let (queued, scheduled, dead) = (JobState.queuedSQL, JobState.scheduled.sql, JobState.dead.sql)
        // Each count walks a partial index (running, scheduled/available) or one queue's slice of
        // the finished index (dead, succeeded), never the table of finished jobs. A success is the
        // job's (the history keeps no row for it); a failure is an attempt's.
        let found = try await rows(
            """
            WITH p AS (SELECT \(now)::timestamptz AS now, \(since)::timestamptz AS since)
            SELECT
              (SELECT count(*) FROM \(unescaped: s).steward_jobs WHERE state = \(unescaped: JobState.running.sql)),
              (SELECT count(*) FROM \(unescaped: s).steward_jobs, p WHERE state IN (\(unescaped: queued)) AND run_at <= p.now),
              (SELECT count(*) FROM \(unescaped: s).steward_jobs, p WHERE state = \(unescaped: scheduled) AND run_at > p.now),
              (SELECT count(*) FROM \(unescaped: s).steward_jobs, p
                 WHERE \(unescaped: JobState.retryingSQL(now: "p.now"))),
              (SELECT coalesce(sum((SELECT count(*) FROM \(unescaped: s).steward_jobs j
                                    WHERE j.queue = q.name AND j.state = \(unescaped: dead) AND j.finished_at IS NOT NULL)), 0)::int8
                 FROM \(unescaped: s).steward_queues q),
              (SELECT coalesce(json_agg(json_build_array(m, ok, failed) ORDER BY m), '[]')::text FROM (
                 SELECT m, sum(ok)::int8 AS ok, sum(failed)::int8 AS failed FROM (
                   SELECT floor(extract(epoch FROM j.finished_at) / 60)::int8 AS m, 1 AS ok, 0 AS failed
                   FROM \(unescaped: s).steward_queues q JOIN \(unescaped: s).steward_jobs j ON j.queue = q.name, p
                   WHERE j.state = \(unescaped: JobState.succeeded.sql) AND j.finished_at >= p.since AND j.finished_at IS NOT NULL
                   UNION ALL
                   SELECT floor(extract(epoch FROM finished_at) / 60)::int8, 0, 1 FROM \(unescaped: s).steward_attempts, p
                   WHERE finished_at >= p.since AND outcome IN (\(unescaped: JobOutcome.HistoryName.failedSQL))
                 ) u GROUP BY m) x)
            FROM p
            """)
        let r = found[0].makeRandomAccess()
        let minutes = try JSONCoding.decode([[Int64]].self, from: try r.get(5, String.self)).map { m in
            AttemptMinute(minute: Date(timeIntervalSince1970: Double(m[0]) * 60), succeeded: Int(m[1]), failed: Int(m[2]))
        }
        return JobActivity(
            running: try r.get(0), available: try r.get(1), scheduled: try r.get(2), retrying: try r.get(3), dead: try r.get(4),
            minutes: minutes)
    }

    public func dependents(of id: JobID) async throws -> [JobID] {
        // depends_on is a JSON array of ids; only jobs that name parents are searched.
        try await rows(
            """
            SELECT id FROM \(unescaped: quotedSchema).steward_jobs
            WHERE depends_on IS NOT NULL AND depends_on::jsonb @> to_jsonb(\(id.rawValue)::int8) ORDER BY id
            """
        ).map { JobID(try $0.decode(Int64.self)) }
    }
}
