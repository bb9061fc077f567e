public import Foundation
import Logging
import PostgresNIO
public import Steward

extension PostgresJobStore {
    public func claim(queue: String, names: [String]?, limit: Int, owner: String, leaseUntil: Date, now: Date) async throws
        -> [ClaimedJob]
    {
        guard limit > 0 else { return [] }
        let rows = try await execute(
            PostgresStatements.Claim(owner: owner, leaseUntil: leaseUntil, now: now, queue: queue, limit: limit, names: names))
        return try Self.claimed(rows, queue: queue, owner: owner, leaseUntil: leaseUntil, now: now)
    }

    /// One round trip: the claim and the next run-at in one statement.
    public func claimWithNextRunAt(queue: String, names: [String]?, limit: Int, owner: String, leaseUntil: Date, now: Date) async throws
        -> (jobs: [ClaimedJob], nextRunAt: Date?)
    {
        guard limit > 0 else { return ([], try await nextRunAt(queue: queue, after: now)) }
        let claim = PostgresStatements.Claim(owner: owner, leaseUntil: leaseUntil, now: now, queue: queue, limit: limit, names: names)
        let rows = try await execute(PostgresStatements.ClaimWithNextRunAt(claim: claim))
        // Every row ends with the next run-at; a claim of nothing is one row without a job.
        let next = try rows.first.flatMap { try $0.makeRandomAccess()[13].decode(Date?.self) }
        let jobs = rows.filter { $0.makeRandomAccess()[0].bytes != nil }
        return (try Self.claimed(jobs, queue: queue, owner: owner, leaseUntil: leaseUntil, now: now), jobs.count < limit ? next : nil)
    }

    public func claim(
        queue: String, names: [String]?, limit: Int, owner: String, leaseUntil: Date, now: Date, sharedRate rate: RateLimit
    ) async throws -> RateLimitedClaim {
        let logger = self.logger
        return try await transaction { [self] conn -> RateLimitedClaim in
            // The upsert locks the queue's bucket row until commit: claimers of a rate-limited
            // queue take turns, which is what a shared limit means.
            var bucket = TokenBucketState.full(rate, at: now)
            for try await (tokens, updatedAt) in try await conn.query(
                """
                INSERT INTO \(unescaped: quotedSchema).steward_rate_buckets (queue, tokens, updated_at)
                VALUES (\(queue), \(Double(rate.burst)), \(now))
                ON CONFLICT (queue) DO UPDATE SET queue = excluded.queue RETURNING tokens, updated_at
                """, logger: logger
            ).decode((Double, Date).self) {
                bucket = TokenBucketState(tokens: tokens, updatedAt: updatedAt)
            }
            bucket.refill(rate, now: now)
            let n = bucket.available(upTo: limit)
            var rows: [PostgresRow] = []
            if n > 0 {
                let claim = PostgresStatements.Claim(
                    owner: owner, leaseUntil: leaseUntil, now: now, queue: queue, limit: n, names: names)
                for try await row in try await conn.execute(claim, logger: logger) { rows.append(row) }
            }
            let jobs = try Self.claimed(rows, queue: queue, owner: owner, leaseUntil: leaseUntil, now: now)
            // A refill alone is not written: it is a function of the time, recomputed next claim.
            if !jobs.isEmpty {
                bucket.tokens -= Double(jobs.count)
                try await conn.query(
                    "UPDATE \(unescaped: quotedSchema).steward_rate_buckets SET tokens = \(bucket.tokens), updated_at = \(bucket.updatedAt) WHERE queue = \(queue)",
                    logger: logger)
            }
            return RateLimitedClaim(jobs: jobs, nextTokenIn: bucket.waitTime(rate))
        }
    }

    /// Decodes the rows of ``PostgresStatements/Claim``.
    private static func claimed(_ rows: [PostgresRow], queue: String, owner: String, leaseUntil: Date, now: Date) throws
        -> [ClaimedJob]
    {
        var records: [JobRecord] = []
        records.reserveCapacity(rows.count)
        for row in rows {
            let r = row.makeRandomAccess()
            let (retryPolicy, metadata) = try JobRecord.decodeStored(retryPolicy: try r.get(8), metadata: try r.get(9))
            records.append(
                JobRecord(
                    id: JobID(try r.get(0, Int64.self)), queue: queue, name: try r.get(1), payload: try r.get(2), state: .running,
                    priority: try r.get(3), runAt: try r.get(4), attempt: try r.get(5), maxAttempts: try r.get(6),
                    timeout: try r.get(7, Double?.self).map { .seconds(double: $0) },
                    retryPolicy: retryPolicy, metadata: metadata, uniqueKey: try r.get(10), progress: nil, result: nil, lastError: nil, originalQueue: nil, leaseOwner: owner,
                    leaseExpiresAt: leaseUntil, createdAt: try r.get(11), startedAt: now, finishedAt: nil,
                    dependsOn: try JobRecord.decodeParents(try r.get(12))))
        }
        return ClaimedJob.inClaimOrder(records, leaseExpiresAt: leaseUntil)
    }

}
