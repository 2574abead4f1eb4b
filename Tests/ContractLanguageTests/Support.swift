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
