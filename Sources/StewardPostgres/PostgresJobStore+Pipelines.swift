public import Foundation
import PostgresNIO
public import Steward

extension PostgresJobStore {
    public func pipelineCatalog() async throws -> PipelineCatalog {
        let pipelines = try await query("SELECT body FROM \(quotedSchema).steward_pipelines ORDER BY name").map {
            try JSONCoding.decode(PipelineDefinition.self, from: try $0.decode(String.self))
        }
        let datasets = try await query(
            "SELECT name, max_age FROM \(quotedSchema).steward_datasets WHERE max_age IS NOT NULL ORDER BY name"
        ).map {
            let (name, maxAge) = try $0.decode((String, Double?).self)
            return DatasetDefinition(name: name, maxAge: maxAge)
        }
        return PipelineCatalog(pipelines: pipelines, datasets: datasets)
    }

    public func pipeline(named name: String) async throws -> PipelineDefinition? {
        var b = PostgresBindings()
        b.append(name)
        return try await query("SELECT body FROM \(quotedSchema).steward_pipelines WHERE name = $1", b).first.map {
            try JSONCoding.decode(PipelineDefinition.self, from: try $0.decode(String.self))
        }
    }

    public func applyPipelineCatalog(_ decide: @escaping @Sendable ([LineagePath]) throws -> PipelineCatalogChange) async throws
        -> PipelineCatalogChange
    {
        let s = quotedSchema
        return try await transaction { [self] conn in
            // One apply at a time: the closure diff is computed from what this transaction read.
            try await query("LOCK TABLE \(s).steward_lineage IN EXCLUSIVE MODE", on: conn)
            var stored: [LineagePath] = []
            for try await (a, d, depth) in try await query("SELECT ancestor, descendant, depth FROM \(s).steward_lineage", on: conn)
                .decode((String, String, Int).self)
            {
                stored.append(LineagePath(ancestor: a, descendant: d, depth: depth))
            }
            let change = try decide(stored)
            var p = PostgresBindings()
            p.append(change.pipelines.map(\.name))
            p.append(try change.pipelines.map { try JSONCoding.encode($0) })
            p.append(Date())
            var names = PostgresBindings()
            names.append(change.pipelines.map(\.name))
            try await query("DELETE FROM \(s).steward_pipelines WHERE NOT (name = ANY($1))", names, on: conn)
            try await query(
                """
                INSERT INTO \(s).steward_pipelines (name, body, updated_at) SELECT n, b, $3 FROM unnest($1::text[], $2::text[]) AS x(n, b)
                ON CONFLICT (name) DO UPDATE SET body = excluded.body, updated_at = excluded.updated_at
                WHERE \(s).steward_pipelines.body <> excluded.body
                """, p, on: conn)
            // Datasets: the declared bounds are exactly the catalog's; names only used by pipelines
            // are known without one; a last modification is never forgotten.
            try await query("UPDATE \(s).steward_datasets SET max_age = NULL WHERE max_age IS NOT NULL", on: conn)
            var d = PostgresBindings()
            d.append(change.datasets.map(\.name))
            d.append(change.datasets.map { $0.maxAge ?? -1 })
            d.append(Set(change.pipelines.flatMap { $0.reads + $0.writes }).sorted())
            try await query(
                """
                INSERT INTO \(s).steward_datasets (name, max_age) SELECT n, nullif(a, -1) FROM unnest($1::text[], $2::float8[]) AS x(n, a)
                ON CONFLICT (name) DO UPDATE SET max_age = excluded.max_age
                """, d, on: conn)
            try await query(
                "INSERT INTO \(s).steward_datasets (name) SELECT unnest($3::text[]) ON CONFLICT (name) DO NOTHING", d, on: conn)
            if !change.deletePaths.isEmpty {
                var del = PostgresBindings()
                del.append(change.deletePaths.map(\.ancestor))
                del.append(change.deletePaths.map(\.descendant))
                try await query(
                    """
                    DELETE FROM \(s).steward_lineage l USING unnest($1::text[], $2::text[]) AS x(a, d)
                    WHERE l.ancestor = x.a AND l.descendant = x.d
                    """, del, on: conn)
            }
            if !change.upsertPaths.isEmpty {
                var up = PostgresBindings()
                up.append(change.upsertPaths.map(\.ancestor))
                up.append(change.upsertPaths.map(\.descendant))
                up.append(change.upsertPaths.map(\.depth))
                try await query(
                    """
                    INSERT INTO \(s).steward_lineage (ancestor, descendant, depth)
                    SELECT a, d, k FROM unnest($1::text[], $2::text[], $3::int8[]) AS x(a, d, k)
                    ON CONFLICT (ancestor, descendant) DO UPDATE SET depth = excluded.depth
                    """, up, on: conn)
            }
            return change
        }
    }

    public func lineage(of dataset: String, downstream: Bool) async throws -> [LineagePath] {
        var b = PostgresBindings()
        b.append(dataset)
        let s = quotedSchema
        let sql =
            downstream
            ? "SELECT ancestor, descendant, depth FROM \(s).steward_lineage WHERE ancestor = $1 AND depth > 0 ORDER BY depth, descendant"
            : "SELECT ancestor, descendant, depth FROM \(s).steward_lineage WHERE descendant = $1 AND depth > 0 ORDER BY depth, ancestor"
        return try await query(sql, b).map {
            let (a, d, k) = try $0.decode((String, String, Int).self)
            return LineagePath(ancestor: a, descendant: d, depth: k)
        }
    }

    public func datasets() async throws -> [DatasetState] {
        try await query("SELECT name, max_age, last_modified FROM \(quotedSchema).steward_datasets ORDER BY name").map {
            let (name, maxAge, modified) = try $0.decode((String, Double?, Date?).self)
            return DatasetState(name: name, maxAge: maxAge, lastModified: modified)
        }
    }

    public func touchDataset(_ name: String, at: Date) async throws -> Bool {
        var b = PostgresBindings()
        b.append(name)
        b.append(at)
        return !(try await query(
            """
            UPDATE \(quotedSchema).steward_datasets SET last_modified = greatest(last_modified, $2) WHERE name = $1 RETURNING name
            """, b)).isEmpty
    }

    public func startPipelineExecution(pipeline: String, parent: Int64?, at: Date, workflowRun: String?) async throws -> PipelineExecution {
        let s = quotedSchema
        return try await transaction { [self] conn in
            if let parent {
                var b = PostgresBindings()
                b.append(parent)
                var found = false
                for try await _ in try await query("SELECT 1 FROM \(s).steward_pipeline_executions WHERE id = $1 FOR SHARE", b, on: conn) {
                    found = true
                }
                if !found { throw PipelineError.executionNotFound(parent) }
            }
            var b = PostgresBindings()
            b.append(pipeline)
            b.appendOptional(parent)
            b.append(at)
            b.appendOptional(workflowRun)
            var id: Int64 = 0
            for try await value in try await query(
                """
                INSERT INTO \(s).steward_pipeline_executions (pipeline, parent, state, started_at, workflow_run)
                VALUES ($1, $2, 'running', $3, $4) RETURNING id
                """, b, on: conn
            ).decode(Int64.self) { id = value }
            var t = PostgresBindings()
            t.append(id)
            t.appendOptional(parent)
            try await query(
                """
                INSERT INTO \(s).steward_pipeline_execution_tree (ancestor, descendant, depth)
                SELECT ancestor, $1, depth + 1 FROM \(s).steward_pipeline_execution_tree WHERE descendant = $2
                UNION ALL SELECT $1, $1, 0
                """, t, on: conn)
            return PipelineExecution(id: id, pipeline: pipeline, parent: parent, startedAt: at, workflowRun: workflowRun)
        }
    }

    static let executionColumns = "id, pipeline, parent, state, started_at, finished_at, inserted, updated, deleted, metrics, workflow_run"

    static func execution(_ row: PostgresRow) throws -> PipelineExecution {
        let (id, pipeline, parent, state, started, finished, inserted, updated, deleted, metrics, run) = try row.decode(
            (Int64, String, Int64?, String, Date, Date?, Int64?, Int64?, Int64?, String, String?).self)
        return PipelineExecution(
            id: id, pipeline: pipeline, parent: parent, state: PipelineExecution.State(rawValue: state) ?? .running, startedAt: started,
            finishedAt: finished, inserted: inserted, updated: updated, deleted: deleted,
            metrics: try JSONCoding.decode([String: Double].self, from: metrics), workflowRun: run)
    }

    public func finishPipelineExecution(
        _ id: Int64, _ decide: @escaping @Sendable (PipelineExecution, PipelineDefinition?) throws -> PipelineFinishChange
    ) async throws -> (execution: PipelineExecution, jobs: [EnqueueResult]) {
        let s = quotedSchema
        let now = Date()
        let (done, results, queues) = try await transaction { [self] conn -> (PipelineExecution, [EnqueueResult], [String]) in
            var key = PostgresBindings()
            key.append(id)
            var current: PipelineExecution? = nil
            for try await row in try await query(
                "SELECT \(Self.executionColumns) FROM \(s).steward_pipeline_executions WHERE id = $1 FOR UPDATE", key, on: conn)
            {
                current = try Self.execution(row)
            }
            guard let current else { throw PipelineError.executionNotFound(id) }
            var name = PostgresBindings()
            name.append(current.pipeline)
            var definition: PipelineDefinition? = nil
            for try await body in try await query("SELECT body FROM \(s).steward_pipelines WHERE name = $1", name, on: conn).decode(String.self) {
                definition = try JSONCoding.decode(PipelineDefinition.self, from: body)
            }
            let change = try decide(current, definition)
            let e = change.execution
            var b = PostgresBindings()
            b.append(id)
            b.append(e.state.rawValue)
            b.appendOptional(e.finishedAt)
            b.appendOptional(e.inserted)
            b.appendOptional(e.updated)
            b.appendOptional(e.deleted)
            b.append(try JSONCoding.encode(e.metrics))
            try await query(
                """
                UPDATE \(s).steward_pipeline_executions
                SET state = $2, finished_at = $3, inserted = $4, updated = $5, deleted = $6, metrics = $7 WHERE id = $1
                """, b, on: conn)
            if let at = e.finishedAt, !change.touched.isEmpty {
                var t = PostgresBindings()
                t.append(change.touched)
                t.append(at)
                try await query(
                    """
                    INSERT INTO \(s).steward_datasets (name, last_modified) SELECT unnest($1::text[]), $2
                    ON CONFLICT (name) DO UPDATE SET last_modified = greatest(\(s).steward_datasets.last_modified, excluded.last_modified)
                    """, t, on: conn)
            }
            let queues = Array(Set(change.jobs.map(\.queue))).sorted()
            let results = change.jobs.isEmpty ? [] : try await enqueue(change.jobs, queues: queues, now: now, on: conn)
            return (e, results, queues)
        }
        if !queues.isEmpty { hub.emit(queues) }
        return (done, results)
    }

    public func pipelineExecution(_ id: Int64) async throws -> PipelineExecution? {
        var b = PostgresBindings()
        b.append(id)
        return try await query("SELECT \(Self.executionColumns) FROM \(quotedSchema).steward_pipeline_executions WHERE id = $1", b).first
            .map { try Self.execution($0) }
    }

    public func pipelineExecutions(_ filter: PipelineExecutionFilter) async throws -> [PipelineExecution] {
        var b = PostgresBindings()
        b.appendOptional(filter.pipeline)
        b.appendOptional(filter.state?.rawValue)
        b.appendOptional(filter.startedFrom)
        b.appendOptional(filter.startedTo)
        b.appendOptional(filter.finishedBefore?.0)
        b.appendOptional(filter.finishedBefore?.1)
        b.append(max(1, filter.limit))
        b.appendOptional(filter.workflowRun)
        let order = filter.finishedBefore == nil ? "started_at DESC, id DESC" : "finished_at DESC, id DESC"
        return try await query(
            """
            SELECT \(Self.executionColumns) FROM \(quotedSchema).steward_pipeline_executions
            WHERE ($1::text IS NULL OR pipeline = $1) AND ($2::text IS NULL OR state = $2)
              AND ($3::timestamptz IS NULL OR started_at >= $3) AND ($4::timestamptz IS NULL OR started_at <= $4)
              AND ($5::timestamptz IS NULL OR (finished_at IS NOT NULL AND (finished_at, id) < ($5, $6::int8)))
              AND ($8::text IS NULL OR workflow_run = $8)
            ORDER BY \(order) LIMIT $7
            """, b
        ).map { try Self.execution($0) }
    }

    public func pipelineExecutionTree(_ id: Int64) async throws -> [(depth: Int, execution: PipelineExecution)] {
        var b = PostgresBindings()
        b.append(id)
        let columns = Self.executionColumns.split(separator: ",").map { "e." + $0.trimmingCharacters(in: .whitespaces) }.joined(separator: ", ")
        let rows = try await query(
            """
            SELECT \(columns), t.depth FROM \(quotedSchema).steward_pipeline_execution_tree t
            JOIN \(quotedSchema).steward_pipeline_executions e ON e.id = t.descendant
            WHERE t.ancestor = $1 ORDER BY t.depth, e.id
            """, b)
        return try rows.map { row in
            let depth = try row.decode((Int64, String, Int64?, String, Date, Date?, Int64?, Int64?, Int64?, String, String?, Int).self).11
            return (depth: depth, execution: try Self.execution(row))
        }
    }

    public func recordPipelineAnomalies(execution: Int64, _ anomalies: [PipelineAnomaly]) async throws {
        let s = quotedSchema
        try await transaction { [self] conn in
            var key = PostgresBindings()
            key.append(execution)
            try await query("DELETE FROM \(s).steward_pipeline_anomalies WHERE execution = $1", key, on: conn)
            guard !anomalies.isEmpty else { return }
            var b = PostgresBindings()
            b.append(execution)
            b.append(anomalies.map(\.metric))
            b.append(anomalies.map(\.pipeline))
            b.append(anomalies.map(\.value))
            b.append(anomalies.map(\.mean))
            b.append(anomalies.map(\.std))
            b.append(anomalies.map { $0.z ?? .nan })
            b.append(anomalies.map(\.detectedAt))
            try await query(
                """
                INSERT INTO \(s).steward_pipeline_anomalies (execution, metric, pipeline, value, mean, std, z, detected_at)
                SELECT $1, m, p, v, a, d, nullif(z, 'NaN'::float8), t
                FROM unnest($2::text[], $3::text[], $4::float8[], $5::float8[], $6::float8[], $7::float8[], $8::timestamptz[]) AS x(m, p, v, a, d, z, t)
                """, b, on: conn)
        }
    }

    public func pipelineAnomalies(pipeline: String?, limit: Int) async throws -> [PipelineAnomaly] {
        var b = PostgresBindings()
        b.appendOptional(pipeline)
        b.append(max(1, limit))
        return try await query(
            """
            SELECT execution, pipeline, metric, value, mean, std, z, detected_at FROM \(quotedSchema).steward_pipeline_anomalies
            WHERE $1::text IS NULL OR pipeline = $1 ORDER BY detected_at DESC, execution DESC, metric LIMIT $2
            """, b
        ).map {
            let (e, p, m, v, a, d, z, t) = try $0.decode((Int64, String, String, Double, Double, Double, Double?, Date).self)
            return PipelineAnomaly(execution: e, pipeline: p, metric: m, value: v, mean: a, std: d, z: z, detectedAt: t)
        }
    }
}

extension PostgresJobStore {
    public func recordQualityRun(_ run: QualityRunRecord) async throws -> Int64 {
        var b = PostgresBindings()
        b.append(run.check)
        b.append(run.at)
        b.append(run.records)
        b.append(run.completeness)
        b.append(run.accuracy)
        b.append(run.consistency)
        b.append(run.overallScore)
        b.append(run.passedAll)
        b.append(run.result)
        let rows = try await query(
            """
            INSERT INTO \(quotedSchema).steward_quality_runs
                (check_name, at, records, completeness, accuracy, consistency, overall_score, passed_all, result)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id
            """, b)
        return try rows.first?.decode(Int64.self) ?? 0
    }

    public func qualityRuns(check: String, limit: Int) async throws -> [QualityRunRecord] {
        var b = PostgresBindings()
        b.append(check)
        b.append(max(1, limit))
        return try await query(
            """
            SELECT id, check_name, at, records, completeness, accuracy, consistency, overall_score, passed_all, result
            FROM \(quotedSchema).steward_quality_runs WHERE check_name = $1 ORDER BY at DESC, id DESC LIMIT $2
            """, b
        ).map {
            let (id, name, at, records, c, a, k, score, passed, result) = try $0.decode(
                (Int64, String, Date, Int64, Double, Double, Double, Double, Bool, String).self)
            return QualityRunRecord(
                id: id, check: name, at: at, records: records, completeness: c, accuracy: a, consistency: k, overallScore: score,
                passedAll: passed, result: result)
        }
    }

    public func qualityRunStats(check: String) async throws -> (count: Int, averageScore: Double?) {
        var b = PostgresBindings()
        b.append(check)
        let row = try await query(
            "SELECT count(*), avg(overall_score) FROM \(quotedSchema).steward_quality_runs WHERE check_name = $1", b
        ).first
        let (count, average) = try row?.decode((Int64, Double?).self) ?? (Int64(0), nil)
        return (Int(count), average)
    }
}
