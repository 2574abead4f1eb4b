import Foundation
import TestSupport
import Testing

/// The package root (the folder holding Package.swift).
let packageRoot: URL = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

let fixturesRoot = packageRoot.appendingPathComponent("Fixtures")

/// The `emc` binary built next to the test bundle.
let emcBinary: URL = {
    let beside = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
    for candidate in [beside, beside.deletingLastPathComponent()] {
        let url = candidate.appendingPathComponent("emc")
        if FileManager.default.isExecutableFile(atPath: url.path) { return url }
    }
    return packageRoot.appendingPathComponent(".build/debug/emc")
}()

typealias RunResult = ProcessResult

/// Runs `emc` with `arguments` in `directory`, returning exit code and captured output.
@discardableResult
func runEMC(_ arguments: [String], in directory: URL? = nil) throws -> RunResult {
    try run(emcBinary, arguments, in: directory)
}

/// Runs `binary` with `arguments` in `directory`, returning exit code and captured output.
/// `environment` adds to (or overrides) this process's environment.
@discardableResult
func run(_ binary: URL, _ arguments: [String], in directory: URL? = nil, environment: [String: String] = [:]) throws -> RunResult {
    try runProcess(binary, arguments, in: directory, environment: environment)
}

/// A fresh temporary directory, removed by the caller with `removeTemporaryDirectory`.
func makeTemporaryDirectory() throws -> URL {
    let url = FileManager.default.temporaryDirectory
        .appendingPathComponent("emc-test-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

/// A minimal valid contract whose members are exactly `members` (name, role), with equal shares.
func contractText(members: [(name: String, role: String)]) -> String {
    var text = "contract \"Test EMC\"\ncurrency CNY 2\nsettlement monthly\n\n"
    for member in members { text += "member \(member.name) \"\(member.name)\" \(member.role)\n" }
    let basisPoints = 10_000 / members.count
    for (index, member) in members.enumerated() {
        let share = index == 0 ? 10_000 - basisPoints * (members.count - 1) : basisPoints
        text += "share \(member.name) \(share / 100).\(share % 100 < 10 ? "0" : "")\(share % 100)%\n"
    }
    text += "\nmetric revenue money reported by \(members[0].name)\n"
    text += "\nrule sharing every period\n  when revenue > 0\n  then\n    split 10% of revenue by shares\n"
    return text
}
