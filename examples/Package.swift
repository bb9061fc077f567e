// swift-tools-version: 6.1
// Programs of your own on Steward, as a Steward user builds them: one package depending on
// Steward (here by path, to this repository), with two executables:
// - example-worker (worker/): registers the handlers of examples/workflows/*.yaml and of
//   billing.charge-card, and runs them on the store every `steward` command uses;
// - durable-orders (durable/): a durable code workflow (docs/durable.md), an order with
//   compensation, a sleep, an approval message and a child run;
// They share one package so they share one build. The web applications, hummingbird-app/ and
// vapor-app/ (routes that enqueue a typed job and read its status, the worker in the same process
// or in its own), are packages of their own, as a user copies one; this package names them so
// that CI builds them in its build too (`swift build --package-path examples --product vapor-app`).
import Foundation
import PackageDescription

// A path dependency is known by its folder's name: "steward" in a clone made as the README says;
// read here so the examples build from a clone under any name. Your own package writes
// `package: "steward"`.
let steward = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("..")
    .standardizedFileURL.lastPathComponent.lowercased()

let package = Package(
    name: "StewardExamples",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(path: ".."),
        .package(path: "hummingbird-app"),
        .package(path: "vapor-app"),
    ],
    targets: [
        .executableTarget(
            name: "example-worker",
            dependencies: [
                .product(name: "Steward", package: steward),
                .product(name: "StewardStores", package: steward),
            ],
            path: "worker/Sources/ExampleWorker"
        ),
        .executableTarget(
            name: "durable-orders",
            dependencies: [
                .product(name: "Steward", package: steward),
                .product(name: "StewardStores", package: steward),
            ],
            path: "durable/Sources/DurableOrders"
        ),
    ]
)
