import Foundation
import PostgresNIO
import Steward

extension PostgresJobStore {
    private static let scheduleColumns =
        "definition, paused, next_fire_at, last_fire_at, last_job_id, skipped_runs, missed_runs, created_at, updated_at"

    private static func scheduleRecord(_ row: PostgresRow) throws -> ScheduleRecord {
        let r = row.makeRandomAccess()
        return ScheduleRecord(
            schedule: try JSONCoding.decode(Schedule.self, from: try r.get(0)), paused: try r.get(1),
            nextFireAt: try r.get(2), lastFireAt: try r.get(3), lastJobID: try r.get(4, Int64?.self).map { JobID($0) },
            skippedRuns: try r.get(5), missedRuns: try r.get(6), createdAt: try r.get(7), updatedAt: try r.get(8))
    }

    public func saveSchedules(_ records: [ScheduleRecord]) async throws {
        let encoded = try records.map { r in (r, try JSONCoding.encode(r.schedule)) }
        let s = quotedSchema
        try await transaction { [self] conn in
            for (r, definition) in encoded {
                try await conn.query(
                    """
                    INSERT INTO \(unescaped: s).steward_schedules (name, \(unescaped: Self.scheduleColumns))
                    VALUES (\(r.name), \(definition), \(r.paused), \(r.nextFireAt), \(r.lastFireAt), \(r.lastJobID?.rawValue),
                        \(r.skippedRuns), \(r.missedRuns), \(r.createdAt), \(r.updatedAt))
                    ON CONFLICT (name) DO UPDATE SET definition = excluded.definition, next_fire_at = excluded.next_fire_at,
                        updated_at = excluded.updated_at
                    """, logger: logger)
            }
        }
    }

    public func schedules() async throws -> [ScheduleRecord] {
        try await rows("SELECT \(unescaped: Self.scheduleColumns) FROM \(unescaped: quotedSchema).steward_schedules ORDER BY name").map(Self.scheduleRecord)
    }

    public func dueSchedules(now: Date, limit: Int) async throws -> [ScheduleRecord] {
        try await rows(
            """
            SELECT \(unescaped: Self.scheduleColumns) FROM \(unescaped: quotedSchema).steward_schedules
            WHERE NOT paused AND next_fire_at IS NOT NULL AND next_fire_at <= \(now) ORDER BY next_fire_at LIMIT \(limit)
            """
        ).map(Self.scheduleRecord)
    }

    public func setSchedulePaused(_ name: String, paused: Bool, nextFireAt: Date?) async throws {
        let updated = try await rows(
            """
            UPDATE \(unescaped: quotedSchema).steward_schedules SET paused = \(paused), next_fire_at = \(nextFireAt)
            WHERE name = \(name) RETURNING name
            """)
        if updated.isEmpty { throw StewardError.scheduleNotFound(name) }
    }

    public func deleteSchedule(_ name: String) async throws {
        let deleted = try await rows("DELETE FROM \(unescaped: quotedSchema).steward_schedules WHERE name = \(name) RETURNING name")
        if deleted.isEmpty { throw StewardError.scheduleNotFound(name) }
    }

    public func recordScheduleFires(_ fires: [ScheduleFire], now: Date) async throws -> [ScheduleFireResult] {
        guard !fires.isEmpty else { return [] }
        // A batch is applied in a handful of statements per round (see ScheduleFireRule.rounds).
        let rounds = ScheduleFireRule.rounds(fires)
        let results = try await transaction { [self, rounds] conn -> [ScheduleFireResult] in
            var out = [ScheduleFireResult](repeating: .stale, count: fires.count)
            for round in rounds {
                let applied = try await record(round.map { fires[$0] }, now: now, on: conn)
                for (i, result) in zip(round, applied) { out[i] = result }
            }
            return out
        }
        var woken = Set<String>()
        for (fire, result) in zip(fires, results) {
            if case .fired(let r) = result, !r.isEmpty { woken.formUnion(fire.jobs.map(\.queue)) }
        }
        if !woken.isEmpty { hub.emit(woken) }
        return results
    }

    /// Firings of distinct schedules: lock and read them, let ``ScheduleFireRule`` decide, then
    /// write the state changes, the jobs and the last-fire fields with one statement each.
    private func record(_ fires: [ScheduleFire], now: Date, on conn: PostgresConnection) async throws -> [ScheduleFireResult] {
        let s = quotedSchema
        var stored: [String: ScheduleFireRule.Stored] = [:]
        for try await (name, paused, next, lastJob) in try await conn.query(
            """
            SELECT name, paused, next_fire_at, last_job_id FROM \(unescaped: s).steward_schedules
            WHERE name = ANY(\(fires.map(\.name))) ORDER BY name FOR UPDATE
            """, logger: logger
        ).decode((String, Bool, Date?, Int64?).self) {
            stored[name] = ScheduleFireRule.Stored(paused: paused, nextFireAt: next, lastJobID: lastJob)
        }
        // Which last runs of exclusive schedules are still live, in one query.
        let lastJobs = fires.compactMap { $0.exclusive ? stored[$0.name]?.lastJobID : nil }
        var live = Set<Int64>()
        if !lastJobs.isEmpty {
            for try await id in try await conn.query(
                "SELECT id FROM \(unescaped: s).steward_jobs WHERE id = ANY(\(lastJobs)) AND state IN (\(unescaped: JobState.liveSQL))",
                logger: logger
            ).decode(Int64.self) {
                live.insert(id)
            }
        }
        let decisions = fires.map { ScheduleFireRule.decide($0, stored: stored[$0.name], isLive: live.contains) }
        var results = [ScheduleFireResult](repeating: .stale, count: fires.count)
        for (i, decision) in decisions.enumerated() {
            if case .skip(let running) = decision { results[i] = .skippedExclusive(running: JobID(running)) }
        }
        // State of timetable firings and skips: next fire, missed and skipped counters.
        let timed = fires.indices.filter { ScheduleFireRule.updatesState(fires[$0], decisions[$0]) }
        if !timed.isEmpty {
            let names = timed.map { fires[$0].name }
            let keep = timed.map { fires[$0].expectedNextFireAt == nil }  // manual: keep the next fire
            let next = timed.map { fires[$0].nextFireAt ?? now }
            let hasNext = timed.map { fires[$0].nextFireAt != nil }
            let missed = timed.map { Int32(fires[$0].missed) }
            let skipped = timed.map { Int32(decisions[$0] == .fire ? 0 : 1) }
            try await conn.query(
                """
                UPDATE \(unescaped: s).steward_schedules s SET
                    next_fire_at = CASE WHEN u.keep THEN s.next_fire_at WHEN u.has_next THEN u.next END,
                    missed_runs = s.missed_runs + u.missed, skipped_runs = s.skipped_runs + u.skipped
                FROM unnest(\(names)::text[], \(keep)::bool[], \(next)::timestamptz[], \(hasNext)::bool[], \(missed)::int4[], \(skipped)::int4[])
                    AS u(name, keep, next, has_next, missed, skipped)
                WHERE s.name = u.name
                """, logger: logger)
        }
        let firing = fires.indices.filter { decisions[$0] == .fire }
        let jobs = firing.flatMap { fires[$0].jobs }
        var enqueued: [EnqueueResult] = []
        if !jobs.isEmpty {
            enqueued = try await enqueue(jobs, queues: Array(Set(jobs.map(\.queue))).sorted(), now: now, on: conn)
        }
        var offset = 0
        var lastNames: [String] = [], lastFired: [Date] = [], lastIDs: [Int64] = []
        for i in firing {
            let n = fires[i].jobs.count
            let mine = Array(enqueued[offset..<offset + n])
            offset += n
            results[i] = .fired(mine)
            if let last = mine.last {
                lastNames.append(fires[i].name)
                lastFired.append(fires[i].firedAt ?? now)
                lastIDs.append(last.id.rawValue)
            }
        }
        if !lastNames.isEmpty {
            try await conn.query(
                """
                UPDATE \(unescaped: s).steward_schedules s SET last_fire_at = u.fired, last_job_id = u.job
                FROM unnest(\(lastNames)::text[], \(lastFired)::timestamptz[], \(lastIDs)::int8[]) AS u(name, fired, job) WHERE s.name = u.name
                """, logger: logger)
        }
        return results
    }
}
