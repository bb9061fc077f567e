public import Foundation
public import Steward
import GRDB

extension SQLiteJobStore {
    // MARK: control

    public func cancel(_ id: JobID, now: Date) async throws -> JobRecord {
        let nowS = now.timeIntervalSince1970
        let (record, wake) = try await pool.write { db -> (JobRecord, Set<String>) in
            guard let current = try self.fetchRecord(db, id: id.rawValue, now: nowS) else { throw StewardError.jobNotFound(id) }
            if current.state.isFinished {
                throw StewardError.invalidTransition(job: id, from: current.state, action: "cancel")
            }
            let wake: Set<String>
            if current.state == .running, let owner = current.leaseOwner {
                let t = JobTransition(cancellingRunning: id, owner: owner, startedAt: current.startedAt ?? now)
                wake = try Self.apply(TransitionPlan([t]), now: nowS, in: db).1
            } else {
                try db.execute(
                    sql: "UPDATE steward_jobs SET state = \(JobState.cancelled.sql), finished_at = ?, lease_expires_at = NULL WHERE id = ?",
                    arguments: [nowS, id.rawValue])
                wake = try Self.releaseChildren(of: [id.rawValue], in: db)
            }
            return (try self.fetchRecord(db, id: id.rawValue, now: nowS)!, wake)
        }
        if !wake.isEmpty { hub.emit(wake) }
        finishedHub.emit([record.queue])
        return record
    }

    public func retry(_ id: JobID, now: Date) async throws -> JobRecord {
        let nowS = now.timeIntervalSince1970
        let record = try await pool.write { db in
            guard let current = try self.fetchRecord(db, id: id.rawValue, now: nowS) else { throw StewardError.jobNotFound(id) }
            guard current.state == .dead || current.state == .cancelled else {
                throw StewardError.invalidTransition(job: id, from: current.state, action: "retry")
            }
            if let key = current.uniqueKey,
                try Int64.fetchOne(
                    db, sql: "SELECT id FROM steward_jobs WHERE unique_key = ? AND state IN (\(JobState.liveSQL))",
                    arguments: [key]) != nil
            {
                throw StewardError.invalidArgument(field: "unique_key", message: "job \(id): another live job holds its unique key '\(key)'")
            }
            try db.execute(
                sql: """
                    UPDATE steward_jobs SET state = \(JobState.available.sql), queue = coalesce(original_queue, queue),
                        original_queue = NULL, attempt = 0, run_at = ?, finished_at = NULL, result = NULL,
                        lease_owner = NULL, lease_expires_at = NULL, progress = NULL
                    WHERE id = ?
                    """, arguments: [nowS, id.rawValue])
            return try self.fetchRecord(db, id: id.rawValue, now: nowS)!
        }
        hub.emit([record.queue])
        return record
    }

    public func configureQueues(_ settings: [QueueSettings]) async throws {
        try await pool.write { db in
            for s in settings {
                try db.execute(
                    sql: """
                        INSERT INTO steward_queues (name, max_depth, dead_letter_queue, max_attempts) VALUES (?, ?, ?, ?)
                        ON CONFLICT (name) DO UPDATE SET max_depth = excluded.max_depth,
                            dead_letter_queue = excluded.dead_letter_queue, max_attempts = excluded.max_attempts
                        """, arguments: [s.name, s.maxDepth, s.deadLetterQueue, s.maxAttempts])
            }
        }
    }

    public func setPaused(_ paused: Bool, queue: String) async throws {
        try await pool.write { db in
            try db.execute(
                sql: """
                    INSERT INTO steward_queues (name, paused) VALUES (?, ?)
                    ON CONFLICT (name) DO UPDATE SET paused = excluded.paused
                    """, arguments: [queue, paused])
        }
        if !paused { hub.emit([queue]) }
    }

    public func purgeFinished(before: Date) async throws -> Int {
        let cutoff = before.timeIntervalSince1970
        return try await pool.write { db in
            var total = 0
            for queue in try String.fetchAll(db, sql: "SELECT name FROM steward_queues") {
                let ids = try Int64.fetchAll(
                    db,
                    sql: """
                        DELETE FROM steward_jobs WHERE queue = ? AND finished_at IS NOT NULL
                            AND finished_at < ? RETURNING id
                        """, arguments: [queue, cutoff])
                if !ids.isEmpty {
                    try db.execute(
                        sql: "DELETE FROM steward_attempts WHERE job_id IN (SELECT value FROM json_each(?))",
                        arguments: [Self.jsonArray(ids)])
                }
                total += ids.count
            }
            try db.execute(sql: "DELETE FROM steward_idempotency_keys WHERE expires_at < ?", arguments: [cutoff])
            // Code runs that ended before the cutoff go with their driver jobs: steps, messages, events.
            let runs = try String.fetchAll(
                db, sql: "DELETE FROM steward_durable_runs WHERE finished_at IS NOT NULL AND finished_at < ? RETURNING id", arguments: [cutoff])
            if !runs.isEmpty {
                let list = try JSONCoding.encode(runs)
                for table in ["steward_durable_steps", "steward_durable_messages", "steward_durable_events"] {
                    try db.execute(sql: "DELETE FROM \(table) WHERE run_id IN (SELECT value FROM json_each(?))", arguments: [list])
                }
            }
            return total
        }
    }

    // MARK: coordination

    public func acquireLease(name: String, owner: String, ttl: Duration, now: Date) async throws -> Bool {
        let nowS = now.timeIntervalSince1970
        return try await pool.write { db in
            try db.execute(
                sql: """
                    INSERT INTO steward_leases (name, owner, expires_at) VALUES (?, ?, ?)
                    ON CONFLICT (name) DO UPDATE SET owner = excluded.owner, expires_at = excluded.expires_at
                    WHERE steward_leases.owner = excluded.owner OR steward_leases.expires_at <= ?
                    """, arguments: [name, owner, nowS + ttl.seconds, nowS])
            return db.changesCount > 0
        }
    }

    public func releaseLease(name: String, owner: String) async throws {
        try await pool.write { db in
            try db.execute(sql: "DELETE FROM steward_leases WHERE name = ? AND owner = ?", arguments: [name, owner])
        }
    }
}
