public import Steward
import StewardPostgres
import StewardSQLite

/// Opens a store from its URL; the scheme picks the implementation: `sqlite:PATH[?…]` or
/// `postgres://user@host:port/database[?…]` (options in docs/guide.md).
public enum StoreFactory {
    /// The store for `url`, not yet migrated. The error names the URL with its password redacted.
    public static func open(_ url: String) throws -> any StewardStore {
        if url.hasPrefix("sqlite:") {
            return try SQLiteJobStore(url: url)
        }
        if url.hasPrefix("postgres://") || url.hasPrefix("postgresql://") {
            return try PostgresJobStore(url: url)
        }
        throw StewardError.invalidArgument(
            field: "store", message: "store: unsupported URL '\(StoreURL.redacted(url))' (expected sqlite:PATH or postgres://user@host:port/database)")
    }
}
