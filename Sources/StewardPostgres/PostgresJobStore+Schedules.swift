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
        let rows = try records.map { r in (r, try JSONCoding.encode(r.schedule)) }
        try await transaction { [self] conn in
            for (r, definition) in rows {
                var bindings = PostgresBindings()
                bindings.append(r.name)
                bindings.append(definition)
                bindings.append(r.paused)
                bindings.append(r.nextFireAt)
                bindings.append(r.lastFireAt)
                bindings.append(r.lastJobID?.rawValue)
                bindings.append(r.skippedRuns)
                bindings.append(r.missedRuns)
                bindings.append(r.createdAt)
                bindings.append(r.updatedAt)
                try await query(
                    """
                    INSERT INTO \(quotedSchema).steward_schedules (name, \(Self.scheduleColumns)) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
                    ON CONFLICT (name) DO UPDATE SET definition = excluded.definition, next_fire_at = excluded.next_fire_at,
                        updated_at = excluded.updated_at
                    """, bindings, on: conn)
            }
        }
    }

    public func schedules() async throws -> [ScheduleRecord] {
        try await query("SELECT \(Self.scheduleColumns) FROM \(quotedSchema).steward_schedules ORDER BY name").map(Self.scheduleRecord)
    }

    public func dueSchedules(now: Date, limit: Int) async throws -> [ScheduleRecord] {
        var bindings = PostgresBindings()
        bindings.append(now)
        bindings.append(limit)
        return try await query(
            """
            SELECT \(Self.scheduleColumns) FROM \(quotedSchema).steward_schedules
            WHERE NOT paused AND next_fire_at IS NOT NULL AND next_fire_at <= $1 ORDER BY next_fire_at LIMIT $2
            """, bindings
        ).map(Self.scheduleRecord)
    }

    public func setSchedulePaused(_ name: String, paused: Bool, nextFireAt: Date?) async throws {
        var bindings = PostgresBindings()
        bindings.append(paused)
        bindings.append(nextFireAt)
        bindings.append(name)
        let rows = try await query(
            "UPDATE \(quotedSchema).steward_schedules SET paused = $1, next_fire_at = $2 WHERE name = $3 RETURNING name", bindings)
        if rows.isEmpty { throw StewardError.scheduleNotFound(name) }
    }

    public func deleteSchedule(_ name: String) async throws {
        var bindings = PostgresBindings()
        bindings.append(name)
        let rows = try await query("DELETE FROM \(quotedSchema).steward_schedules WHERE name = $1 RETURNING name", bindings)
        if rows.isEmpty { throw StewardError.scheduleNotFound(name) }
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
        var names = PostgresBindings()
        names.append(fires.map(\.name))
        var stored: [String: ScheduleFireRule.Stored] = [:]
        for try await (name, paused, next, lastJob) in try await query(
            """
            SELECT name, paused, next_fire_at, last_job_id FROM \(quotedSchema).steward_schedules
            WHERE name = ANY($1) ORDER BY name FOR UPDATE
            """, names, on: conn
        ).decode((String, Bool, Date?, Int64?).self) {
            stored[name] = ScheduleFireRule.Stored(paused: paused, nextFireAt: next, lastJobID: lastJob)
        }
        // Which last runs of exclusive schedules are still live, in one query.
        let lastJobs = fires.compactMap { $0.exclusive ? stored[$0.name]?.lastJobID : nil }
        var live = Set<Int64>()
        if !lastJobs.isEmpty {
            var lastJobIDs = PostgresBindings()
            lastJobIDs.append(lastJobs)
            for try await id in try await query(
                "SELECT id FROM \(quotedSchema).steward_jobs WHERE id = ANY($1) AND state IN (\(JobState.liveSQL))", lastJobIDs,
                on: conn
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
            var stateRows = PostgresBindings()
            stateRows.append(timed.map { fires[$0].name })
            stateRows.append(timed.map { fires[$0].expectedNextFireAt == nil })  // manual: keep the next fire
            stateRows.append(timed.map { fires[$0].nextFireAt ?? now })
            stateRows.append(timed.map { fires[$0].nextFireAt != nil })
            stateRows.append(timed.map { Int32(fires[$0].missed) })
            stateRows.append(timed.map { Int32(decisions[$0] == .fire ? 0 : 1) })
            try await query(
                """
                UPDATE \(quotedSchema).steward_schedules s SET
                    next_fire_at = CASE WHEN u.keep THEN s.next_fire_at WHEN u.has_next THEN u.next END,
                    missed_runs = s.missed_runs + u.missed, skipped_runs = s.skipped_runs + u.skipped
                FROM unnest($1::text[], $2::bool[], $3::timestamptz[], $4::bool[], $5::int4[], $6::int4[])
                    AS u(name, keep, next, has_next, missed, skipped)
                WHERE s.name = u.name
                """, stateRows, on: conn)
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
            var lastFires = PostgresBindings()
            lastFires.append(lastNames)
            lastFires.append(lastFired)
            lastFires.append(lastIDs)
            try await query(
                """
                UPDATE \(quotedSchema).steward_schedules s SET last_fire_at = u.fired, last_job_id = u.job
                FROM unnest($1::text[], $2::timestamptz[], $3::int8[]) AS u(name, fired, job) WHERE s.name = u.name
                """, lastFires, on: conn)
        }
        return results
    }
}
