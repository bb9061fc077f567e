import Foundation
import Testing

/// Every code sample of the DocC catalogs (`Sources/Steward/Steward.docc` and the store products')
/// typechecks against the modules this build made: an article's ```swift blocks, in order, as one
/// `main.swift`.
@Suite("DocC samples")
struct DocCSamplesTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    /// The build's bin folder: `swift test` runs the test bundle from it.
    static let bin = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()

    /// The Swift blocks of `markdown`, joined.
    static func samples(_ markdown: String) -> String {
        var out: [String] = []
        var inside = false
        for line in markdown.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("```") {
                inside = !inside && line.hasPrefix("```swift")
                continue
            }
            if inside { out.append(String(line)) }
        }
        return out.joined(separator: "\n")
    }

    /// `swiftc -typecheck` of `source` with the build's modules (and the module maps of its C
    /// targets); the compiler's diagnostics, empty when it is clean.
    static func typecheck(_ source: String) throws -> (status: Int32, output: String) {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("steward-docc-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("main.swift")
        try source.write(to: file, atomically: true, encoding: .utf8)
        var maps: [String] = []
        let fm = FileManager.default
        // Module maps SwiftPM wrote for C targets of this build (not the plugin tools' copies) …
        for name in try fm.contentsOfDirectory(atPath: bin.path) where name.hasSuffix(".build") && !name.hasSuffix("-tool.build") {
            let map = bin.appendingPathComponent(name).appendingPathComponent("module.modulemap").path
            if fm.fileExists(atPath: map) { maps.append(map) }
        }
        // … and those C targets ship themselves.
        let checkouts = root.appendingPathComponent(".build/checkouts")
        if let walk = fm.enumerator(atPath: checkouts.path) {
            while let path = walk.nextObject() as? String {
                if path.hasSuffix("include/module.modulemap") && path.contains("/Sources/") || path.hasSuffix("Sources/GRDBSQLite/module.modulemap") {
                    maps.append(checkouts.appendingPathComponent(path).path)
                }
            }
        }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["swiftc", "-typecheck", "-swift-version", "6", "-I", bin.appendingPathComponent("Modules").path]
            + Set(maps).sorted().flatMap { ["-Xcc", "-fmodule-map-file=" + $0] } + [file.path]
        let pipe = Pipe()
        p.standardOutput = pipe
        p.standardError = pipe
        try p.run()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        return (p.terminationStatus, output)
    }

    /// Every article, as a path from the package root.
    static let articles: [String] = ["Steward", "StewardSQLite", "StewardPostgres"].flatMap { target -> [String] in
        let dir = "Sources/\(target)/\(target).docc"
        let names = (try? FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent(dir).path)) ?? []
        return names.filter { $0.hasSuffix(".md") }.sorted().map { dir + "/" + $0 }
    }

    static func text(_ article: String) throws -> String {
        try String(contentsOf: root.appendingPathComponent(article), encoding: .utf8)
    }

    @Test("each article's samples typecheck with no error or warning", arguments: articles)
    func article(_ path: String) throws {
        let source = Self.samples(try Self.text(path))
        guard !source.isEmpty else { return }  // Steward's landing page lists topics only
        let (status, output) = try Self.typecheck(source)
        #expect(status == 0 && output.isEmpty, "\(path):\n\(output)")
    }

    @Test("the catalogs have their articles with samples (nine for Steward, one per store), and the check fails a sample that does not compile")
    func harness() throws {
        let withSamples = try Self.articles.filter { !Self.samples(try Self.text($0)).isEmpty }
        #expect(withSamples.filter { $0.hasPrefix("Sources/Steward/") }.count == 9, "\(withSamples)")
        #expect(withSamples.count == 11, "\(withSamples)")
        let broken = try Self.typecheck("import Steward\nlet registry = JobRegistry()\nregistry.register(NoSuchJob.self)\n")
        #expect(broken.status != 0 && broken.output.contains("NoSuchJob"), "\(broken)")
    }
}
