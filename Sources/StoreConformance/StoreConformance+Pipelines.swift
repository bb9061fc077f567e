import Foundation
import Steward
import Testing

extension StoreConformance {
    static func applyCatalog(_ store: any StewardStore, _ catalog: PipelineCatalog) async throws -> PipelineCatalogChange {
        try await store.applyPipelineCatalog { stored in try PipelineRules.apply(catalog, over: stored) }
    }

    static let pipelines: [ConformanceCase] = [
        ConformanceCase("a pipeline catalog is kept whole; the lineage closure gets only its changed rows; a refused apply writes nothing") { store, clock in
            // Diamond: raw -> (clean, stats) -> report; plus an unrelated pair.
            let diamond = PipelineCatalog(
                pipelines: [
                    PipelineDefinition(name: "clean", maxDuration: 60, reads: ["raw"], writes: ["clean"]),
                    PipelineDefinition(name: "stats", reads: ["raw"], writes: ["stats"]),
                    PipelineDefinition(name: "report", reads: ["clean", "stats"], writes: ["report"],
                        anomaly: AnomalySettings(metrics: ["duration"])),
                    PipelineDefinition(name: "other", reads: ["a"], writes: ["b"]),
                ], datasets: [DatasetDefinition(name: "report", maxAge: 3600), DatasetDefinition(name: "declared-only", maxAge: 60)])
            let first = try await applyCatalog(store, diamond)
            #expect(first.deletePaths.isEmpty && first.upsertPaths.count == 12)  // 6 datasets in the graph with themselves + 6 paths
            #expect(try await store.pipelineCatalog() == diamond)
            #expect(try await store.pipeline(named: "report") == diamond.pipelines.first { $0.name == "report" })
            #expect(try await store.pipeline(named: "nope") == nil)
            #expect(try await store.lineage(of: "raw", downstream: true).map { "\($0.descendant)@\($0.depth)" } == ["clean@1", "stats@1", "report@2"])
            #expect(try await store.lineage(of: "report", downstream: false).map { "\($0.ancestor)@\($0.depth)" } == ["clean@1", "stats@1", "raw@2"])
            #expect(try await store.lineage(of: "b", downstream: true).isEmpty)
            #expect(try await store.datasets().map(\.name) == ["a", "b", "clean", "declared-only", "raw", "report", "stats"])
            #expect(try await store.touchDataset("report", at: clock.now()))
            #expect(try await store.touchDataset("nope", at: clock.now()) == false)
            // Same catalog again: nothing to write.
            let again = try await applyCatalog(store, diamond)
            #expect(again.upsertPaths.isEmpty && again.deletePaths.isEmpty)
            // Drop the pipelines 'stats' and 'other', and the declared-only bound: their paths go
            // ('report' still reads 'stats'), report keeps its modification.
            let smaller = PipelineCatalog(pipelines: [diamond.pipelines[0], diamond.pipelines[2]], datasets: [diamond.datasets[1]])
            let change = try await applyCatalog(store, smaller)
            #expect(change.upsertPaths.isEmpty)
            #expect(Set(change.deletePaths.map { "\($0.ancestor)>\($0.descendant)" }) == ["raw>stats", "a>a", "a>b", "b>b"])
            #expect(try await store.pipelineCatalog() == smaller)
            #expect(try await store.lineage(of: "raw", downstream: true).map { "\($0.descendant)@\($0.depth)" } == ["clean@1", "report@2"])
            let report = try await store.datasets().first { $0.name == "report" }
            #expect(report?.lastModified == clock.now() && report?.maxAge == 3600)
            #expect(try await store.datasets().first { $0.name == "declared-only" }?.maxAge == nil)
            // A cycle is refused and nothing changes.
            let cyclic = PipelineCatalog(pipelines: smaller.pipelines + [PipelineDefinition(name: "back", reads: ["report"], writes: ["raw"])])
            await #expect(throws: PipelineError.self) { _ = try await applyCatalog(store, cyclic) }
            #expect(try await store.pipelineCatalog() == smaller)
            #expect(try await store.lineage(of: "report", downstream: true).isEmpty)
        },
        ConformanceCase("executions: a hierarchy as a closure table; finishing touches written datasets only for a succeeded run that changed rows") { store, clock in
            _ = try await applyCatalog(
                store, PipelineCatalog(pipelines: [PipelineDefinition(name: "load", reads: ["src"], writes: ["dst", "dst2"])]))
            let t0 = clock.now()
            let root = try await store.startPipelineExecution(pipeline: "load", parent: nil, at: t0, workflowRun: nil)
            let child = try await store.startPipelineExecution(pipeline: "load", parent: root.id, at: t0.addingTimeInterval(1), workflowRun: "wf-1")
            let grandchild = try await store.startPipelineExecution(pipeline: "step", parent: child.id, at: t0.addingTimeInterval(2), workflowRun: nil)
            await #expect(throws: PipelineError.executionNotFound(999_999)) {
                _ = try await store.startPipelineExecution(pipeline: "load", parent: 999_999, at: t0, workflowRun: nil)
            }
            #expect(try await store.pipelineExecutions(PipelineExecutionFilter()).count == 3)
            #expect(try await store.pipelineExecutionTree(root.id).map { "\($0.execution.id)@\($0.depth)" } == [
                "\(root.id)@0", "\(child.id)@1", "\(grandchild.id)@2",
            ])
            #expect(try await store.pipelineExecutionTree(child.id).map(\.depth) == [0, 1])
            #expect(try await store.pipelineExecution(child.id) == child)
            // No rows changed: datasets untouched.
            let quiet = try await store.finishPipelineExecution(child.id) { e, d in
                #expect(d?.writes == ["dst", "dst2"])
                return try PipelineRules.finish(e, with: PipelineFinish(at: t0.addingTimeInterval(5), inserted: 0, metrics: ["rows": 7]), definition: d)
            }.execution
            #expect(quiet.state == .succeeded && quiet.metrics == ["rows": 7] && quiet.inserted == 0)
            #expect(try await store.datasets().allSatisfy { $0.lastModified == nil })
            // The change's jobs are enqueued in the finish's transaction; a refused change writes nothing.
            struct Refused: Error {}
            await #expect(throws: Refused.self) {
                _ = try await store.finishPipelineExecution(root.id) { e, d in
                    var change = try PipelineRules.finish(e, with: PipelineFinish(at: t0.addingTimeInterval(10), inserted: 3), definition: d)
                    change.jobs = [NewJob(queue: "pl", name: "never")]
                    throw Refused()
                }
            }
            #expect(try await store.pipelineExecution(root.id)?.state == .running)
            let finished = try await store.finishPipelineExecution(root.id) { e, d in
                var change = try PipelineRules.finish(e, with: PipelineFinish(at: t0.addingTimeInterval(10), inserted: 3, updated: 1), definition: d)
                change.jobs = [NewJob(queue: "pl", name: "check", payload: #"{"execution":\#(e.id)}"#)]
                return change
            }
            let done = finished.execution
            #expect(finished.jobs.count == 1 && finished.jobs[0].state == .available)
            #expect(try await store.job(finished.jobs[0].id, now: clock.now())?.payload == #"{"execution":\#(root.id)}"#)
            #expect(try await store.jobs(JobFilter(name: "never"), now: clock.now()).isEmpty)
            #expect(done.finishedAt == t0.addingTimeInterval(10) && done.updated == 1 && done.deleted == nil)
            #expect(try await store.pipelineExecution(root.id) == done)
            let modified = try await store.datasets().filter { $0.lastModified != nil }.map(\.name)
            #expect(modified == ["dst", "dst2"])
            await #expect(throws: PipelineError.alreadyFinished(root.id, .succeeded)) {
                _ = try await store.finishPipelineExecution(root.id) { e, d in
                    try PipelineRules.finish(e, with: PipelineFinish(at: t0.addingTimeInterval(11)), definition: d)
                }
            }
            // A failed run with changed rows touches nothing, and an earlier touch never moves a modification back.
            _ = try await store.finishPipelineExecution(grandchild.id) { e, d in
                try PipelineRules.finish(e, with: PipelineFinish(state: .failed, at: t0.addingTimeInterval(20), inserted: 5), definition: d)
            }
            #expect(try await store.touchDataset("dst", at: t0))
            #expect(try await store.datasets().first { $0.name == "dst" }?.lastModified == t0.addingTimeInterval(10))
            await #expect(throws: PipelineError.executionNotFound(424_242)) {
                _ = try await store.finishPipelineExecution(424_242) { e, _ in PipelineFinishChange(execution: e, touched: []) }
            }
        },
        ConformanceCase("execution history: succeeded runs of a pipeline finished before one, newest first; start-time windows") { store, clock in
            let t0 = clock.now()
            var ids: [Int64] = []
            for i in 0..<6 {
                let e = try await store.startPipelineExecution(pipeline: "p", parent: nil, at: t0.addingTimeInterval(Double(i * 100)), workflowRun: nil)
                ids.append(e.id)
                _ = try await store.finishPipelineExecution(e.id) { e, d in
                    // Run 3 failed; run 4 finishes at the same instant as run 5.
                    let end = t0.addingTimeInterval(Double(min(i, 4) * 100 + 50 + (i == 5 ? 100 : 0)))
                    return try PipelineRules.finish(e, with: PipelineFinish(state: i == 3 ? .failed : .succeeded, at: end), definition: d)
                }
            }
            let other = try await store.startPipelineExecution(pipeline: "q", parent: nil, at: t0, workflowRun: nil)
            let last = try #require(try await store.pipelineExecution(ids[5]))
            let history = try await store.pipelineExecutions(
                PipelineExecutionFilter(pipeline: "p", state: .succeeded, finishedBefore: (last.finishedAt!, last.id), limit: 3))
            #expect(history.map(\.id) == [ids[4], ids[2], ids[1]])
            let window = try await store.pipelineExecutions(
                PipelineExecutionFilter(startedFrom: t0.addingTimeInterval(100), startedTo: t0.addingTimeInterval(300)))
            #expect(window.map(\.id) == [ids[3], ids[2], ids[1]])
            #expect(try await store.pipelineExecutions(PipelineExecutionFilter(state: .running)).map(\.id) == [other.id])
        },
        ConformanceCase("anomalies: recording again replaces an execution's; listed newest first; a null z stays null") { store, clock in
            let t0 = clock.now()
            let a = PipelineAnomaly(execution: 7, pipeline: "p", metric: "duration", value: 50, mean: 10, std: 2, z: 20, detectedAt: t0)
            let b = PipelineAnomaly(execution: 7, pipeline: "p", metric: "rows", value: 1, mean: 5, std: 0, z: nil, detectedAt: t0)
            try await store.recordPipelineAnomalies(execution: 7, [a, b])
            try await store.recordPipelineAnomalies(execution: 7, [a, b])
            let c = PipelineAnomaly(execution: 9, pipeline: "q", metric: "inserted", value: 1e9, mean: 3.5, std: 0.25, z: -3.25, detectedAt: t0.addingTimeInterval(1))
            try await store.recordPipelineAnomalies(execution: 9, [c])
            #expect(try await store.pipelineAnomalies(pipeline: nil, limit: 10) == [c, a, b])
            #expect(try await store.pipelineAnomalies(pipeline: "p", limit: 1) == [a])
            try await store.recordPipelineAnomalies(execution: 7, [])
            #expect(try await store.pipelineAnomalies(pipeline: "p", limit: 10).isEmpty)
        },
        ConformanceCase("quality runs: kept per check, newest first; count and average score") { store, clock in
            func run(_ check: String, _ score: Double, _ dt: Double) -> QualityRunRecord {
                QualityRunRecord(
                    check: check, at: clock.now().addingTimeInterval(dt), records: 10, completeness: 1, accuracy: score, consistency: 0.5,
                    overallScore: score, passedAll: score > 0.9, result: #"{"records":10}"#)
            }
            let ids = [
                try await store.recordQualityRun(run("a", 0.5, 0)), try await store.recordQualityRun(run("a", 1, 10)),
                try await store.recordQualityRun(run("b", 0.25, 5)), try await store.recordQualityRun(run("a", 0.75, 10)),
            ]
            #expect(Set(ids).count == 4)
            let a = try await store.qualityRuns(check: "a", limit: 10)
            #expect(a.map(\.id) == [ids[3], ids[1], ids[0]])
            #expect(a[0].accuracy == 0.75 && a[0].consistency == 0.5 && a[0].result == #"{"records":10}"# && a[1].passedAll)
            #expect(try await store.qualityRuns(check: "a", limit: 1).map(\.id) == [ids[3]])
            let stats = try await store.qualityRunStats(check: "a")
            #expect(stats.count == 3 && stats.averageScore == 0.75)
            let none = try await store.qualityRunStats(check: "c")
            #expect(none.count == 0 && none.averageScore == nil)
        },
    ]
}
