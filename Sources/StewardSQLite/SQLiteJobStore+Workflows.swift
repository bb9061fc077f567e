public import Foundation
public import Steward
import GRDB

extension SQLiteJobStore {
    public func jobs(ids: [JobID], now: Date) async throws -> [JobRecord] {
        guard !ids.isEmpty else { return [] }
        let nowS = now.timeIntervalSince1970
        let list = Self.jsonArray(ids.map(\.rawValue))
        return try await pool.read { db in
            try Row.fetchAll(
                db.cachedStatement(sql: "SELECT \(Self.columns) FROM steward_jobs WHERE id IN (SELECT value FROM json_each(?)) ORDER BY id"),
                arguments: [list]
            ).map { try Self.record($0, now: nowS) }
        }
    }

    public func insertWorkflow(_ workflow: StoredWorkflow) async throws -> Bool {
        try await pool.write { db in
            try db.execute(
                sql: "INSERT INTO steward_workflows (name, version, body, created_at) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING",
                arguments: [
                    workflow.definition.name, workflow.definition.version, workflow.body, workflow.createdAt.timeIntervalSince1970,
                ])
            return db.changesCount > 0
        }
    }

    public func workflows() async throws -> [StoredWorkflow] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: "SELECT body, created_at FROM steward_workflows ORDER BY name, created_at, version").map {
                try StoredWorkflow(body: $0[0], createdAt: Date(timeIntervalSince1970: $0[1]))
            }
        }
    }

    public func workflow(name: String, version: String?) async throws -> StoredWorkflow? {
        try await pool.read { db in
            let row =
                if let version {
                    try Row.fetchOne(
                        db, sql: "SELECT body, created_at FROM steward_workflows WHERE name = ? AND version = ?", arguments: [name, version])
                } else {
                    try Row.fetchOne(
                        db, sql: "SELECT body, created_at FROM steward_workflows WHERE name = ? ORDER BY created_at DESC, rowid DESC LIMIT 1",
                        arguments: [name])
                }
            return try row.map { try StoredWorkflow(body: $0[0], createdAt: Date(timeIntervalSince1970: $0[1])) }
        }
    }

    public func changeWorkflowRun(
        _ id: String, now: Date, _ decide: @escaping @Sendable (WorkflowRunRecord?) throws -> WorkflowRunChange?
    ) async throws -> WorkflowRunRecord? {
        let nowS = now.timeIntervalSince1970
        let (record, queues) = try await pool.write { db -> (WorkflowRunRecord?, Set<String>) in
            let current = try String.fetchOne(db, sql: "SELECT record FROM steward_workflow_runs WHERE id = ?", arguments: [id])
                .map { try WorkflowRunRecord.stored($0) }
            guard let change = try decide(current) else { return (current, []) }
            try NewJob.checkBatchIndexes(change.jobs)
            let prepared = try change.jobs.map { try JobRow($0, now: now) }
            let results = prepared.isEmpty ? [] : try Self.enqueue(prepared, now: nowS, in: db)
            let record = try change.record(results)
            try db.execute(
                sql: """
                    INSERT INTO steward_workflow_runs (id, workflow, state, record, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)
                    ON CONFLICT (id) DO UPDATE SET state = excluded.state, record = excluded.record, updated_at = excluded.updated_at
                    """,
                arguments: [
                    id, record.workflow, record.state.rawValue, try JSONCoding.encode(record), record.createdAt.timeIntervalSince1970, nowS,
                ])
            if !change.events.isEmpty {
                var seq = try Int.fetchOne(db, sql: "SELECT coalesce(max(seq), 0) FROM steward_workflow_events WHERE run_id = ?", arguments: [id]) ?? 0
                let insert = try db.cachedStatement(
                    sql: """
                        INSERT INTO steward_workflow_events (run_id, seq, at, kind, task, attempt, worker, message)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                        """)
                for e in change.events {
                    seq += 1
                    try insert.execute(arguments: [id, seq, e.at.timeIntervalSince1970, e.kind, e.task, e.attempt, e.worker, e.message])
                }
            }
            return (record, Set(change.jobs.map(\.queue)))
        }
        if !queues.isEmpty { hub.emit(queues) }
        return record
    }

    public func workflowRun(_ id: String) async throws -> WorkflowRunRecord? {
        try await pool.read { db in
            try String.fetchOne(db, sql: "SELECT record FROM steward_workflow_runs WHERE id = ?", arguments: [id])
                .map { try WorkflowRunRecord.stored($0) }
        }
    }

    public func workflowRunState(_ id: String) async throws -> WorkflowRunState? {
        try await pool.read { db in
            try String.fetchOne(db, sql: "SELECT state FROM steward_workflow_runs WHERE id = ?", arguments: [id])
                .map { WorkflowRunState(rawValue: $0) ?? .running }
        }
    }

    public func workflowRuns(_ filter: WorkflowRunFilter) async throws -> [WorkflowRunRecord] {
        var clauses: [String] = []
        var args: StatementArguments = []
        if let workflow = filter.workflow {
            clauses.append("workflow = ?")
            args += [workflow]
        }
        if let state = filter.state {
            clauses.append("state = ?")
            args += [state.rawValue]
        }
        args += [max(1, filter.limit)]
        let whereSQL = clauses.isEmpty ? "" : "WHERE " + clauses.joined(separator: " AND ")
        let sql = "SELECT record FROM steward_workflow_runs \(whereSQL) ORDER BY created_at DESC, id DESC LIMIT ?"
        let arguments = args
        return try await pool.read { db in
            try String.fetchAll(db, sql: sql, arguments: arguments).map { try WorkflowRunRecord.stored($0) }
        }
    }

    public func workflowEvents(_ id: String) async throws -> [WorkflowEvent] {
        try await pool.read { db in
            try Row.fetchAll(
                db, sql: "SELECT at, kind, task, attempt, worker, message FROM steward_workflow_events WHERE run_id = ? ORDER BY seq",
                arguments: [id]
            ).map {
                WorkflowEvent(
                    at: Date(timeIntervalSince1970: $0[0]), kind: $0[1], task: $0[2], attempt: $0[3], worker: $0[4], message: $0[5])
            }
        }
    }
}
