import Foundation

/// Runs one attempt of a code workflow's run inside its driver job: loads the history, runs the
/// function over it, and records how the run ended.
struct DurableDriver<W: DurableWorkflow> {
    let workflow: W
    let context: JobContext

    func run(payload: String) async throws -> String? {
        guard let client = context.client, let store = client.store as? any DurableStore else {
            throw PermanentJobError("code workflow '\(W.name)' needs a worker whose store keeps durable runs (SQLite or PostgreSQL)")
        }
        let runID: String
        do {
            runID = try JSONCoding.decode(DurableRuns.DriverPayload.self, from: payload).run
        } catch {
            throw PermanentJobError("code workflow '\(W.name)': the job's payload is not {\"run\": ID}: \(payload.prefix(200))")
        }
        guard let (run, steps) = try await store.durableHistory(runID) else { throw PermanentJobError("workflow run '\(runID)' not found") }
        // Finished already (a crash between the run's record and its job's): nothing runs again.
        if run.state.isFinished { return run.output }
        // A driver job the run no longer names (an old one retried by hand after `workflow
        // retry` gave the run a new one) does not drive it.
        guard run.job == nil || run.job == context.id else {
            throw PermanentJobError("workflow run '\(runID)' is driven by job \(run.job!), not this one")
        }
        let ctx = DurableContext(run: run, steps: steps, job: context, store: store, clock: client.clock, limit: DurableRuns.defaultLimit)
        do {
            let input = try JSONCoding.decode(W.Input.self, from: run.input)
            let output = try await withTaskExecutorPreference(RunExecutor(run: runID)) {
                try await workflow.run(context: ctx, input: input)
            }
            let json = try ctx.encode(output, what: "the output of run '\(runID)'")
            // The run's end and its job's success in one transaction.
            let success = JobOutcome(id: context.id, owner: context.workerID, startedAt: ctx.startedAt, kind: .succeeded(result: json))
            let (_, applied) = try await DurableRuns.finish(
                store: store, id: runID, state: .succeeded, output: json, error: nil, steps: ctx.stepCounts, ending: success,
                now: client.clock.now())
            throw JobOutcomeWritten(success.kind, applied: applied)
        } catch let written as JobOutcomeWritten {
            throw written
        } catch {
            // A replay that does not match its history, a value over the limit or an input that
            // does not decode fails the same way every time: the run fails now, not after retries.
            // So does a step failure the workflow has moved past (its replay throws the same
            // again), and one whose body said not to retry.
            let stepFailure = error as? DurableStepFailed
            let permanent =
                error is DurableNondeterminism || error is DurableValueTooLarge || error is DecodingError
                || stepFailure.map { $0.permanent || ctx.isBehind($0.seq) } ?? false
            let info = JobErrorInfo(type: errorTypeName(error), message: "\(error)", attempt: context.attempt)
            if permanent || ctx.cancelled || context.attempt >= context.maxAttempts {
                let state: DurableRunRecord.State = ctx.cancelled ? .cancelled : .failed
                try await DurableRuns.finish(
                    store: store, id: runID, state: state, output: nil, error: info, steps: ctx.stepCounts, now: client.clock.now())
                if permanent || ctx.cancelled { throw PermanentJobError("\(error)") }
            }
            throw error
        }
    }
}
