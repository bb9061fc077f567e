import Foundation
import PackagePlugin

/// Compiles the files in a target's `Resources/` folder into the target as string constants
/// (`EmbeddedResources.named["openapi.json"]`), so documents live as files (editable, diffable,
/// checked by their own tools) and still ship inside the one `steward` binary, with no resource
/// bundle to install beside it.
@main
struct EmbedResources: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: any Target) throws -> [Command] {
        let folder = target.directoryURL.appending(path: "Resources")
        let names = try FileManager.default.contentsOfDirectory(atPath: folder.path()).filter { !$0.hasPrefix(".") }.sorted()
        let inputs = names.map { folder.appending(path: $0) }
        let output = context.pluginWorkDirectoryURL.appending(path: "EmbeddedResources.swift")
        return [
            .buildCommand(
                displayName: "Embedding \(names.joined(separator: ", ")) in \(target.name)",
                executable: try context.tool(named: "steward-embed").url,
                arguments: [output.path()] + inputs.map { $0.path() },
                inputFiles: inputs,
                outputFiles: [output])
        ]
    }
}
