import ArgumentParser
import Foundation
import Steward

struct ScheduleCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "schedule", abstract: "Preview cron expressions; list, pause, resume and trigger schedules.",
        subcommands: [Preview.self, List.self, Add.self, Update.self, Pause.self, Resume.self, Trigger.self, Remove.self])

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List stored schedules with their next run times.")

        @Flag(help: "Print JSON.") var json = false
        @OptionGroup var storeOptions: StoreOptions

        func run() async throws {
            let records = try await storeOptions.with { try await ScheduleAdmin(store: $0).list() }
            if json { return try printJSON(records.map(ScheduleView.init)) }
            if records.isEmpty { return print("no schedules") }
            printTable(
                ["NAME", "STATE", "TRIGGER", "NEXT", "LAST", "LAST JOB", "SKIPPED", "MISSED", "JOB -> QUEUE"],
                records.map(ScheduleView.init).map { r in
                    [
                        r.name, r.paused ? "paused" : "active", r.trigger, r.nextFireAt ?? "-", r.lastFireAt ?? "-",
                        r.lastJobID.map { "\($0)" } ?? "-", "\(r.skippedRuns)", "\(r.missedRuns)", "\(r.job) -> \(r.queue)",
                    ]
                })
        }
    }

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Store a schedule (or replace its definition) that any `steward worker --scheduler` fires.")

        @Argument(help: "The schedule's name.") var name: String
        @Option(help: "Cron expression (5 or 6 fields, or a macro).") var cron: String?
        @Option(help: "Time zone of --cron (default UTC).") var timezone: String?
        @Option(help: "Fire every this long instead of --cron (e.g. 30s, 5m).") var every: String?
        @Option(help: "With --every: random delay of up to this long per run.") var jitter: String?
        @Option(help: "Registered job name to enqueue.") var job: String
        @Option(help: "JSON parameters.") var payload = "{}"
        @Option(help: "Target queue.") var queue = "default"
        @Option(help: "Misfire policy: coalesce, skip, or catchup:N.") var misfire = "coalesce"
        @Option(help: "How late an instant may run before it counts as missed.") var misfireGrace = "60s"
        @Flag(help: "Skip an instant while the previous run is still queued or running.") var exclusive = false
        @Flag(help: "Print the stored schedule as JSON (the shape of schedule list --json).") var json = false
        @OptionGroup var storeOptions: StoreOptions

        func run() async throws {
            let trigger = try Schedule.Trigger.from(
                cron: cron, timeZone: timezone, every: try every.map { try parseDuration($0, flag: "--every") },
                jitter: try jitter.map { try parseDuration($0, flag: "--jitter") })
            let policy = try Schedule.MisfirePolicy.parse(misfire)
            let schedule = Schedule(
                name: name, trigger: trigger, job: ScheduledJob(name: job, payload: payload, queue: queue), misfire: policy,
                misfireGrace: try parseDuration(misfireGrace, flag: "--misfire-grace"), exclusive: exclusive)
            do { try schedule.validate() } catch { throw ValidationError("\(error)") }
            let stored = try await storeOptions.with { store in
                try await Scheduler(store: store, schedules: [schedule]).register()
                return ScheduleView(try await ScheduleAdmin(store: store).get(name))
            }
            if json { return try printJSON(stored) }
            print("schedule \(name) stored; next fire \(stored.nextFireAt ?? "-")")
        }
    }

    struct Update: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Change when a schedule fires, at run time: a new cron expression or interval (as PUT /api/v1/schedules/NAME).")

        @Argument(help: "The schedule.") var name: String
        @Option(help: "The new cron expression.") var cron: String?
        @Option(help: "Its time zone (default: the schedule's current zone, or UTC).") var timezone: String?
        @Option(help: "Fire every this long instead (e.g. 30s, 5m).") var every: String?
        @Option(help: "With --every: random delay of up to this long per run.") var jitter: String?
        @OptionGroup var storeOptions: StoreOptions

        func run() async throws {
            let every = try every.map { try parseDuration($0, flag: "--every") }
            let jitter = try jitter.map { try parseDuration($0, flag: "--jitter") }
            try await storeOptions.with { store in
                try await ScheduleAdmin(store: store).update(name, cron: cron, timeZone: timezone, every: every, jitter: jitter)
            }
            print("schedule \(name) updated")
        }
    }

    struct Pause: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Stop a schedule from firing until resumed.")
        @Argument(help: "The schedule.") var name: String
        @OptionGroup var storeOptions: StoreOptions

        func run() async throws {
            try await storeOptions.with { try await ScheduleAdmin(store: $0).pause(name) }
            print("schedule \(name) paused")
        }
    }

    struct Resume: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Resume a paused schedule from its next instant.")
        @Argument(help: "The schedule.") var name: String
        @OptionGroup var storeOptions: StoreOptions

        func run() async throws {
            try await storeOptions.with { try await ScheduleAdmin(store: $0).resume(name) }
            print("schedule \(name) resumed")
        }
    }

    struct Remove: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Delete a stored schedule (its enqueued jobs stay).")
        @Argument(help: "The schedule.") var name: String
        @OptionGroup var storeOptions: StoreOptions

        func run() async throws {
            try await storeOptions.with { try await ScheduleAdmin(store: $0).remove(name) }
            print("schedule \(name) removed")
        }
    }

    struct Trigger: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Enqueue a schedule's job now, outside its timetable.")
        @Argument(help: "The schedule.") var name: String
        @Flag(help: "Print the enqueued job as JSON: {\"id\", \"state\", \"duplicate\"} (as job enqueue --json).") var json = false
        @OptionGroup var storeOptions: StoreOptions

        func run() async throws {
            let result = try await storeOptions.with { try await ScheduleAdmin(store: $0).trigger(name) }
            if json { return try printJSON(EnqueueView(result)) }
            print("schedule \(name) triggered: job \(result.id)")
        }
    }

    struct Preview: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print the next fire instants of a cron expression (exit code 2 if it is invalid).")

        @Argument(help: "A cron expression: 5 fields, 6 with seconds first, or a macro such as @daily.")
        var expression: String
        @Option(help: "IANA time zone the expression is read in.") var timezone = "UTC"
        @Option(help: "Start after this instant (ISO 8601); default now.") var from: String?
        @Option(help: "How many instants.") var count = 10
        @Flag(help: "Print JSON: {\"next\": [...]}.") var json = false

        func run() async throws {
            guard let zone = TimeZone(identifier: timezone) else {
                throw ValidationError("--timezone: unknown time zone '\(timezone)' (use an IANA name such as Europe/Berlin)")
            }
            guard count >= 1, count <= 10_000 else { throw ValidationError("--count: must be 1-10000, got \(count)") }
            var start = Date()
            if let from {
                guard let parsed = parseInstant(from) else {
                    throw ValidationError("--from: '\(from)' is not an ISO 8601 instant (e.g. 2026-03-08T00:00:00Z)")
                }
                start = parsed
            }
            let cron: CronExpression
            do {
                cron = try CronExpression(expression)
            } catch {
                throw ValidationError("\(error)")
            }
            let next = cron.nextFires(after: start, in: zone, count: count).map { $0.iso8601(in: zone) }
            if json {
                struct Out: Encodable { var next: [String] }
                return try printJSON(Out(next: next))
            }
            for instant in next { print(instant) }
        }
    }
}

/// ISO 8601 with a zone offset or `Z`, with or without fractional seconds.
func parseInstant(_ text: String) -> Date? {
    let plain = ISO8601DateFormatter()
    if let d = plain.date(from: text) { return d }
    let fractional = ISO8601DateFormatter()
    fractional.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
    return fractional.date(from: text)
}
