public import Foundation
import Logging
import PostgresNIO
public import Steward

/// Changes made by hand (cancel, retry, queue settings, pause, purge) and singleton leases.
extension PostgresJobStore {
    public func cancel(_ id: JobID, now: Date) async throws -> JobRecord {
        let (record, wake) = try await transaction { [self] conn -> (JobRecord, Set<String>) in
            guard let current = try await fetchRecord(id, now: now, on: conn, lock: true) else { throw StewardError.jobNotFound(id) }
            if current.state.isFinished { throw StewardError.invalidTransition(job: id, from: current.state, action: "cancel") }
            let wake: Set<String>
            if current.state == .running, let owner = current.leaseOwner {
                let t = JobTransition(cancellingRunning: id, owner: owner, startedAt: current.startedAt ?? now)
                wake = try await apply([t], now: now, on: conn).released
            } else {
                try await conn.query(
                    """
                    UPDATE \(unescaped: quotedSchema).steward_jobs SET state = \(unescaped: JobState.cancelled.sql), finished_at = \(now),
                        lease_expires_at = NULL WHERE id = \(id.rawValue)
                    """, logger: logger)
                wake = try await releaseChildren(of: [id.rawValue], on: conn)
                // The released children's queues are announced by the release; this, that a job finished.
                try await conn.query("SELECT pg_notify(\(channel), '')", logger: logger)
            }
            return (try await fetchRecord(id, now: now, on: conn)!, wake)
        }
        if !wake.isEmpty { hub.emit(wake) }
        finishedHub.emit([record.queue])
        return record
    }

    public func retry(_ id: JobID, now: Date) async throws -> JobRecord {
        let record = try await transaction { [self] conn in
            guard let current = try await fetchRecord(id, now: now, on: conn, lock: true) else { throw StewardError.jobNotFound(id) }
            guard current.state == .dead || current.state == .cancelled else {
                throw StewardError.invalidTransition(job: id, from: current.state, action: "retry")
            }
            let s = quotedSchema
            if let key = current.uniqueKey {
                for try await _ in try await conn.query(
                    "SELECT 1 FROM \(unescaped: s).steward_jobs WHERE unique_key = \(key) AND state IN (\(unescaped: JobState.liveSQL))",
                    logger: logger)
                {
                    throw StewardError.invalidArgument(field: "unique_key", message: "job \(id): another live job holds its unique key '\(key)'")
                }
            }
            try await conn.query(
                """
                UPDATE \(unescaped: s).steward_jobs SET state = \(unescaped: JobState.available.sql), queue = coalesce(original_queue, queue),
                    original_queue = NULL, attempt = 0, run_at = \(now), finished_at = NULL, result = NULL, lease_owner = NULL,
                    lease_expires_at = NULL, progress = NULL
                WHERE id = \(id.rawValue)
                """, logger: logger)
            let record = try await fetchRecord(id, now: now, on: conn)!
            try await conn.query("SELECT pg_notify(\(channel), \(record.queue))", logger: logger)
            return record
        }
        hub.emit([record.queue])
        return record
    }

    public func configureQueues(_ settings: [QueueSettings]) async throws {
        let s = quotedSchema
        try await transaction { [self] conn in
            for q in settings {
                try await conn.query(
                    """
                    INSERT INTO \(unescaped: s).steward_queues (name, max_depth, dead_letter_queue, max_attempts)
                    VALUES (\(q.name), \(q.maxDepth), \(q.deadLetterQueue), \(q.maxAttempts))
                    ON CONFLICT (name) DO UPDATE SET max_depth = excluded.max_depth,
                        dead_letter_queue = excluded.dead_letter_queue, max_attempts = excluded.max_attempts
                    """, logger: logger)
            }
        }
    }

    public func setPaused(_ paused: Bool, queue: String) async throws {
        let s = quotedSchema
        try await transaction { [self] conn in
            try await conn.query(
                """
                INSERT INTO \(unescaped: s).steward_queues (name, paused) VALUES (\(queue), \(paused))
                ON CONFLICT (name) DO UPDATE SET paused = excluded.paused
                """, logger: logger)
            if !paused { try await conn.query("SELECT pg_notify(\(channel), \(queue))", logger: logger) }
        }
        if !paused { hub.emit([queue]) }
    }

    public func purgeFinished(before: Date) async throws -> Int {
        let s = quotedSchema
        return try await transaction { [self] conn in
            var purged = 0
            for try await count in try await conn.query(
                """
                WITH gone AS (
                    DELETE FROM \(unescaped: s).steward_jobs WHERE finished_at IS NOT NULL AND finished_at < \(before) RETURNING id
                ), history AS (
                    DELETE FROM \(unescaped: s).steward_attempts WHERE job_id IN (SELECT id FROM gone)
                )
                SELECT count(*) FROM gone
                """, logger: logger
            ).decode(Int.self) {
                purged = count
            }
            try await conn.query("DELETE FROM \(unescaped: s).steward_idempotency_keys WHERE expires_at < \(before)", logger: logger)
            // Code runs that ended before the cutoff go with their driver jobs: steps, messages, events.
            try await conn.query(
                """
                WITH runs AS (
                    DELETE FROM \(unescaped: s).steward_durable_runs WHERE finished_at IS NOT NULL AND finished_at < \(before) RETURNING id
                ), steps AS (
                    DELETE FROM \(unescaped: s).steward_durable_steps WHERE run_id IN (SELECT id FROM runs)
                ), messages AS (
                    DELETE FROM \(unescaped: s).steward_durable_messages WHERE run_id IN (SELECT id FROM runs)
                )
                DELETE FROM \(unescaped: s).steward_durable_events WHERE run_id IN (SELECT id FROM runs)
                """, logger: logger)
            return purged
        }
    }

    public func acquireLease(name: String, owner: String, ttl: Duration, now: Date) async throws -> Bool {
        let s = quotedSchema
        return try await !rows(
            """
            INSERT INTO \(unescaped: s).steward_leases (name, owner, expires_at) VALUES (\(name), \(owner), \(now.addingTimeInterval(ttl.seconds)))
            ON CONFLICT (name) DO UPDATE SET owner = excluded.owner, expires_at = excluded.expires_at
            WHERE \(unescaped: s).steward_leases.owner = excluded.owner OR \(unescaped: s).steward_leases.expires_at <= \(now)
            RETURNING owner
            """
        ).isEmpty
    }

    public func releaseLease(name: String, owner: String) async throws {
        _ = try await rows("DELETE FROM \(unescaped: quotedSchema).steward_leases WHERE name = \(name) AND owner = \(owner)")
    }
}
