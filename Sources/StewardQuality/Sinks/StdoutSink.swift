import Foundation
import StewardSupport

/// Prints JSON lines to standard output.
public struct StdoutSink: QualitySink {
    /// Creates a stdout sink.
    public init() {}
    public func write(_ records: [QualityRecord]) async throws {
        var out = ""
        for r in records {
            out += r.jsonLine()
            out += "\n"
        }
        FileHandle.standardOutput.write(Data(out.utf8))
    }
    public func finish() async throws {}
}
