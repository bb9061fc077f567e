public import Foundation
import PostgresNIO
public import Steward

/// Worker presence: one row per worker, its last report as JSON.
extension PostgresJobStore {
    public func recordWorker(_ presence: WorkerPresence, forgetBefore: Date) async throws {
        let s = quotedSchema
        let record = try JSONCoding.encode(presence)
        // One statement: the report and the forgetting commit together.
        _ = try await rows(
            """
            WITH saved AS (
                INSERT INTO \(unescaped: s).steward_workers (id, last_heartbeat_at, record) VALUES (\(presence.id), \(presence.lastHeartbeatAt), \(record))
                ON CONFLICT (id) DO UPDATE SET last_heartbeat_at = excluded.last_heartbeat_at, record = excluded.record
                RETURNING id
            ), forgotten AS (
                DELETE FROM \(unescaped: s).steward_workers WHERE last_heartbeat_at < \(forgetBefore) AND id <> \(presence.id) RETURNING id
            )
            SELECT (SELECT count(*) FROM saved), (SELECT count(*) FROM forgotten)
            """)
    }

    public func workers() async throws -> [WorkerPresence] {
        try await rows("SELECT record FROM \(unescaped: quotedSchema).steward_workers").map {
            try JSONCoding.decode(WorkerPresence.self, from: try $0.decode(String.self))
        }
    }
}
