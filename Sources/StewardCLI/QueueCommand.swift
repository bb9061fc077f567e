import ArgumentParser
import Foundation
import Steward

struct QueueCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "queue", abstract: "Inspect, pause and resume queues.",
        subcommands: [Stats.self, List.self, Pause.self, Resume.self])

    struct Stats: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Counts by state, running jobs, the last minute's successes and failures, oldest wait.")

        @Argument(help: "The queue.") var name: String
        @Flag(help: "Print JSON.") var json = false
        @OptionGroup var storeOptions: StoreOptions

        func run() async throws {
            let s = try await storeOptions.with { try await QueueAdmin(store: $0).stats(name) }
            if json { return try printJSON(s) }
            print("queue \(s.queue)\(s.paused ? " (paused)" : "")")
            for state in JobState.allCases {
                print("  \(state.rawValue.padding(10)) \(s.counts[state.rawValue] ?? 0)")
            }
            print("  last minute: \(s.succeededLastMinute) succeeded, \(s.failedLastMinute) failed (error rate \(String(format: "%.1f", s.errorRate * 100))%)")
            print("  oldest waiting: \(s.oldestWaitingAgeSeconds.map(DurationParser.format) ?? "-")")
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List queues with waiting and running counts.")

        @Flag(help: "Print JSON.") var json = false
        @OptionGroup var storeOptions: StoreOptions

        func run() async throws {
            let queues = try await storeOptions.with { try await QueueAdmin(store: $0).list() }
            if json { return try printJSON(queues.map(QueueView.init)) }
            if queues.isEmpty { return print("no queues") }
            print("QUEUE".padding(24) + "WAITING".padding(9) + "RUNNING".padding(9) + "STATE")
            for q in queues {
                print(q.name.padding(24) + String(q.waiting).padding(9) + String(q.running).padding(9) + (q.paused ? "paused" : "active"))
            }
        }
    }

    struct Pause: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Stop every worker from starting jobs of a queue (persisted; survives restarts).")

        @Argument(help: "The queue.") var name: String
        @Flag(help: "Pause a queue that has no jobs or settings yet (otherwise an unknown name is an error).")
        var create = false
        @OptionGroup var storeOptions: StoreOptions

        func run() async throws {
            try await storeOptions.with { try await QueueAdmin(store: $0).pause(name, create: create) }
            print("queue \(name) paused")
        }
    }

    struct Resume: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Let workers start jobs of a paused queue again.")

        @Argument(help: "The queue.") var name: String
        @OptionGroup var storeOptions: StoreOptions

        func run() async throws {
            try await storeOptions.with { try await QueueAdmin(store: $0).resume(name) }
            print("queue \(name) resumed")
        }
    }
}
