public import Foundation
import Logging
import PostgresNIO
public import Steward

/// How attempts end: every outcome and every rescued lease is a ``JobTransition`` decided in
/// Swift; this file only executes them, with ``PostgresStatements/Transition``.
extension PostgresJobStore {
    @discardableResult
    public func complete(_ outcomes: [JobOutcome], now: Date) async throws -> Set<JobID> {
        guard !outcomes.isEmpty else { return [] }
        let dying = outcomes.compactMap { o -> Int64? in
            if case .dead = o.kind { o.id.rawValue } else { nil }
        }
        let deadLetters = try await deadLetterQueues(of: dying)
        let transitions = outcomes.map { JobTransition($0, deadLetterQueue: deadLetters[$0.id.rawValue]) }
        // One statement, no transaction: it releases the children of the jobs it finishes too.
        let rows = try await execute(PostgresStatements.Transition(transitions: transitions, now: now, channel: channel))
        let applied = Self.applied(rows)
        emit(applied, releasedQueues: Self.released(rows))
        return Set(applied.map(\.id))
    }

    /// Applies `transitions` on `conn` (inside the caller's transaction), then releases the
    /// children of the jobs they finished and announces their queues. Returns what applied and the
    /// queues of released children. With `endingRun`, the same statement saves that code run's
    /// record and finishes its pipeline execution (``PostgresStatements/DurableEnd``).
    func apply(
        _ transitions: [JobTransition], now: Date, on conn: PostgresConnection,
        endingRun: (run: DurableRunRecord, execution: (id: Int64, PipelineExecution)?)? = nil
    ) async throws -> (applied: [AppliedTransition], released: Set<String>) {
        guard !transitions.isEmpty else { return ([], []) }
        var rows: [PostgresStatements.Transition.Row] = []
        let statement = PostgresStatements.Transition(transitions: transitions, now: now, channel: channel)
        if let (run, execution) = endingRun {
            let end = try PostgresStatements.DurableEnd(statement, run: run, execution: execution)
            for try await row in try await conn.execute(end, logger: logger) { rows.append(row) }
        } else {
            for try await row in try await conn.execute(statement, logger: logger) { rows.append(row) }
        }
        return (Self.applied(rows), Self.released(rows))
    }

    /// The queues of the children a transition statement released (every row names them all).
    static func released(_ rows: [PostgresStatements.Transition.Row]) -> Set<String> { Set(rows.first?.released ?? []) }

    static func applied(_ rows: [PostgresStatements.Transition.Row]) -> [AppliedTransition] {
        rows.map { AppliedTransition(id: JobID($0.id), queue: $0.queue, state: JobState(rawValue: $0.state) ?? .running) }
    }

    /// This process's own wake-ups (other processes hear the statement's `NOTIFY`).
    func emit(_ applied: [AppliedTransition], releasedQueues: Set<String>) {
        let wake = AppliedTransition.queuesToWake(applied).union(releasedQueues)
        if !wake.isEmpty { hub.emit(wake) }
        if applied.contains(where: \.state.isFinished) { finishedHub.emit([WakeupHub.anyQueue]) }
    }

    /// The dead-letter queue each of these jobs would move to.
    private func deadLetterQueues(of ids: [Int64]) async throws -> [Int64: String] {
        guard !ids.isEmpty else { return [:] }
        let s = quotedSchema
        var out: [Int64: String] = [:]
        for row in try await rows(
            """
            SELECT j.id, j.queue, q.dead_letter_queue FROM \(unescaped: s).steward_jobs j
            LEFT JOIN \(unescaped: s).steward_queues q ON q.name = j.queue WHERE j.id = ANY(\(ids))
            """)
        {
            let (id, queue, configured) = try row.decode((Int64, String, String?).self)
            out[id] = JobTransition.deadLetterQueue(queue: queue, configured: configured)
        }
        return out
    }

    public func extendLeases(_ ids: [JobID], owner: String, until: Date) async throws -> Set<JobID> {
        guard !ids.isEmpty else { return [] }
        let held = try await rows(
            """
            UPDATE \(unescaped: quotedSchema).steward_jobs SET lease_expires_at = \(until)
            WHERE id = ANY(\(ids.map(\.rawValue))) AND state = \(unescaped: JobState.running.sql) AND lease_owner = \(owner) RETURNING id
            """)
        return Set(try held.map { JobID(try $0.decode(Int64.self)) })
    }

    public func updateProgress(_ updates: [ProgressUpdate], now: Date) async throws {
        guard !updates.isEmpty else { return }
        let ids = updates.map(\.id.rawValue)
        let reports = try updates.map { try JSONCoding.encode($0.progress) }
        let owners = updates.map(\.owner)
        _ = try await rows(
            """
            UPDATE \(unescaped: quotedSchema).steward_jobs j SET progress = u.progress
            FROM unnest(\(ids)::bigint[], \(reports)::text[], \(owners)::text[]) AS u(id, progress, owner)
            WHERE j.id = u.id AND j.state = \(unescaped: JobState.running.sql) AND j.lease_owner = u.owner
            """)
    }

    public func rescueExpiredLeases(now: Date) async throws -> RescueReport {
        let (applied, released) = try await transaction { [self] conn in
            // Lock the expired rows first so a late completion cannot slip in between the read and the write.
            var transitions: [JobTransition] = []
            for try await (id, queue, attempt, maxAttempts, policy, owner, startedAt, deadLetterQueue) in try await conn.query(
                """
                SELECT j.id, j.queue, j.attempt, j.max_attempts, j.retry_policy, j.lease_owner, j.started_at, q.dead_letter_queue
                FROM \(unescaped: quotedSchema).steward_jobs j LEFT JOIN \(unescaped: quotedSchema).steward_queues q ON q.name = j.queue
                WHERE j.state = \(unescaped: JobState.running.sql) AND j.lease_expires_at < \(now) FOR UPDATE OF j
                """, logger: logger
            ).decode((Int64, String, Int, Int, String?, String, Date?, String?).self) {
                let expired = LeaseRescue.Expired(
                    id: JobID(id), attempt: attempt, maxAttempts: maxAttempts,
                    retryPolicy: try JobRecord.decodeStored(retryPolicy: policy, metadata: nil).0, owner: owner, startedAt: startedAt,
                    queue: queue, deadLetterQueue: deadLetterQueue)
                transitions.append(JobTransition(rescuing: expired, now: now))
            }
            return try await apply(transitions, now: now, on: conn)
        }
        emit(applied, releasedQueues: released)
        let dead = applied.filter { $0.state == .dead }.map(\.id)
        return RescueReport(requeued: applied.filter { $0.state != .dead }.map(\.id), deadLettered: dead)
    }
}
