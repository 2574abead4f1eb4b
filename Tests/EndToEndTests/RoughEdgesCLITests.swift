import Foundation
import Testing

/// Issue 16, "the rough edges a newcomer hit", through the binary: each test is one of them.
@Suite struct RoughEdgesCLITests {
    func ledgerBytes(_ directory: URL) throws -> Data {
        try Data(contentsOf: directory.appendingPathComponent("l.jsonl"))
    }

    @Test func logColumnsAlignPluralsAgreeAndDisputeVotesSaySo() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        try FileManager.default.copyItem(at: fixturesRoot.appendingPathComponent("ledgers/valid/demo.jsonl"),
                                         to: directory.appendingPathComponent("demo.jsonl"))
        let lines = try emc(["log", "demo.jsonl"], in: directory).stdout.split(separator: "\n")
        #expect(lines.count == 136)
        // seq right-aligned in 6 columns, then the time always at column 9.
        for (index, line) in lines.enumerated() {
            let seq = String(index + 1)
            #expect(line.hasPrefix(String(repeating: " ", count: 6 - seq.count) + seq + "  20"), "\(line)")
        }
        #expect(lines.contains { $0.hasSuffix("settles 2020-09 under version 1: 1 payout") })
        #expect(lines.contains { $0.hasSuffix("ledger created: 7 members, contract 8efa9b66099aa64c…") })
        #expect(!lines.contains { $0.contains(" 1 payouts") || $0.contains("(s)") })
        #expect(lines.contains { $0.hasSuffix("approves proposal 33") })
        #expect(lines.contains { $0.hasSuffix("approves dispute 105") })
        #expect(!lines.contains { $0.contains("proposal 105") })
    }

    @Test func statusMentionsAnAdoptedVersionThatTakesEffectLater() throws {
        // Entry 11 adopts version 2, effective 2020-07; 2020-06 is the next period to settle.
        let directory = try lifecycleLedgerDirectory(entries: 11)
        defer { try? FileManager.default.removeItem(at: directory) }
        let text = try emc(["status", "l.jsonl"], in: directory).stdout
        #expect(text.contains("contract in force: version 1 "))
        #expect(text.contains("adopted, takes effect 2020-07: version 2 ("))
        #expect(text.contains("proposal 9 by yu: the chef's recipes drive sales"))
        let json = try emc(["status", "l.jsonl", "--json"], in: directory).stdout
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        let scheduled = try #require(object["scheduled"] as? [[String: Any]])
        #expect(scheduled.map { $0["version"] as? Int } == [2])
        #expect(scheduled.first?["effective"] as? String == "2020-07")
        // Once 2020-07 is the next period to settle, version 2 is in force and nothing is scheduled.
        let later = try lifecycleLedgerDirectory(entries: 17)
        defer { try? FileManager.default.removeItem(at: later) }
        #expect(!(try emc(["status", "l.jsonl"], in: later).stdout.contains("takes effect")))
    }

    @Test func auditRefusesAReversedPeriodRange() throws {
        let directory = try lifecycleLedgerDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let reversed = try emc(["audit", "l.jsonl", "--from", "2020-07", "--to", "2020-05"], in: directory, expect: 2)
        #expect(reversed.stdout.isEmpty)
        #expect(reversed.stderr == "emc: error: --from 2020-07 is after --to 2020-05; give the earlier period first\n")
        let single = try emc(["audit", "l.jsonl", "--from", "2020-06", "--to", "2020-06"], in: directory)
        #expect(single.stdout.contains("2020-06"))
    }

    @Test func negativeReportValuesAreValuesNotFlags() throws {
        let directory = try lifecycleLedgerDirectory(entries: 17)
        defer { try? FileManager.default.removeItem(at: directory) }
        let report = try emc(["report", "l.jsonl", "--key", "yu.key", "--period", "2020-08", "--metric", "revenue",
                              "--value", "-25", "--time", "2020-09-01T09:00:00Z"], in: directory)
        #expect(report.stdout == "reported revenue = -25.00 for 2020-08\n")
        _ = try emc(["verify", "l.jsonl"], in: directory)
    }

    @Test func anOversizeReportValueNamesTheLimitItBreaks() throws {
        let directory = try lifecycleLedgerDirectory(entries: 17)
        defer { try? FileManager.default.removeItem(at: directory) }
        let before = try ledgerBytes(directory)
        let huge = try emc(["report", "l.jsonl", "--key", "yu.key", "--period", "2020-08", "--metric", "revenue",
                            "--value", "99999999999999999999.00", "--time", "2020-09-01T09:00:00Z"], in: directory, expect: 1)
        #expect(huge.stderr.hasPrefix("emc: error: l.jsonl: "))
        #expect(huge.stderr.contains("is outside the range of amounts, -92233720368547758.08 to 92233720368547758.07"))
        #expect(!huge.stderr.contains("decimals"))
        let fine = try emc(["report", "l.jsonl", "--key", "yu.key", "--period", "2020-08", "--metric", "revenue",
                            "--value", "1.005", "--time", "2020-09-01T09:00:00Z"], in: directory, expect: 1)
        #expect(fine.stderr.contains("expected an amount with at most 2 decimals"))
        let disputed = try emc(["dispute", "l.jsonl", "--key", "farm.key", "--period", "2020-07", "--set", "cost=-99999999999999999999",
                                "--reason", "typo", "--time", "2020-09-01T09:00:00Z"], in: directory, expect: 1)
        #expect(disputed.stderr.contains("is outside the range of amounts"))
        #expect(try ledgerBytes(directory) == before)
        // The same limit, named the same way, in a metrics file.
        let contract = fixturesRoot.appendingPathComponent("ledgers/contracts/fixture.emc").path
        try #"{"2020-05": {"revenue": "99999999999999999999.00", "cost": "1.00"}}"#
            .write(to: directory.appendingPathComponent("m.json"), atomically: true, encoding: .utf8)
        let simulated = try emc(["simulate", contract, "--metrics", "m.json"], in: directory, expect: 1)
        #expect(simulated.stderr.contains("m.json:1:25: error: metric 'revenue' in period 2020-05 is money: '99999999999999999999.00' is outside the range of amounts"))
    }

    /// A representative refusal of each kind of command names the ledger first (SPEC §1.11).
    @Test func refusalsNameTheLedgerFile() throws {
        let directory = try lifecycleLedgerDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let cases: [[String]] = [
            ["explain", "l.jsonl", "--period", "2030-01"],
            ["explain", "l.jsonl", "--period", "2020-06", "--member", "mallory"],
            ["diff", "l.jsonl", "--from", "1", "--to", "9"],
            ["show", "l.jsonl", "--version", "9"],
            ["preview", "l.jsonl", "--proposal", "3"],
            ["simulate", "--ledger", "l.jsonl", "--period", "2020-06", "--set", "nothing=1"],
            ["accept", "l.jsonl", "--key", "yu.key", "--contract-hash", "0123456789abcdef"],
            ["report", "l.jsonl", "--key", "chef.key", "--period", "2020-08", "--metric", "revenue", "--value", "1",
             "--time", "2020-09-01T09:00:00Z"],
            ["vote", "l.jsonl", "--key", "yu.key", "--proposal", "9", "--approve", "--time", "2020-09-01T09:00:00Z"],
            ["settle", "l.jsonl", "--key", "yu.key", "--period", "2020-08", "--time", "2020-09-01T09:00:00Z"],
        ]
        for arguments in cases {
            let result = try runEMC(arguments, in: directory)
            #expect(result.exitCode != 0, "\(arguments)")
            #expect(result.stderr.hasPrefix("emc: error: l.jsonl: "), "\(arguments): \(result.stderr)")
            #expect(result.stderr.split(separator: "\n").count == 1, "\(arguments): \(result.stderr)")
        }
        let bad = try emc(["verify", "bad-signature.jsonl"], in: fixturesRoot.appendingPathComponent("ledgers/invalid"), expect: 1)
        #expect(bad.stderr.hasPrefix("emc: error: bad-signature.jsonl: entry 4: "))
    }

    @Test func checkSummaryLineIsAnError() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        try FileManager.default.copyItem(at: fixturesRoot.appendingPathComponent("invalid/several-errors-at-once.emc"),
                                         to: directory.appendingPathComponent("bad.emc"))
        let result = try emc(["check", "bad.emc"], in: directory, expect: 1)
        let last = try #require(result.stderr.split(separator: "\n").last)
        #expect(last.hasPrefix("emc: error: bad.emc: ") && last.hasSuffix(" errors"), "\(last)")
        #expect(result.stderr.contains("bad.emc:") && result.stderr.contains(": error: "))
    }

    /// `--contract-hash` takes any unique prefix of 8 or more hex digits, and a hash as `emc`
    /// prints it (16 digits and "…"), copied from `emc log`.
    @Test func hashPrefixesAsEmcPrintsThemAreAccepted() throws {
        let directory = try lifecycleLedgerDirectory(entries: 1)
        defer { try? FileManager.default.removeItem(at: directory) }
        let log = try emc(["log", "l.jsonl"], in: directory).stdout
        let printed = try #require(log.split(separator: " ").last.map { String($0.dropLast()) })  // drops the newline
        #expect(printed.hasSuffix("…") && printed.count == 17, "\(printed)")
        let short = try emc(["accept", "l.jsonl", "--key", "farm.key", "--contract-hash", String(printed.prefix(7)),
                             "--time", "2020-05-02T09:00:00Z"], in: directory, expect: 2)
        #expect(short.stderr.contains("must be 8 to 64 hex digits"))
        _ = try emc(["accept", "l.jsonl", "--key", "yu.key", "--contract-hash", printed, "--time", "2020-05-02T09:00:00Z"], in: directory)
        _ = try emc(["accept", "l.jsonl", "--key", "chef.key", "--contract-hash", String(printed.prefix(8)).uppercased(),
                     "--time", "2020-05-03T09:00:00Z"], in: directory)
        _ = try emc(["accept", "l.jsonl", "--key", "farm.key", "--contract-hash", String(printed.prefix(16)) + "...",
                     "--time", "2020-05-04T09:00:00Z"], in: directory)
        #expect(try emc(["status", "l.jsonl"], in: directory).stdout.contains("active since 2020-05"))
    }

    /// A proposal that is the version in force but for layout is "no change": refused before
    /// anything is signed or written (SPEC §3.4; `verify` refuses it too, Fixtures/ledgers/invalid/propose-no-change.jsonl).
    @Test func aProposalThatChangesOnlyLayoutIsNoChange() throws {
        let directory = try lifecycleLedgerDirectory(entries: 8)
        defer { try? FileManager.default.removeItem(at: directory) }
        let original = try String(contentsOf: fixturesRoot.appendingPathComponent("ledgers/contracts/fixture.emc"), encoding: .utf8)
        let variants = [original + "\n", "# a comment\n" + original.replacingOccurrences(of: "\n", with: "\n\n"),
                        original.replacingOccurrences(of: "\n  ", with: "\n\t  ").replacingOccurrences(of: " = ", with: "=")]
        let before = try ledgerBytes(directory)
        for (index, text) in variants.enumerated() {
            try text.write(to: directory.appendingPathComponent("v\(index).emc"), atomically: true, encoding: .utf8)
            let refused = try emc(["propose", "l.jsonl", "--key", "yu.key", "--contract", "v\(index).emc", "--effective", "2020-07",
                                   "--reason", "tidy", "--time", "2020-06-03T09:00:00Z"], in: directory, expect: 1)
            #expect(refused.stderr == "emc: error: l.jsonl: no change: the proposed contract differs from version 1 only in whitespace, line breaks or comments\n")
        }
        #expect(try ledgerBytes(directory) == before)
        let invalid = try emc(["verify", "propose-no-change.jsonl"], in: fixturesRoot.appendingPathComponent("ledgers/invalid"), expect: 1)
        #expect(invalid.stderr.contains("propose-no-change.jsonl: entry 9: no change"))
        // Declarations in another order are a change (it can matter: weights follow declaration order); `diff` says so.
        let reordered = directory.appendingPathComponent("reordered.emc")
        try original.replacingOccurrences(of: "metric revenue money reported by yu\nmetric cost    money reported by yu, farm\n",
                                          with: "metric cost    money reported by yu, farm\nmetric revenue money reported by yu\n")
            .write(to: reordered, atomically: true, encoding: .utf8)
        _ = try emc(["propose", "l.jsonl", "--key", "yu.key", "--contract", reordered.path, "--effective", "2020-07",
                     "--reason", "reorder", "--time", "2020-06-03T09:00:00Z"], in: directory)
        #expect(try emc(["diff", "l.jsonl", "--from", "1", "--to", "2"], in: directory).stdout.hasSuffix("\nno declaration changed; only their order differs\n"))
        _ = try emc(["withdraw", "l.jsonl", "--key", "yu.key", "--proposal", "9", "--time", "2020-06-03T10:00:00Z"], in: directory)
        // A real change (another share) is still a proposal.
        _ = try emc(["propose", "l.jsonl", "--key", "yu.key", "--contract", fixturesRoot.appendingPathComponent("ledgers/contracts/fixture-v2.emc").path,
                     "--effective", "2020-07", "--reason", "recipes", "--time", "2020-06-03T11:00:00Z"], in: directory)
    }

    /// Runs `emc` on a pseudo-terminal (`script`), answering `answer`, bounded in time.
    func onTerminal(_ arguments: [String], answer: String, in directory: URL) throws -> RunResult {
        let command = ([emcBinary.path] + arguments).map { "'\($0)'" }.joined(separator: " ")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/timeout")
        process.arguments = ["60", "script", "-q", "-e", "-c", command, "/dev/null"]
        process.currentDirectoryURL = directory
        let input = Pipe(), output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = output
        try process.run()
        input.fileHandleForWriting.write(Data((answer + "\n").utf8))
        try input.fileHandleForWriting.close()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return RunResult(exitCode: process.terminationStatus, stdout: String(decoding: data, as: UTF8.self), stderr: "")
    }

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/script")))
    func onATerminalAcceptShowsTheRenderingAndVoteThePreview() throws {
        let directory = try lifecycleLedgerDirectory(entries: 1)
        defer { try? FileManager.default.removeItem(at: directory) }
        let declined = try onTerminal(["accept", "l.jsonl", "--key", "yu.key", "--time", "2020-05-02T09:00:00Z"], answer: "n", in: directory)
        #expect(declined.exitCode == 1)
        #expect(declined.stdout.contains("50% of profit is split among the members by their shares"))
        #expect(declined.stdout.contains("rendering 2f4b4cfa6db70a11 of contract version 1 (genesis, hash 8c7cbc144c5ff7fd)"))
        #expect(declined.stdout.contains("Sign as yu your acceptance of contract version 1? [y/N]"))
        #expect(declined.stdout.contains("not confirmed; nothing was signed or written"))
        #expect(try ledgerBytes(directory).split(separator: 0x0a).count == 1)
        let signed = try onTerminal(["accept", "l.jsonl", "--key", "yu.key", "--time", "2020-05-02T09:00:00Z"], answer: "y", in: directory)
        #expect(signed.exitCode == 0)
        #expect(signed.stdout.contains("yu accepted contract version 1"))

        let voting = try lifecycleLedgerDirectory(entries: 9)
        defer { try? FileManager.default.removeItem(at: voting) }
        let vote = try onTerminal(["vote", "l.jsonl", "--key", "chef.key", "--proposal", "9", "--approve"], answer: "n", in: voting)
        #expect(vote.exitCode == 1)
        #expect(vote.stdout.contains("would have been paid"))
        #expect(vote.stdout.contains("2020-05  chef     82.50                110.00      +27.50"))
        #expect(vote.stdout.contains("Sign your approval of proposal 9? [y/N]"))
    }
}
