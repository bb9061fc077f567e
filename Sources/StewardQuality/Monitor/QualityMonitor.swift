import Foundation
import Logging
import Metrics
import Synchronization

/// Hosts many independent tasks over one or more sources and runs them concurrently.
///
/// A task fails when its source, schema policy or sink throws. A non-critical failure is logged
/// and shown in ``status()``, and the other tasks go on; a critical failure stops every task and
/// ``run()`` throws ``CriticalTaskFailure``.
public final class QualityMonitor: Sendable {
    /// A task's state.
    public enum TaskState: String, Sendable { case idle, running, finished, failed }

    /// One task's status.
    public struct TaskStatus: Sendable {
        /// The task.
        public var name: String
        /// Whether its failure stops the monitor.
        public var critical: Bool
        /// Whether it has a window and a source name (always, once added).
        public var configured: Bool
        /// Whether its source has been added.
        public var hasSource: Bool
        /// Whether it has at least one check.
        public var hasChecks: Bool
        /// Idle, running, finished or failed.
        public var state: TaskState
        /// Records written.
        public var windowsEmitted: Int
        /// Rows read from the source.
        public var recordsRead: Int
        /// Events that landed in no window because they were late.
        public var lateRecordsDropped: Int
        /// Window memberships missed by late events (sliding windows, sessions).
        public var lateWindowMisses: Int
        /// Rows that broke the schema.
        public var schemaErrors: Int
        /// Assessments that failed.
        public var failedAssessments: Int
        /// Why the task failed, if it did.
        public var lastError: String?
    }

    /// The monitor's status.
    public struct Status: Sendable {
        /// How many tasks the monitor holds.
        public var total: Int
        /// Each task, in the order added.
        public var tasks: [TaskStatus]
    }

    /// Where a task's output goes: live objects, kept beside the (value-type) configuration.
    struct Sinks {
        var records: (any QualitySink)?
        var rejected: (any RejectedRowSink)?
    }

    /// A task ready to run: its configuration, source, engine and sinks.
    typealias Prepared = (config: QualityTaskConfiguration, source: any QualitySource, engine: SendableEngine, sinks: Sinks)

    private struct State {
        var tasks: [QualityTaskConfiguration] = []
        var sinks: [String: Sinks] = [:]
        /// Engines built by ``prepare()``, used by the next ``run()`` (each built once).
        var prepared: [Prepared]?
        var sources: [String: any QualitySource] = [:]
        var status: [String: TaskStatus] = [:]
        var stream: AsyncStream<QualityRecord>.Continuation?
        /// Set when a critical task failed: the others stop without flushing.
        var stoppedBy: String?
    }
    private let state = Mutex(State())
    let logger: Logger

    /// Creates an empty monitor.
    public init(logger: Logger = Logger(label: "steward.quality")) {
        self.logger = logger
    }

    // MARK: tasks

    /// Adds a task writing its records to `sink` (`nil`: only the monitor's stream) and, under
    /// the `divert` policy, its rejected rows to `rejectSink`; an empty name becomes `task_1`,
    /// `task_2`, … (skipping names in use). Returns its name. A duplicate name is an error.
    @discardableResult
    public func addTask(
        _ configuration: QualityTaskConfiguration, sink: (any QualitySink)? = nil, rejectSink: (any RejectedRowSink)? = nil
    ) throws -> String {
        try state.withLock { s in
            var c = configuration
            if c.name.isEmpty {
                var n = 1
                while s.tasks.contains(where: { $0.name == "task_\(n)" }) { n += 1 }
                c.name = "task_\(n)"
            }
            guard !s.tasks.contains(where: { $0.name == c.name }) else {
                throw QualityError.config("task '\(c.name)': a task with this name already exists")
            }
            s.tasks.append(c)
            s.sinks[c.name] = Sinks(records: sink, rejected: rejectSink)
            s.prepared = nil
            s.status[c.name] = Self.initialStatus(c, hasSource: s.sources[c.source] != nil)
            return c.name
        }
    }

    /// Task names, in the order added.
    public func taskNames() -> [String] { state.withLock { $0.tasks.map(\.name) } }

    /// A task's configuration.
    public func task(_ name: String) -> QualityTaskConfiguration? { state.withLock { s in s.tasks.first { $0.name == name } } }

    /// Removes a task (before `run`).
    public func removeTask(_ name: String) throws {
        try state.withLock { s in
            guard let i = s.tasks.firstIndex(where: { $0.name == name }) else {
                throw QualityError.config("task '\(name)': no such task")
            }
            s.tasks.remove(at: i)
            s.status[name] = nil
            s.sinks[name] = nil
            s.prepared = nil
        }
    }

    /// Single-task shorthand: configures the task named `default`.
    public func configure(
        source: String, window: WindowSpec, key: String? = nil, waitForLate: Double = 0, critical: Bool = false,
        sink: (any QualitySink)? = nil
    ) throws {
        try addTask(
            QualityTaskConfiguration(
                name: "default", source: source, window: window, key: key, waitForLate: waitForLate, checks: [],
                critical: critical),
            sink: sink)
    }

    /// Single-task shorthand: adds a check to the task named `default`.
    public func check(_ check: QualityCheck) throws {
        try state.withLock { s in
            guard let i = s.tasks.firstIndex(where: { $0.name == "default" }) else {
                throw QualityError.config("check: call configure(source:window:) first (no task 'default')")
            }
            s.tasks[i].checks.append(check)
            s.status["default"]?.hasChecks = true
        }
    }

    /// Registers a source (tasks name it).
    public func addSource(_ source: any QualitySource) {
        state.withLock { s in
            s.sources[source.name] = source
            for t in s.tasks where t.source == source.name { s.status[t.name]?.hasSource = true }
        }
    }

    /// Per-task status.
    public func status() -> Status {
        state.withLock { s in
            Status(total: s.tasks.count, tasks: s.tasks.compactMap { s.status[$0.name] })
        }
    }

    /// Every emitted record, for library users; call before ``run()``. Ends when the run ends.
    public func records() -> AsyncStream<QualityRecord> {
        let (stream, continuation) = AsyncStream<QualityRecord>.makeStream()
        state.withLock { $0.stream = continuation }
        return stream
    }

    private static func initialStatus(_ c: QualityTaskConfiguration, hasSource: Bool) -> TaskStatus {
        TaskStatus(
            name: c.name, critical: c.critical, configured: true, hasSource: hasSource, hasChecks: !c.checks.isEmpty,
            state: .idle, windowsEmitted: 0, recordsRead: 0, lateRecordsDropped: 0, lateWindowMisses: 0, schemaErrors: 0,
            failedAssessments: 0, lastError: nil)
    }

    // MARK: running

    /// Builds every task's engine, so configuration errors surface before any data is read; the
    /// next ``run()`` uses these engines (``run()`` prepares by itself when this was not called).
    public func prepare() throws {
        let (tasks, sources, sinks) = state.withLock { ($0.tasks, $0.sources, $0.sinks) }
        if tasks.isEmpty { throw QualityError.config("monitor: no tasks") }
        let prepared: [Prepared] = try tasks.map { t in
            guard let source = sources[t.source] else {
                throw QualityError.config("task '\(t.name)' source: unknown source '\(t.source)'")
            }
            if t.checks.isEmpty { throw QualityError.config("task '\(t.name)': no checks") }
            return (t, source, SendableEngine(try WindowEngine(config: t, schema: source.schema)), sinks[t.name] ?? Sinks())
        }
        state.withLock { $0.prepared = prepared }
    }

    /// Reads every source to its end (or until cancelled) and runs the tasks.
    public func run() async throws {
        if state.withLock({ $0.prepared == nil }) { try prepare() }
        let all = state.withLock { s -> [Prepared] in
            defer { s.prepared = nil }
            return s.prepared ?? []
        }
        let bySource = Dictionary(grouping: all, by: { ObjectIdentifier($0.source) })
        defer { state.withLock { $0.stream?.finish() } }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for (_, tasks) in bySource {
                group.addTask { try await self.runSource(tasks) }
            }
            // The first error (a critical failure) leaves the loop; the group then cancels the rest.
            for try await _ in group {}
        }
    }

    private func runSource(_ tasks: [Prepared]) async throws {
        let source = tasks[0].source
        var live = tasks
        for t in live { update(t.config.name) { $0.state = .running } }
        while !live.isEmpty, !Task.isCancelled {
            let batch: [QualityRow]?
            do {
                batch = try await source.nextBatch()
            } catch is CancellationError {
                break
            } catch {
                // A source failure fails every task reading it.
                for t in live { try fail(t.config, error) }
                return
            }
            guard let rows = batch else { break }
            let failures = try await withThrowingTaskGroup(of: (String, (any Error)?).self) { group in
                for t in live {
                    group.addTask {
                        do {
                            let records = try t.engine.engine.process(rows[...])
                            try await self.deliver(records, t.config, t.sinks, t.engine.engine)
                            return (t.config.name, nil)
                        } catch {
                            return (t.config.name, error)
                        }
                    }
                }
                var failed: [String: any Error] = [:]
                for try await (name, error) in group { if let error { failed[name] = error } }
                return failed
            }
            for (name, error) in failures {
                guard let t = live.first(where: { $0.config.name == name }) else { continue }
                try fail(t.config, error)
                live.removeAll { $0.config.name == name }
            }
        }
        if let critical = state.withLock({ $0.stoppedBy }) {
            for t in live {
                update(t.config.name) {
                    $0.state = .failed
                    $0.lastError = "stopped: critical task '\(critical)' failed"
                }
            }
            return
        }
        for t in live {
            do {
                try await deliver(t.engine.engine.finish(), t.config, t.sinks, t.engine.engine)
                try await t.sinks.records?.finish()
                try await t.sinks.rejected?.finish()
                update(t.config.name) { $0.state = .finished }
            } catch {
                try fail(t.config, error)
            }
        }
    }

    private func deliver(
        _ records: [QualityRecord], _ config: QualityTaskConfiguration, _ sinks: Sinks, _ engine: WindowEngine
    ) async throws {
        let delta = engine.takeCounterDeltas()
        // Counters per task (swift-metrics; Prometheus when bootstrapped): late events are never silent.
        let dims = [("task", config.name)]
        func count(_ label: String, _ increment: Int) {
            if increment > 0 { Counter(label: label, dimensions: dims).increment(by: increment) }
        }
        count("steward_quality_records_read_total", delta.recordsRead)
        count("steward_quality_windows_emitted_total", delta.windowsEmitted)
        count("steward_quality_late_dropped_total", delta.lateDropped)
        count("steward_quality_late_window_misses_total", delta.lateWindowMisses)
        count("steward_quality_schema_errors_total", delta.schemaErrors)
        count("steward_quality_failed_assessments_total", delta.failedAssessments)
        update(config.name) {
            $0.recordsRead += delta.recordsRead
            $0.windowsEmitted += delta.windowsEmitted
            $0.lateRecordsDropped += delta.lateDropped
            $0.lateWindowMisses += delta.lateWindowMisses
            $0.schemaErrors += delta.schemaErrors
            $0.failedAssessments += delta.failedAssessments
        }
        let rejected = engine.takeRejected()
        if !rejected.isEmpty { try await sinks.rejected?.write(rejected: rejected) }
        guard !records.isEmpty else { return }
        try await sinks.records?.write(records)
        if let stream = state.withLock({ $0.stream }) { for r in records { stream.yield(r) } }
    }

    /// Records a task failure; rethrows as ``CriticalTaskFailure`` when the task is critical.
    private func fail(_ config: QualityTaskConfiguration, _ error: any Error) throws {
        update(config.name) {
            $0.state = .failed
            $0.lastError = "\(error)"
        }
        if config.critical {
            state.withLock { $0.stoppedBy = $0.stoppedBy ?? config.name }
            throw CriticalTaskFailure(task: config.name, underlying: error)
        }
        logger.error("quality task failed; the others go on", metadata: ["task": "\(config.name)", "error": "\(error)"])
    }

    private func update(_ name: String, _ change: (inout TaskStatus) -> Void) {
        state.withLock { s in
            if var st = s.status[name] {
                change(&st)
                s.status[name] = st
            }
        }
    }
}

/// A task's engine, handed to one child task at a time.
final class SendableEngine: @unchecked Sendable {
    let engine: WindowEngine
    init(_ engine: WindowEngine) { self.engine = engine }
}
