import ArgumentParser
import Foundation
import Steward

struct ScheduleCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "schedule", abstract: "Preview cron expressions; list, pause, resume and trigger schedules.",
        subcommands: [Preview.self])

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
                FileHandle.standardError.write(Data("Error: \(error)\n".utf8))
                throw ExitCode(2)
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
