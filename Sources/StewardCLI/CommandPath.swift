import ArgumentParser
import Steward

/// The subcommands named by a command line, for error messages.
enum CommandPath {
    /// `["steward", "job", "enqueue"]` for `job enqueue x --queue q`.
    static func of(_ arguments: [String]) -> [String] {
        var path = ["steward"]
        var command: any ParsableCommand.Type = StewardCommand.self
        for word in arguments {
            guard let next = command.configuration.subcommands.first(where: { name(of: $0) == word }) else { break }
            path.append(word)
            command = next
        }
        return path
    }

    /// For a line whose first unknown word stands where a subcommand must: the nearest
    /// subcommand name, as `unknown subcommand 'statu' of 'steward job'; did you mean 'status'?`.
    static func suggestion(for arguments: [String]) -> String? {
        var command: any ParsableCommand.Type = StewardCommand.self
        var path = ["steward"]
        for word in arguments {
            let subcommands = command.configuration.subcommands
            guard !subcommands.isEmpty, !word.hasPrefix("-") else { return nil }
            if let next = subcommands.first(where: { name(of: $0) == word }) {
                command = next
                path.append(word)
                continue
            }
            let names = subcommands.map(name(of:))
            let guess = Spelling.didYouMean(word, in: names)
            return "unknown subcommand '\(word)' of '\(path.joined(separator: " "))'\(guess) (known: \(names.joined(separator: ", ")))"
        }
        return nil
    }

    static func name(of command: any ParsableCommand.Type) -> String {
        command.configuration.commandName ?? command._commandName
    }
}
