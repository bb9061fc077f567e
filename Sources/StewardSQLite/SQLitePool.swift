import Foundation
import GRDB
import Steward

/// The store's connection pool, whose errors come out in plain words: SQLite's codes become what
/// they mean for the store (read-only, locked, full, not a database), never a driver type or the
/// SQL that was running.
struct SQLitePool: Sendable {
    let base: DatabasePool
    let path: String

    func write<T: Sendable>(_ updates: @Sendable (Database) throws -> T) async throws -> T {
        do { return try await base.write(updates) } catch let error as DatabaseError { throw Self.plain(error, path: path) }
    }

    func read<T: Sendable>(_ value: @Sendable (Database) throws -> T) async throws -> T {
        do { return try await base.read(value) } catch let error as DatabaseError { throw Self.plain(error, path: path) }
    }

    func close() throws { try base.close() }

    /// `error` as a store error naming the file.
    static func plain(_ error: DatabaseError, path: String) -> StewardError {
        let what: String
        switch error.resultCode.primaryResultCode {
        case .SQLITE_READONLY:
            what = "the store is read-only (opened with mode=ro, or this process may not write the file or its folder)"
        case .SQLITE_BUSY, .SQLITE_LOCKED: what = "the database stayed locked by another process for 30 s"
        case .SQLITE_FULL: what = "the disk is full"
        case .SQLITE_CORRUPT, .SQLITE_NOTADB: what = "the file is damaged or not an SQLite database"
        case .SQLITE_CANTOPEN: what = "the file cannot be opened"
        case .SQLITE_IOERR: what = "a disk read or write failed"
        case .SQLITE_PERM, .SQLITE_AUTH: what = "access to the file was denied"
        default: what = "SQLite said: \(error.message ?? "error \(error.resultCode.rawValue)")"
        }
        return StewardError.storeUnavailable("\(path): \(what)")
    }
}

extension SQLiteJobStore: BackupStore {
    /// Writes a consistent copy of the database to `path` (`VACUUM INTO`: compact, and usable as a
    /// store as it is) while the store stays open; other processes' writes wait for the copy
    /// (about a second per GB). Refuses a `path` that exists.
    public func backup(to path: String) async throws {
        guard !FileManager.default.fileExists(atPath: path) else {
            throw StewardError.invalidArgument(field: "backup", message: "backup: '\(path)' exists already; name a new file")
        }
        do {
            try await pool.base.writeWithoutTransaction { db in try db.execute(sql: "VACUUM INTO ?", arguments: [path]) }
        } catch let error as DatabaseError {
            throw SQLitePool.plain(error, path: path)
        }
    }
}
