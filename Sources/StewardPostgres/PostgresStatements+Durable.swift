import Foundation
import PostgresNIO
import Steward

/// The statements of a code workflow's run, of a pipeline execution's start and finish, and the
/// reads a worker and a waiting client make per job, prepared once per connection like the
/// statements of ``PostgresStatements``: parsing and planning them on every call was a third of a
/// step's time (0.84 → 0.53 ms per step for the step's statement alone).
extension PostgresStatements {
    /// A code run's step written unless a succeeded one is at its position; answers whether it
    /// was written, the record in the way (from the statement's snapshot), and whether the run is
    /// asked to cancel (the one field a step boundary needs, not the whole record).
    struct DurableStep: BoundStatement {
        static let name = "steward_durable_step_v1"
        static let sql = """
            WITH ins AS (
                INSERT INTO steward_durable_steps (run_id, seq, state, record) VALUES ($1, $2, $3, $4)
                ON CONFLICT (run_id, seq) DO UPDATE SET state = excluded.state, record = excluded.record
                WHERE steward_durable_steps.state <> 'succeeded'
                RETURNING seq
            )
            SELECT EXISTS (SELECT 1 FROM ins),
                (SELECT record FROM steward_durable_steps WHERE run_id = $1 AND seq = $2),
                (SELECT (record::jsonb ->> 'cancelRequested')::boolean FROM steward_durable_runs WHERE id = $1)
            """
        typealias Row = (Bool, String?, Bool?)
        let bindings: PostgresBindings
        init(_ step: DurableStepRecord) throws {
            var b = PostgresBindings()
            b.append(step.run)
            b.append(step.seq)
            b.append(step.state.rawValue)
            b.append(try JSONCoding.encode(step))
            bindings = b
        }
        func decodeRow(_ row: PostgresRow) throws -> Row { try row.decode(Row.self) }
    }

    /// ``DurableStep`` for several positions (of any runs; no position twice) in one statement:
    /// a row per position, in the order given.
    struct DurableSteps: BoundStatement {
        static let name = "steward_durable_steps_v1"
        static let sql = """
            WITH input AS (
                SELECT * FROM unnest($1::text[], $2::int4[], $3::text[], $4::text[]) WITH ORDINALITY AS i(run_id, seq, state, record, n)
            ), ins AS (
                INSERT INTO steward_durable_steps (run_id, seq, state, record) SELECT run_id, seq, state, record FROM input
                ON CONFLICT (run_id, seq) DO UPDATE SET state = excluded.state, record = excluded.record
                WHERE steward_durable_steps.state <> 'succeeded'
                RETURNING run_id, seq
            )
            SELECT EXISTS (SELECT 1 FROM ins WHERE ins.run_id = i.run_id AND ins.seq = i.seq),
                (SELECT record FROM steward_durable_steps st WHERE st.run_id = i.run_id AND st.seq = i.seq),
                (SELECT (record::jsonb ->> 'cancelRequested')::boolean FROM steward_durable_runs WHERE id = i.run_id)
            FROM input i ORDER BY i.n
            """
        typealias Row = DurableStep.Row
        let bindings: PostgresBindings
        init(_ steps: [DurableStepRecord]) throws {
            var b = PostgresBindings()
            b.append(steps.map(\.run))
            b.append(steps.map { Int32(clamping: $0.seq) })
            b.append(steps.map(\.state.rawValue))
            b.append(try steps.map { try JSONCoding.encode($0) })
            bindings = b
        }
        func decodeRow(_ row: PostgresRow) throws -> Row { try row.decode(Row.self) }
    }

    /// Locks a code run (transaction-scoped; see migration 9's function) and reads its record.
    struct DurableLockedRun: BoundStatement {
        static let name = "steward_durable_locked_run_v1"
        static let sql = "SELECT steward_durable_locked_run($1, $2)"
        typealias Row = String?
        let bindings: PostgresBindings
        init(lockKey: String, run: String) {
            var b = PostgresBindings()
            b.append(lockKey)
            b.append(run)
            bindings = b
        }
        func decodeRow(_ row: PostgresRow) throws -> Row { try row.decode(String?.self) }
    }

    /// ``DurableLockedRun`` and then, under that lock, the run's running pipeline execution
    /// (locked, as ``ExecutionToFinish`` reads it; its columns NULL when there is none). The
    /// execution's read names the lock's result, so it runs after the lock is taken.
    struct DurableLockedRunAndExecution: BoundStatement {
        static let name = "steward_durable_locked_run_execution_v1"
        static let sql = """
            WITH locked AS (SELECT steward_durable_locked_run($1, $2) AS record)
            SELECT locked.record, x.* FROM locked LEFT JOIN LATERAL (
                SELECT \(ExecutionAndBody.columns)
                FROM \(ExecutionAndBody.tables)
                WHERE e.workflow_run = $2 AND e.state = 'running' AND locked.record IS NOT NULL
                ORDER BY e.id DESC LIMIT 1 FOR UPDATE OF e
            ) x ON true
            """
        typealias Row = (String?, (PipelineExecution, String?)?)
        let bindings: PostgresBindings
        init(lockKey: String, run: String) {
            var b = PostgresBindings()
            b.append(lockKey)
            b.append(run)
            bindings = b
        }
        func decodeRow(_ row: PostgresRow) throws -> Row {
            let cells = row.makeRandomAccess()
            let record = try cells[0].decode(String?.self)
            guard cells[1].bytes != nil else { return (record, nil) }
            return (record, try ExecutionAndBody.decode(row, offset: 1))
        }
    }

    /// The end of a code run's attempt in one statement: the run's record saved (``SaveRun``,
    /// `$20`–`$25`), its pipeline execution finished (``FinishExecution``, `$26`–`$32`; none when
    /// `$26` is NULL) and the driver job's transition (``Transition``, `$1`–`$19`).
    struct DurableEnd: BoundStatement {
        static let name = "steward_durable_end_v1"
        static let sql = """
            WITH saved AS (
                INSERT INTO steward_durable_runs (id, workflow, state, created_at, finished_at, record)
                VALUES ($20, $21, $22, $23, $24, $25)
                ON CONFLICT (id) DO UPDATE SET state = excluded.state, finished_at = excluded.finished_at, record = excluded.record
            ), finished AS (
                UPDATE steward_pipeline_executions
                SET state = $27, finished_at = $28, inserted = $29, updated = $30, deleted = $31, metrics = $32
                WHERE id = $26::int8
            ), \(Transition.sql.dropFirst("WITH ".count))
            """
        typealias Row = Transition.Row
        let bindings: PostgresBindings
        /// `execution`: the execution's id and its finished record.
        init(_ transition: Transition, run: DurableRunRecord, execution: (id: Int64, PipelineExecution)?) throws {
            let id = execution?.id
            let execution = execution?.1
            var b = try transition.makeBindings()
            b.append(run.id)
            b.append(run.workflow)
            b.append(run.state.rawValue)
            b.append(run.createdAt)
            b.append(run.finishedAt)
            b.append(try JSONCoding.encode(run))
            b.append(id)
            try b.appendEnd(of: execution)
            bindings = b
        }
        func decodeRow(_ row: PostgresRow) throws -> Row { try Transition.decode(row) }
    }

    /// A code run's record, its positions as one JSON array, and its running pipeline execution
    /// with its definition and its row as text (what ``DurableEndIfUnchanged`` checks; columns NULL
    /// when there is none).
    struct DurableHistory: BoundStatement {
        static let name = "steward_durable_history_v2"
        static let sql = """
            SELECT r.record, (SELECT coalesce(json_agg(st.record::json ORDER BY st.seq), '[]')::text
                              FROM steward_durable_steps st WHERE st.run_id = r.id), x.*
            FROM steward_durable_runs r LEFT JOIN LATERAL (
                SELECT \(ExecutionAndBody.columns), e::text
                FROM \(ExecutionAndBody.tables)
                WHERE e.workflow_run = r.id AND e.state = 'running'
                ORDER BY e.id DESC LIMIT 1
            ) x ON true
            WHERE r.id = $1
            """
        typealias Row = (record: String, steps: String, execution: DurableEndBasis.Execution?)
        let bindings: PostgresBindings
        init(run: String) {
            var b = PostgresBindings()
            b.append(run)
            bindings = b
        }
        func decodeRow(_ row: PostgresRow) throws -> Row {
            let cells = row.makeRandomAccess()
            let (record, steps) = (try cells[0].decode(String.self), try cells[1].decode(String.self))
            guard cells[2].bytes != nil else { return (record, steps, nil) }
            let (execution, body) = try ExecutionAndBody.decode(row, offset: 2)
            let text = try cells[2 + ExecutionAndBody.count].decode(String.self)
            return (record, steps, DurableEndBasis.Execution(execution: execution, body: body, row: text))
        }
    }

    /// The end of a code run's attempt in one statement, without a transaction of its own, decided
    /// from what the attempt read (``DurableEndBasis``): `steward_durable_end_check` (migration 12)
    /// takes the run's lock and raises `SD001` unless the run's record (`$22`) and its running
    /// execution (`$23`, `$24`) are as read; then, as ``DurableEnd``, the run's record saved
    /// (`$25`–`$27`), its execution finished (`$28`–`$33`) and the driver job's transition
    /// (``Transition``, `$1`–`$19`, releasing the jobs that wait for it), which starts only once
    /// the check passed.
    struct DurableEndIfUnchanged: BoundStatement {
        static let name = "steward_durable_end_if_unchanged_v1"
        static let sql = """
            WITH ok AS (SELECT steward_durable_end_check($20, $21, $22, $23::int8, $24) AS ok
            ), saved AS (
                UPDATE steward_durable_runs SET state = $25, finished_at = $26, record = $27 WHERE id = $21 AND (SELECT ok FROM ok)
            ), finished AS (
                UPDATE steward_pipeline_executions
                SET state = $28, finished_at = $29, inserted = $30, updated = $31, deleted = $32, metrics = $33
                WHERE id = $23::int8 AND (SELECT ok FROM ok)
            ), \(Transition.gatedSQL(by: "ok").dropFirst("WITH ".count))
            """
        typealias Row = Transition.Row
        /// The SQLSTATE of the check's refusal.
        static let changed = "SD001"
        let bindings: PostgresBindings
        init(_ transition: Transition, lockKey: String, basis: DurableEndBasis, run: DurableRunRecord, execution: PipelineExecution?) throws {
            var b = try transition.makeBindings()
            b.append(lockKey)
            b.append(run.id)
            b.append(basis.record)
            b.append(basis.execution?.execution.id)
            b.append(basis.execution?.row)
            b.append(run.state.rawValue)
            b.append(run.finishedAt)
            b.append(try JSONCoding.encode(run))
            try b.appendEnd(of: execution)
            bindings = b
        }
        func decodeRow(_ row: PostgresRow) throws -> Row { try Transition.decode(row) }
    }

    /// A code run's record written (inserted or replaced).
    struct SaveRun: BoundStatement {
        static let name = "steward_durable_save_v1"
        static let sql = """
            INSERT INTO steward_durable_runs (id, workflow, state, created_at, finished_at, record) VALUES ($1, $2, $3, $4, $5, $6)
            ON CONFLICT (id) DO UPDATE SET state = excluded.state, finished_at = excluded.finished_at, record = excluded.record
            """
        typealias Row = PostgresRow
        let bindings: PostgresBindings
        init(_ run: DurableRunRecord) throws {
            var b = PostgresBindings()
            b.append(run.id)
            b.append(run.workflow)
            b.append(run.state.rawValue)
            b.append(run.createdAt)
            b.append(run.finishedAt)
            b.append(try JSONCoding.encode(run))
            bindings = b
        }
        func decodeRow(_ row: PostgresRow) throws -> Row { row }
    }

    /// A new code run's record, unless a run has its id: answers its id when inserted.
    struct InsertRun: BoundStatement {
        static let name = "steward_durable_insert_v1"
        static let sql = """
            INSERT INTO steward_durable_runs (id, workflow, state, created_at, record) VALUES ($1, $2, $3, $4, $5)
            ON CONFLICT (id) DO NOTHING RETURNING id
            """
        typealias Row = String
        let bindings: PostgresBindings
        init(_ run: DurableRunRecord) throws {
            var b = PostgresBindings()
            b.append(run.id)
            b.append(run.workflow)
            b.append(run.state.rawValue)
            b.append(run.createdAt)
            b.append(try JSONCoding.encode(run))
            bindings = b
        }
        func decodeRow(_ row: PostgresRow) throws -> Row { try row.decode(String.self) }
    }

    /// A code run started in one round trip: its record, its driver job (``EnqueueOne``'s lean
    /// insert, whose bindings are `$1`–`$14`) and its pipeline execution, unless a run has its id
    /// (then nothing is written: the insert of the run waits for a concurrent start of the same
    /// id and finds it) or the queue has a max depth (then nothing is written either, and the
    /// transactional path checks the depth under the queue's lock). The job's id is drawn first
    /// so the run's record names it as it is inserted. Answers whether the queue is bounded and
    /// the record inserted (NULL when a run had the id).
    struct StartRun: BoundStatement {
        static let name = "steward_durable_start_v1"
        static let sql = """
            WITH \(EnqueueOne.queueSettings), new_job AS (
                SELECT nextval('steward_jobs_id_seq') AS id WHERE NOT EXISTS (SELECT 1 FROM bounded)
            ), run AS (
                INSERT INTO steward_durable_runs (id, workflow, state, created_at, record)
                SELECT $15::text, $16::text, $17::text, $18::timestamptz, jsonb_set($19::jsonb, '{job}', to_jsonb(new_job.id))::text
                FROM new_job
                ON CONFLICT (id) DO NOTHING RETURNING record
            ), inserted AS (
                INSERT INTO steward_jobs (id, \(EnqueueOne.columns)) SELECT new_job.id, \(EnqueueOne.values)
                FROM new_job WHERE EXISTS (SELECT 1 FROM run)
                RETURNING id
            ), execution AS (
                INSERT INTO steward_pipeline_executions (pipeline, parent, state, started_at, workflow_run)
                SELECT $16::text, NULL, 'running', $18::timestamptz, $15::text WHERE EXISTS (SELECT 1 FROM run)
                RETURNING id
            ), tree AS (
                INSERT INTO steward_pipeline_execution_tree (ancestor, descendant, depth) SELECT id, id, 0 FROM execution
            ), notified AS (
                SELECT pg_notify($12::text, $1) WHERE EXISTS (SELECT 1 FROM inserted)
            )
            SELECT EXISTS (SELECT 1 FROM bounded), (SELECT record FROM run), (SELECT count(*) FROM notified)
            """
        typealias Row = (Bool, String?)
        let bindings: PostgresBindings
        /// `job` holds `$1`–`$14` (``PostgresJobStore/enqueueOneBindings(_:now:)``).
        init(_ run: DurableRunRecord, job: PostgresBindings) throws {
            var b = job
            b.append(run.id)
            b.append(run.workflow)
            b.append(run.state.rawValue)
            b.append(run.createdAt)
            b.append(try JSONCoding.encode(run))
            bindings = b
        }
        func decodeRow(_ row: PostgresRow) throws -> Row {
            let (bounded, record, _) = try row.decode((Bool, String?, Int64).self)
            return (bounded, record)
        }
    }

    /// A code run's record.
    typealias DurableRun = ColumnByID<DurableRunRecordColumn>

    /// A pipeline execution and its closure rows (itself, and its parent's ancestors one deeper).
    struct StartExecution: BoundStatement {
        static let name = "steward_execution_start_v1"
        static let sql = """
            WITH e AS (
                INSERT INTO steward_pipeline_executions (pipeline, parent, state, started_at, workflow_run)
                VALUES ($1, $2::int8, 'running', $3, $4::text) RETURNING id
            ), tree AS (
                INSERT INTO steward_pipeline_execution_tree (ancestor, descendant, depth)
                SELECT t.ancestor, e.id, t.depth + 1 FROM steward_pipeline_execution_tree t, e WHERE t.descendant = $2::int8
                UNION ALL SELECT e.id, e.id, 0 FROM e
            )
            SELECT id FROM e
            """
        typealias Row = Int64
        let bindings: PostgresBindings
        init(pipeline: String, parent: Int64?, at: Date, workflowRun: String?) {
            var b = PostgresBindings()
            b.append(pipeline)
            b.append(parent)
            b.append(at)
            b.append(workflowRun)
            bindings = b
        }
        func decodeRow(_ row: PostgresRow) throws -> Row { try row.decode(Int64.self) }
    }

    /// A pipeline execution's columns (as ``PostgresJobStore/execution(_:offset:)`` reads them)
    /// followed by its pipeline's definition, from `e` joined to `p`: how the statements that end
    /// an execution read it.
    enum ExecutionAndBody {
        static let columns = PostgresJobStore.executionColumns.split(separator: ", ").map { "e." + $0 }.joined(separator: ", ") + ", p.body"
        static let tables = "steward_pipeline_executions e LEFT JOIN steward_pipelines p ON p.name = e.pipeline"
        /// How many columns they are.
        static let count = PostgresJobStore.executionColumns.split(separator: ", ").count + 1
        static func decode(_ row: PostgresRow, offset: Int) throws -> (PipelineExecution, String?) {
            (try PostgresJobStore.execution(row, offset: offset), try row.makeRandomAccess()[offset + count - 1].decode(String?.self))
        }
    }

    /// An execution to finish, locked, with its pipeline's definition: by id, or the running one
    /// of a workflow run.
    struct ExecutionToFinish: BoundStatement {
        static let name = "steward_execution_to_finish_v1"
        static let sql = """
            SELECT \(ExecutionAndBody.columns)
            FROM \(ExecutionAndBody.tables)
            WHERE e.id = $1::int8 OR (e.workflow_run = $2::text AND e.state = 'running')
            ORDER BY e.id DESC LIMIT 1 FOR UPDATE OF e
            """
        typealias Row = (PipelineExecution, String?)
        let bindings: PostgresBindings
        init(_ key: PostgresJobStore.ExecutionKey) {
            var b = PostgresBindings()
            switch key {
            case .id(let id):
                b.append(id)
                b.append(String?.none)
            case .workflowRun(let run):
                b.append(Int64?.none)
                b.append(run)
            }
            bindings = b
        }
        func decodeRow(_ row: PostgresRow) throws -> Row {
            try ExecutionAndBody.decode(row, offset: 0)
        }
    }

    /// A finished execution's counts and state.
    struct FinishExecution: BoundStatement {
        static let name = "steward_execution_finish_v1"
        static let sql = """
            UPDATE steward_pipeline_executions
            SET state = $2, finished_at = $3, inserted = $4, updated = $5, deleted = $6, metrics = $7
            WHERE id = $1
            """
        typealias Row = PostgresRow
        let bindings: PostgresBindings
        init(_ e: PipelineExecution, id: Int64) throws {
            var b = PostgresBindings()
            b.append(id)
            try b.appendEnd(of: e)
            bindings = b
        }
        func decodeRow(_ row: PostgresRow) throws -> Row { row }
    }

    /// The children of finished `parents` released (migration 13's `steward_release_children`, which
    /// the transition statement calls too): answers the queue of each child released, once per
    /// queue, and announces those queues. For a job finished by other means (a cancel by hand).
    struct ReleaseChildren: BoundStatement {
        static let name = "steward_release_children_v2"
        static let sql = "SELECT steward_release_children($1::int8[], $2::text)"
        typealias Row = String
        let bindings: PostgresBindings
        init(parents: [Int64], channel: String) {
            var b = PostgresBindings()
            b.append(parents)
            b.append(channel)
            bindings = b
        }
        func decodeRow(_ row: PostgresRow) throws -> Row { try row.decode(String.self) }
    }

    /// A DAG workflow run's record.
    typealias WorkflowRun = ColumnByID<WorkflowRunRecordColumn>

    /// A DAG workflow run's state column.
    typealias WorkflowRunState = ColumnByID<WorkflowRunStateColumn>

    /// One text column of a table keyed by a text `id`.
    protocol TextColumn {
        /// The table's name after `steward_`.
        static var table: String { get }
        static var column: String { get }
    }
    enum DurableRunRecordColumn: TextColumn { static let (table, column) = ("durable_runs", "record") }
    enum WorkflowRunRecordColumn: TextColumn { static let (table, column) = ("workflow_runs", "record") }
    enum WorkflowRunStateColumn: TextColumn { static let (table, column) = ("workflow_runs", "state") }

    /// One row's column by its id.
    struct ColumnByID<Column: TextColumn>: BoundStatement {
        static var name: String { "steward_\(Column.table)_\(Column.column)_v1" }
        static var sql: String { "SELECT \(Column.column) FROM steward_\(Column.table) WHERE id = $1" }
        typealias Row = String
        let bindings: PostgresBindings
        init(_ id: String) {
            var b = PostgresBindings()
            b.append(id)
            bindings = b
        }
        func decodeRow(_ row: PostgresRow) throws -> Row { try row.decode(String.self) }
    }

    /// Jobs by id, in id order.
    struct JobsByID: BoundStatement {
        static let name = "steward_jobs_by_id_v1"
        static let sql = "SELECT \(PostgresJobStore.columns) FROM steward_jobs WHERE id = ANY($1::int8[]) ORDER BY id"
        typealias Row = PostgresRow
        let bindings: PostgresBindings
        init(_ ids: [JobID]) {
            var b = PostgresBindings()
            b.append(ids.map(\.rawValue))
            bindings = b
        }
        func decodeRow(_ row: PostgresRow) throws -> Row { row }
    }

    /// When a queue's next scheduled job is due.
    struct NextRunAt: BoundStatement {
        static let name = "steward_next_run_at_v1"
        static let sql = "SELECT min(run_at) FROM steward_jobs WHERE queue = $1 AND state = \(JobState.scheduled.sql) AND run_at > $2"
        typealias Row = Date?
        let bindings: PostgresBindings
        init(queue: String, after now: Date) {
            var b = PostgresBindings()
            b.append(queue)
            b.append(now)
            bindings = b
        }
        func decodeRow(_ row: PostgresRow) throws -> Row { try row.decode(Date?.self) }
    }

    /// One job's row.
    struct Job: BoundStatement {
        static let name = "steward_job_v1"
        static let sql = "SELECT \(PostgresJobStore.columns) FROM steward_jobs WHERE id = $1"
        typealias Row = PostgresRow
        let bindings: PostgresBindings
        init(_ id: JobID) {
            var b = PostgresBindings()
            b.append(id.rawValue)
            bindings = b
        }
        func decodeRow(_ row: PostgresRow) throws -> Row { row }
    }
}

extension PostgresBindings {
    /// An execution's end as ``PostgresStatements/FinishExecution`` and the code-run ends write it:
    /// state, finished at, the three counts, metrics (all NULL for none).
    mutating func appendEnd(of execution: PipelineExecution?) throws {
        append(execution?.state.rawValue)
        append(execution?.finishedAt)
        append(execution?.inserted)
        append(execution?.updated)
        append(execution?.deleted)
        append(try execution.map { try JSONCoding.encode($0.metrics) })
    }
}
