import Dispatch
import Foundation
import Steward
import StewardQuality

/// Every batch check run is stored; the report compares the latest with the one before.
public enum BatchCheckHistory {
    /// Stores `result` as a run of `check`; returns the run's id.
    @discardableResult
    public static func record(_ result: BatchCheckResult, check: String, at: Date, store: any PipelineStore) async throws -> Int64 {
        try await store.recordQualityRun(
            QualityRunRecord(
                check: check, at: at, records: Int64(result.records), completeness: result.completeness.overall,
                accuracy: result.accuracy.rate, consistency: result.consistency.rate, overallScore: result.overallScore,
                passedAll: result.passedAll, result: try JSONCoding.encode(result)))
    }

    /// The report of `check` over its last `last` runs (all runs when `nil`); `nil` when it has none.
    public static func report(check: String, last: Int?, store: any PipelineStore) async throws -> QualityReport? {
        if let last {
            let recent = try await store.qualityRuns(check: check, limit: max(1, last))
            guard !recent.isEmpty else { return nil }
            return QualityReport.make(
                check: check, recent: recent, runs: recent.count, averageScore: recent.map(\.overallScore).reduce(0, +) / Double(recent.count))
        }
        let recent = try await store.qualityRuns(check: check, limit: 2)
        let stats = try await store.qualityRunStats(check: check)
        return QualityReport.make(check: check, recent: recent, runs: stats.count, averageScore: stats.averageScore ?? 0)
    }

    /// Runs `check` off the cooperative thread pool (it reads a whole file), records the run,
    /// and returns the result: the body of a scheduled `quality` job.
    public static func runAndRecord(_ check: BatchCheck, input: String? = nil, store: any PipelineStore, at: Date = Date()) async throws
        -> BatchCheckResult
    {
        let result: BatchCheckResult = try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global(qos: .utility).async {
                continuation.resume(with: Result { try check.run(input: input) })
            }
        }
        try await record(result, check: check.name, at: at, store: store)
        return result
    }
}
