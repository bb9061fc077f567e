public import Foundation
import PostgresNIO
public import Steward

/// Pipelines, lineage, datasets, executions, anomalies and check runs. Statements bind their
/// values through `PostgresQuery` interpolation; `s` is the quoted schema, spliced as SQL text.
extension PostgresJobStore {
    public func pipelineCatalog() async throws -> PipelineCatalog {
        let s = quotedSchema
        let pipelines = try await rows("SELECT body FROM \(unescaped: s).steward_pipelines ORDER BY name").map {
            try JSONCoding.decode(PipelineDefinition.self, from: try $0.decode(String.self))
        }
        let datasets = try await rows(
            "SELECT name, max_age FROM \(unescaped: s).steward_datasets WHERE max_age IS NOT NULL ORDER BY name"
        ).map {
            let (name, maxAge) = try $0.decode((String, Double?).self)
            return DatasetDefinition(name: name, maxAge: maxAge)
        }
        return PipelineCatalog(pipelines: pipelines, datasets: datasets)
    }

    public func pipeline(named name: String) async throws -> PipelineDefinition? {
        try await rows("SELECT body FROM \(unescaped: quotedSchema).steward_pipelines WHERE name = \(name)").first.map {
            try JSONCoding.decode(PipelineDefinition.self, from: try $0.decode(String.self))
        }
    }

    public func applyPipelineCatalog(_ decide: @escaping @Sendable ([LineagePath]) throws -> PipelineCatalogChange) async throws
        -> PipelineCatalogChange
    {
        let s = quotedSchema
        let logger = self.logger
        return try await transaction { conn in
            // One apply at a time: the closure diff is computed from what this transaction read.
            try await conn.query("LOCK TABLE \(unescaped: s).steward_lineage IN EXCLUSIVE MODE", logger: logger)
            var stored: [LineagePath] = []
            for try await (a, d, depth) in try await conn.query(
                "SELECT ancestor, descendant, depth FROM \(unescaped: s).steward_lineage", logger: logger
            ).decode((String, String, Int).self) {
                stored.append(LineagePath(ancestor: a, descendant: d, depth: depth))
            }
            let change = try decide(stored)
            let names = change.pipelines.map(\.name)
            let bodies = try change.pipelines.map { try JSONCoding.encode($0) }
            try await conn.query("DELETE FROM \(unescaped: s).steward_pipelines WHERE NOT (name = ANY(\(names)))", logger: logger)
            try await conn.query(
                """
                INSERT INTO \(unescaped: s).steward_pipelines (name, body, updated_at)
                SELECT n, b, \(Date()) FROM unnest(\(names)::text[], \(bodies)::text[]) AS x(n, b)
                ON CONFLICT (name) DO UPDATE SET body = excluded.body, updated_at = excluded.updated_at
                WHERE \(unescaped: s).steward_pipelines.body <> excluded.body
                """, logger: logger)
            // Datasets: the declared bounds are exactly the catalog's; names only used by pipelines
            // are known without one; a last modification is never forgotten.
            try await conn.query("UPDATE \(unescaped: s).steward_datasets SET max_age = NULL WHERE max_age IS NOT NULL", logger: logger)
            let declared = change.datasets.map(\.name)
            let maxAges = change.datasets.map { $0.maxAge ?? -1 }
            try await conn.query(
                """
                INSERT INTO \(unescaped: s).steward_datasets (name, max_age)
                SELECT n, nullif(a, -1) FROM unnest(\(declared)::text[], \(maxAges)::float8[]) AS x(n, a)
                ON CONFLICT (name) DO UPDATE SET max_age = excluded.max_age
                """, logger: logger)
            let used = Set(change.pipelines.flatMap { $0.reads + $0.writes }).sorted()
            try await conn.query(
                "INSERT INTO \(unescaped: s).steward_datasets (name) SELECT unnest(\(used)::text[]) ON CONFLICT (name) DO NOTHING",
                logger: logger)
            if !change.deletePaths.isEmpty {
                let ancestors = change.deletePaths.map(\.ancestor)
                let descendants = change.deletePaths.map(\.descendant)
                try await conn.query(
                    """
                    DELETE FROM \(unescaped: s).steward_lineage l USING unnest(\(ancestors)::text[], \(descendants)::text[]) AS x(a, d)
                    WHERE l.ancestor = x.a AND l.descendant = x.d
                    """, logger: logger)
            }
            if !change.upsertPaths.isEmpty {
                let ancestors = change.upsertPaths.map(\.ancestor)
                let descendants = change.upsertPaths.map(\.descendant)
                let depths = change.upsertPaths.map(\.depth)
                try await conn.query(
                    """
                    INSERT INTO \(unescaped: s).steward_lineage (ancestor, descendant, depth)
                    SELECT a, d, k FROM unnest(\(ancestors)::text[], \(descendants)::text[], \(depths)::int8[]) AS x(a, d, k)
                    ON CONFLICT (ancestor, descendant) DO UPDATE SET depth = excluded.depth
                    """, logger: logger)
            }
            return change
        }
    }

    public func lineage(of dataset: String, downstream: Bool) async throws -> [LineagePath] {
        let s = quotedSchema
        let query: PostgresQuery =
            downstream
            ? "SELECT ancestor, descendant, depth FROM \(unescaped: s).steward_lineage WHERE ancestor = \(dataset) AND depth > 0 ORDER BY depth, descendant"
            : "SELECT ancestor, descendant, depth FROM \(unescaped: s).steward_lineage WHERE descendant = \(dataset) AND depth > 0 ORDER BY depth, ancestor"
        return try await rows(query).map {
            let (a, d, k) = try $0.decode((String, String, Int).self)
            return LineagePath(ancestor: a, descendant: d, depth: k)
        }
    }

    public func datasets() async throws -> [DatasetState] {
        try await rows("SELECT name, max_age, last_modified FROM \(unescaped: quotedSchema).steward_datasets ORDER BY name").map {
            let (name, maxAge, modified) = try $0.decode((String, Double?, Date?).self)
            return DatasetState(name: name, maxAge: maxAge, lastModified: modified)
        }
    }

    public func touchDataset(_ name: String, at: Date) async throws -> Bool {
        !(try await rows(
            """
            UPDATE \(unescaped: quotedSchema).steward_datasets SET last_modified = greatest(last_modified, \(at))
            WHERE name = \(name) RETURNING name
            """)).isEmpty
    }

    public func startPipelineExecution(pipeline: String, parent: Int64?, at: Date, workflowRun: String?) async throws -> PipelineExecution {
        try await transaction { [self] conn in
            try await startPipelineExecution(pipeline: pipeline, parent: parent, at: at, workflowRun: workflowRun, on: conn)
        }
    }

    /// Starts an execution inside the caller's transaction on `conn`.
    func startPipelineExecution(
        pipeline: String, parent: Int64?, at: Date, workflowRun: String?, on conn: PostgresConnection
    ) async throws -> PipelineExecution {
        let s = quotedSchema
        if let parent {
            var found = false
            for try await _ in try await conn.query(
                "SELECT 1 FROM \(unescaped: s).steward_pipeline_executions WHERE id = \(parent) FOR SHARE", logger: logger)
            {
                found = true
            }
            if !found { throw PipelineError.executionNotFound(parent) }
        }
        var id: Int64 = 0
        for try await value in try await conn.execute(
            PostgresStatements.StartExecution(pipeline: pipeline, parent: parent, at: at, workflowRun: workflowRun), logger: logger)
        {
            id = value
        }
        return PipelineExecution(id: id, pipeline: pipeline, parent: parent, startedAt: at, workflowRun: workflowRun)
    }

    static let executionColumns = "id, pipeline, parent, state, started_at, finished_at, inserted, updated, deleted, metrics, workflow_run"

    /// An execution from ``executionColumns``, which start at column `offset` of `row`.
    static func execution(_ row: PostgresRow, offset: Int = 0) throws -> PipelineExecution {
        let c = row.makeRandomAccess()
        let (id, pipeline, parent, state) = (try c[offset].decode(Int64.self), try c[offset + 1].decode(String.self),
            try c[offset + 2].decode(Int64?.self), try c[offset + 3].decode(String.self))
        let (started, finished) = (try c[offset + 4].decode(Date.self), try c[offset + 5].decode(Date?.self))
        let (inserted, updated, deleted) = (try c[offset + 6].decode(Int64?.self), try c[offset + 7].decode(Int64?.self),
            try c[offset + 8].decode(Int64?.self))
        let (metrics, run) = (try c[offset + 9].decode(String.self), try c[offset + 10].decode(String?.self))
        return PipelineExecution(
            id: id, pipeline: pipeline, parent: parent, state: PipelineExecution.State(rawValue: state) ?? .running, startedAt: started,
            finishedAt: finished, inserted: inserted, updated: updated, deleted: deleted,
            metrics: try JSONCoding.decode([String: Double].self, from: metrics), workflowRun: run)
    }

    public func finishPipelineExecution(
        _ id: Int64, _ decide: @escaping @Sendable (PipelineExecution, PipelineDefinition?) throws -> PipelineFinishChange
    ) async throws -> (execution: PipelineExecution, jobs: [EnqueueResult]) {
        let now = Date()
        let (done, results, queues) = try await transaction { [self] conn in try await finishPipelineExecution(.id(id), now: now, on: conn, decide) }
        guard let done else { throw PipelineError.executionNotFound(id) }
        if !queues.isEmpty { hub.emit(queues) }
        return (done, results)
    }

    /// Which execution a finish reads: by id, or the running one of a workflow run.
    enum ExecutionKey {
        case id(Int64)
        case workflowRun(String)
    }

    /// Finishes an execution inside the caller's transaction on `conn`: reads it (locked) and its
    /// pipeline's definition in one round trip, writes what `decide` makes of them, enqueues its
    /// jobs; returns their queues. `nil` when there is no such execution.
    func finishPipelineExecution(
        _ key: ExecutionKey, now: Date, on conn: PostgresConnection, _ decide: (PipelineExecution, PipelineDefinition?) throws -> PipelineFinishChange
    ) async throws -> (PipelineExecution?, [EnqueueResult], [String]) {
        guard let (current, body) = try await executionToFinish(key, on: conn) else { return (nil, [], []) }
        let (change, results, queues) = try await finishPipelineExecution(current, body: body, now: now, on: conn, writingRow: true, decide)
        return (change.execution, results, queues)
    }

    /// An execution to finish, locked, with its pipeline's definition (``PostgresStatements/ExecutionToFinish``).
    func executionToFinish(_ key: ExecutionKey, on conn: PostgresConnection) async throws -> (PipelineExecution, String?)? {
        var found: (PipelineExecution, String?)? = nil
        for try await row in try await conn.execute(PostgresStatements.ExecutionToFinish(key), logger: logger) { found = row }
        return found
    }

    /// Finishes `current` (read locked, with its pipeline's definition as `body`) as `decide`
    /// says: its row (unless the caller writes it, `writingRow` false), the datasets it touched
    /// and the jobs it enqueues. Returns the change, those jobs and their queues.
    func finishPipelineExecution(
        _ current: PipelineExecution, body: String?, now: Date, on conn: PostgresConnection, writingRow: Bool,
        _ decide: (PipelineExecution, PipelineDefinition?) throws -> PipelineFinishChange
    ) async throws -> (PipelineFinishChange, [EnqueueResult], [String]) {
        let definition = try body.map { try JSONCoding.decode(PipelineDefinition.self, from: $0) }
        let change = try decide(current, definition)
        if writingRow {
            for try await _ in try await conn.execute(PostgresStatements.FinishExecution(change.execution, id: current.id), logger: logger) {}
        }
        let (results, queues) = try await finishedExecutionWrites(change, now: now, on: conn)
        return (change, results, queues)
    }

    /// What a finish writes besides the execution's row: the datasets it touched and the jobs it
    /// enqueues; returns those jobs and their queues.
    func finishedExecutionWrites(_ change: PipelineFinishChange, now: Date, on conn: PostgresConnection) async throws
        -> ([EnqueueResult], [String])
    {
        let s = quotedSchema
        if let at = change.execution.finishedAt, !change.touched.isEmpty {
            try await conn.query(
                """
                INSERT INTO \(unescaped: s).steward_datasets (name, last_modified) SELECT unnest(\(change.touched)::text[]), \(at)
                ON CONFLICT (name) DO UPDATE SET last_modified = greatest(\(unescaped: s).steward_datasets.last_modified, excluded.last_modified)
                """, logger: logger)
        }
        let queues = Array(Set(change.jobs.map(\.queue))).sorted()
        let results = change.jobs.isEmpty ? [] : try await enqueue(change.jobs, queues: queues, now: now, on: conn)
        return (results, queues)
    }

    public func pipelineExecution(_ id: Int64) async throws -> PipelineExecution? {
        try await rows(
            "SELECT \(unescaped: Self.executionColumns) FROM \(unescaped: quotedSchema).steward_pipeline_executions WHERE id = \(id)"
        ).first.map { try Self.execution($0) }
    }

    public func pipelineExecutions(_ filter: PipelineExecutionFilter) async throws -> [PipelineExecution] {
        let order = filter.finishedBefore == nil ? "started_at DESC, id DESC" : "finished_at DESC, id DESC"
        let (finishedAt, finishedID) = (filter.finishedBefore?.0, filter.finishedBefore?.1)
        return try await rows(
            """
            SELECT \(unescaped: Self.executionColumns) FROM \(unescaped: quotedSchema).steward_pipeline_executions
            WHERE (\(filter.pipeline)::text IS NULL OR pipeline = \(filter.pipeline))
              AND (\(filter.state?.rawValue)::text IS NULL OR state = \(filter.state?.rawValue))
              AND (\(filter.startedFrom)::timestamptz IS NULL OR started_at >= \(filter.startedFrom))
              AND (\(filter.startedTo)::timestamptz IS NULL OR started_at <= \(filter.startedTo))
              AND (\(finishedAt)::timestamptz IS NULL OR (finished_at IS NOT NULL AND (finished_at, id) < (\(finishedAt), \(finishedID)::int8)))
              AND (\(filter.workflowRun)::text IS NULL OR workflow_run = \(filter.workflowRun))
            ORDER BY \(unescaped: order) LIMIT \(max(1, filter.limit))
            """
        ).map { try Self.execution($0) }
    }

    public func pipelineExecutionTree(_ id: Int64) async throws -> [(depth: Int, execution: PipelineExecution)] {
        let columns = Self.executionColumns.split(separator: ",").map { "e." + $0.trimmingCharacters(in: .whitespaces) }.joined(separator: ", ")
        let s = quotedSchema
        let found = try await rows(
            """
            SELECT \(unescaped: columns), t.depth FROM \(unescaped: s).steward_pipeline_execution_tree t
            JOIN \(unescaped: s).steward_pipeline_executions e ON e.id = t.descendant
            WHERE t.ancestor = \(id) ORDER BY t.depth, e.id
            """)
        return try found.map { row in
            let depth = try row.decode((Int64, String, Int64?, String, Date, Date?, Int64?, Int64?, Int64?, String, String?, Int).self).11
            return (depth: depth, execution: try Self.execution(row))
        }
    }

    public func recordPipelineAnomalies(execution: Int64, _ anomalies: [PipelineAnomaly]) async throws {
        let s = quotedSchema
        let logger = self.logger
        try await transaction { conn in
            try await conn.query("DELETE FROM \(unescaped: s).steward_pipeline_anomalies WHERE execution = \(execution)", logger: logger)
            guard !anomalies.isEmpty else { return }
            let (metrics, pipelines, values) = (anomalies.map(\.metric), anomalies.map(\.pipeline), anomalies.map(\.value))
            let (means, stds, zs, times) = (anomalies.map(\.mean), anomalies.map(\.std), anomalies.map { $0.z ?? .nan }, anomalies.map(\.detectedAt))
            try await conn.query(
                """
                INSERT INTO \(unescaped: s).steward_pipeline_anomalies (execution, metric, pipeline, value, mean, std, z, detected_at)
                SELECT \(execution), m, p, v, a, d, nullif(z, 'NaN'::float8), t
                FROM unnest(\(metrics)::text[], \(pipelines)::text[], \(values)::float8[], \(means)::float8[], \(stds)::float8[],
                    \(zs)::float8[], \(times)::timestamptz[]) AS x(m, p, v, a, d, z, t)
                """, logger: logger)
        }
    }

    public func pipelineAnomalies(pipeline: String?, limit: Int) async throws -> [PipelineAnomaly] {
        try await rows(
            """
            SELECT execution, pipeline, metric, value, mean, std, z, detected_at FROM \(unescaped: quotedSchema).steward_pipeline_anomalies
            WHERE \(pipeline)::text IS NULL OR pipeline = \(pipeline) ORDER BY detected_at DESC, execution DESC, metric LIMIT \(max(1, limit))
            """
        ).map {
            let (e, p, m, v, a, d, z, t) = try $0.decode((Int64, String, String, Double, Double, Double, Double?, Date).self)
            return PipelineAnomaly(execution: e, pipeline: p, metric: m, value: v, mean: a, std: d, z: z, detectedAt: t)
        }
    }
}

extension PostgresJobStore {
    public func recordQualityRun(_ run: QualityRunRecord) async throws -> Int64 {
        let found = try await rows(
            """
            INSERT INTO \(unescaped: quotedSchema).steward_quality_runs
                (check_name, at, records, completeness, accuracy, consistency, overall_score, passed_all, result)
            VALUES (\(run.check), \(run.at), \(run.records), \(run.completeness), \(run.accuracy), \(run.consistency),
                \(run.overallScore), \(run.passedAll), \(run.result))
            RETURNING id
            """)
        return try found.first?.decode(Int64.self) ?? 0
    }

    public func qualityRuns(check: String, limit: Int) async throws -> [QualityRunRecord] {
        try await rows(
            """
            SELECT id, check_name, at, records, completeness, accuracy, consistency, overall_score, passed_all, result
            FROM \(unescaped: quotedSchema).steward_quality_runs WHERE check_name = \(check) ORDER BY at DESC, id DESC LIMIT \(max(1, limit))
            """
        ).map {
            let (id, name, at, records, c, a, k, score, passed, result) = try $0.decode(
                (Int64, String, Date, Int64, Double, Double, Double, Double, Bool, String).self)
            return QualityRunRecord(
                id: id, check: name, at: at, records: records, completeness: c, accuracy: a, consistency: k, overallScore: score,
                passedAll: passed, result: result)
        }
    }

    public func qualityRunStats(check: String) async throws -> (count: Int, averageScore: Double?) {
        let row = try await rows(
            "SELECT count(*), avg(overall_score) FROM \(unescaped: quotedSchema).steward_quality_runs WHERE check_name = \(check)"
        ).first
        let (count, average) = try row?.decode((Int64, Double?).self) ?? (Int64(0), nil)
        return (Int(count), average)
    }
}
