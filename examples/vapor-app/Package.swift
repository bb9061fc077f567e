// swift-tools-version: 6.1
// A Vapor web application on Steward (README.md): its own package, depending on Steward and on
// StewardVapor (Integrations/StewardVapor) by path.
import Foundation
import PackageDescription

// A path dependency is known by its folder's name: "steward" in a clone made as the README says;
// read here so the example builds from a clone under any name. Your own package writes
// `package: "steward"`.
let steward = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../..")
    .standardizedFileURL.lastPathComponent.lowercased()

let package = Package(
    name: "vapor-app",
    platforms: [.macOS(.v15)],
    products: [.executable(name: "vapor-app", targets: ["VaporApp"])],
    dependencies: [
        .package(path: "../.."),
        .package(path: "../../Integrations/StewardVapor"),
        .package(url: "https://github.com/vapor/vapor", from: "4.122.3"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
    ],
    targets: [
        .executableTarget(
            name: "VaporApp",
            dependencies: [
                .product(name: "Steward", package: steward),
                .product(name: "StewardStores", package: steward),
                .product(name: "StewardVapor", package: "StewardVapor"),
                .product(name: "Vapor", package: "vapor"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        )
    ]
)
