// swift-tools-version: 6.1
// A Hummingbird web application on Steward (README.md): its own package, depending on Steward by
// path as your application depends on it by URL and version.
import Foundation
import PackageDescription

// A path dependency is known by its folder's name: "steward" in a clone made as the README says;
// read here so the example builds from a clone under any name. Your own package writes
// `package: "steward"`.
let steward = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../..")
    .standardizedFileURL.lastPathComponent.lowercased()

let package = Package(
    name: "hummingbird-app",
    platforms: [.macOS(.v15)],
    products: [.executable(name: "hummingbird-app", targets: ["HummingbirdApp"])],
    dependencies: [
        .package(path: "../.."),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
    ],
    targets: [
        .executableTarget(
            name: "HummingbirdApp",
            dependencies: [
                .product(name: "Steward", package: steward),
                .product(name: "StewardStores", package: steward),
                .product(name: "Hummingbird", package: "hummingbird"),
            ]
        )
    ]
)
