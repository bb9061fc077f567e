public import Foundation
public import Steward
import GRDB

extension SQLiteJobStore {
    public func pipelineCatalog() async throws -> PipelineCatalog {
        try await pool.read { db in try Self.catalog(db) }
    }

    public func pipeline(named name: String) async throws -> PipelineDefinition? {
        try await pool.read { db in
            try String.fetchOne(db, sql: "SELECT body FROM steward_pipelines WHERE name = ?", arguments: [name])
                .map { try JSONCoding.decode(PipelineDefinition.self, from: $0) }
        }
    }

    static func catalog(_ db: Database) throws -> PipelineCatalog {
        let pipelines = try String.fetchAll(db, sql: "SELECT body FROM steward_pipelines ORDER BY name").map {
            try JSONCoding.decode(PipelineDefinition.self, from: $0)
        }
        let datasets = try Row.fetchAll(db, sql: "SELECT name, max_age FROM steward_datasets WHERE max_age IS NOT NULL ORDER BY name").map {
            DatasetDefinition(name: $0[0], maxAge: $0[1])
        }
        return PipelineCatalog(pipelines: pipelines, datasets: datasets)
    }

    public func applyPipelineCatalog(_ decide: @escaping @Sendable ([LineagePath]) throws -> PipelineCatalogChange) async throws
        -> PipelineCatalogChange
    {
        let now = Date().timeIntervalSince1970
        return try await pool.write { db in
            let stored = try Row.fetchAll(db, sql: "SELECT ancestor, descendant, depth FROM steward_lineage").map {
                LineagePath(ancestor: $0[0], descendant: $0[1], depth: $0[2])
            }
            let change = try decide(stored)
            let names = try JSONCoding.encode(change.pipelines.map(\.name))
            try db.execute(sql: "DELETE FROM steward_pipelines WHERE name NOT IN (SELECT value FROM json_each(?))", arguments: [names])
            let upsert = try db.cachedStatement(
                sql: """
                    INSERT INTO steward_pipelines (name, body, updated_at) VALUES (?, ?, ?)
                    ON CONFLICT (name) DO UPDATE SET body = excluded.body, updated_at = excluded.updated_at WHERE body <> excluded.body
                    """)
            for p in change.pipelines { try upsert.execute(arguments: [p.name, try JSONCoding.encode(p), now]) }
            // Datasets: the declared bounds are exactly the catalog's; names only used by pipelines
            // are known without one; a last modification is never forgotten.
            try db.execute(sql: "UPDATE steward_datasets SET max_age = NULL WHERE max_age IS NOT NULL")
            let dataset = try db.cachedStatement(
                sql: "INSERT INTO steward_datasets (name, max_age) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET max_age = excluded.max_age")
            for d in change.datasets { try dataset.execute(arguments: [d.name, d.maxAge]) }
            let known = try db.cachedStatement(sql: "INSERT INTO steward_datasets (name) VALUES (?) ON CONFLICT (name) DO NOTHING")
            for name in Set(change.pipelines.flatMap { $0.reads + $0.writes }).sorted() { try known.execute(arguments: [name]) }
            let delete = try db.cachedStatement(sql: "DELETE FROM steward_lineage WHERE ancestor = ? AND descendant = ?")
            for p in change.deletePaths { try delete.execute(arguments: [p.ancestor, p.descendant]) }
            let path = try db.cachedStatement(
                sql: """
                    INSERT INTO steward_lineage (ancestor, descendant, depth) VALUES (?, ?, ?)
                    ON CONFLICT (ancestor, descendant) DO UPDATE SET depth = excluded.depth
                    """)
            for p in change.upsertPaths { try path.execute(arguments: [p.ancestor, p.descendant, p.depth]) }
            return change
        }
    }

    public func lineage(of dataset: String, downstream: Bool) async throws -> [LineagePath] {
        try await pool.read { db in
            let sql =
                downstream
                ? "SELECT ancestor, descendant, depth FROM steward_lineage WHERE ancestor = ? AND depth > 0 ORDER BY depth, descendant"
                : "SELECT ancestor, descendant, depth FROM steward_lineage WHERE descendant = ? AND depth > 0 ORDER BY depth, ancestor"
            return try Row.fetchAll(db.cachedStatement(sql: sql), arguments: [dataset]).map {
                LineagePath(ancestor: $0[0], descendant: $0[1], depth: $0[2])
            }
        }
    }

    public func datasets() async throws -> [DatasetState] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: "SELECT name, max_age, last_modified FROM steward_datasets ORDER BY name").map {
                DatasetState(name: $0[0], maxAge: $0[1], lastModified: ($0[2] as Double?).map(Date.init(timeIntervalSince1970:)))
            }
        }
    }

    public func touchDataset(_ name: String, at: Date) async throws -> Bool {
        try await pool.write { db in
            guard try Bool.fetchOne(db, sql: "SELECT 1 FROM steward_datasets WHERE name = ?", arguments: [name]) != nil else { return false }
            try Self.touch([name], at: at.timeIntervalSince1970, db)
            return true
        }
    }

    static func touch(_ names: [String], at: Double, _ db: Database) throws {
        let statement = try db.cachedStatement(
            sql: """
                INSERT INTO steward_datasets (name, last_modified) VALUES (?, ?)
                ON CONFLICT (name) DO UPDATE SET last_modified = max(coalesce(last_modified, excluded.last_modified), excluded.last_modified)
                """)
        for name in names { try statement.execute(arguments: [name, at]) }
    }

    public func startPipelineExecution(pipeline: String, parent: Int64?, at: Date, workflowRun: String?) async throws -> PipelineExecution {
        try await pool.write { db in try Self.startPipelineExecution(pipeline: pipeline, parent: parent, at: at, workflowRun: workflowRun, in: db) }
    }

    /// Starts an execution inside the caller's write transaction.
    static func startPipelineExecution(pipeline: String, parent: Int64?, at: Date, workflowRun: String?, in db: Database) throws
        -> PipelineExecution
    {
        if let parent, try Bool.fetchOne(db.cachedStatement(sql: "SELECT 1 FROM steward_pipeline_executions WHERE id = ?"), arguments: [parent]) == nil {
            throw PipelineError.executionNotFound(parent)
        }
        // Cached statements: a code run starts one execution, and compiling them each time showed
        // in its profile.
        try db.cachedStatement(
            sql: "INSERT INTO steward_pipeline_executions (pipeline, parent, state, started_at, workflow_run) VALUES (?, ?, 'running', ?, ?)"
        ).execute(arguments: [pipeline, parent, at.timeIntervalSince1970, workflowRun])
        let id = db.lastInsertedRowID
        try db.cachedStatement(
            sql: """
                INSERT INTO steward_pipeline_execution_tree (ancestor, descendant, depth)
                SELECT ancestor, ?1, depth + 1 FROM steward_pipeline_execution_tree WHERE descendant = ?2
                UNION ALL SELECT ?1, ?1, 0
                """
        ).execute(arguments: [id, parent])
        return PipelineExecution(id: id, pipeline: pipeline, parent: parent, startedAt: at, workflowRun: workflowRun)
    }

    static let executionColumns =
        "id, pipeline, parent, state, started_at, finished_at, inserted, updated, deleted, metrics, workflow_run"

    static func execution(_ row: Row, offset: Int = 0) throws -> PipelineExecution {
        let o = offset
        let state: String = row[o + 3]
        return PipelineExecution(
            id: row[o], pipeline: row[o + 1], parent: row[o + 2], state: PipelineExecution.State(rawValue: state) ?? .running,
            startedAt: Date(timeIntervalSince1970: row[o + 4]), finishedAt: (row[o + 5] as Double?).map(Date.init(timeIntervalSince1970:)),
            inserted: row[o + 6], updated: row[o + 7], deleted: row[o + 8],
            metrics: try JSONCoding.decode([String: Double].self, from: row[o + 9]), workflowRun: row[o + 10])
    }

    public func finishPipelineExecution(
        _ id: Int64, _ decide: @escaping @Sendable (PipelineExecution, PipelineDefinition?) throws -> PipelineFinishChange
    ) async throws -> (execution: PipelineExecution, jobs: [EnqueueResult]) {
        let now = Date().timeIntervalSince1970
        let (done, results, queues) = try await pool.write { db in try Self.finishPipelineExecution(id, now: now, in: db, decide) }
        if !queues.isEmpty { hub.emit(queues) }
        return (done, results)
    }

    /// Finishes an execution inside the caller's write transaction: reads it and its pipeline's
    /// definition, writes what `decide` makes of them, enqueues its jobs; returns their queues.
    static func finishPipelineExecution(
        _ id: Int64, now: Double, in db: Database, _ decide: (PipelineExecution, PipelineDefinition?) throws -> PipelineFinishChange
    ) throws -> (PipelineExecution, [EnqueueResult], Set<String>) {
        guard
            let row = try Row.fetchOne(
                db.cachedStatement(sql: "SELECT \(Self.executionColumns) FROM steward_pipeline_executions WHERE id = ?"), arguments: [id])
        else { throw PipelineError.executionNotFound(id) }
        let current = try Self.execution(row)
        let definition = try String.fetchOne(db.cachedStatement(sql: "SELECT body FROM steward_pipelines WHERE name = ?"), arguments: [current.pipeline])
            .map { try JSONCoding.decode(PipelineDefinition.self, from: $0) }
        let change = try decide(current, definition)
        let e = change.execution
        try db.cachedStatement(
            sql: """
                UPDATE steward_pipeline_executions
                SET state = ?, finished_at = ?, inserted = ?, updated = ?, deleted = ?, metrics = ? WHERE id = ?
                """
        ).execute(
            arguments: [
                e.state.rawValue, e.finishedAt?.timeIntervalSince1970, e.inserted, e.updated, e.deleted, try JSONCoding.encode(e.metrics), id,
            ])
        if let at = e.finishedAt, !change.touched.isEmpty { try Self.touch(change.touched, at: at.timeIntervalSince1970, db) }
        let prepared = try change.jobs.map { try JobRow($0, now: Date(timeIntervalSince1970: now)) }
        let results = prepared.isEmpty ? [] : try Self.enqueue(prepared, now: now, in: db)
        return (e, results, Set(change.jobs.map(\.queue)))
    }

    public func pipelineExecution(_ id: Int64) async throws -> PipelineExecution? {
        try await pool.read { db in
            try Row.fetchOne(db, sql: "SELECT \(Self.executionColumns) FROM steward_pipeline_executions WHERE id = ?", arguments: [id])
                .map { try Self.execution($0) }
        }
    }

    public func pipelineExecutions(_ filter: PipelineExecutionFilter) async throws -> [PipelineExecution] {
        try await pool.read { db in
            var conditions: [String] = []
            var arguments: [(any DatabaseValueConvertible)?] = []
            if let p = filter.pipeline {
                conditions.append("pipeline = ?")
                arguments.append(p)
            }
            if let s = filter.state {
                conditions.append("state = ?")
                arguments.append(s.rawValue)
            }
            if let run = filter.workflowRun {
                conditions.append("workflow_run = ?")
                arguments.append(run)
            }
            if let from = filter.startedFrom {
                conditions.append("started_at >= ?")
                arguments.append(from.timeIntervalSince1970)
            }
            if let to = filter.startedTo {
                conditions.append("started_at <= ?")
                arguments.append(to.timeIntervalSince1970)
            }
            var order = "started_at DESC, id DESC"
            if let (at, id) = filter.finishedBefore {
                conditions.append("finished_at IS NOT NULL AND (finished_at < ? OR (finished_at = ? AND id < ?))")
                arguments += [at.timeIntervalSince1970, at.timeIntervalSince1970, id]
                order = "finished_at DESC, id DESC"
            }
            arguments.append(max(1, filter.limit))
            let sql = """
                SELECT \(Self.executionColumns) FROM steward_pipeline_executions
                \(conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")) ORDER BY \(order) LIMIT ?
                """
            return try Row.fetchAll(db, sql: sql, arguments: StatementArguments(arguments)).map { try Self.execution($0) }
        }
    }

    public func pipelineExecutionTree(_ id: Int64) async throws -> [(depth: Int, execution: PipelineExecution)] {
        try await pool.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT t.depth, \(Self.executionColumns.split(separator: ",").map { "e." + $0.trimmingCharacters(in: .whitespaces) }.joined(separator: ", "))
                    FROM steward_pipeline_execution_tree t JOIN steward_pipeline_executions e ON e.id = t.descendant
                    WHERE t.ancestor = ? ORDER BY t.depth, e.id
                    """, arguments: [id]
            ).map { (depth: $0[0], execution: try Self.execution($0, offset: 1)) }
        }
    }

    public func recordPipelineAnomalies(execution: Int64, _ anomalies: [PipelineAnomaly]) async throws {
        try await pool.write { db in
            try db.execute(sql: "DELETE FROM steward_pipeline_anomalies WHERE execution = ?", arguments: [execution])
            let insert = try db.cachedStatement(
                sql: """
                    INSERT INTO steward_pipeline_anomalies (execution, metric, pipeline, value, mean, std, z, detected_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                    """)
            for a in anomalies {
                try insert.execute(arguments: [execution, a.metric, a.pipeline, a.value, a.mean, a.std, a.z, a.detectedAt.timeIntervalSince1970])
            }
        }
    }

    public func pipelineAnomalies(pipeline: String?, limit: Int) async throws -> [PipelineAnomaly] {
        try await pool.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT execution, pipeline, metric, value, mean, std, z, detected_at FROM steward_pipeline_anomalies
                    WHERE ?1 IS NULL OR pipeline = ?1 ORDER BY detected_at DESC, execution DESC, metric LIMIT ?2
                    """, arguments: [pipeline, max(1, limit)]
            ).map {
                PipelineAnomaly(
                    execution: $0[0], pipeline: $0[1], metric: $0[2], value: $0[3], mean: $0[4], std: $0[5], z: $0[6],
                    detectedAt: Date(timeIntervalSince1970: $0[7]))
            }
        }
    }
}

extension SQLiteJobStore {
    public func recordQualityRun(_ run: QualityRunRecord) async throws -> Int64 {
        try await pool.write { db in
            try db.execute(
                sql: """
                    INSERT INTO steward_quality_runs
                        (check_name, at, records, completeness, accuracy, consistency, overall_score, passed_all, result)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    run.check, run.at.timeIntervalSince1970, run.records, run.completeness, run.accuracy, run.consistency, run.overallScore,
                    run.passedAll, run.result,
                ])
            return db.lastInsertedRowID
        }
    }

    public func qualityRuns(check: String, limit: Int) async throws -> [QualityRunRecord] {
        try await pool.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT id, check_name, at, records, completeness, accuracy, consistency, overall_score, passed_all, result
                    FROM steward_quality_runs WHERE check_name = ? ORDER BY at DESC, id DESC LIMIT ?
                    """, arguments: [check, max(1, limit)]
            ).map {
                QualityRunRecord(
                    id: $0[0], check: $0[1], at: Date(timeIntervalSince1970: $0[2]), records: $0[3], completeness: $0[4], accuracy: $0[5],
                    consistency: $0[6], overallScore: $0[7], passedAll: $0[8], result: $0[9])
            }
        }
    }

    public func qualityRunStats(check: String) async throws -> (count: Int, averageScore: Double?) {
        try await pool.read { db in
            let row = try Row.fetchOne(
                db, sql: "SELECT count(*), avg(overall_score) FROM steward_quality_runs WHERE check_name = ?", arguments: [check])
            return (row?[0] ?? 0, row?[1])
        }
    }
}
