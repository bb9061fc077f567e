import Foundation

/// The pipeline rules, once, in Swift: lineage (cycles, closure), the z-score anomaly test,
/// freshness, timeliness and what a finish modifies. The stores only keep and return rows.
public enum PipelineRules {
    /// Metrics every execution has; a custom metric may not take their names.
    public static let builtInMetrics: Set<String> = ["duration", "inserted", "updated", "deleted"]

    /// The dataset graph's edges: each pipeline links every dataset it reads to every dataset it
    /// writes.
    public static func edges(_ pipelines: [PipelineDefinition]) -> [String: Set<String>] {
        var out: [String: Set<String>] = [:]
        for p in pipelines {
            for r in p.reads {
                for w in p.writes { out[r, default: []].insert(w) }
            }
        }
        return out
    }

    /// A cycle in the dataset graph, as the path `a -> b -> a` with the pipelines on it, or `nil`.
    public static func cycle(_ pipelines: [PipelineDefinition]) -> String? {
        let graph = edges(pipelines)
        var via: [String: [String: String]] = [:]  // from -> to -> pipeline (first by name)
        for p in pipelines.sorted(by: { $0.name < $1.name }) {
            for r in p.reads { for w in p.writes where via[r]?[w] == nil { via[r, default: [:]][w] = p.name } }
        }
        // Depth-first with an explicit stack (a long chain must not exhaust a thread's stack).
        enum Mark { case open, done }
        var marks: [String: Mark] = [:]
        let sorted = graph.mapValues { $0.sorted() }
        for root in graph.keys.sorted() where marks[root] == nil {
            var path: [String] = [root]
            var next: [Int] = [0]
            marks[root] = .open
            while let node = path.last {
                let children = sorted[node] ?? []
                let i = next[next.count - 1]
                guard i < children.count else {
                    marks[node] = .done
                    path.removeLast()
                    next.removeLast()
                    continue
                }
                next[next.count - 1] += 1
                let child = children[i]
                switch marks[child] {
                case .open?:
                    let cyclePath = Array(path[path.lastIndex(of: child)!...]) + [child]
                    let steps = zip(cyclePath, cyclePath.dropFirst()).map { "\($0.0) -> \($0.1) (\(via[$0.0]?[$0.1] ?? "?"))" }
                    return cyclePath.joined(separator: " -> ") + "; via " + steps.joined(separator: ", ")
                case .done?: continue
                case nil:
                    marks[child] = .open
                    path.append(child)
                    next.append(0)
                }
            }
        }
        return nil
    }

    /// More closure rows than this and an apply is refused (a 100,000-dataset chain would need
    /// five billion).
    public static let maxClosureRows = 10_000_000

    /// The transitive closure with shortest depths (breadth-first from every dataset), including
    /// each dataset with itself at depth 0; throws past `limit` rows.
    public static func lineageClosure(_ pipelines: [PipelineDefinition], limit: Int = maxClosureRows) throws -> Set<LineagePath> {
        let graph = edges(pipelines)
        var nodes = Set(graph.keys)
        for targets in graph.values { nodes.formUnion(targets) }
        var out = Set<LineagePath>()
        for start in nodes {
            var depth = [start: 0]
            var frontier = [start]
            var d = 0
            while !frontier.isEmpty {
                d += 1
                var next: [String] = []
                for n in frontier {
                    for m in graph[n] ?? [] where depth[m] == nil {
                        depth[m] = d
                        next.append(m)
                    }
                }
                frontier = next
            }
            guard out.count + depth.count <= limit else {
                throw PipelineError.invalid(
                    field: "lineage", reason: "the datasets' closure would hold more than \(limit) rows (every ancestor-descendant pair); split the catalog or shorten its chains")
            }
            for (m, k) in depth { out.insert(LineagePath(ancestor: start, descendant: m, depth: k)) }
        }
        return out
    }

    /// What applying `catalog` writes over the `stored` closure: only the rows that changed.
    public static func apply(_ catalog: PipelineCatalog, over stored: [LineagePath]) throws -> PipelineCatalogChange {
        if let cycle = cycle(catalog.pipelines) { throw PipelineError.lineageCycle(cycle) }
        let wanted = try lineageClosure(catalog.pipelines)
        var storedDepth: [PairKey: Int] = [:]
        for p in stored { storedDepth[PairKey(p.ancestor, p.descendant)] = p.depth }
        var wantedPairs = Set<PairKey>()
        var upsert: [LineagePath] = []
        for p in wanted {
            let key = PairKey(p.ancestor, p.descendant)
            wantedPairs.insert(key)
            if storedDepth[key] != p.depth { upsert.append(p) }
        }
        let delete = stored.filter { !wantedPairs.contains(PairKey($0.ancestor, $0.descendant)) }
        let order: (LineagePath, LineagePath) -> Bool = { ($0.ancestor, $0.descendant) < ($1.ancestor, $1.descendant) }
        return PipelineCatalogChange(
            pipelines: catalog.pipelines, datasets: catalog.datasets, upsertPaths: upsert.sorted(by: order), deletePaths: delete.sorted(by: order))
    }

    private struct PairKey: Hashable {
        var a: String
        var b: String
        init(_ a: String, _ b: String) {
            self.a = a
            self.b = b
        }
    }

    /// The z-score test of one value against its history (oldest or newest first, either):
    /// mean, sample standard deviation (n - 1), `z = (x - mean) / std`; anomalous when the
    /// history holds at least `minHistory` values and `|z| >= threshold`, or, when `std` is 0,
    /// exactly when `x != mean` (then `z` is `nil`). Returns `nil` when not anomalous.
    public static func zScore(_ x: Double, history: [Double], settings: AnomalySettings) -> (mean: Double, std: Double, z: Double?)? {
        let n = history.count
        guard n >= max(settings.minHistory, 2) else { return nil }
        let mean = history.reduce(0, +) / Double(n)
        let variance = history.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(n - 1)
        let std = variance.squareRoot()
        if std == 0 { return x != mean ? (mean, 0, nil) : nil }
        let z = (x - mean) / std
        return abs(z) >= settings.threshold ? (mean, std, z) : nil
    }

    /// The anomalies of `execution` given the previous succeeded executions of its pipeline
    /// (newest first; the first `lookback` count). A metric the execution did not report is not
    /// checked; history executions that did not report it are left out of its history.
    public static func anomalies(
        of execution: PipelineExecution, history: [PipelineExecution], settings: AnomalySettings, at: Date
    ) -> [PipelineAnomaly] {
        let window = history.prefix(settings.lookback)
        return settings.metrics.compactMap { metric in
            guard let x = execution.value(of: metric) else { return nil }
            let values = window.compactMap { $0.value(of: metric) }
            guard let found = zScore(x, history: values, settings: settings) else { return nil }
            return PipelineAnomaly(
                execution: execution.id, pipeline: execution.pipeline, metric: metric, value: x, mean: found.mean, std: found.std, z: found.z,
                detectedAt: at)
        }
    }

    /// Finishing `execution`: the record as finished; the datasets whose last modification moves
    /// (those the pipeline writes, when it succeeded with `inserted + updated + deleted > 0`); and
    /// its anomaly check, when it succeeded and the pipeline has an `anomaly` section.
    public static func finish(_ execution: PipelineExecution, with finish: PipelineFinish, definition: PipelineDefinition?) throws
        -> PipelineFinishChange
    {
        guard execution.state == .running else { throw PipelineError.alreadyFinished(execution.id, execution.state) }
        guard finish.state != .running else { throw PipelineError.invalid(field: "status", reason: "an execution finishes as succeeded or failed") }
        for (field, count) in [("inserted", finish.inserted), ("updated", finish.updated), ("deleted", finish.deleted)] {
            if let count, count < 0 { throw PipelineError.invalid(field: field, reason: "\(count) is negative") }
        }
        for (name, value) in finish.metrics.sorted(by: { $0.key < $1.key }) {
            guard !builtInMetrics.contains(name) else {
                throw PipelineError.invalid(
                    field: "metrics", reason: "'\(name)' is a built-in metric (duration comes from the start and finish times; inserted, updated and deleted have their own fields)")
            }
            guard value.isFinite else { throw PipelineError.invalid(field: "metrics", reason: "'\(name)' is not a finite number") }
        }
        guard finish.at >= execution.startedAt else {
            throw PipelineError.invalid(
                field: "at", reason: "\(finish.at.iso8601UTC) is before the execution's start \(execution.startedAt.iso8601UTC)")
        }
        var done = execution
        done.state = finish.state
        done.finishedAt = finish.at
        done.inserted = finish.inserted
        done.updated = finish.updated
        done.deleted = finish.deleted
        done.metrics = finish.metrics
        let writes = definition?.writes ?? []
        // A succeeded run of a pipeline with an anomaly section is checked, in the same transaction's enqueue.
        let check = done.state == .succeeded && definition?.anomaly != nil ? [PipelineChecks.anomalyJob(execution: done.id)] : []
        return PipelineFinishChange(execution: done, touched: done.state == .succeeded && done.modifiedData ? writes : [], jobs: check)
    }

    /// A finish from figures reported by code that does not know these rules (a workflow's tasks
    /// summing their `metrics`): `inserted`, `updated` and `deleted` fill the counts when they are
    /// whole and not negative, and whatever ``finish(_:with:definition:)`` would refuse (a
    /// built-in name, a value that is not finite, a count that is not a whole Int64) is left out,
    /// so the record is kept without it rather than lost.
    public static func lenientFinish(succeeded: Bool, at: Date, reported: [String: Double]) -> PipelineFinish {
        var metrics = reported
        func count(_ key: String) -> Int64? {
            metrics.removeValue(forKey: key).flatMap { Int64(exactly: $0.rounded()) }.flatMap { $0 >= 0 ? $0 : nil }
        }
        let (inserted, updated, deleted) = (count("inserted"), count("updated"), count("deleted"))
        metrics = metrics.filter { $0.value.isFinite && !builtInMetrics.contains($0.key) }
        return PipelineFinish(
            state: succeeded ? .succeeded : .failed, at: at, inserted: inserted, updated: updated, deleted: deleted, metrics: metrics)
    }

    /// Freshness as of `asOf`: every dataset with a `maxAge`, stale when never modified or older
    /// than it.
    public static func freshness(_ datasets: [DatasetState], asOf: Date) -> FreshnessReport {
        var report = FreshnessReport(stale: [], fresh: [])
        for d in datasets.sorted(by: { $0.name < $1.name }) {
            guard let maxAge = d.maxAge else { continue }
            let age = d.lastModified.map { asOf.timeIntervalSince($0) }
            let entry = FreshnessReport.Entry(dataset: d.name, lastModified: d.lastModified, ageSeconds: age, maxAgeSeconds: maxAge)
            if let age, age <= maxAge { report.fresh.append(entry) } else { report.stale.append(entry) }
        }
        return report
    }

    /// Executions started in `(asOf - lookback, asOf]` that ran longer than their pipeline's
    /// `max_duration`, and every execution still running past it, whenever it started.
    public static func timeliness(_ executions: [PipelineExecution], catalog: PipelineCatalog, lookback: Double, asOf: Date)
        -> TimelinessReport
    {
        let limits = Dictionary(catalog.pipelines.compactMap { p in p.maxDuration.map { (p.name, $0) } }, uniquingKeysWith: { a, _ in a })
        let from = asOf.addingTimeInterval(-lookback)
        let late = executions.filter { e in
            e.startedAt <= asOf && (e.startedAt > from || e.finishedAt.map { $0 > asOf } ?? true)
        }.compactMap { e -> TimelinessReport.Entry? in
            guard let limit = limits[e.pipeline] else { return nil }
            let end = e.finishedAt.map { min($0, asOf) } ?? asOf
            let running = e.finishedAt.map { $0 > asOf } ?? true
            let duration = end.timeIntervalSince(e.startedAt)
            guard duration > limit else { return nil }
            return TimelinessReport.Entry(
                pipeline: e.pipeline, execution: e.id, startedAt: e.startedAt, finishedAt: running ? nil : e.finishedAt, durationSeconds: duration,
                maxDurationSeconds: limit, state: running ? .running : e.state)
        }
        return TimelinessReport(late: late.sorted { ($0.startedAt, $0.execution) < ($1.startedAt, $1.execution) })
    }
}
