import Foundation
@testable import ContractLanguage

let packageRoot = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
let fixturesRoot = packageRoot.appendingPathComponent("Fixtures")

func fixtureText(_ relativePath: String) throws -> String {
    try String(contentsOf: fixturesRoot.appendingPathComponent(relativePath), encoding: .utf8)
}

func fixtureNames(in folder: String, ext: String) -> [String] {
    let url = fixturesRoot.appendingPathComponent(folder)
    let names = (try? FileManager.default.contentsOfDirectory(atPath: url.path)) ?? []
    return names.filter { $0.hasSuffix("." + ext) }.map { String($0.dropLast(ext.count + 1)) }.sorted()
}

/// SplitMix64: a small seeded deterministic generator for property tests.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Checks a contract that must be valid.
func mustCheck(_ source: String) throws -> Contract {
    let result = checkContract(source: source)
    guard let contract = result.contract else {
        throw FixtureError(message: result.diagnostics.map(\.description).joined(separator: "\n"))
    }
    return contract
}

struct FixtureError: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}
