import ArgumentParser
import Foundation
import Logging
import Steward
import StewardConfig
import StewardStores

@main
struct StewardCommand: AsyncParsableCommand {
    /// Parses and runs a command with Steward's exit codes (docs/guide.md): 0 done, 1 failed,
    /// 2 invalid input (a bad value, config or name), 64 usage (unknown flag or subcommand,
    /// missing argument); a usage error on a mistyped subcommand suggests the nearest one.
    static func main() async {
        let arguments = Array(CommandLine.arguments.dropFirst())
        let command: any ParsableCommand
        do {
            command = try parseAsRoot(arguments)
        } catch {
            if let hint = CommandPath.suggestion(for: arguments) {
                FileHandle.standardError.write(Data("Error: \(hint)\n".utf8))
                Foundation.exit(ExitCode.validationFailure.rawValue)
            }
            exit(withError: error)
        }
        do {
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                var syncCommand = command
                try syncCommand.run()
            }
        } catch {
            let path = CommandPath.of(arguments).joined(separator: " ")
            switch error {
            case let error as ValidationError:
                fail("\(error.message)", code: 2, help: path)
            // A malformed value points at --help; an unknown name is said plainly; a wrong state
            // (a job or run that cannot be cancelled or retried now, an execution finished
            // twice) is a failure (1, as HTTP's 409), never a usage hint.
            case let error as StewardError:
                guard error.isInvalidInput else { fail("\(error)", code: 1) }
                if case .invalidArgument(let field, let message) = error {
                    fail(CLIFlags.naming(message, field: field, command: path), code: 2, help: path)
                }
                fail("\(error)", code: 2)
            case let error as ConfigFileError:
                fail("\(error)", code: 2)
            case let error as PipelineError:
                // Unknown names and ids and a cycle are about the input; finishing twice is a state.
                if case .alreadyFinished = error { fail("\(error)", code: 1) }
                // A bad value names the flag it came from (`pipeline finish --at`).
                if case .invalid(let field?, _) = error {
                    fail(CLIFlags.naming("\(error)", field: field, command: path), code: 2, help: path)
                }
                fail("\(error)", code: 2)
            case is ExitCode, is CleanExit:
                exit(withError: error)
            // `--help` and `help` run ArgumentParser's help command, which answers with its own
            // (internal) error type: ArgumentParser prints the help and exits 0.
            case _ where String(reflecting: type(of: error)).hasPrefix("ArgumentParser."):
                exit(withError: error)
            default:
                fail("\(error)", code: 1)
            }
        }
    }

    /// Prints `Error: message` (and, for a mistake in the command line, where to read about the
    /// command) and exits.
    static func fail(_ message: String, code: Int32, help path: String? = nil) -> Never {
        var text = "Error: \(message)\n"
        if let path { text += "  See '\(path) --help' for more information.\n" }
        FileHandle.standardError.write(Data(text.utf8))
        Foundation.exit(code)
    }

    static let configuration = CommandConfiguration(
        commandName: "steward",
        abstract: "Durable background jobs for Swift: queues, workers and their store.",
        version: "0.1.0",
        subcommands: [
            DemoCommand.self, JobCommand.self, QueueCommand.self, WorkerCommand.self, MigrateCommand.self,
            BenchCommand.self, ScheduleCommand.self, WorkflowCommand.self, PipelineCommand.self, DatasetCommand.self, LineageCommand.self, QualityCommand.self, ServeCommand.self, ConfigCommand.self, TokenCommand.self, BackupCommand.self,
        ]
    )
}

/// Where the jobs live; shared by every command that touches the store.
struct StoreOptions: ParsableArguments {
    @Option(
        name: .long,
        help: ArgumentHelp(
            "Store URL: sqlite:PATH (optionally ?synchronous=full). Default: $STEWARD_STORE or sqlite:./steward.db",
            valueName: "url"))
    var store: String?

    var url: String { store ?? Self.defaultURL }

    /// The store when no `--store` is given: `$STEWARD_STORE`, else `sqlite:./steward.db`.
    static var defaultURL: String { ProcessInfo.processInfo.environment["STEWARD_STORE"] ?? "sqlite:./steward.db" }

    /// Opens and migrates the store.
    func open() async throws -> any StewardStore {
        let store = try StoreFactory.open(url)
        try await store.migrate()
        return store
    }

    /// Opens the store, runs `body` with it and closes it, also when `body` throws.
    func with<T>(_ body: (any StewardStore) async throws -> T) async throws -> T {
        let store = try await open()
        do {
            let value = try await body(store)
            try await store.close()
            return value
        } catch {
            try? await store.close()
            throw error
        }
    }
}

struct LoggingOptions: ParsableArguments {
    @Option(name: .long, help: "Log level: trace, debug, info, notice, warning, error, critical (default: $STEWARD_LOG_LEVEL).")
    var logLevel: String?
    @Option(name: .long, help: "Log lines as text or json (one object per line, for log shippers).")
    var logFormat: String = "text"

    func bootstrap(default level: Logger.Level) throws {
        let chosen: Logger.Level
        if let text = logLevel ?? ProcessInfo.processInfo.environment["STEWARD_LOG_LEVEL"] {
            guard let parsed = Logger.Level(rawValue: text.lowercased()) else {
                throw ValidationError("--log-level: '\(text)' is not a level (trace, debug, info, notice, warning, error, critical)")
            }
            chosen = parsed
        } else {
            chosen = level
        }
        guard let format = StewardLogHandler.Format(rawValue: logFormat.lowercased()) else {
            throw ValidationError("--log-format: '\(logFormat)' is not text or json")
        }
        LoggingSystem.bootstrap { label in StewardLogHandler(label: label, format: format, logLevel: chosen) }
    }
}

struct MigrateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate", abstract: "Create or upgrade the store's schema.")

    @OptionGroup var storeOptions: StoreOptions

    func run() async throws {
        try await storeOptions.with { _ in }
        print("migrated \(StoreURL.redacted(storeOptions.url))")
    }
}

/// Turns a `--duration`-style argument into a `Duration`, reporting the flag on error.
func parseDuration(_ text: String, flag: String) throws -> Duration {
    do {
        return try DurationParser.parse(text, field: flag)
    } catch {
        throw ValidationError("\(error)")
    }
}

/// The flags that carry the library's fields, per command: an error naming a field (the
/// library's, as the HTTP API answers it) is printed naming the flag the user typed.
enum CLIFlags {
    static let byCommand: [String: [String: String]] = [
        "steward job enqueue": [
            "queue": "--queue", "payload": "--payload", "priority": "--priority", "delay": "--delay", "timeout": "--timeout",
            "max_attempts": "--max-attempts", "retry.maxAttempts": "--max-attempts", "unique_key": "--unique-key", "metadata": "--meta",
            "after": "--after",
        ],
        "steward schedule add": [
            "cron": "--cron", "timezone": "--timezone", "every": "--every", "jitter": "--jitter", "misfire": "--misfire",
        ],
        "steward schedule update": ["cron": "--cron", "timezone": "--timezone", "every": "--every", "jitter": "--jitter"],
        "steward job activity": ["minutes": "--minutes"],
        "steward job list": ["retrying": "--retrying"],
        "steward pipeline finish": [
            "status": "--status", "at": "--at", "inserted": "--inserted", "updated": "--updated", "deleted": "--deleted",
        ],
    ]

    /// `message` with its leading `field:` spelled as the command's flag, when it has one.
    static func naming(_ message: String, field: String?, command path: String) -> String {
        guard let field, let flag = byCommand[path]?[field], message.hasPrefix(field + ": ") else { return message }
        return flag + message.dropFirst(field.count)
    }
}
