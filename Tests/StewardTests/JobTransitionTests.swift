import Foundation
import Steward
import Testing

/// The rules a store executes without deciding: each outcome and each expired lease as the one
/// row change both stores apply (the conformance suite checks that they apply them alike).
@Suite("Job transitions")
struct JobTransitionTests {
    let started = Date(timeIntervalSince1970: 1_800_000_000)
    let now = Date(timeIntervalSince1970: 1_800_000_010)

    func outcome(_ kind: JobOutcome.Kind, payload: String? = nil) -> JobOutcome {
        JobOutcome(id: JobID(7), owner: "w1", startedAt: started, kind: kind, payload: payload)
    }

    @Test("a success finishes, keeps the owner and writes no history; a rendered payload travels with it")
    func success() {
        let t = JobTransition(outcome(.succeeded(result: #"{"ok":1}"#), payload: #"{"to":"a"}"#), deadLetterQueue: nil)
        #expect(t.state == .succeeded && t.finishes && !t.clearsOwner && t.attemptDelta == 0)
        #expect(t.result == #"{"ok":1}"# && t.history == nil && t.payload == #"{"to":"a"}"#)
    }

    @Test("a retry is scheduled at its run-at with the error, the owner cleared, the attempt recorded")
    func retry() {
        let error = JobErrorInfo(type: "Boom", message: "no", attempt: 2)
        let t = JobTransition(outcome(.retry(runAt: now, error: error)), deadLetterQueue: "ignored")
        #expect(t.state == .scheduled && t.runAt == now && t.clearsOwner && t.moveToQueue == nil)
        #expect(t.error == JobTransition.ErrorWrite(type: "Boom", message: "no", attempt: 2))
        #expect(t.history?.outcome == "retry" && t.history?.errorType == "Boom" && t.history?.startedAt == started)
    }

    @Test("a dead job moves to the dead-letter queue it is given; released and not-run give the attempt back")
    func deadReleasedNotRun() {
        let dead = JobTransition(outcome(.dead(error: JobErrorInfo(type: "Boom", message: "no", attempt: 3))), deadLetterQueue: "mail-dlq")
        #expect(dead.state == .dead && dead.moveToQueue == "mail-dlq" && dead.history?.outcome == "dead")
        let released = JobTransition(outcome(.released), deadLetterQueue: nil)
        #expect(released.state == .available && released.attemptDelta == -1 && released.clearsOwner && released.history?.outcome == "released")
        let skipped = JobTransition(outcome(.notRun(reason: JobErrorInfo(type: "steward.workflow.skipped", message: "when", attempt: 0))), deadLetterQueue: nil)
        #expect(skipped.state == .cancelled && skipped.attemptDelta == -1 && skipped.history == nil && skipped.error?.attempt == 0)
    }

    @Test("an expired lease: another attempt after the job's backoff while attempts remain, else dead letters (configured or -dlq)")
    func rescue() {
        let policy = RetryPolicy.fixed(maxAttempts: 3, delay: .seconds(30), jitter: 0)
        func expired(attempt: Int, dlq: String?) -> LeaseRescue.Expired {
            LeaseRescue.Expired(
                id: JobID(9), attempt: attempt, maxAttempts: 3, retryPolicy: policy, owner: "w2", startedAt: started, queue: "mail",
                deadLetterQueue: dlq)
        }
        let again = JobTransition(rescuing: expired(attempt: 1, dlq: nil), now: now)
        #expect(again.state == .scheduled && again.runAt == now.addingTimeInterval(30) && again.clearsOwner && again.owner == "w2")
        #expect(again.error?.attempt == nil && again.history?.outcome == "rescued")
        #expect(again.history?.errorMessage == "lease of worker w2 expired: the worker stopped heartbeating")
        #expect(JobTransition(rescuing: expired(attempt: 3, dlq: nil), now: now).moveToQueue == "mail-dlq")
        #expect(JobTransition(rescuing: expired(attempt: 3, dlq: "graveyard"), now: now).moveToQueue == "graveyard")
    }

    @Test("what applied transitions wake: only queues with a job that will run again")
    func wakes() {
        let applied = [
            AppliedTransition(id: JobID(1), queue: "a", state: .available), AppliedTransition(id: JobID(2), queue: "b", state: .succeeded),
            AppliedTransition(id: JobID(3), queue: "c", state: .scheduled),
        ]
        #expect(AppliedTransition.queuesToWake(applied) == ["a", "c"])
    }
}
