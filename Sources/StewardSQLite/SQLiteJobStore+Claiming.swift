public import Foundation
public import Steward
import GRDB

extension SQLiteJobStore {
    // MARK: claim and complete

    static let columns = """
        id, queue, name, payload, state, priority, run_at, attempt, max_attempts, timeout_s, retry_policy, metadata,
        unique_key, progress, result, error_type, error_message, error_attempt, original_queue, lease_owner,
        lease_expires_at, created_at, started_at, finished_at, depends_on
        """

    public func claim(queue: String, names: [String]?, limit: Int, owner: String, leaseUntil: Date, now: Date) async throws
        -> [ClaimedJob]
    {
        guard limit > 0, names?.isEmpty != true else { return [] }
        let records = try await pool.write { db in
            try Self.claimRows(db, queue: queue, names: names, limit: limit, owner: owner, leaseUntil: leaseUntil, now: now)
        }
        return ClaimedJob.inClaimOrder(records, leaseExpiresAt: leaseUntil)
    }

    public func claim(
        queue: String, names: [String]?, limit: Int, owner: String, leaseUntil: Date, now: Date, sharedRate rate: RateLimit
    ) async throws -> RateLimitedClaim {
        let (records, wait) = try await pool.write { db -> ([JobRecord], Duration) in
            let row = try Row.fetchOne(
                db, sql: "SELECT tokens, updated_at FROM steward_rate_buckets WHERE queue = ?", arguments: [queue])
            var bucket =
                row.map { TokenBucketState(tokens: $0[0], updatedAt: Date(timeIntervalSince1970: $0[1])) }
                ?? .full(rate, at: now)
            bucket.refill(rate, now: now)
            let n = names?.isEmpty == true ? 0 : bucket.available(upTo: limit)
            let records =
                n == 0
                ? []
                : try Self.claimRows(db, queue: queue, names: names, limit: n, owner: owner, leaseUntil: leaseUntil, now: now)
            // A refill alone is not written (it is a function of the time, recomputed next claim):
            // a claim that finds nothing writes nothing, so it wakes no other process.
            if !records.isEmpty {
                bucket.tokens -= Double(records.count)
                try db.execute(
                    sql: """
                        INSERT INTO steward_rate_buckets (queue, tokens, updated_at) VALUES (?, ?, ?)
                        ON CONFLICT (queue) DO UPDATE SET tokens = excluded.tokens, updated_at = excluded.updated_at
                        """,
                    arguments: [queue, bucket.tokens, bucket.updatedAt.timeIntervalSince1970])
            }
            return (records, bucket.waitTime(rate))
        }
        return RateLimitedClaim(jobs: ClaimedJob.inClaimOrder(records, leaseExpiresAt: leaseUntil), nextTokenIn: wait)
    }

    /// The claim itself, inside the caller's write transaction. `names` are the job names to
    /// take (not empty), or nil for every name: bound as `IN (?, …)`, one cached statement per
    /// count, so a claim pays no JSON.
    private static func claimRows(
        _ db: Database, queue: String, names: [String]?, limit: Int, owner: String, leaseUntil: Date, now: Date
    ) throws -> [JobRecord] {
        let nowS = now.timeIntervalSince1970
        let until = leaseUntil.timeIntervalSince1970
        let paused = try db.cachedStatement(sql: "SELECT paused FROM steward_queues WHERE name = ?")
        if try Bool.fetchOne(paused, arguments: [queue]) == true { return [] }
        let claim = try db.cachedStatement(
            sql: """
                UPDATE steward_jobs SET state = \(JobState.running.sql), attempt = attempt + 1, lease_owner = ?,
                    lease_expires_at = ?, started_at = ?, progress = NULL
                WHERE id IN (
                    SELECT id FROM steward_jobs
                    WHERE queue = ? AND state IN (\(JobState.queuedSQL)) AND run_at <= ?
                        \(names.map { "AND name IN (" + Array(repeating: "?", count: $0.count).joined(separator: ", ") + ")" } ?? "")
                    ORDER BY priority DESC, run_at, id LIMIT ?)
                RETURNING id, name, payload, priority, run_at, attempt, max_attempts, timeout_s, retry_policy,
                    metadata, unique_key, created_at, depends_on
                """)
        let raw = RawStatement(claim, db)
        raw.bind(1, owner)
        raw.bind(2, until)
        raw.bind(3, nowS)
        raw.bind(4, queue)
        raw.bind(5, nowS)
        var index: Int32 = 6
        for name in names ?? [] {
            raw.bind(index, name)
            index += 1
        }
        raw.bind(index, limit)
        defer { raw.reset() }
        var out: [JobRecord] = []
        out.reserveCapacity(limit)
        let leaseUntil = Date(timeIntervalSince1970: until)
        let startedAt = Date(timeIntervalSince1970: nowS)
        while try raw.step() {
            let (retryPolicy, metadata) = try JobRecord.decodeStored(
                retryPolicy: raw.optionalString(8), metadata: raw.optionalString(9))
            out.append(
                JobRecord(
                    id: JobID(raw.int64(0)), queue: queue, name: raw.string(1), payload: raw.string(2),
                    state: .running, priority: raw.int(3), runAt: Date(timeIntervalSince1970: raw.double(4)),
                    attempt: raw.int(5), maxAttempts: raw.int(6), timeout: raw.optionalDouble(7).map { .seconds(double: $0) },
                    retryPolicy: retryPolicy, metadata: metadata, uniqueKey: raw.optionalString(10), progress: nil, result: nil, lastError: nil, originalQueue: nil,
                    leaseOwner: owner, leaseExpiresAt: leaseUntil, createdAt: Date(timeIntervalSince1970: raw.double(11)),
                    startedAt: startedAt, finishedAt: nil, dependsOn: try JobRecord.decodeParents(raw.optionalString(12))))
        }
        return out
    }

}
