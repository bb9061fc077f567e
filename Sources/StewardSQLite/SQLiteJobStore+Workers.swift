public import Foundation
import GRDB
public import Steward

/// Worker presence: one row per worker, its last report as JSON.
extension SQLiteJobStore {
    public func recordWorker(_ presence: WorkerPresence, forgetBefore: Date) async throws {
        let record = try JSONCoding.encode(presence)
        try await pool.write { db in
            try db.execute(
                sql: """
                    INSERT INTO steward_workers (id, last_heartbeat_at, record) VALUES (?, ?, ?)
                    ON CONFLICT (id) DO UPDATE SET last_heartbeat_at = excluded.last_heartbeat_at, record = excluded.record
                    """, arguments: [presence.id, presence.lastHeartbeatAt.timeIntervalSince1970, record])
            try db.execute(
                sql: "DELETE FROM steward_workers WHERE last_heartbeat_at < ? AND id <> ?",
                arguments: [forgetBefore.timeIntervalSince1970, presence.id])
        }
    }

    public func workers() async throws -> [WorkerPresence] {
        try await pool.read { db in
            try String.fetchAll(db, sql: "SELECT record FROM steward_workers").map { try JSONCoding.decode(WorkerPresence.self, from: $0) }
        }
    }
}
