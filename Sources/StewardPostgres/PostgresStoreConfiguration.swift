import Foundation
import NIOSSL
import Steward

/// Where and how a `PostgresJobStore` connects, parsed from
/// `postgres://user[:password]@host[:port]/database[?schema=NAME&sslmode=MODE&sslrootcert=PATH&sslcert=PATH&sslkey=PATH&max_connections=N&call_timeout=30s]`.
public struct PostgresStoreConfiguration: Sendable, Equatable, CustomStringConvertible {
    /// TLS use, with libpq's meanings of `sslmode`.
    public enum SSLMode: String, Sendable, CaseIterable {
        /// Never use TLS.
        case disable
        /// TLS without certificate checks when the server offers it, else plain (libpq tries
        /// plain first; the wire result is the same: encrypted whenever the server can).
        case allow
        /// TLS without certificate checks when the server offers it, else plain.
        case prefer
        /// TLS, or no connection; the certificate is not checked (encryption, not authentication).
        case require
        /// TLS with a certificate signed by a trusted CA (`sslrootcert`, else the system's roots).
        case verifyCA = "verify-ca"
        /// As `verify-ca`, and the certificate must name the host connected to.
        case verifyFull = "verify-full"
    }

    /// The longest schema name: the wake-up channel `steward_<schema>` must fit PostgreSQL's
    /// 63-byte identifiers.
    public static let maximumSchemaLength = 63 - "steward_".count

    /// The server's host name or address.
    public var host: String
    /// The server's port.
    public var port: Int
    /// The role to connect as.
    public var username: String
    /// Its password, if the server asks for one. Never printed (see ``description``).
    public var password: String?
    /// The database.
    public var database: String
    /// The schema Steward's tables live in (created if missing).
    public var schema: String
    /// Whether connections use TLS and what they check (`sslmode`; default `prefer`).
    public var sslMode: SSLMode
    /// PEM file of the CA certificates to trust (`sslrootcert`); with `verify-ca`/`verify-full`.
    public var sslRootCert: String?
    /// PEM file of a client certificate to present (`sslcert`), with its key in ``sslKey``.
    public var sslCert: String?
    /// PEM file of the client certificate's private key (`sslkey`).
    public var sslKey: String?
    /// Pooled connections per process (one more is held by the wake-up listener).
    public var maxConnections: Int
    /// The longest one store call may take. A call stuck on a connection the server dropped
    /// (seen across a PostgreSQL restart) fails with `StoreCallTimedOut` after this, and the
    /// store replaces its connection pool.
    public var callTimeout: Duration

    /// Creates a configuration.
    public init(
        host: String = "127.0.0.1", port: Int = 5432, username: String, password: String? = nil, database: String,
        schema: String = "steward", sslMode: SSLMode = .prefer, sslRootCert: String? = nil, sslCert: String? = nil,
        sslKey: String? = nil, maxConnections: Int = 10, callTimeout: Duration = .seconds(30)
    ) {
        self.host = host
        self.port = port
        self.username = username
        self.password = password
        self.database = database
        self.schema = schema
        self.sslMode = sslMode
        self.sslRootCert = sslRootCert
        self.sslCert = sslCert
        self.sslKey = sslKey
        self.maxConnections = maxConnections
        self.callTimeout = callTimeout
    }

    /// The connection as a URL with the password shown as `***`.
    public var description: String {
        "postgres://\(username)\(password == nil ? "" : ":***")@\(host):\(port)/\(database)?schema=\(schema)&sslmode=\(sslMode.rawValue)"
    }

    /// Parses a `postgres://` or `postgresql://` URL; the error names the offending part (and
    /// shows the URL with its password redacted).
    public init(url: String) throws {
        let shown = StoreURL.redacted(url)
        guard url.hasPrefix("postgres://") || url.hasPrefix("postgresql://"), let c = URLComponents(string: url) else {
            throw StewardError.invalidArgument(field: "store", message: "store: '\(shown)' is not a PostgreSQL URL (expected postgres://user@host:port/database)")
        }
        guard let host = c.host, !host.isEmpty else { throw StewardError.invalidArgument(field: "store", message: "store: '\(shown)' has no host") }
        // Percent-encoded parts are decoded exactly once (`50%25off` is the password `50%off`).
        guard let user = c.percentEncodedUser?.removingPercentEncoding, !user.isEmpty else {
            throw StewardError.invalidArgument(field: "store", message: "store: '\(shown)' has no user name")
        }
        let password = try c.percentEncodedPassword.map { encoded in
            guard let decoded = encoded.removingPercentEncoding else {
                throw StewardError.invalidArgument(field: "store", message: "store: the password in '\(shown)' has a malformed percent-escape")
            }
            return decoded
        }
        let port = c.port ?? 5432
        guard (1...65535).contains(port) else {
            throw StewardError.invalidArgument(field: "store", message: "store: port \(port) in '\(shown)' is not between 1 and 65535")
        }
        guard let database = String(c.percentEncodedPath.drop(while: { $0 == "/" })).removingPercentEncoding, !database.isEmpty
        else { throw StewardError.invalidArgument(field: "store", message: "store: '\(shown)' has no database name") }
        self.init(host: host, port: port, username: user, password: password, database: database)
        for item in c.queryItems ?? [] {
            let value = item.value ?? ""
            switch item.name {
            case "schema":
                schema = value
            case "sslmode":
                guard let mode = SSLMode(rawValue: value) else {
                    throw StewardError.invalidArgument(
                        field: "store", message: "store: sslmode '\(value)' in '\(shown)' is not one of \(SSLMode.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                sslMode = mode
            case "sslrootcert": sslRootCert = value
            case "sslcert": sslCert = value
            case "sslkey": sslKey = value
            case "max_connections":
                guard let n = Int(value), (1...1000).contains(n) else {
                    throw StewardError.invalidArgument(field: "store", message: "store: max_connections '\(value)' in '\(shown)' is not an integer from 1 to 1000")
                }
                maxConnections = n
            case "call_timeout":
                callTimeout = try DurationParser.parse(value, field: "store: call_timeout")
                guard callTimeout >= .milliseconds(100) else {
                    throw StewardError.invalidArgument(field: "store", message: "store: call_timeout '\(value)' in '\(shown)' is shorter than 100ms")
                }
            default:
                throw StewardError.invalidArgument(
                    field: "store", message: "store: unknown option '\(item.name)' in '\(shown)' (supported: schema, sslmode, sslrootcert, sslcert, sslkey, max_connections, call_timeout)"
                )
            }
        }
        if (sslCert == nil) != (sslKey == nil) {
            throw StewardError.invalidArgument(field: "store", message: "store: sslcert and sslkey in '\(shown)' go together (a client certificate and its key)")
        }
        try Self.validate(schema: schema)
    }

    /// Schema names are spliced into SQL, so only plain identifiers are accepted, short enough
    /// for the wake-up channel's name.
    static func validate(schema: String) throws {
        let ok =
            !schema.isEmpty
            && schema.utf8.allSatisfy { ($0 >= 97 && $0 <= 122) || ($0 >= 48 && $0 <= 57) || $0 == 95 }
            && !(schema.utf8.first.map { $0 >= 48 && $0 <= 57 } ?? true)
        if !ok {
            throw StewardError.invalidArgument(
                field: "store", message: "store: schema '\(schema)' must be a lower-case identifier (a-z, 0-9, _; not starting with a digit)")
        }
        if schema.count > maximumSchemaLength {
            throw StewardError.invalidArgument(
                field: "store", message: "store: schema '\(schema)' is \(schema.count) characters; at most \(maximumSchemaLength) fit the wake-up channel's name")
        }
    }

    /// The TLS settings `sslMode` and the certificate files call for; `nil` for `disable`.
    /// Reading a file that is missing or not PEM fails here, naming the option and the path.
    func tlsConfiguration() throws -> TLSConfiguration? {
        var tls = TLSConfiguration.makeClientConfiguration()
        switch sslMode {
        case .disable: return nil
        case .allow, .prefer, .require: tls.certificateVerification = .none
        case .verifyCA: tls.certificateVerification = .noHostnameVerification
        case .verifyFull: tls.certificateVerification = .fullVerification
        }
        func pem<T>(_ option: String, _ path: String, _ load: (String) throws -> T) throws -> T {
            do { return try load(path) } catch {
                throw StewardError.invalidArgument(field: "store", message: "store: \(option) '\(path)' cannot be read as PEM (\(error))")
            }
        }
        if let root = sslRootCert {
            tls.trustRoots = .certificates(try pem("sslrootcert", root) { try NIOSSLCertificate.fromPEMFile($0) })
        }
        if let cert = sslCert, let key = sslKey {
            tls.certificateChain = try pem("sslcert", cert) { try NIOSSLCertificate.fromPEMFile($0) }.map { .certificate($0) }
            tls.privateKey = .privateKey(try pem("sslkey", key) { try NIOSSLPrivateKey(file: $0, format: .pem) })
        }
        return tls
    }

    /// Whether a server without TLS is refused.
    var requiresTLS: Bool { ![.disable, .allow, .prefer].contains(sslMode) }
}
