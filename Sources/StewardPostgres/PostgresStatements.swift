import Foundation
import PostgresNIO
import Steward

/// A prepared statement that carries its bindings whole.
protocol BoundStatement: PostgresPreparedStatement {
    var bindings: PostgresBindings { get }
}

extension BoundStatement {
    func makeBindings() throws -> PostgresBindings { bindings }
}

/// The hot statements, prepared once per connection (postgres-nio caches them by name), so they
/// are not parsed and planned on every call: that was most of a single enqueue's 1.2 ms.
/// Table names are unqualified and resolve through the connection's `search_path`, which the
/// store sets to its schema at connection start.
enum PostgresStatements {
    struct Enqueue: BoundStatement {
        static let name = "steward_enqueue_v2"
        /// A queue with a max depth makes this statement insert nothing and name the queue: its
        /// depth is checked by the transactional path, which locks the queue's row first (a
        /// count in this statement's snapshot would miss concurrent enqueues). `$14` says the
        /// caller holds that lock.
        static let sql = """
            WITH input AS (
                SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::int4[], $6::timestamptz[],
                    $7::int4[], $8::float8[], $9::text[], $10::text[]) WITH ORDINALITY
                    AS r(queue, name, payload, state, priority, run_at, max_attempts, timeout_s, retry_policy, metadata, ord)
            ), registered AS (
                INSERT INTO steward_queues (name) SELECT DISTINCT queue FROM input ON CONFLICT DO NOTHING
            ), settings AS (
                SELECT name, max_depth, max_attempts FROM steward_queues WHERE name IN (SELECT queue FROM input)
            ), bounded AS (
                SELECT name, max_depth FROM settings WHERE max_depth IS NOT NULL AND NOT $14::bool LIMIT 1
            ), inserted AS (
                INSERT INTO steward_jobs (queue, name, payload, state, priority, run_at, max_attempts, timeout_s,
                    retry_policy, metadata, created_at)
                SELECT i.queue, i.name, i.payload, i.state, i.priority, i.run_at,
                    coalesce(nullif(i.max_attempts, 0), st.max_attempts, $13::int4), nullif(i.timeout_s, -1),
                    nullif(i.retry_policy, ''), nullif(i.metadata, ''), $11::timestamptz
                FROM input i LEFT JOIN settings st ON st.name = i.queue
                WHERE NOT EXISTS (SELECT 1 FROM bounded)
                ORDER BY i.ord
                RETURNING id
            ), notified AS (
                SELECT pg_notify($12::text, d.queue) FROM (SELECT DISTINCT queue FROM input) d
                WHERE EXISTS (SELECT 1 FROM inserted)
            )
            SELECT (SELECT name FROM bounded), (SELECT max_depth FROM bounded),
                (SELECT array_agg(id ORDER BY id) FROM inserted), (SELECT count(*) FROM notified)
            """
        typealias Row = (String?, Int?, [Int64]?)

        var bindings: PostgresBindings
        func decodeRow(_ row: PostgresRow) throws -> Row { try Self.decode(row) }

        static func decode(_ row: PostgresRow) throws -> Row {
            let r = row.makeRandomAccess()
            return (try r.get(0), try r.get(1), try r.get(2))
        }
    }

    /// One job into a queue already registered: scalar parameters and no queue upsert cost a
    /// quarter of the batch statement's server time (0.32 vs 0.43 ms by pgbench here). Same
    /// parameters and answer as ``Enqueue`` (a bounded queue is left to the transactional path).
    struct EnqueueOne: BoundStatement {
        static let name = "steward_enqueue_one_v2"
        static let sql = """
            WITH \(queueSettings), inserted AS (
                INSERT INTO steward_jobs (\(columns)) SELECT \(values) WHERE NOT EXISTS (SELECT 1 FROM bounded)
                RETURNING id
            ), notified AS (
                SELECT pg_notify($12::text, $1) WHERE EXISTS (SELECT 1 FROM inserted)
            )
            SELECT (SELECT name FROM bounded), (SELECT max_depth FROM bounded),
                (SELECT array_agg(id) FROM inserted), (SELECT count(*) FROM notified)
            """
        /// The queue's settings (`$1`) and, unless the caller holds its lock (`$14`), whether it
        /// is bounded: CTEs `settings` and `bounded`, for ``StartRun`` too.
        static let queueSettings = """
            settings AS (
                SELECT name, max_depth, max_attempts FROM steward_queues WHERE name = $1
            ), bounded AS (
                SELECT name, max_depth FROM settings WHERE max_depth IS NOT NULL AND NOT $14::bool
            )
            """
        /// The columns a plain job is inserted with, and their values from `$1`–`$13` (attempts:
        /// the job's, else the queue's default, else the global one), for ``StartRun`` too.
        static let columns = "queue, name, payload, state, priority, run_at, max_attempts, timeout_s, retry_policy, metadata, created_at"
        static let values = """
            $1, $2, $3, $4, $5, $6, coalesce(nullif($7::int4, 0), (SELECT max_attempts FROM settings), $13::int4),
                nullif($8::float8, -1), nullif($9::text, ''), nullif($10::text, ''), $11::timestamptz
            """
        typealias Row = Enqueue.Row

        var bindings: PostgresBindings
        func decodeRow(_ row: PostgresRow) throws -> Row { try Enqueue.decode(row) }
    }

    struct Claim: PostgresPreparedStatement {
        static let name = "steward_claim_v3"
        static let sql = update
        /// The claim itself; ``ClaimWithNextRunAt`` wraps it.
        static let update = """
            UPDATE steward_jobs SET state = \(JobState.running.sql), attempt = attempt + 1, lease_owner = $1, lease_expires_at = $2,
                started_at = $3, progress = NULL
            WHERE id IN (
                SELECT id FROM steward_jobs
                WHERE queue = $4 AND state IN (\(JobState.queuedSQL)) AND run_at <= $3
                    AND ($6::text[] IS NULL OR name = ANY($6::text[]))
                    AND NOT EXISTS (SELECT 1 FROM steward_queues WHERE name = $4 AND paused)
                ORDER BY priority DESC, run_at, id LIMIT $5 FOR UPDATE SKIP LOCKED)
            RETURNING id, name, payload, priority, run_at, attempt, max_attempts, timeout_s, retry_policy, metadata,
                unique_key, created_at, depends_on
            """
        typealias Row = PostgresRow

        var owner: String
        var leaseUntil: Date
        var now: Date
        var queue: String
        var limit: Int
        /// The job names the claimer can run; nil for every name.
        var names: [String]?
        func makeBindings() throws -> PostgresBindings {
            var bindings = PostgresBindings()
            bindings.append(owner)
            bindings.append(leaseUntil)
            bindings.append(now)
            bindings.append(queue)
            bindings.append(limit)
            bindings.append(names)
            return bindings
        }
        func decodeRow(_ row: PostgresRow) throws -> Row { row }
    }

    /// ``Claim`` and, in the same snapshot, when the queue's next scheduled job is due (the last
    /// column of every row). A claim of nothing still answers one row, its job columns NULL.
    struct ClaimWithNextRunAt: PostgresPreparedStatement {
        static let name = "steward_claim_next_v1"
        static let sql = """
            WITH claimed AS (\(Claim.update))
            SELECT claimed.*, next.run_at
            FROM (SELECT min(run_at) AS run_at FROM steward_jobs
                  WHERE queue = $4 AND state = \(JobState.scheduled.sql) AND run_at > $3) AS next
            LEFT JOIN claimed ON true
            """
        typealias Row = PostgresRow

        var claim: Claim
        func makeBindings() throws -> PostgresBindings { try claim.makeBindings() }
        func decodeRow(_ row: PostgresRow) throws -> Row { row }
    }

    /// A batch of ``JobTransition``s in one statement: each applies only while its job is
    /// `running` under its owner; the attempts that end are written to the history from what the
    /// update returns (the queue and attempt the job ran under), a dead-letter queue is
    /// registered, and the queues with work again (and, as an empty payload, that jobs finished)
    /// are announced, all in one round trip. Arrays cannot hold NULL here, so absent values travel
    /// as sentinels (`-1`, `''`, `NaN`) turned back into NULL by the statement. The children of
    /// the jobs it finishes are released by `steward_release_children` (migration 13) once the
    /// update is done: a volatile function's statements see it, and any child enqueued meanwhile,
    /// as a later statement of a transaction would. Each row also names the queues of the released
    /// children (the same list on every row).
    struct Transition: PostgresPreparedStatement {
        static let name = "steward_transition_v3"
        static let sql = gatedSQL(by: nil)
        /// The statement; with `gate`, the name of a one-row CTE the caller defines, the input is
        /// joined to it, so that CTE (a lock, a check that may raise) is evaluated before any job
        /// row is touched.
        static func gatedSQL(by gate: String?) -> String {
            """
            WITH t AS (
                SELECT t.* FROM \(gate.map { $0 + ", " } ?? "")unnest($1::bigint[], $2::text[], $3::text[], $4::float8[], $5::int4[], $6::bool[], $7::text[],
                    $8::bool[], $9::text[], $10::text[], $11::int4[], $12::text[], $13::text[], $14::float8[], $15::text[], $16::text[],
                    $19::text[])
                AS t(id, owner, state, run_at, attempt_delta, clears_owner, result, sets_error, error_type, error_message,
                    error_attempt, move_to_queue, history, started_at, history_error_type, history_error_message, payload)
            ), done AS (
                UPDATE steward_jobs j SET state = t.state,
                    run_at = CASE WHEN t.run_at = 'NaN' THEN j.run_at ELSE to_timestamp(t.run_at) END,
                    attempt = greatest(0, j.attempt + t.attempt_delta),
                    finished_at = CASE WHEN t.state IN (\(JobState.finishedSQL)) THEN $17 ELSE j.finished_at END,
                    lease_expires_at = NULL,
                    lease_owner = CASE WHEN t.clears_owner THEN NULL ELSE j.lease_owner END,
                    result = coalesce(nullif(t.result, ''), j.result),
                    error_type = CASE WHEN t.sets_error THEN t.error_type ELSE j.error_type END,
                    error_message = CASE WHEN t.sets_error THEN t.error_message ELSE j.error_message END,
                    error_attempt = CASE WHEN t.sets_error THEN coalesce(nullif(t.error_attempt, -1), j.attempt) ELSE j.error_attempt END,
                    original_queue = CASE WHEN t.move_to_queue = '' THEN j.original_queue ELSE j.queue END,
                    queue = coalesce(nullif(t.move_to_queue, ''), j.queue),
                    payload = coalesce(nullif(t.payload, ''), j.payload)
                FROM t
                WHERE j.id = t.id AND j.id = ANY($1::bigint[]) AND j.state = \(JobState.running.sql) AND j.lease_owner = t.owner
                RETURNING j.id, j.queue, j.original_queue, j.attempt, j.state, j.has_children
            ), recorded AS (
                INSERT INTO steward_attempts (job_id, queue, attempt, worker, started_at, finished_at, outcome, error_type, error_message)
                SELECT d.id, CASE WHEN t.move_to_queue = '' THEN d.queue ELSE d.original_queue END, d.attempt - t.attempt_delta,
                    t.owner, to_timestamp(t.started_at), $17, t.history, nullif(t.history_error_type, ''),
                    CASE WHEN t.history_error_type = '' THEN NULL ELSE t.history_error_message END
                FROM done d JOIN t ON t.id = d.id WHERE t.history <> ''
            ), registered AS (
                INSERT INTO steward_queues (name) SELECT DISTINCT d.queue FROM done d JOIN t ON t.id = d.id WHERE t.move_to_queue <> ''
                ON CONFLICT DO NOTHING
            ), told AS (
                SELECT pg_notify($18, n.payload) FROM (
                    SELECT DISTINCT queue AS payload FROM done WHERE state NOT IN (\(JobState.finishedSQL))
                    UNION SELECT '' WHERE EXISTS (SELECT 1 FROM done WHERE state IN (\(JobState.finishedSQL)))
                ) n
            ), released AS (
                SELECT r.queue FROM (SELECT array_agg(id) AS ids FROM done WHERE has_children AND state IN (\(JobState.finishedSQL))) p,
                    LATERAL steward_release_children(p.ids, $18) AS r(queue)
                WHERE p.ids IS NOT NULL
            )
            SELECT id, queue, state, (SELECT coalesce(array_agg(DISTINCT queue), '{}') FROM released)
            FROM done WHERE (SELECT count(*) FROM told) >= 0
            """
        }
        /// An applied transition, and the queues of the children the statement released.
        typealias Row = (id: Int64, queue: String, state: String, released: [String])

        var transitions: [JobTransition]
        var now: Date
        var channel: String

        func makeBindings() throws -> PostgresBindings {
            let ts = transitions
            var bindings = PostgresBindings()
            bindings.append(ts.map(\.id.rawValue))
            bindings.append(ts.map(\.owner))
            bindings.append(ts.map(\.state.rawValue))
            bindings.append(ts.map { $0.runAt?.timeIntervalSince1970 ?? .nan })
            bindings.append(ts.map { Int32($0.attemptDelta) })
            bindings.append(ts.map(\.clearsOwner))
            bindings.append(ts.map { $0.result ?? "" })
            bindings.append(ts.map { $0.error != nil })
            bindings.append(ts.map { $0.error?.type ?? "" })
            bindings.append(ts.map { $0.error?.message ?? "" })
            bindings.append(ts.map { Int32($0.error?.attempt ?? -1) })
            bindings.append(ts.map { $0.moveToQueue ?? "" })
            bindings.append(ts.map { $0.history?.outcome ?? "" })
            bindings.append(ts.map { ($0.history?.startedAt ?? now).timeIntervalSince1970 })
            bindings.append(ts.map { $0.history?.errorType ?? "" })
            bindings.append(ts.map { $0.history?.errorMessage ?? "" })
            bindings.append(now)
            bindings.append(channel)
            bindings.append(ts.map { $0.payload ?? "" })
            return bindings
        }
        func decodeRow(_ row: PostgresRow) throws -> Row { try Self.decode(row) }
        static func decode(_ row: PostgresRow) throws -> Row { try row.decode((Int64, String, String, [String]).self) }
    }
}
