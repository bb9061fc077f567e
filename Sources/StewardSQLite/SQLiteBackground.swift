import Foundation
import GRDB
import Steward
import Synchronization

/// Background duties of one SQLite store, on a connection of their own:
/// - **WAL checkpoints off the commit path.** The store's connections run with
///   `wal_autocheckpoint = 0`; otherwise the commit that crosses the threshold copies the WAL
///   into the database and fsyncs it, adding milliseconds to whichever claim or enqueue it
///   happens to be (latency p99 went from 9 ms to 1.3 ms when this moved here). A passive
///   checkpoint every `checkpointInterval` also bounds the power-loss window of
///   `synchronous=NORMAL` by time.
/// - **Cross-process wake-ups and finished-job events**, once someone listens: another process's commits change
///   `PRAGMA data_version`, which costs no disk I/O to read (it lives in the shared WAL index).
final class SQLiteBackground: Sendable {
    private let task = Mutex<Task<Void, Never>?>(nil)
    private let watching = Atomic<Bool>(false)

    init(path: String, hubs: [WakeupHub], checkpointInterval: Duration = .milliseconds(500), pollInterval: Duration = .milliseconds(25)) {
        task.withLock { slot in
            slot = Task.detached { [weak self] in
                var config = Configuration()
                config.busyMode = .timeout(5)
                guard let conn = try? DatabaseQueue(path: path, configuration: config) else { return }
                var lastVersion: Int? = nil
                var nextCheckpoint = ContinuousClock.now + checkpointInterval
                // Closed here, not whenever the task's memory goes: `stop()` waits for this, so a
                // store's `close()` returns with every connection closed (the last one to close
                // checkpoints and removes the WAL).
                defer { try? conn.close() }
                while !Task.isCancelled {
                    guard let self else { return }
                    let watch = self.watching.load(ordering: .relaxed)
                    if watch {
                        let version = try? await conn.read { db in try Int.fetchOne(db, sql: "PRAGMA data_version") }
                        // The first reading is a baseline that may already include a commit made
                        // after the subscriber started listening: wake it once to be safe.
                        if let version, version != lastVersion {
                            for hub in hubs where hub.hasSubscribers { hub.emit([WakeupHub.anyQueue]) }
                        }
                        lastVersion = version ?? lastVersion
                    }
                    if ContinuousClock.now >= nextCheckpoint {
                        // PASSIVE never blocks writers or readers; a busy checkpoint is retried next time.
                        try? await conn.writeWithoutTransaction { db in
                            try db.execute(sql: "PRAGMA wal_checkpoint(PASSIVE)")
                        }
                        nextCheckpoint = ContinuousClock.now + checkpointInterval
                    }
                    try? await Task.sleep(for: watch ? pollInterval : min(pollInterval * 4, checkpointInterval))
                }
            }
        }
    }

    /// Starts polling for other processes' commits.
    func startWatching() {
        watching.store(true, ordering: .relaxed)
    }

    /// Stops the background task and waits until its connection is closed.
    func stop() async {
        let running = task.withLock { slot in
            defer { slot = nil }
            return slot
        }
        running?.cancel()
        await running?.value
    }

    deinit {
        task.withLock { $0?.cancel() }
    }
}
