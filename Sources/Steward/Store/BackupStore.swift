import Foundation

/// An optional capability: a store that copies itself to a file while in use (SQLite; a
/// PostgreSQL store is backed up with PostgreSQL's own tools). `steward backup` asks a store
/// for it, as swift-jobs asks a queue for `CancellableJobQueue`.
public protocol BackupStore: JobStore {
    /// Writes a consistent copy to `path`, which must not exist; the copy is a store as it is.
    func backup(to path: String) async throws
}
