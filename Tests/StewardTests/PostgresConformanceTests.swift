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
        guard let url else { throw Missing() }
        let schema = "t_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "").prefix(16)
        let separator = url.contains("?") ? "&" : "?"
        return try PostgresJobStore(url: url + "\(separator)schema=\(schema)&sslmode=disable&max_connections=4")
    }
}

@Suite("PostgreSQL store conformance", .enabled(if: PostgresTestDatabase.enabled))
struct PostgresConformanceTests {
    @Test(arguments: StoreConformance.cases)
    func conformance(_ conformanceCase: ConformanceCase) async throws {
        try await conformanceCase.run { try PostgresTestDatabase.makeStore() }
    }
}
