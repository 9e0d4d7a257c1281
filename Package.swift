// swift-tools-version:6.2
import PackageDescription

let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
]

let package = Package(
    name: "Briefings",
    platforms: [.macOS(.v15), .iOS(.v18)],
    products: [
        .library(name: "BriefingModel", targets: ["BriefingModel"]),
        .library(name: "BriefingStore", targets: ["BriefingStore"]),
        .library(name: "SyncAPI", targets: ["SyncAPI"]),
        .library(name: "SyncClient", targets: ["SyncClient"]),
        .library(name: "BriefingIngest", targets: ["BriefingIngest"]),
        .library(name: "SyncServerCore", targets: ["SyncServerCore"]),
        .library(name: "SyncServerPostgres", targets: ["SyncServerPostgres"]),
        .executable(name: "briefing", targets: ["briefing"]),
        .executable(name: "briefing-server", targets: ["briefing-server"]),
        .executable(name: "briefing-sim", targets: ["briefing-sim"]),
        .executable(name: "briefing-bench", targets: ["briefing-bench"]),
    ],
    dependencies: [
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-crypto", "3.12.3"..<"5.0.0"),
        .package(url: "https://github.com/apple/swift-openapi-generator", from: "1.14.3"),
        .package(url: "https://github.com/apple/swift-openapi-runtime", from: "1.13.4"),
        .package(url: "https://github.com/apple/swift-openapi-urlsession", from: "1.4.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-auth", from: "2.5.0"),
        .package(url: "https://github.com/hummingbird-project/swift-openapi-hummingbird", from: "2.1.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-extras", from: "1.35.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/swift-server/swift-openapi-async-http-client", from: "1.5.0"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
    ],
    targets: [
        // MARK: Code an app embeds

        .systemLibrary(
            name: "CZlib",
            path: "Sources/CZlib",
            providers: [.apt(["zlib1g-dev"])]
        ),
        .target(
            name: "Gzip",
            dependencies: ["CZlib"],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "BriefingModel",
            swiftSettings: swiftSettings
        ),
        .target(
            name: "BriefingLogging",
            dependencies: [.product(name: "Logging", package: "swift-log")],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "BriefingStore",
            dependencies: [
                "BriefingModel",
                .product(name: "GRDB", package: "GRDB.swift"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "SyncAPI",
            dependencies: [
                "BriefingModel",
                .product(name: "OpenAPIRuntime", package: "swift-openapi-runtime"),
            ],
            swiftSettings: swiftSettings,
            plugins: [.plugin(name: "OpenAPIGenerator", package: "swift-openapi-generator")]
        ),
        .target(
            name: "SyncClient",
            dependencies: [
                "BriefingModel", "BriefingStore", "SyncAPI", "Gzip",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "OpenAPIRuntime", package: "swift-openapi-runtime"),
                // The HTTP client: URLSession on Apple's systems; on Linux, where URLSession
                // spins while it waits, the server-side Swift HTTP client.
                .product(name: "OpenAPIURLSession", package: "swift-openapi-urlsession", condition: .when(platforms: [.macOS, .iOS])),
                .product(
                    name: "OpenAPIAsyncHTTPClient", package: "swift-openapi-async-http-client", condition: .when(platforms: [.linux])),
                .product(name: "AsyncHTTPClient", package: "async-http-client", condition: .when(platforms: [.linux])),
                .product(name: "NIOCore", package: "swift-nio", condition: .when(platforms: [.linux])),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "BriefingCLI",
            dependencies: [
                "BriefingModel", "BriefingStore", "SyncClient",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "briefing",
            dependencies: [
                "BriefingCLI", "BriefingLogging",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),

        // MARK: The conflict-resolution lab

        .target(
            name: "SimulationLab",
            dependencies: [
                "BriefingModel", "BriefingStore", "SyncAPI", "SyncClient", "SyncServerCore", "SyncServerPostgres", "BriefingServer", "Gzip",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Yams", package: "Yams"),
                .product(name: "OpenAPIRuntime", package: "swift-openapi-runtime"),
                .product(name: "OpenAPIURLSession", package: "swift-openapi-urlsession"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "Benchmarks",
            dependencies: [
                "BriefingModel", "BriefingStore", "SyncAPI", "SyncClient", "SyncServerCore", "SyncServerPostgres", "BriefingServer", "Gzip",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "OpenAPIRuntime", package: "swift-openapi-runtime"),
                .product(name: "OpenAPIURLSession", package: "swift-openapi-urlsession"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "briefing-bench",
            dependencies: [
                "Benchmarks", "BriefingCLI", "BriefingServer",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "briefing-sim",
            dependencies: [
                "SimulationLab", "BriefingServer",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: swiftSettings
        ),

        // MARK: The sync server

        .systemLibrary(
            name: "CLibXML2",
            path: "Sources/CLibXML2",
            pkgConfig: "libxml-2.0",
            providers: [.apt(["libxml2-dev"])]
        ),
        .target(
            name: "BriefingIngest",
            dependencies: ["BriefingModel", "CLibXML2"],
            path: "SyncServer/Sources/BriefingIngest",
            swiftSettings: swiftSettings
        ),
        .target(
            name: "SyncServerCore",
            dependencies: [
                "BriefingModel", "BriefingIngest",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "HummingbirdBcrypt", package: "hummingbird-auth"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            path: "SyncServer/Sources/SyncServerCore",
            resources: [.copy("DemoContent"), .copy("Gazetteer")],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "SyncServerPostgres",
            dependencies: [
                "BriefingModel", "SyncServerCore",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "_ConnectionPoolModule", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
            ],
            path: "SyncServer/Sources/SyncServerPostgres",
            swiftSettings: swiftSettings
        ),
        .target(
            name: "BriefingServer",
            dependencies: [
                "BriefingModel", "BriefingIngest", "SyncServerCore", "SyncServerPostgres", "SyncAPI", "Gzip",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "OpenAPIHummingbird", package: "swift-openapi-hummingbird"),
                .product(name: "OpenAPIRuntime", package: "swift-openapi-runtime"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ],
            path: "SyncServer/Sources/BriefingServer",
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "briefing-server",
            dependencies: [
                "BriefingServer", "BriefingLogging", "BriefingModel",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "SyncServer/Sources/briefing-server",
            swiftSettings: swiftSettings
        ),

        // MARK: Tests

        .target(
            name: "BriefingTestSupport",
            dependencies: [
                "BriefingModel", "BriefingStore", "SyncClient", "SyncServerCore", "BriefingIngest", "BriefingServer", "BriefingCLI",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "GRDB", package: "GRDB.swift"),
                "Gzip",
            ],
            path: "Tests/BriefingTestSupport",
            swiftSettings: swiftSettings
        ),
        .testTarget(name: "BriefingModelTests", dependencies: ["BriefingModel"], swiftSettings: swiftSettings),
        .testTarget(name: "GzipTests", dependencies: ["Gzip", "BriefingModel"], swiftSettings: swiftSettings),
        .testTarget(
            name: "BriefingStoreTests",
            dependencies: ["BriefingStore", "BriefingTestSupport"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "BriefingIngestTests",
            dependencies: ["BriefingIngest", "BriefingModel", "BriefingTestSupport"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "SyncServerCoreTests",
            dependencies: [
                "SyncServerCore", "BriefingIngest", "BriefingTestSupport", .product(name: "GRDB", package: "GRDB.swift"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "BenchmarksTests",
            dependencies: ["Benchmarks", "BriefingTestSupport"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "SimulationLabTests",
            dependencies: ["SimulationLab", "BriefingModel", "BriefingStore", "SyncClient", "SyncServerCore", "BriefingTestSupport"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "EndToEndTests",
            dependencies: [
                "BriefingTestSupport", "SyncAPI", "SyncServerCore", "BriefingStore", "BriefingModel", "SyncClient",
                "BriefingServer", "BriefingLogging", "Benchmarks",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Yams", package: "Yams"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "OpenAPIRuntime", package: "swift-openapi-runtime"),
                .product(name: "OpenAPIURLSession", package: "swift-openapi-urlsession"),
            ],
            swiftSettings: swiftSettings
        ),
    ]
)
