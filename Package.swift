// swift-tools-version:6.1
import PackageDescription

let package = Package(
    name: "emc-ledger",
    products: [
        .executable(name: "emc", targets: ["emc"]),
        .executable(name: "emc-bench", targets: ["emc-bench"]),
        // The sequencing server (SPEC Part 5), a product of its own so that `emc` never builds Hummingbird.
        .executable(name: "emc-server", targets: ["emc-server"]),
        .executable(name: "emc-server-bench", targets: ["emc-server-bench"]),
        .library(name: "Ledger", targets: ["LedgerFormat", "Ledger", "LedgerStorage", "LedgerReports"]),
        .library(name: "ContractLanguage", targets: ["ContractLanguage"]),
        .library(name: "LedgerTransparency", targets: ["LedgerTransparency", "LedgerWitness"]),
        // The libFuzzer target bodies, for the separate FuzzTesting package (which can only use products).
        .library(name: "FuzzTargets", targets: ["FuzzTargets"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        // Only the server needs it. No traits: swift-configuration is not built.
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1", traits: []),
        // Already in Hummingbird's graph; named because the server adapter uses their types.
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.0"),
        // Already in Hummingbird's graph: the HTTP parts its channel handlers see (the request deadline).
        .package(url: "https://github.com/apple/swift-nio-extras", from: "1.35.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.14.0"),
        // Only the server's PostgreSQL store (LedgerStoragePostgres) needs it.
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
    ],
    targets: [
        // The system libcrypto (OpenSSL 3), reached only through LedgerCrypto.
        .systemLibrary(
            name: "CLibCrypto",
            pkgConfig: "libcrypto",
            providers: [.apt(["libssl-dev"])]
        ),
        .target(name: "LedgerCrypto", dependencies: ["CLibCrypto"]),
        // The rule language: pure, no I/O, no clock, no floating point.
        .target(name: "ContractLanguage"),
        // The log format: canonical JSON, entries, their encoding and decoding, one limits check.
        .target(name: "LedgerFormat", dependencies: ["LedgerCrypto"]),
        // The state machine: `apply`, entry kinds, settlement and adjustment, actions. No I/O.
        .target(name: "Ledger", dependencies: ["LedgerFormat", "LedgerCrypto", "ContractLanguage"]),
        // Where bytes touch a disk: the storage protocol, the file store, writer sessions, state caches.
        .target(name: "LedgerStorage", dependencies: ["Ledger", "LedgerFormat", "LedgerCrypto", "ContractLanguage"]),
        // Read models fed by a replay: status, explain, audit, diff, log summaries.
        .target(name: "LedgerReports", dependencies: ["Ledger", "LedgerFormat", "LedgerCrypto", "ContractLanguage"]),
        // The Smart Cooking story behind `emc demo` (and the demo tests).
        .target(name: "LedgerDemo", dependencies: ["Ledger", "LedgerStorage", "LedgerReports", "LedgerCrypto", "ContractLanguage"]),
        // RFC 6962 tree, proofs, C2SP signed note, checkpoint, cosignature, policy, fork proof (SPEC Part 4).
        .target(name: "LedgerTransparency", dependencies: ["LedgerCrypto"]),
        // What members do with checkpoints, next to a ledger file: the tree computed while verifying and
        // its sidecar, witness state, signing and cosigning, checking a copy against a checkpoint, bundles.
        .target(name: "LedgerWitness", dependencies: ["Ledger", "LedgerFormat", "LedgerStorage", "LedgerTransparency", "LedgerCrypto"]),
        // The HTTP API's shared half (SPEC Part 5): request signatures (RFC 9421), Content-Digest
        // (RFC 9530), bodies, routes, limits and a small blocking client. No Hummingbird, no NIO.
        .target(name: "LedgerHTTP", dependencies: ["LedgerFormat", "LedgerCrypto"]),
        // The client half of the API (SPEC §5.12): remote configuration, clone, pull, push and
        // appends through a server, on LedgerHTTP's blocking client (no NIO, so `emc` stays light).
        .target(name: "LedgerClient", dependencies: ["LedgerHTTP", "Ledger", "LedgerFormat", "LedgerStorage", "LedgerTransparency",
                                                     "LedgerWitness", "LedgerCrypto"]),
        // The server: ledger hosting (storage behind `LedgerHost`), the API's handlers, on Hummingbird 2.
        .target(
            name: "LedgerServer",
            dependencies: [
                "LedgerHTTP", "Ledger", "LedgerFormat", "LedgerStorage", "LedgerTransparency", "LedgerCrypto",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // The server's PostgreSQL store (issue 15): the `LedgerHost` interface on postgres-nio. Only the
        // server depends on it, never `emc`.
        .target(
            name: "LedgerStoragePostgres",
            dependencies: [
                "LedgerServer", "LedgerFormat", "LedgerCrypto",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .executableTarget(name: "emc-server", dependencies: ["LedgerServer", "LedgerStoragePostgres", "LedgerHTTP", "LedgerFormat", "LedgerCrypto",
                                                             .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOPosix", package: "swift-nio"),
                                                             .product(name: "ArgumentParser", package: "swift-argument-parser")]),
        // Server figures of issue 14 (README, Performance): runs the emc-server built beside it.
        .executableTarget(name: "emc-server-bench",
                          dependencies: ["LedgerHTTP", "LedgerClient", "LedgerTransparency", "Ledger", "LedgerFormat", "LedgerStorage",
                                         "LedgerCrypto", "ContractLanguage"]),
        .executableTarget(
            name: "emc",
            dependencies: [
                "Ledger", "LedgerStorage", "LedgerReports", "LedgerDemo", "LedgerCrypto", "ContractLanguage",
                "LedgerTransparency", "LedgerWitness", "LedgerClient",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            // One `emc` process per command (scripts run one `emc report` per entry): linking the
            // Swift runtime and FoundationEssentials statically takes about 40 % off the CPU of a process
            // start (issue 17). Nothing `emc` links imports Foundation itself (36 MB, not 85 MB with ICU).
            // Release only: the test targets depend on `emc` and link its objects with these flags, and
            // the Testing libraries have no static build.
            linkerSettings: [.unsafeFlags(["-static-stdlib", "-Xlinker", "--start-group",
                                            "-lFoundationEssentials", "-l_FoundationCShims", "-l_FoundationCollections", "-lswiftSynchronization",
                                            "-Xlinker", "--end-group"], .when(platforms: [.linux], configuration: .release))]
        ),
        // Performance figures of issue 7: builds a synthetic ledger through the real write path and measures it.
        .executableTarget(name: "emc-bench", dependencies: ["Ledger", "LedgerFormat", "LedgerStorage", "LedgerReports", "LedgerDemo", "LedgerCrypto", "ContractLanguage", "LedgerTransparency", "LedgerWitness"]),
        // Test support, not part of the `emc` product: fuzz target bodies (FuzzTesting/ and the
        // regression replays) and the crash helper that the crash tests SIGKILL.
        .target(name: "FuzzTargets", dependencies: ["Ledger", "LedgerFormat", "LedgerStorage", "LedgerReports", "LedgerDemo", "LedgerCrypto", "ContractLanguage"]),
        .executableTarget(name: "emc-crash-helper", dependencies: ["FuzzTargets", "Ledger", "LedgerStorage", "LedgerCrypto"],
                          path: "Tests/CrashHelper"),
        .target(name: "TestSupport", path: "Tests/TestSupport"),
        .testTarget(name: "LedgerCryptoTests", dependencies: ["LedgerCrypto"]),
        .testTarget(name: "TransparencyTests", dependencies: ["LedgerTransparency", "LedgerCrypto", "TestSupport"]),
        .testTarget(name: "ContractLanguageTests", dependencies: ["ContractLanguage", "TestSupport"]),
        .testTarget(name: "LedgerTests", dependencies: ["Ledger", "LedgerFormat", "LedgerStorage", "LedgerReports", "LedgerDemo", "LedgerCrypto", "ContractLanguage", "TestSupport"]),
        .testTarget(name: "EndToEndTests", dependencies: ["emc", "emc-bench", "Ledger", "LedgerFormat", "LedgerStorage", "LedgerReports", "LedgerDemo", "LedgerCrypto", "ContractLanguage", "LedgerTransparency", "TestSupport"]),
        .testTarget(name: "ServerTests",
                    dependencies: ["emc-server", "emc", "LedgerClient", "LedgerHTTP", "LedgerTransparency", "Ledger", "LedgerFormat", "LedgerStorage", "LedgerCrypto", "TestSupport",
                                   "LedgerServer", "LedgerStoragePostgres"]),
        .testTarget(name: "ReliabilityTests",
                    dependencies: ["emc-crash-helper", "FuzzTargets", "Ledger", "LedgerFormat", "LedgerStorage", "LedgerReports", "LedgerDemo", "LedgerCrypto", "ContractLanguage", "TestSupport"],
                    exclude: ["Regressions"]),
    ],
    swiftLanguageModes: [.v6]
)
