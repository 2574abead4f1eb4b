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

/// Runs `emc` in `directory` and expects exit code `code` (the message shows the command and its stderr).
@discardableResult
func emc(_ arguments: [String], in directory: URL, expect code: Int32 = 0,
         sourceLocation: SourceLocation = #_sourceLocation) throws -> RunResult {
    let result = try runEMC(arguments, in: directory)
    #expect(result.exitCode == code, "emc \(arguments.joined(separator: " ")): \(result.stderr)", sourceLocation: sourceLocation)
    return result
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

/// A fresh temporary directory holding the first `entries` lines of the lifecycle fixture as
/// `l.jsonl` and the fixture keys of yu, chef and farm (mode 0600).
func lifecycleLedgerDirectory(entries: Int = 21) throws -> URL {
    let directory = try makeTemporaryDirectory()
    let source = fixturesRoot.appendingPathComponent("ledgers/valid/lifecycle.jsonl")
    let lines = try String(contentsOf: source, encoding: .utf8).split(separator: "\n").prefix(entries)
    try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: directory.appendingPathComponent("l.jsonl"))
    for name in ["yu", "chef", "farm"] {
        let key = directory.appendingPathComponent("\(name).key")
        try FileManager.default.copyItem(at: fixturesRoot.appendingPathComponent("keys/\(name).key"), to: key)
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: key.path)
    }
    return directory
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
