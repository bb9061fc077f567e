public import Foundation
public import Steward
import GRDB

/// Code workflows: every change is decided in Swift (``DurableStore``) and written here in one
/// write transaction (SQLite has one writer, so the run is locked by the transaction itself).
extension SQLiteJobStore {
    public func changeDurableRun(
        _ id: String, reading: DurableRead, now: Date, _ decide: @escaping @Sendable (DurableRunState) throws -> DurableChange
    ) async throws -> DurableChangeResult {
        let nowS = now.timeIntervalSince1970
        let (result, wake, ended) = try await pool.write { db -> (DurableChangeResult, Set<String>, Bool) in
            var seen = DurableRunState(run: try Self.durableRun(id, in: db))
            if reading.parent, let parent = seen.run?.parent { seen.parent = try Self.durableRun(parent, in: db) }
            if let child = reading.child { seen.child = try Self.durableRun(child, in: db) }
            if let topic = reading.topic {
                seen.message = try Row.fetchOne(
                    db.cachedStatement(
                        sql: "SELECT id, payload, sent_at FROM steward_durable_messages WHERE run_id = ? AND topic = ? ORDER BY id LIMIT 1"),
                    arguments: [id, topic]
                ).map { DurableMessage(id: $0[0], run: id, topic: topic, payload: $0[1], sentAt: Date(timeIntervalSince1970: $0[2])) }
            }
            let change = try decide(seen)
            var wake = Set<String>()
            var run = change.run
            if let job = change.enqueue {
                let enqueued = try Self.enqueue([try JobRow(job, now: now)], now: nowS, in: db)[0]
                run?.job = enqueued.id
                wake.insert(job.queue)
            }
            if let run { try Self.save(run, now: nowS, in: db) }
            if let parent = change.parent { try Self.save(parent, now: nowS, in: db) }
            if let from = change.truncate {
                try db.execute(sql: "DELETE FROM steward_durable_steps WHERE run_id = ? AND seq >= ?", arguments: [id, from])
            }
            let steps = try Self.upsert(change.steps, in: db)
            if let consumed = change.consume {
                try db.execute(sql: "DELETE FROM steward_durable_messages WHERE id = ?", arguments: [consumed])
            }
            if let m = change.send {
                try db.execute(
                    sql: "INSERT INTO steward_durable_messages (run_id, topic, payload, sent_at) VALUES (?, ?, ?, ?)",
                    arguments: [m.run, m.topic, m.payload, m.sentAt.timeIntervalSince1970])
            }
            if let e = change.event {
                try db.execute(
                    sql: "INSERT OR REPLACE INTO steward_durable_events (run_id, key, value, updated_at) VALUES (?, ?, ?, ?)",
                    arguments: [id, e.key, e.value, nowS])
            }
            for job in change.wake {
                wake.formUnion(
                    try String.fetchAll(
                        db, sql: "UPDATE steward_jobs SET run_at = ? WHERE id = ? AND state = \(JobState.scheduled.sql) RETURNING queue",
                        arguments: [nowS, job.rawValue]))
            }
            if let finish = change.pipelineFinish,
                let execution = try Int64.fetchOne(
                    db.cachedStatement(sql: "SELECT id FROM steward_pipeline_executions WHERE workflow_run = ? AND state = 'running' ORDER BY id DESC LIMIT 1"),
                    arguments: [id])
            {
                // Its own savepoint: a refusal by the pipeline rules leaves the run's change whole.
                try db.inSavepoint {
                    do {
                        let (_, _, queues) = try Self.finishPipelineExecution(execution, now: nowS, in: db) { e, d in
                            try PipelineRules.finish(e, with: finish, definition: d)
                        }
                        wake.formUnion(queues)
                        return .commit
                    } catch is PipelineError {
                        return .rollback
                    }
                }
            }
            var applied = false
            var ended = false
            if let outcome = change.outcome {
                let (done, queues) = try Self.apply(TransitionPlan([JobTransition(outcome, deadLetterQueue: nil)]), now: nowS, in: db)
                applied = !done.isEmpty
                ended = done.contains { $0.state.isFinished }
                wake.formUnion(queues)
            }
            return (DurableChangeResult(seen: seen, run: run ?? seen.run, steps: steps, outcomeApplied: applied), wake, ended)
        }
        if !wake.isEmpty { hub.emit(wake) }
        if ended { finishedHub.emit([WakeupHub.anyQueue]) }
        return result
    }

    public func startDurableRun(_ run: DurableRunRecord, job: NewJob, now: Date) async throws -> (run: DurableRunRecord, created: Bool) {
        let nowS = now.timeIntervalSince1970
        let row = try JobRow(job, now: now)
        let result = try await pool.write { db -> (DurableRunRecord, Bool) in
            if let existing = try Self.durableRun(run.id, in: db) { return (existing, false) }
            var started = run
            started.job = try Self.enqueue([row], now: nowS, in: db)[0].id
            try Self.save(started, now: nowS, in: db)
            _ = try Self.startPipelineExecution(pipeline: started.workflow, parent: nil, at: started.createdAt, workflowRun: started.id, in: db)
            return (started, true)
        }
        if result.1 { hub.emit([job.queue]) }
        return result
    }

    public func recordDurableSteps(_ run: String, _ steps: [DurableStepRecord]) async throws -> DurableRecorded {
        try await pool.write { db in
            let stored = try Self.upsert(steps, in: db)
            // The one field a step boundary needs, not the whole record decoded.
            let cancel = try Bool.fetchOne(
                db.cachedStatement(sql: "SELECT json_extract(record, '$.cancelRequested') FROM steward_durable_runs WHERE id = ?"),
                arguments: [run])
            return DurableRecorded(steps: stored, cancelRequested: cancel ?? false)
        }
    }

    /// Writes positions; a succeeded one is never overwritten: a second driver of the run (a
    /// lost lease) reads the first one's record back and uses it.
    static func upsert(_ steps: [DurableStepRecord], in db: Database) throws -> [DurableStepRecord] {
        guard !steps.isEmpty else { return [] }
        let upsert = try db.cachedStatement(
            sql: """
                INSERT INTO steward_durable_steps (run_id, seq, state, record) VALUES (?, ?, ?, ?)
                ON CONFLICT (run_id, seq) DO UPDATE SET state = excluded.state, record = excluded.record
                WHERE steward_durable_steps.state <> 'succeeded'
                """)
        var stored: [DurableStepRecord] = []
        for step in steps {
            try upsert.execute(arguments: [step.run, step.seq, step.state.rawValue, try JSONCoding.encode(step)])
            if db.changesCount > 0 {
                stored.append(step)
            } else if let kept = try durableStep(step.run, seq: step.seq, in: db) {
                stored.append(kept)
            }
        }
        return stored
    }

    public func durableRun(_ id: String) async throws -> DurableRunRecord? {
        try await pool.read { db in try Self.durableRun(id, in: db) }
    }

    public func durableRuns(workflow: String?, state: DurableRunRecord.State?, limit: Int) async throws -> [DurableRunRecord] {
        try await pool.read { db in
            try String.fetchAll(
                db,
                sql: """
                    SELECT record FROM steward_durable_runs WHERE (?1 IS NULL OR workflow = ?1) AND (?2 IS NULL OR state = ?2)
                    ORDER BY created_at DESC, id DESC LIMIT ?3
                    """, arguments: [workflow, state?.rawValue, max(0, limit)]
            ).map { try DurableRunRecord.stored($0) }
        }
    }

    public func durableSteps(_ run: String) async throws -> [DurableStepRecord] {
        try await pool.read { db in
            try String.fetchAll(db, sql: "SELECT record FROM steward_durable_steps WHERE run_id = ? ORDER BY seq", arguments: [run])
                .map { try JSONCoding.decode(DurableStepRecord.self, from: $0) }
        }
    }

    public func durableHistory(_ run: String) async throws -> (run: DurableRunRecord, steps: [DurableStepRecord])? {
        try await pool.read { db in
            guard let found = try Self.durableRun(run, in: db) else { return nil }
            let steps = try String.fetchAll(
                db.cachedStatement(sql: "SELECT record FROM steward_durable_steps WHERE run_id = ? ORDER BY seq"), arguments: [run]
            ).map { try JSONCoding.decode(DurableStepRecord.self, from: $0) }
            return (found, steps)
        }
    }

    public func durableEvent(_ run: String, key: String) async throws -> String? {
        try await pool.read { db in
            try String.fetchOne(db, sql: "SELECT value FROM steward_durable_events WHERE run_id = ? AND key = ?", arguments: [run, key])
        }
    }

    static func durableRun(_ id: String, in db: Database) throws -> DurableRunRecord? {
        try String.fetchOne(db.cachedStatement(sql: "SELECT record FROM steward_durable_runs WHERE id = ?"), arguments: [id])
            .map { try DurableRunRecord.stored($0) }
    }

    static func durableStep(_ run: String, seq: Int, in db: Database) throws -> DurableStepRecord? {
        try String.fetchOne(db.cachedStatement(sql: "SELECT record FROM steward_durable_steps WHERE run_id = ? AND seq = ?"), arguments: [run, seq])
            .map { try JSONCoding.decode(DurableStepRecord.self, from: $0) }
    }

    static func save(_ run: DurableRunRecord, now: Double, in db: Database) throws {
        try db.cachedStatement(
            sql: """
                INSERT INTO steward_durable_runs (id, workflow, state, created_at, finished_at, record) VALUES (?, ?, ?, ?, ?, ?)
                ON CONFLICT (id) DO UPDATE SET state = excluded.state, finished_at = excluded.finished_at, record = excluded.record
                """
        ).execute(arguments: [
            run.id, run.workflow, run.state.rawValue, run.createdAt.timeIntervalSince1970, run.finishedAt?.timeIntervalSince1970,
            try JSONCoding.encode(run),
        ])
    }
}
