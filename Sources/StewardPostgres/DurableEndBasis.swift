import Steward
import Synchronization

/// What a code run's attempt read when it started (``PostgresJobStore/durableHistory(_:)``): the
/// run's record as stored and its running pipeline execution. Kept so that the attempt's end can
/// be one statement without a transaction of its own (``PostgresStatements/DurableEndIfUnchanged``),
/// decided from this and checked against the store under the run's lock.
struct DurableEndBasis: Sendable {
    struct Execution: Sendable {
        var execution: PipelineExecution
        /// Its pipeline's definition, as stored.
        var body: String?
        /// Its row as text, what the check compares.
        var row: String
    }
    /// The run's record as stored (the text the check compares).
    var record: String
    var run: DurableRunRecord
    var execution: Execution?
}

/// The bases of the runs this process drives, by run id; at most `limit` (a run whose driver
/// died keeps its entry until another takes its place).
final class DurableEndBases: Sendable {
    private let bases = Mutex<[String: DurableEndBasis]>([:])
    let limit: Int
    /// Ends written in one statement so far (the rest took the locked path).
    let oneStatementEnds = Atomic<Int>(0)

    init(limit: Int) {
        self.limit = limit
    }

    func keep(_ basis: DurableEndBasis) {
        bases.withLock { bases in
            if bases.count >= limit, bases[basis.run.id] == nil, let any = bases.keys.first { bases[any] = nil }
            bases[basis.run.id] = basis
        }
    }

    /// The basis of run `id`, forgotten: an end uses it once.
    func take(_ id: String) -> DurableEndBasis? {
        bases.withLock { $0.removeValue(forKey: id) }
    }

    /// Forgets run `id`'s basis: its record changed here.
    func forget(_ id: String) {
        _ = bases.withLock { $0.removeValue(forKey: id) }
    }

    var count: Int { bases.withLock { $0.count } }
}
