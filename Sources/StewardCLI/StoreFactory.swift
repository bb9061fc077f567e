import Steward
import StewardSQLite

/// Opens a store from its URL; the scheme picks the implementation.
enum StoreFactory {
    static func open(_ url: String) throws -> any JobStore {
        if url.hasPrefix("sqlite:") {
            return try SQLiteJobStore(url: url)
        }
        throw StewardError.invalidArgument(
            "store: unsupported URL '\(url)' (this build supports sqlite:PATH)")
    }
}
