// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "emc-ledger",
    products: [
        .executable(name: "emc", targets: ["emc"]),
        .executable(name: "emc-bench", targets: ["emc-bench"]),
        .library(name: "Ledger", targets: ["Ledger"]),
        .library(name: "ContractLanguage", targets: ["ContractLanguage"]),
        .library(name: "LedgerTransparency", targets: ["LedgerTransparency"]),
        // The libFuzzer target bodies, for the separate FuzzTesting package (which can only use products).
        .library(name: "FuzzTargets", targets: ["FuzzTargets"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
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
        .target(name: "Ledger", dependencies: ["LedgerCrypto", "ContractLanguage"]),
        // RFC 6962 tree, proofs, C2SP signed note, checkpoint, cosignature, policy, fork proof (SPEC Part 4).
        .target(name: "LedgerTransparency", dependencies: ["LedgerCrypto"]),
        .executableTarget(
            name: "emc",
            dependencies: [
                "Ledger", "LedgerCrypto", "ContractLanguage",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // Performance figures of issue 7: builds a synthetic ledger through the real write path and measures it.
        .executableTarget(name: "emc-bench", dependencies: ["Ledger", "LedgerCrypto", "ContractLanguage"]),
        // Test support, not part of the `emc` product: fuzz target bodies (FuzzTesting/ and the
        // regression replays) and the crash helper that the crash tests SIGKILL.
        .target(name: "FuzzTargets", dependencies: ["Ledger", "LedgerCrypto", "ContractLanguage"]),
        .executableTarget(name: "emc-crash-helper", dependencies: ["FuzzTargets", "Ledger", "LedgerCrypto"],
                          path: "Tests/CrashHelper"),
        .target(name: "TestSupport", path: "Tests/TestSupport"),
        .testTarget(name: "LedgerCryptoTests", dependencies: ["LedgerCrypto"]),
        .testTarget(name: "TransparencyTests", dependencies: ["LedgerTransparency", "LedgerCrypto", "TestSupport"]),
        .testTarget(name: "ContractLanguageTests", dependencies: ["ContractLanguage", "TestSupport"]),
        .testTarget(name: "LedgerTests", dependencies: ["Ledger", "LedgerCrypto", "ContractLanguage", "TestSupport"]),
        .testTarget(name: "EndToEndTests", dependencies: ["emc", "emc-bench", "Ledger", "LedgerCrypto", "ContractLanguage"]),
        .testTarget(name: "ReliabilityTests",
                    dependencies: ["emc-crash-helper", "FuzzTargets", "Ledger", "LedgerCrypto", "ContractLanguage", "TestSupport"],
                    exclude: ["Regressions"]),
    ],
    swiftLanguageModes: [.v6]
)
