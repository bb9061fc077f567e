import Foundation
import Steward
import StewardPostgres
import StoreConformance
import Testing

/// The test database scripts/test starts. In CI (`CI=true`) its absence fails the tests.
enum PostgresTestDatabase {
    static var url: String? { ProcessInfo.processInfo.environment["STEWARD_TEST_POSTGRES_URL"] }
    static var enabled: Bool { url != nil || ProcessInfo.processInfo.environment["CI"] == "true" }

    struct Missing: Error, CustomStringConvertible {
        var description: String { "STEWARD_TEST_POSTGRES_URL is not set: run the tests with scripts/test, which starts PostgreSQL" }
    }

    /// A store on a schema of its own, so each test starts empty.
    static func makeStore() throws -> PostgresJobStore {
        guard url != nil else { throw Missing() }
        let schema = "t_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "").prefix(16)
        return try PostgresJobStore(url: url(schema: String(schema)))
    }

    /// Four connections per store keep the whole parallel suite under the server's limit; the
    /// call deadline leaves room for a saturated pool on two busy cores (24 concurrent enqueues
    /// queue for those four connections).
    static func url(schema: String, callTimeout: String = "15s") -> String {
        let base = url ?? ""
        return base + (base.contains("?") ? "&" : "?") + "schema=\(schema)&sslmode=disable&max_connections=4&call_timeout=\(callTimeout)"
    }

    /// The URL of `store`, for other processes.
    static func url(for store: PostgresJobStore, callTimeout: String = "15s") -> String {
        url(schema: store.configuration.schema, callTimeout: callTimeout)
    }
}

@Suite("PostgreSQL store conformance", .enabled(if: PostgresTestDatabase.enabled))
struct PostgresConformanceTests {
    @Test(arguments: StoreConformance.cases)
    func conformance(_ conformanceCase: ConformanceCase) async throws {
        try await conformanceCase.run { try PostgresTestDatabase.makeStore() }
    }
}

@Suite("PostgreSQL connection errors", .enabled(if: PostgresTestDatabase.enabled))
struct PostgresConnectionErrorTests {
    @Test("a missing database, an unknown role or no server is reported at once, in the server's words")
    func clearErrors() async throws {
        let base = try #require(PostgresTestDatabase.url)
        let missingDB = base.replacingOccurrences(of: "/steward_test", with: "/no_such_db") + "?sslmode=disable"
        let unknownRole = base.replacingOccurrences(of: "steward@", with: "nobody@") + "?sslmode=disable"
        let noServer = "postgres://steward@127.0.0.1:1/x?sslmode=disable"
        for (url, words) in [
            (missingDB, #"database "no_such_db" does not exist"#), (unknownRole, #"role "nobody" does not exist"#),
            (noServer, "cannot connect"),
        ] {
            let store = try PostgresJobStore(url: url)
            let start = ContinuousClock.now
            do {
                try await store.migrate()
                Issue.record("\(url) migrated")
            } catch {
                #expect("\(error)".contains(words), "\(error)")
            }
            #expect(ContinuousClock.now - start < .seconds(10), "took \(ContinuousClock.now - start)")
            try await store.close()
        }
    }
}
