// swift-tools-version: 6.0
// Lifeboat: PostgreSQL backup and disaster recovery that proves it.
//
// Layers (the folders under Sources/ and the import graph both read like the architecture; docs/architecture.md):
//   Sources/System   C system libraries  CLibPQ  CLibArchive  CLibCrypto  CLibCurl
//                    one wrapper each    PGClient ArchiveIO   Cipher      HTTPTransport   (no C type escapes these)
//                    Diagnostics (errors, failpoints)
//   Sources/Domain   pure models and decisions: Catalog Configuration Retention Drills Reports Metrics S3Protocol
//   Sources/IO       storage & streams: Storage (BlobStore + LocalStore/MemoryStore)  S3 (S3Store)  Pipeline
//   Sources/Engines  Engine (one folder per capability: backup, restore, WAL, drills, prune, keys, repository…)
//   Sources/CLI      lifeboat (one file per command; exit codes mapped once)
import PackageDescription

let package = Package(
    name: "Lifeboat",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "lifeboat", targets: ["lifeboat"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/jpsim/Yams", "5.0.1"..<"7.0.0"),
    ],
    targets: [
        // C libraries: module map + shim header, found through pkg-config, installed from apt.
        .systemLibrary(name: "CLibPQ", path: "Sources/System/CLibPQ", pkgConfig: "libpq", providers: [.apt(["libpq-dev"])]),
        .systemLibrary(name: "CLibArchive", path: "Sources/System/CLibArchive", pkgConfig: "libarchive", providers: [.apt(["libarchive-dev"])]),
        .systemLibrary(name: "CLibCrypto", path: "Sources/System/CLibCrypto", pkgConfig: "libcrypto", providers: [.apt(["libssl-dev"])]),
        .systemLibrary(name: "CLibCurl", path: "Sources/System/CLibCurl", pkgConfig: "libcurl", providers: [.apt(["libcurl4-openssl-dev"])]),

        .target(name: "Diagnostics", path: "Sources/System/Diagnostics"),
        .target(name: "Cipher", dependencies: ["CLibCrypto", "Diagnostics"], path: "Sources/System/Cipher"),
        .target(name: "ArchiveIO", dependencies: ["CLibArchive", "Diagnostics"], path: "Sources/System/ArchiveIO"),
        .target(name: "PGClient", dependencies: ["CLibPQ", "Diagnostics"], path: "Sources/System/PGClient"),
        .target(name: "HTTPTransport", dependencies: ["CLibCurl", "Diagnostics"], path: "Sources/System/HTTPTransport"),
        .target(name: "S3Protocol", dependencies: ["Cipher", "Diagnostics"], path: "Sources/Domain/S3Protocol"),

        .target(name: "Configuration", dependencies: ["Diagnostics", .product(name: "Yams", package: "Yams")], path: "Sources/Domain/Configuration"),
        .target(name: "Catalog", dependencies: ["Diagnostics"], path: "Sources/Domain/Catalog"),
        .target(name: "Storage", dependencies: ["Diagnostics"], path: "Sources/IO/Storage"),
        .target(name: "Retention", dependencies: ["Catalog", "Configuration"], path: "Sources/Domain/Retention"),
        .target(name: "Drills", dependencies: ["Catalog", "Configuration"], path: "Sources/Domain/Drills"),
        .target(name: "Metrics", path: "Sources/Domain/Metrics"),
        .target(name: "Reports", dependencies: ["Catalog", "Configuration", "Drills", "Retention"], path: "Sources/Domain/Reports"),
        .target(name: "S3", dependencies: ["Storage", "S3Protocol", "HTTPTransport", "Cipher", "Diagnostics"], path: "Sources/IO/S3"),
        .target(name: "Pipeline", dependencies: ["Diagnostics", "Cipher", "ArchiveIO", "Storage"], path: "Sources/IO/Pipeline"),
        .target(
            name: "Engine",
            dependencies: [
                "Diagnostics", "Cipher", "ArchiveIO", "PGClient", "Configuration", "Catalog", "Storage", "Pipeline",
                "S3", "S3Protocol", "HTTPTransport", "Retention", "Drills", "Metrics", "Reports",
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Sources/Engines/Engine"
        ),
        .executableTarget(
            name: "lifeboat",
            dependencies: [
                "Engine", "Diagnostics", "Configuration", "Catalog", "Retention", "Drills", "Storage", "Metrics",
                "Reports", "Cipher",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Sources/CLI/lifeboat"
        ),

        // Benchmark helper for scripts/bench.sh s3 (not shipped).
        .executableTarget(name: "s3-bench", dependencies: ["S3", "S3Protocol", "HTTPTransport", "Storage"], path: "Sources/Tools/s3-bench"),

        // Helpers every test target shares (seeded generator, child processes, temporary directories, the S3 test
        // server and its fault proxy). A plain target that only test targets depend on: never linked into lifeboat.
        .target(name: "TestSupport", path: "Tests/TestSupport"),
        .testTarget(name: "TestSupportTests", dependencies: ["TestSupport"]),

        .testTarget(name: "DiagnosticsTests", dependencies: ["Diagnostics", "TestSupport"]),
        .testTarget(name: "CipherTests", dependencies: ["Cipher", "TestSupport"], exclude: ["make_vector.py"]),
        .testTarget(name: "ArchiveIOTests", dependencies: ["ArchiveIO", "TestSupport"]),
        .testTarget(name: "PGClientTests", dependencies: ["PGClient", "TestSupport"]),
        .testTarget(name: "ConfigurationTests", dependencies: ["Configuration", "TestSupport"]),
        .testTarget(name: "CatalogTests", dependencies: ["Catalog", "TestSupport"]),
        .testTarget(name: "MetricsTests", dependencies: ["Metrics", "TestSupport"]),
        .testTarget(
            name: "ReportsTests", dependencies: ["Reports", "Catalog", "Configuration", "Drills", "TestSupport"]
        ),
        .testTarget(name: "DrillsTests", dependencies: ["Drills", "Catalog", "Configuration", "TestSupport"]),
        .testTarget(
            name: "RetentionTests", dependencies: ["Retention", "Catalog", "Configuration", "TestSupport"],
            resources: [.copy("Golden")]
        ),
        .testTarget(
            name: "StorageTests", dependencies: ["Storage", "S3", "S3Protocol", "HTTPTransport", "TestSupport"]
        ),
        .testTarget(
            name: "HTTPTransportTests", dependencies: ["HTTPTransport", "TestSupport"],
            resources: [.copy("test_server.py")]
        ),
        .testTarget(
            name: "S3ProtocolTests", dependencies: ["S3Protocol", "Cipher", "TestSupport"],
            exclude: ["make_sigv4_vectors.py"]
        ),
        .testTarget(
            name: "PipelineTests", dependencies: ["Pipeline", "Storage", "Cipher", "ArchiveIO", "TestSupport"]
        ),
        // Integration tests drive the built binary; Engine and friends only construct repository histories.
        .testTarget(
            name: "IntegrationTests",
            dependencies: ["PGClient", "Engine", "Catalog", "Configuration", "Drills", "Storage", "TestSupport"]
        ),
    ]
)
