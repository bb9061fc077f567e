import Foundation
import StewardSupport

/// Appends JSON lines to a file (created or truncated when the run starts): records, or rows
/// diverted by the schema policy.
public final class JSONLFileSink: QualitySink, RejectedRowSink, @unchecked Sendable {
    private let handle: FileHandle
    private var buffer = ""
    /// The file written.
    public let path: String

    /// Creates (or truncates) `path`.
    public init(path: String) throws {
        self.path = path
        guard FileManager.default.createFile(atPath: path, contents: nil), let h = FileHandle(forWritingAtPath: path) else {
            throw QualityError.source("cannot write \(path)")
        }
        handle = h
    }

    // One task writes through one sink, from one child task at a time: no lock needed. One
    // write per call (a batch of input), so a followed stream's records appear promptly.
    public func write(_ records: [QualityRecord]) async throws {
        for r in records {
            buffer += r.jsonLine()
            buffer += "\n"
        }
        try flush()
    }

    public func write(rejected: [RejectedRow]) async throws {
        for r in rejected {
            buffer += r.jsonLine()
            buffer += "\n"
        }
        try flush()
    }

    private func flush() throws {
        try handle.write(contentsOf: Data(buffer.utf8))
        buffer = ""
    }

    public func finish() async throws {
        try flush()
        try handle.close()
    }
}
