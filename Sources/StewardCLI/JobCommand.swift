import ArgumentParser
import Foundation
import Steward

struct JobCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "job", abstract: "Enqueue, inspect, cancel and retry jobs.",
        subcommands: [Enqueue.self, Status.self, List.self, Cancel.self, Retry.self, History.self, Activity.self])

    struct Enqueue: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Enqueue a job by name; prints its id (with --wait, its result).",
            discussion: """
                --wait waits for the job to finish (woken by the store's finished-job events) and prints \
                its result, or with --json the job; exit 1 if it ended dead or cancelled, 3 if --wait-timeout \
                passed first (the job stays queued).
                """)

        @Argument(help: "The registered job name.") var name: String
        @Option(help: "The queue.") var queue = "default"
        @Option(help: "The job's parameters as JSON; @FILE reads a file, - reads standard input.") var payload = "{}"
        @Option(help: "Higher runs first.") var priority = 0
        @Option(help: "Run no earlier than this from now, e.g. 30s, 5m.") var delay: String?
        @Option(help: "Per-attempt timeout, e.g. 30s.") var timeout: String?
        @Option(help: "Total attempts for this job (overrides the queue's policy).") var maxAttempts: Int?
        @Option(name: .customLong("unique-key"), help: "While a job with this key is live, return it instead.") var uniqueKey: String?
        @Option(name: .customLong("meta"), help: "Metadata as key=value; repeatable.") var metadata: [String] = []
        @Option(
            help: ArgumentHelp(
                "Run only after these jobs finish (succeeded, dead or cancelled); comma-separated ids, repeatable.",
                valueName: "ID[,ID...]")) var after: [String] = []
        @Flag(help: "Wait for the job to finish and print its result.") var wait = false
        @Option(help: "With --wait: give up after this long (exit 3).") var waitTimeout = "30s"
        @Flag(help: "Print JSON.") var json = false
        @OptionGroup var storeOptions: StoreOptions

        func run() async throws {
            let waitFor = try parseDuration(waitTimeout, flag: "--wait-timeout")
            var meta: [String: String] = [:]
            for pair in metadata {
                let kv = pair.split(separator: "=", maxSplits: 1).map(String.init)
                guard kv.count == 2, !kv[0].isEmpty else { throw ValidationError("--meta: '\(pair)' is not key=value") }
                meta[kv[0]] = kv[1]
            }
            var parents: [JobID] = []
            for item in after.flatMap({ $0.split(separator: ",", omittingEmptySubsequences: false) }) {
                let text = item.trimmingCharacters(in: .whitespaces)
                guard let id = Int64(text), id > 0 else { throw ValidationError("--after: '\(text)' is not a job id") }
                parents.append(JobID(id))
            }
            let job = try EnqueueRequest(
                name: name, queue: queue, payload: try readPayload(payload), priority: priority,
                delay: try delay.map { try parseDuration($0, flag: "--delay") }, timeout: try timeout.map { try parseDuration($0, flag: "--timeout") },
                maxAttempts: maxAttempts, uniqueKey: uniqueKey, metadata: meta, after: parents
            ).newJob(now: Date())
            guard wait else {
                let result = try await storeOptions.with { try await JobAdmin(store: $0).enqueue([job])[0] }
                return json ? try printJSON(EnqueueView(result)) : print(result.id)
            }
            let outcome: Result<JobRecord, StewardError> = try await storeOptions.with { store in
                let id = try await JobAdmin(store: store).enqueue([job])[0].id
                do {
                    return .success(try await StewardClient(store: store).waitForResult(id, timeout: waitFor))
                } catch let error as StewardError {
                    switch error {
                    case .jobDidNotSucceed, .waitTimedOut: return .failure(error)
                    default: throw error
                    }
                }
            }
            switch outcome {
            case .success(let record):
                if json { return try printJSON(JobView(record)) }
                print(record.result ?? "null")
            case .failure(let error):
                FileHandle.standardError.write(Data("Error: \(error)\n".utf8))
                if case .waitTimedOut = error { throw ExitCode(3) }
                throw ExitCode(1)
            }
        }
    }

    struct Status: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show a job's state, attempts, progress and last error.")

        @Argument(help: "The job id.") var id: String
        @Flag(help: "Print JSON.") var json = false
        @OptionGroup var storeOptions: StoreOptions

        func run() async throws {
            let jobID = try parseJobID(id)
            let r = try await storeOptions.with { try await JobAdmin(store: $0).get(jobID) }
            if json { return try printJSON(JobView(r)) }
            print("job \(r.id)  \(r.name.printable)  queue=\(r.queue.printable)\(r.originalQueue.map { " (from \($0.printable))" } ?? "")")
            print("state:     \(r.state.rawValue) (attempt \(r.attempt)/\(r.maxAttempts), \(plural(r.retryCount, "retry", "retries")))")
            if r.state == .scheduled { print("runs at:   \(r.runAt.iso8601UTC)") }
            if !r.dependsOn.isEmpty {
                let shown = r.dependsOn.prefix(20).map { "\($0)" }.joined(separator: ", ")
                print("after:     \(shown)\(r.dependsOn.count > 20 ? " … (\(r.dependsOn.count) jobs)" : "")")
            }
            if let p = r.progress { print("progress:  \(describeProgress(p))") }
            if let e = r.lastError { print("error:     \(e.type.printable): \(e.message.printable) (attempt \(e.attempt))") }
            if let result = r.result { print("result:    \(result.printable)") }
            print("created:   \(r.createdAt.iso8601UTC)")
            if let f = r.finishedAt { print("finished:  \(f.iso8601UTC)") }
        }
    }

    /// `--queue`, `--state`, `--name`: which jobs a listing or a bulk action covers.
    struct FilterOptions: ParsableArguments {
        @Option(help: "Only this queue.") var queue: String?
        @Option(help: "Only this state: waiting, scheduled, available, running, succeeded, cancelled, dead.") var state: String?
        @Option(help: "Only jobs with this name.") var name: String?

        var isEmpty: Bool { queue == nil && state == nil && name == nil }

        func filter(limit: Int = 100) throws -> JobFilter {
            let parsedState: JobState?
            do { parsedState = try state.map(JobState.parse) } catch { throw ValidationError("--\(error)") }
            return JobFilter(queue: queue, state: parsedState, name: name, limit: limit)
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List jobs, newest first.")

        @OptionGroup var filterOptions: FilterOptions
        @Option(help: "At most this many.") var limit = 50
        @Option(help: "Only jobs with an id below this one (the next page: the last id shown).") var before: String?
        @Flag(help: "Only jobs waiting to retry (scheduled after a failed attempt).") var retrying = false
        @Flag(help: "Print JSON.") var json = false
        @OptionGroup var storeOptions: StoreOptions

        func run() async throws {
            guard limit >= 1 else { throw ValidationError("--limit: must be at least 1, got \(limit)") }
            var filter = try filterOptions.filter(limit: limit)
            filter.retrying = retrying
            filter.beforeID = try before.map(parseJobID)
            let jobs = try await storeOptions.with { try await JobAdmin(store: $0).list(filter) }
            if json { return try printJSON(jobs.map(JobView.init)) }
            if jobs.isEmpty { return print("no jobs") }
            print("ID".padding(8) + "STATE".padding(11) + "ATTEMPT".padding(9) + "QUEUE".padding(16) + "NAME")
            for j in jobs {
                print(
                    String(j.id.rawValue).padding(8) + j.state.rawValue.padding(11) + "\(j.attempt)/\(j.maxAttempts)".padding(9)
                        + j.queue.printable.padding(16) + j.name.printable)
            }
        }
    }

    struct Cancel: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Cancel a job, or every job matching --queue/--state/--name; a running one stops at its worker's next heartbeat.")

        @Argument(help: "The job id (or give a filter instead).") var id: String?
        @OptionGroup var filterOptions: FilterOptions
        @Flag(help: "Print JSON: the job, or {matched, changed, skipped} for a filter.") var json = false
        @OptionGroup var storeOptions: StoreOptions

        func run() async throws {
            switch try target(id, filterOptions) {
            case .one(let jobID):
                let r = try await storeOptions.with { try await JobAdmin(store: $0).cancel(jobID) }
                if json { return try printJSON(JobView(r)) }
                print("job \(r.id) \(r.state.rawValue)")
            case .matching(let filter):
                let result = try await storeOptions.with { try await JobAdmin(store: $0).cancelAll(filter) }
                if json { return try printJSON(result) }
                print("cancelled \(result.changed.count) of \(result.matched) matching jobs (\(result.skipped.count) had finished meanwhile)")
            }
        }
    }

    struct Retry: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run a dead or cancelled job again (or every one matching --queue/--state dead|cancelled/--name), on its original queue, with fresh attempts.")

        @Argument(help: "The job id (or give a filter with --state dead or cancelled instead).") var id: String?
        @OptionGroup var filterOptions: FilterOptions
        @Flag(help: "Print JSON: the job, or {matched, changed, skipped} for a filter.") var json = false
        @OptionGroup var storeOptions: StoreOptions

        func run() async throws {
            switch try target(id, filterOptions) {
            case .one(let jobID):
                let r = try await storeOptions.with { try await JobAdmin(store: $0).retry(jobID) }
                if json { return try printJSON(JobView(r)) }
                print("job \(r.id) \(r.state.rawValue) on queue \(r.queue)")
            case .matching(let filter):
                let result = try await storeOptions.with { try await JobAdmin(store: $0).retryAll(filter) }
                if json { return try printJSON(result) }
                print("retried \(result.changed.count) of \(result.matched) matching jobs (\(result.skipped.count) skipped)")
            }
        }
    }

    enum Target {
        case one(JobID)
        case matching(JobFilter)
    }

    /// One id or a filter, never both, never neither.
    static func target(_ id: String?, _ filter: FilterOptions) throws -> Target {
        switch (id, filter.isEmpty) {
        case (let id?, true): return .one(try parseJobID(id))
        case (nil, false): return .matching(try filter.filter(limit: 1_000))
        case (_?, false): throw ValidationError("give a job id or a filter (--queue, --state, --name), not both")
        case (nil, true): throw ValidationError("give a job id, or a filter (--queue, --state, --name) for every matching job")
        }
    }

    struct Activity: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Jobs running, enqueued, scheduled, retrying and dead over every queue; attempts today and per minute.")

        @Option(help: "Minutes of per-minute counts, the current one last (1 to 1440).") var minutes = 60
        @Flag(help: "Print JSON (the shape of GET /api/v1/activity).") var json = false
        @OptionGroup var storeOptions: StoreOptions

        func run() async throws {
            let window = minutes
            let a = try await storeOptions.with { try await JobAdmin(store: $0).activity(minutes: window) }
            if json { return try printJSON(a) }
            print("today (since \(a.dayStart)): \(a.processedToday) processed, \(a.failedToday) failed")
            print("now: \(a.running) running, \(a.enqueued) enqueued, \(a.scheduled) scheduled (\(a.retrying) retrying), \(a.dead) dead")
            let ok = a.minutes.reduce(0) { $0 + $1.succeeded }
            let failed = a.minutes.reduce(0) { $0 + $1.failed }
            print("last \(a.minutes.count) min: \(ok) succeeded, \(failed) failed")
        }
    }

    struct History: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show a job's finished attempts.")

        @Argument(help: "The job id.") var id: String
        @Flag(help: "Print JSON.") var json = false
        @OptionGroup var storeOptions: StoreOptions

        func run() async throws {
            let jobID = try parseJobID(id)
            let attempts = try await storeOptions.with { try await JobAdmin(store: $0).history(jobID) }
            if json { return try printJSON(attempts.map(AttemptView.init)) }
            if attempts.isEmpty { return print("no finished attempts") }
            // Lines are numbered in order; `job retry` starts the attempts again at 1, said once.
            var previous = 0
            for (n, a) in attempts.enumerated() {
                if a.attempt <= previous { print("-- job retried: its attempts start again") }
                previous = a.attempt
                let took = DurationParser.format(a.finishedAt.timeIntervalSince(a.startedAt))
                let err = a.error.map { "  \($0.type.printable): \($0.message.printable)" } ?? ""
                print(
                    "#\(n + 1)  attempt \(String(a.attempt).padding(3)) \(a.outcome.padding(10)) \(took.padding(8)) "
                        + "\(a.startedAt.iso8601UTC)  \(a.worker)\(err)")
            }
        }
    }
}

/// `--payload` as given: JSON text, `@FILE` (the file's contents) or `-` (standard input), so a
/// payload larger than a command line can hold still gets in.
func readPayload(_ argument: String) throws -> String {
    let data: Data
    if argument == "-" {
        data = FileHandle.standardInput.readDataToEndOfFile()
    } else if argument.hasPrefix("@") {
        let path = String(argument.dropFirst())
        guard let contents = FileManager.default.contents(atPath: path) else {
            throw ValidationError("--payload: cannot read '\(path)'")
        }
        data = contents
    } else {
        return argument
    }
    guard let text = String(data: data, encoding: .utf8) else { throw ValidationError("--payload: '\(argument)' is not UTF-8 text") }
    return text
}

func parseJobID(_ text: String) throws -> JobID {
    guard let id = JobID(text) else { throw ValidationError("job id: '\(text)' is not a job id (a positive integer)") }
    return id
}

extension String {
    func padding(_ width: Int) -> String {
        count >= width ? self + " " : self + String(repeating: " ", count: width - count)
    }
}
