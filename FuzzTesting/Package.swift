// swift-tools-version:6.0
// libFuzzer targets for EMC Ledger, one executable per target (like swift-protobuf's FuzzTesting).
// Build and run one with `Scripts/fuzz.sh TARGET SECONDS` from the repository root; the bodies live
// in the root package's FuzzTargets module, which the regression tests replay too.
import PackageDescription

let targets = ["FuzzContract", "FuzzEntry", "FuzzMetrics", "FuzzPem", "FuzzCache"]

let package = Package(
    name: "FuzzTesting",
    products: targets.map { .executable(name: $0, targets: [$0]) },
    dependencies: [
        .package(name: "emc-ledger", path: ".."),
    ],
    targets: [
        // Declares libFuzzer's LLVMFuzzerRunDriver: SwiftPM links debug executables with `main`
        // redirected to `<Target>_main` (for testability), so each target starts the driver itself.
        .target(name: "CFuzzerDriver"),
    ] + targets.map {
        .executableTarget(
            name: $0,
            dependencies: ["CFuzzerDriver", .product(name: "FuzzTargets", package: "emc-ledger")]
        )
    },
    swiftLanguageModes: [.v6]
)
