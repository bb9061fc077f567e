import ArgumentParser
import Foundation
import Steward
import StewardConfig
import StewardQuality

struct QualityCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "quality", abstract: "Run data-quality monitors over CSV / JSON Lines streams (see docs/quality.md).",
        subcommands: [Run.self, Validate.self, Check.self, Report.self])

    /// Loads a config, printing `file:line:column: message` and exiting 2 when it is wrong.
    static func load(_ path: String) throws -> QualityConfigFile {
        do {
            return try QualityConfigFile.load(path: path)
        } catch {
            FileHandle.standardError.write(Data("Error: \(error)\n".utf8))
            throw ExitCode(2)
        }
    }

    struct Check: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check a whole dataset: completeness, accuracy, consistency (exit 1 when a check fails, 2 on a bad config).",
            discussion: "The configuration's `checks:` (docs/quality.md). The input is streamed (CSV with a header row, or JSON Lines).")

        @Argument(help: "The YAML configuration with a `checks` section.") var config: String
        @Option(help: "The check to run (needed when the file has several).") var check: String?
        @Option(help: "Read this file instead of the check's source.") var input: String?
        @Flag(help: "Print JSON.") var json = false
        @OptionGroup var storeOptions: StoreOptions

        func run() async throws {
            let checks = try BatchCheck.load(path: config)
            let chosen: BatchCheck
            if let check {
                guard let c = checks.first(where: { $0.name == check }) else {
                    throw ValidationError("--check: '\(check)' is not in \(config) (checks: \(checks.map(\.name).joined(separator: ", ")))")
                }
                chosen = c
            } else {
                guard checks.count == 1 else {
                    throw ValidationError("--check: \(config) has \(checks.count) checks (\(checks.map(\.name).joined(separator: ", "))); name one")
                }
                chosen = checks[0]
            }
            // Every run is stored (`steward quality report` compares them).
            let result = try await storeOptions.with { try await BatchCheckHistory.runAndRecord(chosen, input: input, store: $0) }
            if json {
                try printJSON(result)
            } else {
                func pct(_ x: Double) -> String { String(format: "%.2f %%", x * 100) }
                func mark(_ ok: Bool) -> String { ok ? "passed" : "FAILED" }
                print("check \(chosen.name): \(result.records) records, overall score \(String(format: "%.4f", result.overallScore))")
                print("  completeness  \(pct(result.completeness.overall))  \(mark(result.completeness.passed))")
                for (f, c) in result.completeness.fields.sorted(by: { $0.key < $1.key }) { print("    \(f.printable): \(c.complete) complete (\(pct(c.rate)))") }
                print("  accuracy      \(pct(result.accuracy.rate))  \(mark(result.accuracy.passed)), \(result.accuracy.issues) issues")
                for e in result.accuracy.examples { print("    \(e.printable)") }
                print("  consistency   \(pct(result.consistency.rate))  \(mark(result.consistency.passed)), \(result.consistency.issues) issues")
                for e in result.consistency.examples { print("    \(e.printable)") }
                if !result.missingFields.isEmpty {
                    print("  missing fields (in no record): \(result.missingFields.map(\.printable).joined(separator: ", "))  FAILED")
                }
            }
            if !result.passedAll { throw ExitCode(1) }
        }
    }

    struct Report: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "A batch check's latest stored run, the change of each rate since the run before, the number of runs and their average score.")

        @Argument(help: "The check's name.") var name: String
        @Option(help: "Only the last N runs count (default: all).") var last: Int?
        @Flag(help: "Print JSON.") var json = false
        @OptionGroup var storeOptions: StoreOptions

        func run() async throws {
            if let last, !(1...1_000_000).contains(last) { throw ValidationError("--last: \(last) is outside 1...1000000") }
            guard let report = try await storeOptions.with({ try await BatchCheckHistory.report(check: name, last: last, store: $0) }) else {
                throw ValidationError("check '\(name)' has no stored runs (run `steward quality check` first)")
            }
            if json { return try printJSON(report) }
            func pct(_ x: Double) -> String { String(format: "%.2f %%", x * 100) }
            func delta(_ x: Double?) -> String { x.map { String(format: "%+.2f pp", $0 * 100) } ?? "(first run)" }
            let l = report.latest
            print("check \(name): \(plural(report.runs, "run", "runs")), average score \(String(format: "%.4f", report.averageScore))")
            print("  latest  \(l.at.iso8601UTC), \(l.records) records, score \(String(format: "%.4f", l.overallScore)), \(l.passedAll ? "passed" : "FAILED")")
            print("  completeness  \(pct(l.completeness))  \(delta(report.change.completeness))")
            print("  accuracy      \(pct(l.accuracy))  \(delta(report.change.accuracy))")
            print("  consistency   \(pct(l.consistency))  \(delta(report.change.consistency))")
        }
    }

    struct Validate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Check a configuration without reading data (exit 2 if wrong).")
        @Argument(help: "The YAML configuration.") var config: String

        func run() async throws {
            let c = try QualityCommand.load(config)
            do {
                _ = try c.makeMonitor(sink: { _ in nil })
            } catch {
                FileHandle.standardError.write(Data("Error: \(config): \(error)\n".utf8))
                throw ExitCode(2)
            }
            print("\(config): ok (\(c.sources.count) sources, \(c.tasks.count) tasks)")
        }
    }

    struct Run: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run a monitor: one JSON Lines file per task in --output, a summary at the end.",
            discussion: """
                Exit codes: 0 done; 1 a non-critical task failed; 2 configuration error; 3 a critical task \
                stopped the monitor; 4 with --fail-on-check, an assessment failed.
                """)

        @Argument(help: "The YAML configuration.") var config: String
        @Option(name: .customLong("source"), help: "Read a source from another path: NAME=PATH (- is stdin).")
        var sources: [String] = []
        @Option(help: "Directory for <task>.jsonl.") var output = "quality-output"
        @Flag(help: "Keep reading files as they grow (until Ctrl-C).") var follow = false
        @Flag(help: "Exit 4 when any assessment failed.") var failOnCheck = false

        func run() async throws {
            let c = try QualityCommand.load(config)
            var overrides: [String: String] = [:]
            for s in sources {
                let parts = s.split(separator: "=", maxSplits: 1).map(String.init)
                guard parts.count == 2, c.sources.contains(where: { $0.name == parts[0] }) else {
                    FileHandle.standardError.write(
                        Data("--source: '\(s)' is not NAME=PATH with a declared source (\(c.sources.map(\.name).joined(separator: ", ")))\n".utf8))
                    throw ExitCode(2)
                }
                overrides[parts[0]] = parts[1]
            }
            try FileManager.default.createDirectory(atPath: output, withIntermediateDirectories: true)
            let monitor: QualityMonitor
            do {
                monitor = try c.makeMonitor(
                    overrides: overrides, follow: follow,
                    sink: { task in try JSONLFileSink(path: URL(fileURLWithPath: output).appendingPathComponent("\(task).jsonl").path) },
                    rejectSink: { task in
                        try JSONLFileSink(path: URL(fileURLWithPath: output).appendingPathComponent("\(task).rejected.jsonl").path)
                    })
            } catch let e as QualityError {
                if case .config = e {
                    FileHandle.standardError.write(Data("Error: \(config): \(e)\n".utf8))
                    throw ExitCode(2)
                }
                FileHandle.standardError.write(Data("Error: \(e)\n".utf8))
                throw ExitCode(1)
            }
            let interactive = isatty(STDERR_FILENO) == 1
            let running = Task { try await monitor.run() }
            let progress = Task {
                while interactive, !Task.isCancelled {
                    try? await Task.sleep(for: .milliseconds(250))
                    let s = monitor.status()
                    let read = s.tasks.map(\.recordsRead).max() ?? 0
                    let windows = s.tasks.map(\.windowsEmitted).reduce(0, +)
                    FileHandle.standardError.write(Data("\r\u{1B}[2K[quality] \(read) records, \(windows) windows".utf8))
                }
            }
            let interrupt = DispatchSource.makeSignalSource(signal: SIGINT, queue: .main)
            signal(SIGINT, SIG_IGN)
            interrupt.setEventHandler { running.cancel() }
            interrupt.resume()
            var critical: CriticalTaskFailure? = nil
            do {
                try await running.value
            } catch let e as CriticalTaskFailure {
                critical = e
            }
            progress.cancel()
            if interactive { FileHandle.standardError.write(Data("\r\u{1B}[2K".utf8)) }
            let status = monitor.status()
            print("task                     records    windows  failed checks  late dropped  schema errors  state")
            for t in status.tasks {
                print(
                    "\(t.name.padding(24)) \(String(t.recordsRead).leftPad(8)) \(String(t.windowsEmitted).leftPad(10)) "
                        + "\(String(t.failedAssessments).leftPad(14)) \(String(t.lateRecordsDropped).leftPad(13)) "
                        + "\(String(t.schemaErrors).leftPad(14))  \(t.state.rawValue)"
                        + (t.lastError.map { "  (\($0))" } ?? ""))
            }
            print("output: \(output)/<task>.jsonl")
            if let critical {
                FileHandle.standardError.write(Data("Error: \(critical)\n".utf8))
                throw ExitCode(3)
            }
            if status.tasks.contains(where: { $0.state == .failed }) { throw ExitCode(1) }
            if failOnCheck, status.tasks.contains(where: { $0.failedAssessments > 0 }) { throw ExitCode(4) }
        }
    }
}

extension String {
    func leftPad(_ width: Int) -> String { count >= width ? self : String(repeating: " ", count: width - count) + self }
}
