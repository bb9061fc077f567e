public import Foundation
import Logging
import PostgresNIO
import Synchronization
public import Steward

/// Code workflows: every change is decided in Swift (``DurableStore``) and written here in one
/// transaction. A run is locked with a transaction-scoped advisory lock on its id (a run that
/// does not exist yet included, so two starts of one id serialize); a child's end locks its
/// parent after itself, a parent's suspension locks only itself and reads the child: no cycle.
extension PostgresJobStore {
    public func changeDurableRun(
        _ id: String, reading: DurableRead, now: Date, _ decide: @escaping @Sendable (DurableRunState) throws -> DurableChange
    ) async throws -> DurableChangeResult {
        if reading.pipelineExecution, reading.topic == nil, reading.child == nil, let basis = endBases.take(id),
            let ended = try await endIfUnchanged(basis, reading: reading, now: now, decide)
        {
            return ended
        }
        let s = quotedSchema
        let logger = self.logger
        let (result, wake, ended) = try await transaction { [self] conn -> (DurableChangeResult, Set<String>, Bool) in
            var seen = DurableRunState()
            // The run's running pipeline execution and its definition, when read with the lock
            // (`.some(nil)`: read, and there is none).
            var execution: (PipelineExecution, String?)?? = nil
            if reading.pipelineExecution {
                let (run, running) = try await lockedRunAndExecution(id, on: conn)
                seen.run = run
                execution = .some(running)
            } else {
                seen.run = try await lockedRun(id, on: conn)
            }
            if reading.parent, let parent = seen.run?.parent {
                seen.parent = try await lockedRun(parent, on: conn)
            }
            if let child = reading.child { seen.child = try await durableRun(child, on: conn) }
            if let topic = reading.topic {
                for try await (messageID, payload, sentAt) in try await conn.query(
                    """
                    SELECT id, payload, sent_at FROM \(unescaped: s).steward_durable_messages
                    WHERE run_id = \(id) AND topic = \(topic) ORDER BY id LIMIT 1
                    """, logger: logger
                ).decode((Int64, String, Date).self) {
                    seen.message = DurableMessage(id: messageID, run: id, topic: topic, payload: payload, sentAt: sentAt)
                }
            }
            let change = try decide(seen)
            // The record changes here: what an attempt read of it is no basis for its end now.
            if change.run != nil { endBases.forget(id) }
            if let parent = change.parent { endBases.forget(parent.id) }
            var wake = Set<String>()
            var run = change.run
            if let job = change.enqueue {
                let enqueued = try await enqueue([job], queues: [job.queue], now: now, on: conn)[0]
                run?.job = enqueued.id
                wake.insert(job.queue)
            }
            // A change that ends the attempt and was read with its execution writes the run, the
            // execution's end and the job's outcome in one statement, last.
            let fused = run != nil && change.outcome != nil && execution != nil
            if let run, !fused { try await save(run, on: conn) }
            if let parent = change.parent { try await save(parent, on: conn) }
            if let from = change.truncate {
                try await conn.query("DELETE FROM \(unescaped: s).steward_durable_steps WHERE run_id = \(id) AND seq >= \(from)", logger: logger)
            }
            var steps: [DurableStepRecord] = []
            for step in change.steps { steps.append(try await upsert(step, on: conn).0) }
            if let consumed = change.consume {
                try await conn.query("DELETE FROM \(unescaped: s).steward_durable_messages WHERE id = \(consumed)", logger: logger)
            }
            if let m = change.send {
                try await conn.query(
                    """
                    INSERT INTO \(unescaped: s).steward_durable_messages (run_id, topic, payload, sent_at)
                    VALUES (\(m.run), \(m.topic), \(m.payload), \(m.sentAt))
                    """, logger: logger)
            }
            if let e = change.event {
                try await conn.query(
                    """
                    INSERT INTO \(unescaped: s).steward_durable_events (run_id, key, value, updated_at) VALUES (\(id), \(e.key), \(e.value), \(now))
                    ON CONFLICT (run_id, key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at
                    """, logger: logger)
            }
            if !change.wake.isEmpty {
                for try await queue in try await conn.query(
                    """
                    UPDATE \(unescaped: s).steward_jobs SET run_at = \(now)
                    WHERE id = ANY(\(change.wake.map(\.rawValue))::int8[]) AND state = \(unescaped: JobState.scheduled.sql)
                    RETURNING queue
                    """, logger: logger
                ).decode(String.self) {
                    wake.insert(queue)
                }
            }
            // The execution's end: read with the lock, or now; its row written by the fused
            // statement below when there is one. A refusal by the pipeline rules comes before any
            // write and leaves the run's change whole.
            var ending: (id: Int64, PipelineExecution)? = nil
            if let finish = change.pipelineFinish {
                do {
                    let read: (PipelineExecution, String?)?
                    if let execution { read = execution } else { read = try await executionToFinish(.workflowRun(id), on: conn) }
                    if let (current, body) = read {
                        let (finished, _, queues) = try await finishPipelineExecution(
                            current, body: body, now: now, on: conn, writingRow: !fused
                        ) { e, d in try PipelineRules.finish(e, with: finish, definition: d) }
                        if fused { ending = (current.id, finished.execution) }
                        wake.formUnion(queues)
                    }
                } catch is PipelineError {}
            }
            var applied = false
            var ended = false
            if let outcome = change.outcome {
                let (done, released) = try await apply(
                    [JobTransition(outcome, deadLetterQueue: nil)], now: now, on: conn, endingRun: fused ? run.map { ($0, ending) } : nil)
                applied = !done.isEmpty
                ended = done.contains { $0.state.isFinished }
                wake.formUnion(released)
            }
            if !wake.isEmpty {
                try await conn.query("SELECT pg_notify(\(channel), q) FROM unnest(\(Array(wake))::text[]) AS q", logger: logger)
            }
            return (DurableChangeResult(seen: seen, run: run ?? seen.run, steps: steps, outcomeApplied: applied), wake, ended)
        }
        if !wake.isEmpty { hub.emit(wake) }
        if ended { finishedHub.emit([WakeupHub.anyQueue]) }
        return result
    }

    /// An attempt's end (the run's record, its execution's end and the driver job's outcome) in one
    /// statement without a transaction of its own (``PostgresStatements/DurableEndIfUnchanged``),
    /// decided from what the attempt read at its start. `nil` when the change is not such an end,
    /// or the store refused it because something changed since (a cancel, a message's wake-up):
    /// the caller then takes the locked path, which decides again from what it reads.
    private func endIfUnchanged(
        _ basis: DurableEndBasis, reading: DurableRead, now: Date, _ decide: @Sendable (DurableRunState) throws -> DurableChange
    ) async throws -> DurableChangeResult? {
        // A child's end locks its parent too: the locked path.
        guard basis.run.parent == nil || !reading.parent else { return nil }
        let seen = DurableRunState(run: basis.run)
        guard let change = try? decide(seen), let run = change.run, let outcome = change.outcome, change.parent == nil,
            change.truncate == nil, change.steps.isEmpty, change.consume == nil, change.send == nil, change.event == nil,
            change.enqueue == nil, change.wake.isEmpty
        else { return nil }
        var finished: PipelineExecution? = nil
        if let finish = change.pipelineFinish {
            // Only an end that writes nothing besides the execution's row (no datasets, no jobs).
            guard let current = basis.execution,
                let decided = try? PipelineRules.finish(
                    current.execution, with: finish,
                    definition: current.body.map({ try JSONCoding.decode(PipelineDefinition.self, from: $0) })),
                decided.touched.isEmpty, decided.jobs.isEmpty
            else { return nil }
            finished = decided.execution
        }
        let statement = try PostgresStatements.DurableEndIfUnchanged(
            PostgresStatements.Transition(transitions: [JobTransition(outcome, deadLetterQueue: nil)], now: now, channel: channel),
            lockKey: quotedSchema + ".durable:" + run.id, basis: basis, run: run, execution: finished)
        let logger = self.logger
        let rows = try await mapErrors {
            try await withClient("changeDurableRun") { conn -> [PostgresStatements.Transition.Row]? in
                do {
                    var rows: [PostgresStatements.Transition.Row] = []
                    for try await row in try await conn.execute(statement, logger: logger) { rows.append(row) }
                    return rows
                } catch let error as PSQLError where error.serverInfo?[.sqlState] == PostgresStatements.DurableEndIfUnchanged.changed {
                    return nil
                }
            }
        }
        guard let rows else { return nil }
        endBases.oneStatementEnds.add(1, ordering: .relaxed)
        let applied = Self.applied(rows)
        emit(applied, releasedQueues: Self.released(rows))
        return DurableChangeResult(seen: seen, run: run, steps: [], outcomeApplied: !applied.isEmpty)
    }

    /// One statement (`steward_durable_start_v1`) when the driver job can take the lean
    /// enqueue; else the job first, then the run's row and its pipeline execution in a
    /// transaction. Either way a run that exists (a concurrent start of the same id included,
    /// which the insert waits for) writes nothing, and that run is read.
    public func startDurableRun(_ run: DurableRunRecord, job: NewJob, now: Date) async throws -> (run: DurableRunRecord, created: Bool) {
        if isLean(job) {
            let (bindings, _) = try enqueueOneBindings(job, now: now)
            if let (bounded, record) = try await execute(try PostgresStatements.StartRun(run, job: bindings)).first, !bounded {
                guard let record else {
                    guard let existing = try await durableRun(run.id) else { throw StewardError.workflowRunNotFound(run.id) }
                    return (existing, false)
                }
                hub.emit([job.queue])
                return (try DurableRunRecord.stored(record), true)
            }
            // A max depth set meanwhile (by another process): the general path checks it.
            boundedQueues.withLock { _ = $0.insert(job.queue) }
        }
        do {
            let started = try await transaction { [self] conn -> DurableRunRecord in
                var started = run
                started.job = try await enqueueOne(job, now: now, on: conn).id
                var inserted = false
                for try await _ in try await conn.execute(PostgresStatements.InsertRun(started), logger: logger) { inserted = true }
                guard inserted else { throw RunExists() }
                _ = try await startPipelineExecution(
                    pipeline: started.workflow, parent: nil, at: started.createdAt, workflowRun: started.id, on: conn)
                return started
            }
            // Registered by the transaction: later starts take the lean enqueue statement.
            registeredQueues.withLock { _ = $0.insert(job.queue) }
            hub.emit([job.queue])
            return (started, true)
        } catch is RunExists {
            guard let existing = try await durableRun(run.id) else { throw StewardError.workflowRunNotFound(run.id) }
            return (existing, false)
        }
    }

    /// A run with the id being started exists: its start is undone.
    private struct RunExists: Error {}

    public func recordDurableSteps(_ run: String, _ steps: [DurableStepRecord]) async throws -> DurableRecorded {
        if steps.count == 1 {
            // The common case, outside a transaction: alone in one statement, or, while others
            // are out, with the records of other runs that wait for the next one.
            let stored = try await stepBatcher.record(steps[0]) { [self] batch in
                let rows = try await batch.count == 1
                    ? execute(try PostgresStatements.DurableStep(batch[0])) : execute(try PostgresStatements.DurableSteps(batch))
                // A row per record, in order (none missing; a missing one would read as written).
                return try batch.indices.map { i in
                    guard i < rows.count else { return (batch[i], false) }
                    let (written, kept, cancel) = rows[i]
                    return (written ? batch[i] : try kept.map { try JSONCoding.decode(DurableStepRecord.self, from: $0) } ?? batch[i], cancel ?? false)
                }
            }
            return DurableRecorded(steps: [stored.step], cancelRequested: stored.cancelRequested)
        }
        return try await transaction { [self] conn in
            var stored: [DurableStepRecord] = []
            var cancel = false
            for step in steps {
                let (s, c) = try await upsert(step, on: conn)
                stored.append(s)
                cancel = c
            }
            return DurableRecorded(steps: stored, cancelRequested: cancel)
        }
    }

    /// Writes a position unless a succeeded one is there (a second driver of the run, after a
    /// lost lease, reads the first one's record back and uses it); returns what is stored and
    /// whether the run is asked to cancel.
    private func upsert(_ step: DurableStepRecord, on conn: PostgresConnection) async throws -> (DurableStepRecord, Bool) {
        for try await (written, kept, cancel) in try await conn.execute(
            try PostgresStatements.DurableStep(step), logger: logger)
        {
            return (written ? step : try kept.map { try JSONCoding.decode(DurableStepRecord.self, from: $0) } ?? step, cancel ?? false)
        }
        return (step, false)
    }

    public func durableRun(_ id: String) async throws -> DurableRunRecord? {
        try await execute(PostgresStatements.DurableRun(id)).first.map { try DurableRunRecord.stored($0) }
    }

    public func durableRuns(workflow: String?, state: DurableRunRecord.State?, limit: Int) async throws -> [DurableRunRecord] {
        try await rows(
            """
            SELECT record FROM \(unescaped: quotedSchema).steward_durable_runs
            WHERE (\(workflow)::text IS NULL OR workflow = \(workflow)) AND (\(state?.rawValue)::text IS NULL OR state = \(state?.rawValue))
            ORDER BY created_at DESC, id DESC LIMIT \(max(0, limit))
            """
        ).map { try DurableRunRecord.stored(try $0.decode(String.self)) }
    }

    public func durableSteps(_ run: String) async throws -> [DurableStepRecord] {
        try await rows("SELECT record FROM \(unescaped: quotedSchema).steward_durable_steps WHERE run_id = \(run) ORDER BY seq").map {
            try JSONCoding.decode(DurableStepRecord.self, from: try $0.decode(String.self))
        }
    }

    /// One round trip: the run's record and its positions as one JSON array; with them its running
    /// execution, kept with the record as the basis of the attempt's end (one statement: see docs/design.md).
    public func durableHistory(_ run: String) async throws -> (run: DurableRunRecord, steps: [DurableStepRecord])? {
        guard let (record, steps, execution) = try await execute(PostgresStatements.DurableHistory(run: run)).first else { return nil }
        let stored = try DurableRunRecord.stored(record)
        if stored.state == .running { endBases.keep(DurableEndBasis(record: record, run: stored, execution: execution)) }
        return (stored, try JSONCoding.decode([DurableStepRecord].self, from: steps))
    }

    public func durableEvent(_ run: String, key: String) async throws -> String? {
        try await rows("SELECT value FROM \(unescaped: quotedSchema).steward_durable_events WHERE run_id = \(run) AND key = \(key)").first.map {
            try $0.decode(String.self)
        }
    }

    /// Locks run `id` (transaction-scoped, a run that does not exist yet included) and reads it
    /// as the lock's previous holder left it.
    private func lockedRun(_ id: String, on conn: PostgresConnection) async throws -> DurableRunRecord? {
        var found: DurableRunRecord? = nil
        for try await text in try await conn.execute(
            PostgresStatements.DurableLockedRun(lockKey: quotedSchema + ".durable:" + id, run: id), logger: logger)
        {
            found = try text.map { try DurableRunRecord.stored($0) }
        }
        return found
    }

    /// ``lockedRun(_:on:)`` and the run's running pipeline execution with its definition, in one round trip.
    private func lockedRunAndExecution(_ id: String, on conn: PostgresConnection) async throws
        -> (DurableRunRecord?, (PipelineExecution, String?)?)
    {
        var found: (DurableRunRecord?, (PipelineExecution, String?)?) = (nil, nil)
        for try await (text, execution) in try await conn.execute(
            PostgresStatements.DurableLockedRunAndExecution(lockKey: quotedSchema + ".durable:" + id, run: id), logger: logger)
        {
            found = (try text.map { try DurableRunRecord.stored($0) }, execution)
        }
        return found
    }

    private func durableRun(_ id: String, on conn: PostgresConnection) async throws -> DurableRunRecord? {
        var found: DurableRunRecord? = nil
        for try await text in try await conn.execute(PostgresStatements.DurableRun(id), logger: logger) {
            found = try DurableRunRecord.stored(text)
        }
        return found
    }

    private func save(_ run: DurableRunRecord, on conn: PostgresConnection) async throws {
        for try await _ in try await conn.execute(PostgresStatements.SaveRun(run), logger: logger) {}
    }
}
