public import Foundation
import PostgresNIO
public import Steward

extension PostgresJobStore {
    public func jobs(ids: [JobID], now: Date) async throws -> [JobRecord] {
        guard !ids.isEmpty else { return [] }
        var bindings = PostgresBindings()
        bindings.append(ids.map(\.rawValue))
        return try await query("SELECT \(Self.columns) FROM \(quotedSchema).steward_jobs WHERE id = ANY($1) ORDER BY id", bindings)
            .map { try Self.record($0, now: now) }
    }

    public func insertWorkflow(_ workflow: StoredWorkflow) async throws -> Bool {
        var bindings = PostgresBindings()
        bindings.append(workflow.definition.name)
        bindings.append(workflow.definition.version)
        bindings.append(workflow.body)
        bindings.append(workflow.createdAt)
        return !(try await query(
            """
            INSERT INTO \(quotedSchema).steward_workflows (name, version, body, created_at) VALUES ($1, $2, $3, $4)
            ON CONFLICT DO NOTHING RETURNING name
            """, bindings)).isEmpty
    }

    public func workflows() async throws -> [StoredWorkflow] {
        try await query("SELECT body, created_at FROM \(quotedSchema).steward_workflows ORDER BY name, created_at, version").map {
            let (body, created) = try $0.decode((String, Date).self)
            return try StoredWorkflow(body: body, createdAt: created)
        }
    }

    public func workflow(name: String, version: String?) async throws -> StoredWorkflow? {
        var bindings = PostgresBindings()
        bindings.append(name)
        let rows: [PostgresRow]
        if let version {
            bindings.append(version)
            rows = try await query(
                "SELECT body, created_at FROM \(quotedSchema).steward_workflows WHERE name = $1 AND version = $2", bindings)
        } else {
            rows = try await query(
                "SELECT body, created_at FROM \(quotedSchema).steward_workflows WHERE name = $1 ORDER BY created_at DESC, version DESC LIMIT 1",
                bindings)
        }
        return try rows.first.map {
            let (body, created) = try $0.decode((String, Date).self)
            return try StoredWorkflow(body: body, createdAt: created)
        }
    }

    public func changeWorkflowRun(
        _ id: String, now: Date, _ decide: @escaping @Sendable (WorkflowRunRecord?) throws -> WorkflowRunChange?
    ) async throws -> WorkflowRunRecord? {
        let (record, queues) = try await transaction { [self] conn -> (WorkflowRunRecord?, [String]) in
            var key = PostgresBindings()
            key.append(id)
            var current: WorkflowRunRecord? = nil
            for try await text in try await query(
                "SELECT record FROM \(quotedSchema).steward_workflow_runs WHERE id = $1 FOR UPDATE", key, on: conn
            ).decode(String.self) {
                current = try JSONCoding.decode(WorkflowRunRecord.self, from: text)
            }
            guard let change = try decide(current) else { return (current, []) }
            try NewJob.checkBatchIndexes(change.jobs)
            let queues = Array(Set(change.jobs.map(\.queue))).sorted()
            let results = change.jobs.isEmpty ? [] : try await enqueue(change.jobs, queues: queues, now: now, on: conn)
            let record = try change.record(results)
            var row = PostgresBindings()
            row.append(id)
            row.append(record.workflow)
            row.append(record.state.rawValue)
            row.append(try JSONCoding.encode(record))
            row.append(record.createdAt)
            row.append(now)
            try await query(
                """
                INSERT INTO \(quotedSchema).steward_workflow_runs (id, workflow, state, record, created_at, updated_at)
                VALUES ($1, $2, $3, $4, $5, $6)
                ON CONFLICT (id) DO UPDATE SET state = excluded.state, record = excluded.record, updated_at = excluded.updated_at
                """, row, on: conn)
            if !change.events.isEmpty {
                var events = PostgresBindings()
                events.append(id)
                events.append(change.events.map(\.at))
                events.append(change.events.map(\.kind))
                events.append(change.events.map { $0.task ?? "" })
                events.append(change.events.map { $0.attempt ?? -1 })
                events.append(change.events.map { $0.worker ?? "" })
                events.append(change.events.map { $0.message ?? "" })
                try await query(
                    """
                    INSERT INTO \(quotedSchema).steward_workflow_events (run_id, seq, at, kind, task, attempt, worker, message)
                    SELECT $1, coalesce((SELECT max(seq) FROM \(quotedSchema).steward_workflow_events WHERE run_id = $1), 0) + e.n,
                        e.at, e.kind, nullif(e.task, ''), nullif(e.attempt, -1), nullif(e.worker, ''), nullif(e.message, '')
                    FROM unnest($2::timestamptz[], $3::text[], $4::text[], $5::int8[], $6::text[], $7::text[])
                        WITH ORDINALITY AS e(at, kind, task, attempt, worker, message, n)
                    """, events, on: conn)
            }
            return (record, queues)
        }
        if !queues.isEmpty { hub.emit(queues) }
        return record
    }

    public func workflowRun(_ id: String) async throws -> WorkflowRunRecord? {
        var key = PostgresBindings()
        key.append(id)
        return try await query("SELECT record FROM \(quotedSchema).steward_workflow_runs WHERE id = $1", key).first.map {
            try JSONCoding.decode(WorkflowRunRecord.self, from: try $0.decode(String.self))
        }
    }

    public func workflowRuns(_ filter: WorkflowRunFilter) async throws -> [WorkflowRunRecord] {
        var bindings = PostgresBindings()
        bindings.appendOptional(filter.workflow)
        bindings.appendOptional(filter.state?.rawValue)
        bindings.append(max(1, filter.limit))
        return try await query(
            """
            SELECT record FROM \(quotedSchema).steward_workflow_runs
            WHERE ($1::text IS NULL OR workflow = $1) AND ($2::text IS NULL OR state = $2)
            ORDER BY created_at DESC, id DESC LIMIT $3
            """, bindings
        ).map { try JSONCoding.decode(WorkflowRunRecord.self, from: try $0.decode(String.self)) }
    }

    public func workflowEvents(_ id: String) async throws -> [WorkflowEvent] {
        var key = PostgresBindings()
        key.append(id)
        return try await query(
            """
            SELECT at, kind, task, attempt, worker, message FROM \(quotedSchema).steward_workflow_events
            WHERE run_id = $1 ORDER BY seq
            """, key
        ).map {
            let (at, kind, task, attempt, worker, message) = try $0.decode((Date, String, String?, Int?, String?, String?).self)
            return WorkflowEvent(at: at, kind: kind, task: task, attempt: attempt, worker: worker, message: message)
        }
    }
}
