import Foundation
import StewardSupport
import Synchronization

/// Rows given in memory (tests, library users with their own input).
public final class ArraySource: QualitySource, @unchecked Sendable {
    public let name: String
    public let schema: SourceSchema
    private var rows: [QualityRow]
    private let batchSize: Int

    /// Creates a source over `rows` (values in the schema's column order).
    public init(name: String, schema: SourceSchema, rows: [QualityRow], batchSize: Int = 4_096) {
        self.name = name
        self.schema = schema
        self.rows = rows
        self.batchSize = batchSize
    }

    /// Builds rows from dictionaries keyed by column name (missing keys are null); the time
    /// column's value gives the event time.
    public convenience init(name: String, schema: SourceSchema, records: [[String: QualityValue]], batchSize: Int = 4_096) {
        let rows = records.map { r -> QualityRow in
            let values = schema.columns.map { r[$0.name] ?? .null }
            let t = values[schema.timeIndex]
            let time: Double
            switch t {
            case .string(let s): time = schema.parseTime(Substring(s)) ?? .nan
            default: time = t.number ?? .nan
            }
            return QualityRow(values: values, time: time)
        }
        self.init(name: name, schema: schema, rows: rows, batchSize: batchSize)
    }

    public func nextBatch() async throws -> [QualityRow]? {
        guard !rows.isEmpty else { return nil }
        let n = min(batchSize, rows.count)
        let batch = Array(rows.prefix(n))
        rows.removeFirst(n)
        return batch
    }
}
