import Foundation
import Steward
import StewardSQLite
import StoreConformance
import Testing

/// A fresh SQLite file in a temporary folder.
func makeTemporarySQLiteStore(synchronous: SQLiteJobStore.Synchronous = .normal) throws -> SQLiteJobStore {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("steward-tests-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    return try SQLiteJobStore(path: dir.appendingPathComponent("steward.db").path, synchronous: synchronous)
}

@Suite("SQLite store conformance")
struct SQLiteConformanceTests {
    @Test(arguments: StoreConformance.cases)
    func conformance(_ conformanceCase: ConformanceCase) async throws {
        try await conformanceCase.run { try makeTemporarySQLiteStore() }
    }
}
