import ArgumentParser
import Foundation
import Steward

struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "bench", abstract: "placeholder")
}
