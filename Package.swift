// swift-tools-version: 6.0
// Lifeboat: PostgreSQL backup and disaster recovery that proves it.
//
// Layers (the folders under Sources/ and the import graph both read like the architecture; docs/architecture.md):
//   Sources/System   C system libraries  CLibPQ  CLibArchive  CLibCrypto  CLibCurl
//                    one wrapper each    PGClient ArchiveIO   Cipher      HTTPTransport   (no C type escapes these)
//                    Diagnostics (errors, failpoints), SystemIO (write-all, durable file replace, spawn, flock)
//   Sources/Domain   pure models and decisions (no C, no files): Catalog Policy Retention Drills Reports Metrics
//                    S3Protocol Reconstruction
//   Sources/IO       the edges that touch files and the network: Configuration (lifeboat.yml models, YAML and
//                    policy/drill file loaders), Storage (BlobStore + LocalStore/MemoryStore), S3 (S3Store, ~/.aws
//                    files), Pipeline (stream stages)
//   Sources/Engines  Engine (one folder per capability: backup, restore, WAL, drills, prune, keys, repository…)
//   Sources/CLI      lifeboat (one file per command; exit codes mapped once)
import PackageDescription

let package = Package(
    name: "Lifeboat",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "lifeboat", targets: ["lifeboat"])
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/jpsim/Yams", "5.0.1"..<"7.0.0"),
    ],
    targets: [
        // C libraries: module map + shim header, found through pkg-config, installed from apt.
        .systemLibrary(
            name: "CLibPQ", path: "Sources/System/CLibPQ", pkgConfig: "libpq", providers: [.apt(["libpq-dev"])]),
        .systemLibrary(
            name: "CLibArchive", path: "Sources/System/CLibArchive", pkgConfig: "libarchive",
            providers: [.apt(["libarchive-dev"])]),
        .systemLibrary(
            name: "CLibCrypto", path: "Sources/System/CLibCrypto", pkgConfig: "libcrypto",
            providers: [.apt(["libssl-dev"])]),
        .systemLibrary(
            name: "CLibCurl", path: "Sources/System/CLibCurl", pkgConfig: "libcurl",
            providers: [.apt(["libcurl4-openssl-dev"])]),

        .target(name: "Diagnostics", path: "Sources/System/Diagnostics"),
        // The one place that makes raw POSIX calls for writes, durable replaces, spawns and locks.
        .target(name: "SystemIO", path: "Sources/System/SystemIO"),
        .target(name: "Cipher", dependencies: ["CLibCrypto", "Diagnostics"], path: "Sources/System/Cipher"),
        .target(name: "ArchiveIO", dependencies: ["CLibArchive", "Diagnostics"], path: "Sources/System/ArchiveIO"),
        .target(name: "PGClient", dependencies: ["CLibPQ", "Diagnostics"], path: "Sources/System/PGClient"),
        .target(
            name: "HTTPTransport", dependencies: ["CLibCurl", "Diagnostics"], path: "Sources/System/HTTPTransport"),
        .target(name: "S3Protocol", dependencies: ["Cipher", "Diagnostics"], path: "Sources/Domain/S3Protocol"),

        // Policy: policy, objective and drill models; no Yams, no files (Configuration loads them).
        .target(name: "Policy", path: "Sources/Domain/Policy"),
        .target(
            name: "Configuration", dependencies: ["Diagnostics", "Policy", .product(name: "Yams", package: "Yams")],
            path: "Sources/IO/Configuration"),
        .target(name: "Catalog", dependencies: ["Diagnostics"], path: "Sources/Domain/Catalog"),
        // Reconstruction: restoring an incremental chain in place (delta headers, block maps), pure.
        .target(
            name: "Reconstruction", dependencies: ["Catalog", "Diagnostics"], path: "Sources/Domain/Reconstruction"),
        .target(name: "Storage", dependencies: ["Diagnostics", "SystemIO"], path: "Sources/IO/Storage"),
        .target(name: "Retention", dependencies: ["Catalog", "Policy"], path: "Sources/Domain/Retention"),
        .target(name: "Drills", dependencies: ["Catalog", "Policy"], path: "Sources/Domain/Drills"),
        .target(name: "Metrics", path: "Sources/Domain/Metrics"),
        .target(
            name: "Reports", dependencies: ["Catalog", "Policy", "Drills", "Retention"],
            path: "Sources/Domain/Reports"),
        .target(
            name: "S3", dependencies: ["Storage", "S3Protocol", "HTTPTransport", "Cipher", "Diagnostics"],
            path: "Sources/IO/S3"),
        .target(
            name: "Pipeline", dependencies: ["Diagnostics", "Cipher", "ArchiveIO", "Storage"],
            path: "Sources/IO/Pipeline"),
        .target(
            name: "Engine",
            dependencies: [
                "Diagnostics", "SystemIO", "Cipher", "ArchiveIO", "PGClient", "Configuration", "Policy", "Catalog",
                "Storage",
                "Pipeline", "S3", "S3Protocol", "HTTPTransport", "Retention", "Drills", "Metrics", "Reports",
                "Reconstruction",
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Sources/Engines/Engine"
        ),
        .executableTarget(
            name: "lifeboat",
            // Engine re-exports the domain values of its API (Catalog, Diagnostics: Engine/Core/EngineAPI.swift).
            dependencies: [
                "Engine", "Configuration",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Sources/CLI/lifeboat"
        ),

        // Benchmark helper for scripts/bench.sh s3 (not shipped).
        .executableTarget(
            name: "s3-bench", dependencies: ["S3", "S3Protocol", "HTTPTransport", "Storage"],
            path: "Sources/Tools/s3-bench"),

        // Test support (only test targets depend on these; never linked into lifeboat): helpers every test target
        // shares (seeded generator, child processes, temporary directories, the S3 test server and its fault
        // proxy), and a scripted PostgreSQL behind PostgresSession.
        .target(name: "TestSupport", path: "Tests/TestSupport"),
        .target(name: "PostgresTestSupport", dependencies: ["PGClient"], path: "Tests/PostgresTestSupport"),
        .testTarget(name: "TestSupportTests", dependencies: ["TestSupport"]),

        .testTarget(name: "DiagnosticsTests", dependencies: ["Diagnostics", "TestSupport"]),
        .testTarget(name: "SystemIOTests", dependencies: ["SystemIO", "TestSupport"]),
        .testTarget(name: "CipherTests", dependencies: ["Cipher", "TestSupport"], exclude: ["make_vector.py"]),
        .testTarget(name: "ArchiveIOTests", dependencies: ["ArchiveIO", "TestSupport"]),
        .testTarget(name: "PGClientTests", dependencies: ["PGClient", "PostgresTestSupport", "TestSupport"]),
        .testTarget(name: "ConfigurationTests", dependencies: ["Configuration", "Policy", "TestSupport"]),
        .testTarget(name: "PolicyTests", dependencies: ["Policy"]),
        .testTarget(name: "CatalogTests", dependencies: ["Catalog", "TestSupport"]),
        .testTarget(name: "ReconstructionTests", dependencies: ["Reconstruction", "Catalog", "TestSupport"]),
        .testTarget(name: "MetricsTests", dependencies: ["Metrics", "TestSupport"]),
        .testTarget(name: "ReportsTests", dependencies: ["Reports", "Catalog", "Policy", "Drills", "TestSupport"]),
        .testTarget(name: "DrillsTests", dependencies: ["Drills", "Catalog", "Policy", "TestSupport"]),
        .testTarget(
            name: "RetentionTests", dependencies: ["Retention", "Catalog", "Policy", "TestSupport"],
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
        // Engine unit tests: engines on MemoryStore and the scripted PostgreSQL (plans, checks, verdicts).
        .testTarget(
            name: "EngineTests",
            dependencies: [
                "Engine", "PostgresTestSupport", "PGClient", "Catalog", "Configuration", "Diagnostics", "Storage",
                "Drills", "Policy", "Retention", "Pipeline", "ArchiveIO", "TestSupport",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // Integration tests drive the built binary; Engine and friends only construct repository histories.
        .testTarget(
            name: "IntegrationTests",
            dependencies: [
                "PGClient", "Engine", "Catalog", "Configuration", "Drills", "Storage", "Pipeline", "ArchiveIO",
                "TestSupport",
            ],
            resources: [.copy("Fixtures")]
        ),
    ]
)
