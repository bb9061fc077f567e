public import Foundation
import PostgresNIO
public import Steward

/// Workflow definitions, executions and their logs. Values are bound through `PostgresQuery`
/// interpolation; `s` is the quoted schema, spliced as SQL text.
extension PostgresJobStore {
    public func jobs(ids: [JobID], now: Date) async throws -> [JobRecord] {
        guard !ids.isEmpty else { return [] }
        return try await execute(PostgresStatements.JobsByID(ids)).map { try Self.record($0, now: now) }
    }

    public func insertWorkflow(_ workflow: StoredWorkflow) async throws -> Bool {
        let d = workflow.definition
        return !(try await rows(
            """
            INSERT INTO \(unescaped: quotedSchema).steward_workflows (name, version, body, created_at)
            VALUES (\(d.name), \(d.version), \(workflow.body), \(workflow.createdAt))
            ON CONFLICT DO NOTHING RETURNING name
            """)).isEmpty
    }

    public func workflows() async throws -> [StoredWorkflow] {
        try await rows("SELECT body, created_at FROM \(unescaped: quotedSchema).steward_workflows ORDER BY name, created_at, version").map {
            let (body, created) = try $0.decode((String, Date).self)
            return try StoredWorkflow(body: body, createdAt: created)
        }
    }

    public func workflow(name: String, version: String?) async throws -> StoredWorkflow? {
        let s = quotedSchema
        let found: [PostgresRow]
        if let version {
            found = try await rows("SELECT body, created_at FROM \(unescaped: s).steward_workflows WHERE name = \(name) AND version = \(version)")
        } else {
            found = try await rows(
                "SELECT body, created_at FROM \(unescaped: s).steward_workflows WHERE name = \(name) ORDER BY created_at DESC, version DESC LIMIT 1")
        }
        return try found.first.map {
            let (body, created) = try $0.decode((String, Date).self)
            return try StoredWorkflow(body: body, createdAt: created)
        }
    }

    public func changeWorkflowRun(
        _ id: String, now: Date, _ decide: @escaping @Sendable (WorkflowRunRecord?) throws -> WorkflowRunChange?
    ) async throws -> WorkflowRunRecord? {
        let s = quotedSchema
        let logger = self.logger
        let (record, queues) = try await transaction { [self] conn -> (WorkflowRunRecord?, [String]) in
            var current: WorkflowRunRecord? = nil
            for try await text in try await conn.query(
                "SELECT record FROM \(unescaped: s).steward_workflow_runs WHERE id = \(id) FOR UPDATE", logger: logger
            ).decode(String.self) {
                current = try WorkflowRunRecord.stored(text)
            }
            guard let change = try decide(current) else { return (current, []) }
            try NewJob.checkBatchIndexes(change.jobs)
            let queues = Array(Set(change.jobs.map(\.queue))).sorted()
            let results = change.jobs.isEmpty ? [] : try await enqueue(change.jobs, queues: queues, now: now, on: conn)
            let record = try change.record(results)
            try await conn.query(
                """
                INSERT INTO \(unescaped: s).steward_workflow_runs (id, workflow, state, record, created_at, updated_at)
                VALUES (\(id), \(record.workflow), \(record.state.rawValue), \(try JSONCoding.encode(record)), \(record.createdAt), \(now))
                ON CONFLICT (id) DO UPDATE SET state = excluded.state, record = excluded.record, updated_at = excluded.updated_at
                """, logger: logger)
            if !change.events.isEmpty {
                // Arrays cannot hold NULL: '' and -1 stand for it, turned back by nullif.
                let e = change.events
                let (at, kind, task) = (e.map(\.at), e.map(\.kind), e.map { $0.task ?? "" })
                let (attempt, worker, message) = (e.map { $0.attempt ?? -1 }, e.map { $0.worker ?? "" }, e.map { $0.message ?? "" })
                try await conn.query(
                    """
                    INSERT INTO \(unescaped: s).steward_workflow_events (run_id, seq, at, kind, task, attempt, worker, message)
                    SELECT \(id), coalesce((SELECT max(seq) FROM \(unescaped: s).steward_workflow_events WHERE run_id = \(id)), 0) + e.n,
                        e.at, e.kind, nullif(e.task, ''), nullif(e.attempt, -1), nullif(e.worker, ''), nullif(e.message, '')
                    FROM unnest(\(at)::timestamptz[], \(kind)::text[], \(task)::text[], \(attempt)::int8[], \(worker)::text[], \(message)::text[])
                        WITH ORDINALITY AS e(at, kind, task, attempt, worker, message, n)
                    """, logger: logger)
            }
            return (record, queues)
        }
        if !queues.isEmpty { hub.emit(queues) }
        return record
    }

    public func workflowRun(_ id: String) async throws -> WorkflowRunRecord? {
        try await execute(PostgresStatements.WorkflowRun(id)).first.map { try WorkflowRunRecord.stored($0) }
    }

    public func workflowRunState(_ id: String) async throws -> WorkflowRunState? {
        try await execute(PostgresStatements.WorkflowRunState(id)).first.map { WorkflowRunState(rawValue: $0) ?? .running }
    }

    public func workflowRuns(_ filter: WorkflowRunFilter) async throws -> [WorkflowRunRecord] {
        let (workflow, state) = (filter.workflow, filter.state?.rawValue)
        return try await rows(
            """
            SELECT record FROM \(unescaped: quotedSchema).steward_workflow_runs
            WHERE (\(workflow)::text IS NULL OR workflow = \(workflow)) AND (\(state)::text IS NULL OR state = \(state))
            ORDER BY created_at DESC, id DESC LIMIT \(max(1, filter.limit))
            """
        ).map { try WorkflowRunRecord.stored(try $0.decode(String.self)) }
    }

    public func workflowEvents(_ id: String) async throws -> [WorkflowEvent] {
        try await rows(
            """
            SELECT at, kind, task, attempt, worker, message FROM \(unescaped: quotedSchema).steward_workflow_events
            WHERE run_id = \(id) ORDER BY seq
            """
        ).map {
            let (at, kind, task, attempt, worker, message) = try $0.decode((Date, String, String?, Int?, String?, String?).self)
            return WorkflowEvent(at: at, kind: kind, task: task, attempt: attempt, worker: worker, message: message)
        }
    }
}
