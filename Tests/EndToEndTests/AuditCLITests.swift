import Foundation
import Testing

/// `bean-check` from PyPI's beancount: `.ci/run` installs it and passes its path in EMC_BEAN_CHECK;
/// otherwise it is looked up on PATH. Without it the test is skipped.
let beanCheck: String? = {
    let environment = ProcessInfo.processInfo.environment
    if let path = environment["EMC_BEAN_CHECK"], !path.isEmpty { return path }
    let directories = (environment["PATH"] ?? "").split(separator: ":").map(String.init)
        + [NSHomeDirectory() + "/.local/bin", NSHomeDirectory() + "/.pyenv/shims"]
    return directories.map { $0 + "/bean-check" }.first { FileManager.default.isExecutableFile(atPath: $0) }
}()

@Suite struct AuditCLITests {
    static let demoLedger = fixturesRoot.appendingPathComponent("ledgers/valid/demo.jsonl").path

    /// Golden outputs of the reading commands on the demo ledger (regenerate with EMC_REGENERATE_FIXTURES=1).
    @Test(arguments: [
        ("explain-2021-09.txt", ["explain", demoLedger, "--period", "2021-09"]),
        ("explain-2021-04-chef.json", ["explain", demoLedger, "--period", "2021-04", "--member", "chef", "--json"]),
        ("audit.csv", ["audit", demoLedger]),
        ("audit.beancount", ["audit", demoLedger, "--format", "beancount"]),
        ("audit-2021.json", ["audit", demoLedger, "--format", "json", "--from", "2021-01", "--to", "2021-12"]),
        ("diff-1-2.txt", ["diff", demoLedger, "--from", "1", "--to", "2"]),
        ("whatif-2021-04.txt", ["simulate", "--ledger", demoLedger, "--period", "2021-04", "--set", "market_growth=5"]),
        ("show-1.txt", ["show", demoLedger, "--version", "1"]),
        ("show-2.html", ["show", demoLedger, "--version", "2", "--format", "html"]),
        ("show-2.json", ["show", demoLedger, "--version", "2", "--format", "json"]),
        ("preview-78.txt", ["preview", demoLedger, "--proposal", "78"]),
        ("preview-78-6.json", ["preview", demoLedger, "--proposal", "78", "--periods", "6", "--json"]),
    ])
    func goldenOutputs(file: String, arguments: [String]) throws {
        let result = try runEMC(arguments)
        #expect(result.exitCode == 0, "\(result.stderr)")
        let url = fixturesRoot.appendingPathComponent("expected-cli/\(file)")
        if ProcessInfo.processInfo.environment["EMC_REGENERATE_FIXTURES"] == "1" {
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try result.stdout.write(to: url, atomically: true, encoding: .utf8)
        }
        #expect(result.stdout == (try String(contentsOf: url, encoding: .utf8)), "\(file) differs")
    }

    @Test func amountsNeverUseScientificNotation() throws {
        let csv = try runEMC(["audit", Self.demoLedger]).stdout
        for line in csv.split(separator: "\n").dropFirst() {
            let amount = line.split(separator: ",")[2]
            #expect(amount.wholeMatch(of: /-?[0-9]+\.[0-9]{2}/) != nil, "amount \(amount)")
        }
    }

    @Test(.enabled(if: beanCheck != nil))
    func beancountExportPassesBeanCheck() throws {
        let checker = try #require(beanCheck, "bean-check is not installed (pip install beancount)")
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let export = try runEMC(["audit", Self.demoLedger, "--format", "beancount"])
        let file = directory.appendingPathComponent("demo.beancount")
        try export.stdout.write(to: file, atomically: true, encoding: .utf8)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: checker)
        process.arguments = [file.path]
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = errors
        try process.run()
        let output = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "bean-check: \(output)")
    }

    @Test func replayRejectsEntriesPastTheEnd() throws {
        let result = try runEMC(["replay", Self.demoLedger, "--at", "100000"])
        #expect(result.exitCode == 2)
        #expect(result.stderr.contains("only"))
    }
}
