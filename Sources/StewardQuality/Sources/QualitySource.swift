import Foundation
import StewardSupport
import Synchronization

/// A stream of rows for tasks. The monitor pulls batches; a source shared by several tasks is
/// read and parsed once and each batch goes to all of them.
public protocol QualitySource: AnyObject, Sendable {
    /// The source's name (tasks refer to it).
    var name: String { get }
    /// Its columns and time column.
    var schema: SourceSchema { get }
    /// The next rows in arrival order, or `nil` at end of input.
    func nextBatch() async throws -> [QualityRow]?
}
