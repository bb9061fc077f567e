// swift-tools-version: 6.1
import PackageDescription

let upcoming: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
]

let package = Package(
    name: "Steward",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "Steward", targets: ["Steward"]),
        .library(name: "StewardSQLite", targets: ["StewardSQLite"]),
        .library(name: "StewardPostgres", targets: ["StewardPostgres"]),
        .library(name: "StewardStores", targets: ["StewardStores"]),
        .library(name: "StoreConformance", targets: ["StoreConformance"]),
        .library(name: "StewardQuality", targets: ["StewardQuality"]),
        .library(name: "StewardConfig", targets: ["StewardConfig"]),
        .library(name: "StewardHTTP", targets: ["StewardHTTP"]),
        .library(name: "StewardAPIClient", targets: ["StewardAPIClient"]),
        .executable(name: "steward", targets: ["StewardCLI"]),
    ],
    // `swift build --traits OTLP`: `steward serve`/`worker` can export their spans over OTLP/HTTP
    // (swift-otel). Off by default: it adds swift-otel and swift-protobuf to the build.
    traits: [
        .trait(name: "OTLP", description: "Export traces over OTLP/HTTP with swift-otel (tracing.otlp_endpoint).")
    ],
    dependencies: [
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-distributed-tracing", from: "1.7.3"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-collections", from: "1.6.0"),
        .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.1", traits: ["MallocInterposer"]),
        // The HTTP API: Hummingbird without its swift-configuration trait (keeps the build lean).
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1", traits: ["FullFoundation"]),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        // Already built for postgres-nio (SCRAM); used for token hashes (StewardConfig).
        .package(url: "https://github.com/apple/swift-crypto", "3.12.3"..<"5.0.0"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
        // StewardAPIClient: the runtime of the code swift-openapi-generator wrote (committed;
        // scripts/generate-api-client), over async-http-client.
        .package(url: "https://github.com/apple/swift-openapi-runtime", from: "1.13.4"),
        .package(url: "https://github.com/swift-server/swift-openapi-async-http-client", from: "1.5.0"),
        // `swift package generate-documentation`: the DocC catalog in Sources/Steward/Steward.docc.
        .package(url: "https://github.com/swiftlang/swift-docc-plugin", from: "1.5.0"),
        // Only its OTLP/HTTP exporter (the gRPC one would add grpc-swift to the build).
        .package(url: "https://github.com/swift-otel/swift-otel", from: "1.6.0", traits: ["OTLPHTTP"]),
    ],
    targets: [
        // The vocabulary every module shares (JSON values, ids, states, the error type, clocks,
        // durations); depends on nothing of Steward. `import Steward` re-exports it.
        .target(name: "StewardSupport", swiftSettings: upcoming),
        .target(
            name: "Steward",
            dependencies: [
                "StewardSupport",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
                .product(name: "Instrumentation", package: "swift-distributed-tracing"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: upcoming
        ),
        .target(
            name: "StewardSQLite",
            dependencies: [
                "Steward",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
            ],
            swiftSettings: upcoming
        ),
        .target(
            name: "StewardPostgres",
            dependencies: [
                "Steward",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: upcoming
        ),
        // Store URL -> store, for every surface (CLI, HTTP API) that opens a store from configuration.
        .target(
            name: "StewardStores",
            dependencies: ["Steward", "StewardSQLite", "StewardPostgres"],
            swiftSettings: upcoming
        ),
        .target(
            name: "StewardQuality",
            dependencies: [
                "StewardSupport",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "HeapModule", package: "swift-collections"),
            ],
            swiftSettings: upcoming
        ),
        // The configuration files (serve, workflows, pipelines, monitors, checks) read from YAML
        // with file:line:column errors, and the jobs a file defines (http, shell, quality).
        .target(
            name: "StewardConfig",
            dependencies: [
                "Steward", "StewardQuality",
                .product(name: "Yams", package: "Yams"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            swiftSettings: upcoming
        ),
        // Documents kept as files (the OpenAPI document, the dashboard) compiled into a target.
        .executableTarget(name: "steward-embed", path: "Sources/steward-embed"),
        .plugin(name: "EmbedResources", capability: .buildTool(), dependencies: ["steward-embed"]),
        // `steward serve`: the HTTP API, auth, /metrics and the configuration file.
        .target(
            name: "StewardHTTP",
            dependencies: [
                "Steward", "StewardStores", "StewardQuality", "StewardConfig",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
                .product(name: "Instrumentation", package: "swift-distributed-tracing"),
            ],
            exclude: ["Resources"],
            swiftSettings: upcoming,
            plugins: ["EmbedResources"]
        ),
        // A typed HTTP client: code swift-openapi-generator wrote from StewardHTTP's openapi.json
        // (scripts/generate-api-client; committed, so no build runs the generator).
        .target(
            name: "StewardAPIClient",
            dependencies: [
                .product(name: "OpenAPIRuntime", package: "swift-openapi-runtime"),
                .product(name: "OpenAPIAsyncHTTPClient", package: "swift-openapi-async-http-client"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
            ],
            exclude: ["Generated/openapi.sha256"]
        ),
        .target(
            name: "StoreConformance",
            dependencies: ["Steward", .product(name: "Logging", package: "swift-log")],
            swiftSettings: upcoming
        ),
        .executableTarget(
            name: "StewardCLI",
            dependencies: [
                "Steward",
                "StewardSQLite",
                "StewardPostgres",
                "StewardStores",
                "StewardQuality",
                "StewardConfig",
                "StewardHTTP",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
                .product(name: "Instrumentation", package: "swift-distributed-tracing"),
                .product(name: "OTel", package: "swift-otel", condition: .when(traits: ["OTLP"])),
            ],
            swiftSettings: upcoming
        ),
        .testTarget(
            name: "StewardTests",
            dependencies: [
                "Steward", "StewardSQLite", "StewardPostgres", "StoreConformance", "StewardQuality", "StewardConfig", "StewardHTTP",
                "StewardAPIClient",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "MetricsTestKit", package: "swift-metrics"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "InMemoryTracing", package: "swift-distributed-tracing"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
                .product(name: "Instrumentation", package: "swift-distributed-tracing"),
            ],
            swiftSettings: upcoming
        ),
        // `swift package benchmark` (docs/benchmarks.md): micro-benchmarks of the scheduler.
        .executableTarget(
            name: "SchedulerBenchmarks",
            dependencies: [
                "Steward", "StewardSQLite", "StewardPostgres",
                .product(name: "Benchmark", package: "benchmark"),
            ],
            path: "Benchmarks/SchedulerBenchmarks",
            swiftSettings: upcoming,
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
    ],
    swiftLanguageModes: [.v6]
)
