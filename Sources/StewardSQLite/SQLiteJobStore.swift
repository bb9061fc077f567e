import Foundation
public import Steward
import GRDB

/// The embedded store: one SQLite file in WAL mode, shared safely by threads and processes.
///
/// Durability: `synchronous=NORMAL` (default) survives process crashes; a power loss may lose
/// the transactions committed since the last checkpoint (the WAL is fsynced at checkpoints,
/// which run every 500 ms in the background). Pass `synchronous=full` in the URL to fsync
/// every commit.
public final class SQLiteJobStore: StewardStore {
    /// How commits reach the disk.
    public enum Synchronous: String, Sendable {
        /// fsync at WAL checkpoints only; safe across process crashes.
        case normal
        /// fsync every commit; safe across power loss.
        case full
    }

    /// The database file.
    public let path: String
    /// The durability setting in use.
    public let synchronous: Synchronous
    let pool: SQLitePool
    let hub: WakeupHub
    /// Announces finished jobs (``JobStore/finishedJobs()``).
    let finishedHub = WakeupHub()
    private let background: SQLiteBackground

    /// The size the write-ahead log is kept to: past it, a checkpoint restarts the log and the
    /// file is truncated back (16 MiB). A store needs about this much disk beside its database.
    public static var walLimit: Int64 { SQLiteBackground.defaultWALLimit }

    /// Whether the store only reads (`?mode=ro`, or a file this process may not write): queries
    /// work, anything that writes fails, and nothing is changed on open.
    public let readOnly: Bool

    /// Opens (creating if needed) the database at `path`. An existing file must be empty or a
    /// Steward database: another application's SQLite file is refused before anything (its
    /// journal mode included) is changed.
    public init(path: String, synchronous: Synchronous = .normal, readOnly: Bool = false) throws {
        self.path = path
        self.synchronous = synchronous
        let exists = FileManager.default.fileExists(atPath: path)
        self.readOnly = readOnly || (exists && !FileManager.default.isWritableFile(atPath: path))
        if exists { try Self.checkBelongsToSteward(path) }
        var config = Configuration()
        config.busyMode = .timeout(30)
        config.maximumReaderCount = 4
        config.readonly = self.readOnly
        let sync = synchronous.rawValue.uppercased()
        if !self.readOnly {
            config.prepareDatabase { db in
                try db.execute(sql: "PRAGMA synchronous = \(sync)")
                // Checkpoints run in the background (SQLiteBackground), not inside a commit; the
                // writer that restarts the WAL truncates it back to the limit.
                try db.execute(sql: "PRAGMA wal_autocheckpoint = 0")
                try db.execute(sql: "PRAGMA journal_size_limit = \(SQLiteBackground.defaultWALLimit)")
            }
        }
        pool = SQLitePool(base: try Self.openPool(path: path, configuration: config), path: path)
        hub = WakeupHub()
        let base = pool.base
        // A read-only store writes nothing: every commit it sees is another process's.
        let writerVersion: (@Sendable () -> Int?)? =
            self.readOnly ? nil : { @Sendable in try? base.writeWithoutTransaction { db in try Int.fetchOne(db, sql: "PRAGMA data_version") } }
        background = try SQLiteBackground(path: path, hubs: [hub, finishedHub], readOnly: self.readOnly, othersVersion: writerVersion)
    }

    /// Opens a store from a URL: `sqlite:PATH`, `sqlite://PATH`, with `?synchronous=full` or `?mode=ro`.
    public convenience init(url: String) throws {
        let (path, synchronous, readOnly) = try Self.parse(url: url)
        try self.init(path: path, synchronous: synchronous, readOnly: readOnly)
    }

    /// Opens the pool, waiting out another process that is creating the same file: switching a
    /// new file to WAL needs a lock SQLite's busy timeout does not wait for, so two processes
    /// starting at once (a worker and an enqueue) could fail with "database is locked".
    static func openPool(path: String, configuration: Configuration) throws -> DatabasePool {
        let deadline = ContinuousClock.now + .seconds(30)
        while true {
            do {
                return try DatabasePool(path: path, configuration: configuration)
            } catch let error as DatabaseError where error.resultCode == .SQLITE_BUSY && ContinuousClock.now < deadline {
                usleep(10_000)
            } catch {
                throw StewardError.storeUnavailable("cannot open SQLite database at '\(path)': \(error)")
            }
        }
    }

    /// Refuses a file that is not SQLite, or a SQLite database with tables but no Steward schema,
    /// reading it through a read-only connection so nothing about it changes.
    static func checkBelongsToSteward(_ path: String) throws {
        var config = Configuration()
        config.readonly = true
        // Another process may be creating the file right now (switching it to WAL locks it briefly).
        config.busyMode = .timeout(30)
        let tables: [String]
        do {
            let queue = try DatabaseQueue(path: path, configuration: config)
            tables = try queue.read { db in
                try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
            }
            try queue.close()
        } catch {
            throw StewardError.storeUnavailable("cannot open SQLite database at '\(path)': \(error)")
        }
        if !tables.isEmpty, !tables.contains("steward_migrations") {
            let shown = tables.prefix(5).joined(separator: ", ") + (tables.count > 5 ? ", …" : "")
            throw StewardError.invalidArgument(
                field: "store", message: "store: '\(path)' is another application's SQLite database (tables: \(shown)); give Steward a file of its own")
        }
    }

    /// Splits a SQLite store URL into its file path and durability setting; the error names the
    /// offending part.
    public static func parse(url: String) throws -> (path: String, synchronous: Synchronous, readOnly: Bool) {
        guard url.hasPrefix("sqlite:") else {
            throw StewardError.invalidArgument(field: "store", message: "store: '\(url)' is not a SQLite URL (expected sqlite:PATH)")
        }
        var rest = String(url.dropFirst("sqlite:".count))
        if rest.hasPrefix("//") { rest.removeFirst(2) }
        var sync = Synchronous.normal
        var readOnly = false
        if let q = rest.firstIndex(of: "?") {
            let query = rest[rest.index(after: q)...]
            rest = String(rest[..<q])
            for pair in query.split(separator: "&") {
                let kv = pair.split(separator: "=", maxSplits: 1).map { $0.lowercased() }
                if kv.count == 2, kv[0] == "synchronous", let value = Synchronous(rawValue: kv[1]) {
                    sync = value
                } else if kv.count == 2, kv[0] == "mode", kv[1] == "ro" || kv[1] == "rw" {
                    readOnly = kv[1] == "ro"
                } else {
                    throw StewardError.invalidArgument(
                        field: "store", message: "store: unknown option '\(pair)' in '\(url)' (supported: synchronous=normal|full, mode=ro|rw)")
                }
            }
        }
        guard !rest.isEmpty else { throw StewardError.invalidArgument(field: "store", message: "store: '\(url)' has no file path") }
        return (rest, sync, readOnly)
    }

    // MARK: schema

    public func migrate() async throws {
        // A current schema needs no write: read-only stores open, and readers never queue for the lock.
        if try await pool.read({ db in try SQLiteMigrations.isCurrent(db) }) { return }
        if readOnly {
            throw StewardError.storeUnavailable("sqlite: '\(path)' is read-only and its schema needs migrating; open it writable once")
        }
        try await pool.write { db in try SQLiteMigrations.migrate(db) }
    }


    public func finishedJobs() -> AsyncStream<String> {
        background.startWatching()
        return finishedHub.stream()
    }

    public func wakeups() -> AsyncStream<String> {
        background.startWatching()
        return hub.stream()
    }

    public func close() async throws {
        hub.finish()
        finishedHub.finish()
        // The pool's readers are read-only connections, which cannot checkpoint: the background
        // connection (read-write) closes last, checkpointing and removing the WAL.
        let closed = Result { try pool.close() }
        await background.stop()
        try closed.get()
    }
}

/// ``JobState/effective(runAt:now:)`` for the store's epoch seconds.
func effective(_ state: JobState, runAt: Double, now: Double) -> JobState {
    state.effective(runAt: Date(timeIntervalSince1970: runAt), now: Date(timeIntervalSince1970: now))
}
