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
                var b = PostgresBindings()
                b.append(r.name)
                b.append(definition)
                b.append(r.paused)
                b.append(r.nextFireAt)
                b.append(r.lastFireAt)
                b.append(r.lastJobID?.rawValue)
                b.append(r.skippedRuns)
                b.append(r.missedRuns)
                b.append(r.createdAt)
                b.append(r.updatedAt)
                try await query(
                    """
                    INSERT INTO \(s).steward_schedules (name, \(Self.scheduleColumns)) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
                    ON CONFLICT (name) DO UPDATE SET definition = excluded.definition, next_fire_at = excluded.next_fire_at,
                        updated_at = excluded.updated_at
                    """, b, on: conn)
            }
        }
    }

    public func schedules() async throws -> [ScheduleRecord] {
        try await query("SELECT \(Self.scheduleColumns) FROM \(s).steward_schedules ORDER BY name").map(Self.scheduleRecord)
    }

    public func dueSchedules(now: Date, limit: Int) async throws -> [ScheduleRecord] {
        var b = PostgresBindings()
        b.append(now)
        b.append(limit)
        return try await query(
            """
            SELECT \(Self.scheduleColumns) FROM \(s).steward_schedules
            WHERE NOT paused AND next_fire_at IS NOT NULL AND next_fire_at <= $1 ORDER BY next_fire_at LIMIT $2
            """, b
        ).map(Self.scheduleRecord)
    }

    public func setSchedulePaused(_ name: String, paused: Bool, nextFireAt: Date?) async throws {
        var b = PostgresBindings()
        b.append(paused)
        b.append(nextFireAt)
        b.append(name)
        let rows = try await query(
            "UPDATE \(s).steward_schedules SET paused = $1, next_fire_at = $2 WHERE name = $3 RETURNING name", b)
        if rows.isEmpty { throw StewardError.scheduleNotFound(name) }
    }

    public func deleteSchedule(_ name: String) async throws {
        var b = PostgresBindings()
        b.append(name)
        let rows = try await query("DELETE FROM \(s).steward_schedules WHERE name = $1 RETURNING name", b)
        if rows.isEmpty { throw StewardError.scheduleNotFound(name) }
    }

    public func recordScheduleFires(_ fires: [ScheduleFire], now: Date) async throws -> [ScheduleFireResult] {
        guard !fires.isEmpty else { return [] }
        let results = try await transaction { [self] conn -> [ScheduleFireResult] in
            var out: [ScheduleFireResult] = []
            for fire in fires { out.append(try await record(fire, now: now, on: conn)) }
            return out
        }
        var woken = Set<String>()
        for (fire, result) in zip(fires, results) {
            if case .fired(let r) = result, !r.isEmpty { woken.formUnion(fire.jobs.map(\.queue)) }
        }
        if !woken.isEmpty { hub.emit(woken) }
        return results
    }

    private func record(_ fire: ScheduleFire, now: Date, on conn: PostgresConnection) async throws -> ScheduleFireResult {
        var nb = PostgresBindings()
        nb.append(fire.name)
        var current: (paused: Bool, next: Date?, lastJob: Int64?)? = nil
        for try await row in try await query(
            "SELECT paused, next_fire_at, last_job_id FROM \(s).steward_schedules WHERE name = $1 FOR UPDATE", nb, on: conn
        ).decode((Bool, Date?, Int64?).self) {
            current = (row.0, row.1, row.2)
        }
        guard let current else { return .stale }
        if let expected = fire.expectedNextFireAt {
            guard !current.paused, let stored = current.next, abs(stored.timeIntervalSince(expected)) < 1e-6 else {
                return .stale
            }
            var ub = PostgresBindings()
            ub.append(fire.nextFireAt)
            ub.append(fire.missed)
            ub.append(fire.name)
            try await query(
                "UPDATE \(s).steward_schedules SET next_fire_at = $1, missed_runs = missed_runs + $2 WHERE name = $3", ub,
                on: conn)
        }
        if fire.exclusive, let last = current.lastJob {
            var jb = PostgresBindings()
            jb.append(last)
            var live = false
            for try await state in try await query("SELECT state FROM \(s).steward_jobs WHERE id = $1", jb, on: conn)
                .decode(String.self)
            {
                live = !(JobState(rawValue: state)?.isFinished ?? true)
            }
            if live {
                try await query(
                    "UPDATE \(s).steward_schedules SET skipped_runs = skipped_runs + 1 WHERE name = $1", nb, on: conn)
                return .skippedExclusive(running: JobID(last))
            }
        }
        guard !fire.jobs.isEmpty else { return .fired([]) }
        let queues = Array(Set(fire.jobs.map(\.queue))).sorted()
        let results = try await enqueue(fire.jobs, queues: queues, now: now, on: conn)
        var lb = PostgresBindings()
        lb.append(fire.firedAt)
        lb.append(results.last?.id.rawValue)
        lb.append(fire.name)
        try await query(
            "UPDATE \(s).steward_schedules SET last_fire_at = $1, last_job_id = $2 WHERE name = $3", lb, on: conn)
        return .fired(results)
    }
}
