import Foundation
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

struct RunResult {
    var exitCode: Int32
    var stdout: String
    var stderr: String
}

/// Runs `emc` with `arguments` in `directory`, returning exit code and captured output.
@discardableResult
func runEMC(_ arguments: [String], in directory: URL? = nil, stdin: String? = nil) throws -> RunResult {
    let process = Process()
    process.executableURL = emcBinary
    process.arguments = arguments
    if let directory { process.currentDirectoryURL = directory }
    let outPipe = Pipe(), errPipe = Pipe()
    process.standardOutput = outPipe
    process.standardError = errPipe
    process.standardInput = FileHandle.nullDevice
    try process.run()
    // Read both pipes before waiting so a large output cannot block the child.
    let outData = outPipe.fileHandleForReading.readDataToEndOfFile()
    let errData = errPipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return RunResult(exitCode: process.terminationStatus,
                     stdout: String(decoding: outData, as: UTF8.self),
                     stderr: String(decoding: errData, as: UTF8.self))
}

/// A fresh temporary directory, removed by the caller with `removeTemporaryDirectory`.
func makeTemporaryDirectory() throws -> URL {
    let url = FileManager.default.temporaryDirectory
        .appendingPathComponent("emc-test-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}
