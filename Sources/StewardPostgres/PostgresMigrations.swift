import Foundation
import Steward

/// Versioned schema migrations for PostgreSQL, applied in one transaction under an advisory
/// lock, so many processes starting at once migrate exactly once.
enum PostgresMigrations {
    /// `S.` stands for the quoted schema name. Statements are split at every `;` outside a
    /// `$fn$ … $fn$` function body (see ``statements(_:)``): no semicolon inside a comment or a literal.
    static let all: [(version: Int, sql: String)] = [
        (
            1,
            """
            CREATE TABLE S.steward_jobs (
                id bigserial PRIMARY KEY,
                queue text NOT NULL,
                name text NOT NULL,
                payload text NOT NULL,
                state text NOT NULL,
                priority integer NOT NULL DEFAULT 0,
                run_at timestamptz NOT NULL,
                attempt integer NOT NULL DEFAULT 0,
                max_attempts integer NOT NULL,
                timeout_s double precision,
                retry_policy text,
                metadata text,
                unique_key text,
                progress text,
                result text,
                error_type text,
                error_message text,
                error_attempt integer,
                original_queue text,
                lease_owner text,
                lease_expires_at timestamptz,
                created_at timestamptz NOT NULL,
                started_at timestamptz,
                finished_at timestamptz
            );
            CREATE INDEX steward_jobs_fetch ON S.steward_jobs (queue, priority DESC, run_at, id)
                WHERE state IN ('scheduled', 'available');
            CREATE INDEX steward_jobs_scheduled ON S.steward_jobs (queue, run_at) WHERE state = 'scheduled';
            CREATE INDEX steward_jobs_running ON S.steward_jobs (queue, lease_expires_at) WHERE state = 'running';
            CREATE INDEX steward_jobs_finished ON S.steward_jobs (queue, state, finished_at) WHERE finished_at IS NOT NULL;
            CREATE UNIQUE INDEX steward_jobs_unique ON S.steward_jobs (unique_key)
                WHERE unique_key IS NOT NULL AND state IN ('scheduled', 'available', 'running');
            CREATE TABLE S.steward_attempts (
                id bigserial PRIMARY KEY,
                job_id bigint NOT NULL,
                queue text NOT NULL,
                attempt integer NOT NULL,
                worker text NOT NULL,
                started_at timestamptz NOT NULL,
                finished_at timestamptz NOT NULL,
                outcome text NOT NULL,
                error_type text,
                error_message text
            );
            CREATE INDEX steward_attempts_job ON S.steward_attempts (job_id);
            CREATE INDEX steward_attempts_queue ON S.steward_attempts (queue, finished_at);
            CREATE TABLE S.steward_queues (
                name text PRIMARY KEY,
                paused boolean NOT NULL DEFAULT false,
                max_depth integer,
                dead_letter_queue text,
                max_attempts integer
            );
            CREATE TABLE S.steward_leases (
                name text PRIMARY KEY,
                owner text NOT NULL,
                expires_at timestamptz NOT NULL
            );
            """
        ),
        (
            2,
            """
            -- Token buckets of queues with a global rate limit, taken in the claim's transaction.
            CREATE TABLE S.steward_rate_buckets (
                queue text PRIMARY KEY,
                tokens double precision NOT NULL,
                updated_at timestamptz NOT NULL
            );
            """
        ),
        (
            3,
            """
            CREATE TABLE S.steward_schedules (
                name text PRIMARY KEY,
                definition text NOT NULL,
                paused boolean NOT NULL DEFAULT false,
                next_fire_at timestamptz,
                last_fire_at timestamptz,
                last_job_id bigint,
                skipped_runs integer NOT NULL DEFAULT 0,
                missed_runs integer NOT NULL DEFAULT 0,
                created_at timestamptz NOT NULL,
                updated_at timestamptz NOT NULL
            );
            CREATE INDEX steward_schedules_due ON S.steward_schedules (next_fire_at)
                WHERE NOT paused AND next_fire_at IS NOT NULL;
            """
        ),
        (
            4,
            """
            -- Job dependencies: a child names its parents (depends_on, a JSON array) and counts the
            -- unfinished ones (pending_parents). An edge lives while the child may still wait and is
            -- deleted by the transaction that finishes its parent. has_children marks a parent so the
            -- one-statement completion leaves it to the transactional path, whose later statement sees
            -- children enqueued while the parent ran.
            ALTER TABLE S.steward_jobs ADD COLUMN depends_on text;
            ALTER TABLE S.steward_jobs ADD COLUMN pending_parents integer NOT NULL DEFAULT 0;
            ALTER TABLE S.steward_jobs ADD COLUMN has_children boolean NOT NULL DEFAULT false;
            CREATE TABLE S.steward_job_dependencies (
                parent_id bigint NOT NULL,
                child_id bigint NOT NULL,
                PRIMARY KEY (parent_id, child_id)
            );
            CREATE INDEX steward_job_dependencies_child ON S.steward_job_dependencies (child_id);
            -- Keyed on pending_parents, which claims and completions never change. A waiting job
            -- always has pending_parents > 0.
            CREATE INDEX steward_jobs_waiting ON S.steward_jobs (queue) WHERE pending_parents > 0;
            -- A waiting job holds its unique key too.
            DROP INDEX S.steward_jobs_unique;
            CREATE UNIQUE INDEX steward_jobs_unique ON S.steward_jobs (unique_key)
                WHERE unique_key IS NOT NULL AND state IN (\(JobState.liveSQL));
            """
        ),
        (
            5,
            """
            -- Workflow definitions by name and version, executions (the record is JSON the
            -- workflow engine reads and writes whole), and each execution's log.
            CREATE TABLE S.steward_workflows (
                name text NOT NULL,
                version text NOT NULL,
                body text NOT NULL,
                created_at timestamptz NOT NULL,
                PRIMARY KEY (name, version)
            );
            CREATE TABLE S.steward_workflow_runs (
                id text PRIMARY KEY,
                workflow text NOT NULL,
                state text NOT NULL,
                record text NOT NULL,
                created_at timestamptz NOT NULL,
                updated_at timestamptz NOT NULL
            );
            CREATE INDEX steward_workflow_runs_workflow ON S.steward_workflow_runs (workflow, created_at);
            CREATE INDEX steward_workflow_runs_created ON S.steward_workflow_runs (created_at);
            CREATE TABLE S.steward_workflow_events (
                run_id text NOT NULL,
                seq integer NOT NULL,
                at timestamptz NOT NULL,
                kind text NOT NULL,
                task text,
                attempt integer,
                worker text,
                message text,
                PRIMARY KEY (run_id, seq)
            );
            """
        ),
        (
            6,
            """
            -- Pipelines (docs/pipelines.md): definitions, datasets, the lineage closure, executions
            -- with their hierarchy's closure, the anomalies found in them, and batch quality check runs.
            CREATE TABLE S.steward_pipelines (
                name text PRIMARY KEY,
                body text NOT NULL,
                updated_at timestamptz NOT NULL
            );
            CREATE TABLE S.steward_datasets (
                name text PRIMARY KEY,
                max_age double precision,
                last_modified timestamptz
            );
            CREATE TABLE S.steward_lineage (
                ancestor text NOT NULL,
                descendant text NOT NULL,
                depth integer NOT NULL,
                PRIMARY KEY (ancestor, descendant)
            );
            CREATE INDEX steward_lineage_up ON S.steward_lineage (descendant, depth);
            CREATE TABLE S.steward_pipeline_executions (
                id bigserial PRIMARY KEY,
                pipeline text NOT NULL,
                parent bigint,
                state text NOT NULL,
                started_at timestamptz NOT NULL,
                finished_at timestamptz,
                inserted bigint,
                updated bigint,
                deleted bigint,
                metrics text NOT NULL DEFAULT '{}',
                workflow_run text
            );
            CREATE INDEX steward_pipeline_executions_history ON S.steward_pipeline_executions (pipeline, state, finished_at, id);
            CREATE INDEX steward_pipeline_executions_started ON S.steward_pipeline_executions (started_at);
            CREATE TABLE S.steward_pipeline_execution_tree (
                ancestor bigint NOT NULL,
                descendant bigint NOT NULL,
                depth integer NOT NULL,
                PRIMARY KEY (ancestor, descendant)
            );
            CREATE TABLE S.steward_pipeline_anomalies (
                execution bigint NOT NULL,
                metric text NOT NULL,
                pipeline text NOT NULL,
                value double precision NOT NULL,
                mean double precision NOT NULL,
                std double precision NOT NULL,
                z double precision,
                detected_at timestamptz NOT NULL,
                PRIMARY KEY (execution, metric)
            );
            CREATE INDEX steward_pipeline_anomalies_pipeline ON S.steward_pipeline_anomalies (pipeline, detected_at);
            CREATE TABLE S.steward_quality_runs (
                id bigserial PRIMARY KEY,
                check_name text NOT NULL,
                at timestamptz NOT NULL,
                records bigint NOT NULL,
                completeness double precision NOT NULL,
                accuracy double precision NOT NULL,
                consistency double precision NOT NULL,
                overall_score double precision NOT NULL,
                passed_all boolean NOT NULL,
                result text NOT NULL
            );
            CREATE INDEX steward_quality_runs_check ON S.steward_quality_runs (check_name, at, id);
            """
        ),
        (
            7,
            """
            CREATE TABLE S.steward_idempotency_keys (
                key text PRIMARY KEY,
                fingerprint text NOT NULL,
                job_id bigint NOT NULL,
                created_at timestamptz NOT NULL,
                expires_at timestamptz NOT NULL
            );
            CREATE INDEX steward_idempotency_keys_expiry ON S.steward_idempotency_keys (expires_at);
            """
        ),
        (
            8,
            """
            CREATE TABLE S.steward_durable_runs (
                id text PRIMARY KEY,
                workflow text NOT NULL,
                state text NOT NULL,
                created_at timestamptz NOT NULL,
                finished_at timestamptz,
                record text NOT NULL
            );
            CREATE INDEX steward_durable_runs_created ON S.steward_durable_runs (created_at);
            CREATE INDEX steward_durable_runs_finished ON S.steward_durable_runs (finished_at) WHERE finished_at IS NOT NULL;
            CREATE TABLE S.steward_durable_steps (
                run_id text NOT NULL,
                seq integer NOT NULL,
                state text NOT NULL,
                record text NOT NULL,
                PRIMARY KEY (run_id, seq)
            );
            CREATE TABLE S.steward_durable_messages (
                id bigserial PRIMARY KEY,
                run_id text NOT NULL,
                topic text NOT NULL,
                payload text NOT NULL,
                sent_at timestamptz NOT NULL
            );
            CREATE INDEX steward_durable_messages_topic ON S.steward_durable_messages (run_id, topic, id);
            CREATE TABLE S.steward_durable_events (
                run_id text NOT NULL,
                key text NOT NULL,
                value text NOT NULL,
                updated_at timestamptz NOT NULL,
                PRIMARY KEY (run_id, key)
            );
            -- A DAG or code run finds its pipeline execution by run id.
            CREATE INDEX steward_pipeline_executions_workflow_run ON S.steward_pipeline_executions (workflow_run)
                WHERE workflow_run IS NOT NULL;
            """
        ),
        (
            9,
            """
            -- A code run's lock and its record in one round trip. The read must see what the
            -- lock's previous holder committed: a volatile function's statements each take a new
            -- snapshot (one statement taking the lock and reading would read from before the wait).
            CREATE FUNCTION S.steward_durable_locked_run(lock_key text, run text) RETURNS text
            LANGUAGE plpgsql VOLATILE AS $fn$
            BEGIN
                PERFORM pg_advisory_xact_lock(hashtextextended(lock_key, 0));
                RETURN (SELECT record FROM S.steward_durable_runs WHERE id = run);
            END
            $fn$;
            """
        ),
        (
            10,
            """
            -- Worker presence (WorkerPresenceStore): each worker's last report as a JSON record.
            CREATE TABLE S.steward_workers (
                id text PRIMARY KEY,
                last_heartbeat_at timestamptz NOT NULL,
                record text NOT NULL
            );
            """
        ),
        (
            11,
            """
            -- The dashboard's attempts per minute (JobActivityStore) read the history by time alone.
            CREATE INDEX steward_attempts_finished ON S.steward_attempts (finished_at);
            -- A job's children: only jobs that name parents are searched.
            CREATE INDEX steward_jobs_children ON S.steward_jobs (id) WHERE depends_on IS NOT NULL;
            """
        ),
        (
            12,
            """
            -- A code run's end in one statement (PostgresStatements.DurableEndIfUnchanged), decided from
            -- what the driver read at the attempt's start: takes the run's lock, then raises SD001 unless
            -- the run's record and its running execution (locked) are still as read, so the whole
            -- statement rolls back and the end takes the locked path.
            CREATE FUNCTION S.steward_durable_end_check(lock_key text, run text, expected text, execution bigint,
                expected_execution text) RETURNS boolean
            LANGUAGE plpgsql VOLATILE AS $fn$
            BEGIN
                PERFORM pg_advisory_xact_lock(hashtextextended(lock_key, 0));
                IF (SELECT record FROM S.steward_durable_runs WHERE id = run) IS DISTINCT FROM expected
                    OR (execution IS NOT NULL AND (SELECT e::text FROM S.steward_pipeline_executions e WHERE e.id = execution FOR UPDATE)
                        IS DISTINCT FROM expected_execution) THEN
                    RAISE EXCEPTION 'code run % changed since its attempt read it', run USING ERRCODE = 'SD001';
                END IF;
                RETURN true;
            END
            $fn$;
            """
        ),
        (
            13,
            """
            -- The children of finished parents released: deletes the parents' edges, releases each child
            -- whose last unfinished parent this was, announces their queues, and returns each released
            -- child's queue. The transition statement calls it once its update is done (a volatile
            -- function's statements see that update, and a child enqueued meanwhile, as a later
            -- statement of the transaction would), so a job others wait for finishes in one statement.
            CREATE FUNCTION S.steward_release_children(parents bigint[], channel text) RETURNS SETOF text
            LANGUAGE plpgsql VOLATILE AS $fn$
            BEGIN
                RETURN QUERY
                WITH edges AS (
                    DELETE FROM S.steward_job_dependencies WHERE parent_id = ANY(parents) RETURNING child_id
                ), finished AS (
                    SELECT child_id, count(*)::int AS n FROM edges GROUP BY child_id
                ), released AS (
                    UPDATE S.steward_jobs j SET pending_parents = j.pending_parents - f.n,
                        state = CASE WHEN j.pending_parents - f.n <= 0 THEN \(JobState.released.sql) ELSE j.state END
                    -- The ids named as an array too: a cached generic plan then reads the children by key
                    -- (a join alone may be planned as a scan of every job).
                    FROM finished f WHERE j.id = f.child_id AND j.id = ANY(ARRAY(SELECT child_id FROM finished))
                        AND j.state = \(JobState.waiting.sql)
                    RETURNING j.queue, j.state
                ), queues AS (
                    SELECT DISTINCT r.queue FROM released r WHERE r.state <> \(JobState.waiting.sql)
                ), told AS (
                    SELECT pg_notify(channel, q.queue) FROM queues q
                )
                SELECT q.queue::text FROM queues q WHERE (SELECT count(*) FROM told) >= 0;
            END
            $fn$;
            """
        ),
    ]

    /// The statements of a migration's SQL: split at `;`, except inside a `$fn$ … $fn$` body.
    static func statements(_ sql: String) -> [String] {
        var out: [String] = []
        var current = ""
        var inBody = false
        var rest = Substring(sql)
        while let c = rest.first {
            if rest.hasPrefix("$fn$") {
                inBody.toggle()
                current += "$fn$"
                rest = rest.dropFirst(4)
                continue
            }
            rest = rest.dropFirst()
            if c == ";" && !inBody {
                out.append(current)
                current = ""
            } else {
                current.append(c)
            }
        }
        out.append(current)
        return out.filter { !$0.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty }
    }
}
