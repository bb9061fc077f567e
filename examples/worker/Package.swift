// swift-tools-version: 6.1
// A worker of your own, as a Steward user builds it: its own package, depending on Steward (here
// by path, to this repository). It registers the handlers of examples/workflows/*.yaml and of
// billing.charge-card, and runs them on the store every `steward` command uses.
import Foundation
import PackageDescription

// A path dependency is known by its folder's name: "steward" in a clone made as the README says;
// read here so the example builds from a clone under any name. Your own package writes
// `package: "steward"`.
let steward = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../..")
    .standardizedFileURL.lastPathComponent.lowercased()

let package = Package(
    name: "ExampleWorker",
    platforms: [.macOS(.v15)],
    dependencies: [.package(path: "../..")],
    targets: [
        .executableTarget(
            name: "example-worker",
            dependencies: [
                .product(name: "Steward", package: steward),
                .product(name: "StewardStores", package: steward),
            ],
            path: "Sources/ExampleWorker"
        )
    ]
)
