import Foundation
import Logging

/// `steward pipeline finish --json` and the anomaly check's result.
public struct AnomalyReport: Codable, Sendable, Equatable {
    /// The execution.
    public var execution: Int64
    /// Its anomalies (empty: none).
    public var anomalies: [PipelineAnomaly]

    /// Creates a report.
    public init(execution: Int64, anomalies: [PipelineAnomaly]) {
        self.execution = execution
        self.anomalies = anomalies
    }
}

/// One row of an execution tree.
public struct PipelineTreeRow: Encodable, Sendable {
    /// Depth below the asked execution.
    public var depth: Int
    /// The execution.
    public var execution: PipelineExecution
    /// Creates a row.
    public init(depth: Int, execution: PipelineExecution) {
        self.depth = depth
        self.execution = execution
    }
}

/// `steward lineage … --json`: a dataset and those downstream or upstream with their distance.
public struct LineageView: Encodable, Sendable {
    /// One dataset.
    public struct Entry: Encodable, Sendable {
        /// Its name.
        public var name: String
        /// The shortest distance.
        public var depth: Int
        /// Creates an entry.
        public init(name: String, depth: Int) {
            self.name = name
            self.depth = depth
        }
    }
    /// The asked dataset.
    public var dataset: String
    /// The others, nearest first.
    public var datasets: [Entry]
}
