import Foundation
import Steward

/// Where and how a `PostgresJobStore` connects, parsed from
/// `postgres://user[:password]@host[:port]/database[?schema=NAME&sslmode=disable|prefer|require&max_connections=N&call_timeout=30s]`.
public struct PostgresStoreConfiguration: Sendable, Equatable {
    /// TLS use, as libpq's `sslmode`.
    public enum SSLMode: String, Sendable {
        /// Never use TLS.
        case disable
        /// Use TLS when the server offers it.
        case prefer
        /// Refuse to connect without TLS.
        case require
    }

    /// The server's host name or address.
    public var host: String
    /// The server's port.
    public var port: Int
    /// The role to connect as.
    public var username: String
    /// Its password, if the server asks for one.
    public var password: String?
    /// The database.
    public var database: String
    /// The schema Steward's tables live in (created if missing).
    public var schema: String
    /// Whether connections use TLS (`sslmode`; default `prefer`).
    public var sslMode: SSLMode
    /// Pooled connections per process (one more is held by the wake-up listener).
    public var maxConnections: Int
    /// The longest one store call may take. A call stuck on a connection the server dropped
    /// (seen across a PostgreSQL restart) fails with `StoreCallTimedOut` after this, and the
    /// store replaces its connection pool.
    public var callTimeout: Duration

    /// Creates a configuration.
    public init(
        host: String = "127.0.0.1", port: Int = 5432, username: String, password: String? = nil, database: String,
        schema: String = "steward", sslMode: SSLMode = .prefer, maxConnections: Int = 10,
        callTimeout: Duration = .seconds(30)
    ) {
        self.host = host
        self.port = port
        self.username = username
        self.password = password
        self.database = database
        self.schema = schema
        self.sslMode = sslMode
        self.maxConnections = maxConnections
        self.callTimeout = callTimeout
    }

    /// Parses a `postgres://` or `postgresql://` URL; the error names the offending part.
    public init(url: String) throws {
        guard url.hasPrefix("postgres://") || url.hasPrefix("postgresql://"), let c = URLComponents(string: url) else {
            throw StewardError.invalidArgument("store: '\(url)' is not a PostgreSQL URL (expected postgres://user@host:port/database)")
        }
        guard let host = c.host, !host.isEmpty else { throw StewardError.invalidArgument("store: '\(url)' has no host") }
        guard let user = c.user, !user.isEmpty else { throw StewardError.invalidArgument("store: '\(url)' has no user name") }
        let database = String(c.path.drop(while: { $0 == "/" }))
        guard !database.isEmpty else { throw StewardError.invalidArgument("store: '\(url)' has no database name") }
        self.init(
            host: host, port: c.port ?? 5432, username: user.removingPercentEncoding ?? user,
            password: c.password?.removingPercentEncoding, database: database)
        for item in c.queryItems ?? [] {
            let value = item.value ?? ""
            switch item.name {
            case "schema":
                schema = value
            case "sslmode":
                guard let mode = SSLMode(rawValue: value) else {
                    throw StewardError.invalidArgument("store: sslmode '\(value)' in '\(url)' is not disable, prefer or require")
                }
                sslMode = mode
            case "max_connections":
                guard let n = Int(value), n >= 1 else {
                    throw StewardError.invalidArgument("store: max_connections '\(value)' in '\(url)' is not a positive integer")
                }
                maxConnections = n
            case "call_timeout":
                callTimeout = try DurationParser.parse(value, field: "store: call_timeout")
            default:
                throw StewardError.invalidArgument(
                    "store: unknown option '\(item.name)' in '\(url)' (supported: schema, sslmode, max_connections, call_timeout)")
            }
        }
        try Self.validate(schema: schema)
    }

    /// Schema names are spliced into SQL, so only plain identifiers are accepted.
    static func validate(schema: String) throws {
        let ok =
            !schema.isEmpty && schema.count <= 63
            && schema.utf8.allSatisfy { ($0 >= 97 && $0 <= 122) || ($0 >= 48 && $0 <= 57) || $0 == 95 }
            && !(schema.utf8.first.map { $0 >= 48 && $0 <= 57 } ?? true)
        if !ok {
            throw StewardError.invalidArgument(
                "store: schema '\(schema)' must be a lower-case identifier (a-z, 0-9, _; not starting with a digit)")
        }
    }
}
