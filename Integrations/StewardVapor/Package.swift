// swift-tools-version: 6.1
// StewardVapor: Steward in a Vapor application (README.md). A package of its own so that Vapor
// never enters the graph of Steward's package: only an application that wants it resolves Vapor.
import Foundation
import PackageDescription

// A path dependency is known by its folder's name ("steward" in a clone made as the README says).
let steward = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../..")
    .standardizedFileURL.lastPathComponent.lowercased()

let package = Package(
    name: "StewardVapor",
    platforms: [.macOS(.v15)],
    products: [.library(name: "StewardVapor", targets: ["StewardVapor"])],
    dependencies: [
        .package(path: "../.."),
        .package(url: "https://github.com/vapor/vapor", from: "4.122.3"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
    ],
    targets: [
        .target(
            name: "StewardVapor",
            dependencies: [
                .product(name: "Steward", package: steward),
                .product(name: "Vapor", package: "vapor"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        )
    ]
)
