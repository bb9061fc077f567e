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
                try await conn.query(
                    "SELECT pg_notify(\(channel), q) FROM unnest(\(Array(wake) + [""])::text[]) AS q", logger: logger)
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
            if let key = current.uniqueKey {
                var heldKeys = PostgresBindings()
                heldKeys.append(key)
                for try await _ in try await query(
                    "SELECT 1 FROM \(quotedSchema).steward_jobs WHERE unique_key = $1 AND state IN (\(JobState.liveSQL))", heldKeys, on: conn)
                {
                    throw StewardError.invalidArgument(field: "unique_key", message: "job \(id): another live job holds its unique key '\(key)'")
                }
            }
            var bindings = PostgresBindings()
            bindings.append(now)
            bindings.append(id.rawValue)
            try await query(
                """
                UPDATE \(quotedSchema).steward_jobs SET state = \(JobState.available.sql), queue = coalesce(original_queue, queue), original_queue = NULL,
                    attempt = 0, run_at = $1, finished_at = NULL, result = NULL, lease_owner = NULL, lease_expires_at = NULL,
                    progress = NULL
                WHERE id = $2
                """, bindings, on: conn)
            let record = try await fetchRecord(id, now: now, on: conn)!
            var notifyArguments = PostgresBindings()
            notifyArguments.append(channel)
            notifyArguments.append(record.queue)
            try await query("SELECT pg_notify($1, $2)", notifyArguments, on: conn)
            return record
        }
        hub.emit([record.queue])
        return record
    }

    public func configureQueues(_ settings: [QueueSettings]) async throws {
        try await transaction { [self] conn in
            for q in settings {
                var bindings = PostgresBindings()
                bindings.append(q.name)
                bindings.appendOptional(q.maxDepth)
                bindings.append(q.deadLetterQueue)
                bindings.append(q.maxAttempts)
                try await query(
                    """
                    INSERT INTO \(quotedSchema).steward_queues (name, max_depth, dead_letter_queue, max_attempts) VALUES ($1, $2, $3, $4)
                    ON CONFLICT (name) DO UPDATE SET max_depth = excluded.max_depth,
                        dead_letter_queue = excluded.dead_letter_queue, max_attempts = excluded.max_attempts
                    """, bindings, on: conn)
            }
        }
    }

    public func setPaused(_ paused: Bool, queue: String) async throws {
        try await transaction { [self] conn in
            var bindings = PostgresBindings()
            bindings.append(queue)
            bindings.append(paused)
            try await query(
                """
                INSERT INTO \(quotedSchema).steward_queues (name, paused) VALUES ($1, $2)
                ON CONFLICT (name) DO UPDATE SET paused = excluded.paused
                """, bindings, on: conn)
            if !paused {
                var notifyArguments = PostgresBindings()
                notifyArguments.append(channel)
                notifyArguments.append(queue)
                try await query("SELECT pg_notify($1, $2)", notifyArguments, on: conn)
            }
        }
        if !paused { hub.emit([queue]) }
    }

    public func purgeFinished(before: Date) async throws -> Int {
        try await transaction { [self] conn in
            var bindings = PostgresBindings()
            bindings.append(before)
            var purged = 0
            for try await count in try await query(
                """
                WITH gone AS (
                    DELETE FROM \(quotedSchema).steward_jobs WHERE finished_at IS NOT NULL AND finished_at < $1 RETURNING id
                ), history AS (
                    DELETE FROM \(quotedSchema).steward_attempts WHERE job_id IN (SELECT id FROM gone)
                )
                SELECT count(*) FROM gone
                """, bindings, on: conn
            ).decode(Int.self) {
                purged = count
            }
            try await query("DELETE FROM \(quotedSchema).steward_idempotency_keys WHERE expires_at < $1", bindings, on: conn)
            return purged
        }
    }

    public func acquireLease(name: String, owner: String, ttl: Duration, now: Date) async throws -> Bool {
        var bindings = PostgresBindings()
        bindings.append(name)
        bindings.append(owner)
        bindings.append(now.addingTimeInterval(ttl.seconds))
        bindings.append(now)
        return try await !query(
            """
            INSERT INTO \(quotedSchema).steward_leases (name, owner, expires_at) VALUES ($1, $2, $3)
            ON CONFLICT (name) DO UPDATE SET owner = excluded.owner, expires_at = excluded.expires_at
            WHERE \(quotedSchema).steward_leases.owner = excluded.owner OR \(quotedSchema).steward_leases.expires_at <= $4
            RETURNING owner
            """, bindings
        ).isEmpty
    }

    public func releaseLease(name: String, owner: String) async throws {
        var bindings = PostgresBindings()
        bindings.append(name)
        bindings.append(owner)
        _ = try await query("DELETE FROM \(quotedSchema).steward_leases WHERE name = $1 AND owner = $2", bindings)
    }
}
