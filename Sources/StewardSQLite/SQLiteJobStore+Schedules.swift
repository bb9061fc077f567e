import Foundation
import GRDB
import Steward

extension SQLiteJobStore {
    private static let scheduleColumns =
        "definition, paused, next_fire_at, last_fire_at, last_job_id, skipped_runs, missed_runs, created_at, updated_at"

    private static func scheduleRecord(_ row: Row) throws -> ScheduleRecord {
        let definition: String = row[0]
        return ScheduleRecord(
            schedule: try JSONCoding.decode(Schedule.self, from: definition), paused: row[1],
            nextFireAt: (row[2] as Double?).map { Date(timeIntervalSince1970: $0) },
            lastFireAt: (row[3] as Double?).map { Date(timeIntervalSince1970: $0) },
            lastJobID: (row[4] as Int64?).map { JobID($0) }, skippedRuns: row[5], missedRuns: row[6],
            createdAt: Date(timeIntervalSince1970: row[7]), updatedAt: Date(timeIntervalSince1970: row[8]))
    }

    public func saveSchedules(_ records: [ScheduleRecord]) async throws {
        let rows = try records.map { r in (r, try JSONCoding.encode(r.schedule)) }
        try await pool.write { db in
            for (r, definition) in rows {
                try db.execute(
                    sql: """
                        INSERT INTO steward_schedules (name, \(Self.scheduleColumns)) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                        ON CONFLICT (name) DO UPDATE SET definition = excluded.definition,
                            next_fire_at = excluded.next_fire_at, updated_at = excluded.updated_at
                        """,
                    arguments: [
                        r.name, definition, r.paused, r.nextFireAt?.timeIntervalSince1970, r.lastFireAt?.timeIntervalSince1970,
                        r.lastJobID?.rawValue, r.skippedRuns, r.missedRuns, r.createdAt.timeIntervalSince1970,
                        r.updatedAt.timeIntervalSince1970,
                    ])
            }
        }
    }

    public func schedules() async throws -> [ScheduleRecord] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: "SELECT \(Self.scheduleColumns) FROM steward_schedules ORDER BY name").map(Self.scheduleRecord)
        }
    }

    public func dueSchedules(now: Date, limit: Int) async throws -> [ScheduleRecord] {
        try await pool.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT \(Self.scheduleColumns) FROM steward_schedules
                    WHERE paused = 0 AND next_fire_at IS NOT NULL AND next_fire_at <= ? ORDER BY next_fire_at LIMIT ?
                    """, arguments: [now.timeIntervalSince1970, limit]
            ).map(Self.scheduleRecord)
        }
    }

    public func setSchedulePaused(_ name: String, paused: Bool, nextFireAt: Date?) async throws {
        try await pool.write { db in
            try db.execute(
                sql: "UPDATE steward_schedules SET paused = ?, next_fire_at = ? WHERE name = ?",
                arguments: [paused, nextFireAt?.timeIntervalSince1970, name])
            if db.changesCount == 0 { throw StewardError.scheduleNotFound(name) }
        }
    }

    public func deleteSchedule(_ name: String) async throws {
        try await pool.write { db in
            try db.execute(sql: "DELETE FROM steward_schedules WHERE name = ?", arguments: [name])
            if db.changesCount == 0 { throw StewardError.scheduleNotFound(name) }
        }
    }

    public func recordScheduleFires(_ fires: [ScheduleFire], now: Date) async throws -> [ScheduleFireResult] {
        guard !fires.isEmpty else { return [] }
        let nowS = now.timeIntervalSince1970
        let prepared = try fires.map { fire in try fire.jobs.map { try JobRow($0, now: now) } }
        let results = try await pool.write { db in
            try zip(fires, prepared).map { fire, jobs in try Self.record(fire, jobs: jobs, now: nowS, in: db) }
        }
        var woken = Set<String>()
        for (fire, result) in zip(fires, results) {
            if case .fired(let r) = result, !r.isEmpty { woken.formUnion(fire.jobs.map(\.queue)) }
        }
        if !woken.isEmpty { hub.emit(woken) }
        return results
    }

    /// One firing, in the batch's transaction: read its row, let ``ScheduleFireRule`` decide,
    /// write the answer. Firings are applied in order, so a repeated name sees the earlier write.
    private static func record(_ fire: ScheduleFire, jobs prepared: [JobRow], now nowS: Double, in db: Database) throws
        -> ScheduleFireResult
    {
        let row = try Row.fetchOne(
            db, sql: "SELECT paused, next_fire_at, last_job_id FROM steward_schedules WHERE name = ?", arguments: [fire.name])
        let stored = try row.map { row in
            ScheduleFireRule.Stored(
                paused: try row.value(0, "paused"), nextFireAt: (try row.value(1, "next_fire_at") as Double?).map(Date.init(timeIntervalSince1970:)),
                lastJobID: try row.value(2, "last_job_id"))
        }
        let live = try db.cachedStatement(sql: "SELECT 1 FROM steward_jobs WHERE id = ? AND state IN (\(JobState.liveSQL))")
        let decision = try ScheduleFireRule.decide(fire, stored: stored) { id in
            try Int.fetchOne(live, arguments: [id]) != nil
        }
        if ScheduleFireRule.updatesState(fire, decision) {
            let skipped = decision == .fire ? 0 : 1
            if fire.expectedNextFireAt != nil {
                try db.execute(
                    sql: """
                        UPDATE steward_schedules SET next_fire_at = ?, missed_runs = missed_runs + ?, skipped_runs = skipped_runs + ?
                        WHERE name = ?
                        """, arguments: [fire.nextFireAt?.timeIntervalSince1970, fire.missed, skipped, fire.name])
            } else {
                try db.execute(
                    sql: "UPDATE steward_schedules SET skipped_runs = skipped_runs + ? WHERE name = ?", arguments: [skipped, fire.name])
            }
        }
        switch decision {
        case .stale:
            return .stale
        case .skip(let running):
            return .skippedExclusive(running: JobID(running))
        case .fire:
            guard !prepared.isEmpty else { return .fired([]) }
            let results = try enqueue(prepared, now: nowS, in: db)
            try db.execute(
                sql: "UPDATE steward_schedules SET last_fire_at = ?, last_job_id = ? WHERE name = ?",
                arguments: [fire.firedAt?.timeIntervalSince1970, results.last?.id.rawValue, fire.name])
            return .fired(results)
        }
    }
}
