import Foundation
import Testing

/// Runs a shell command (for openssl), returning its exit code.
@discardableResult
func shell(_ command: String, in directory: URL) throws -> Int32 {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/bin/sh")
    process.arguments = ["-c", command]
    process.currentDirectoryURL = directory
    process.standardOutput = FileHandle.nullDevice
    process.standardError = FileHandle.nullDevice
    try process.run()
    process.waitUntilExit()
    return process.terminationStatus
}

/// A directory with keys for yu, chef and farm, and a ledger with all three on the roster.
func makeLedger(in directory: URL, contract: String = contractText(members: [("yu", "micro-enterprise"), ("chef", "external-partner"), ("farm", "external-partner")])) throws {
    for name in ["yu", "chef", "farm"] {
        #expect(try runEMC(["keygen", name], in: directory).exitCode == 0)
    }
    try contract.write(to: directory.appendingPathComponent("c.emc"), atomically: true, encoding: .utf8)
    let result = try runEMC(["init", "l.jsonl", "--contract", "c.emc", "--key", "yu.key", "--time", "2020-05-01T09:00:00Z",
                             "--member", "yu=micro-enterprise:yu.pub", "--member", "chef=external-partner:chef.pub",
                             "--member", "farm=external-partner:farm.pub"], in: directory)
    #expect(result.exitCode == 0, "init failed: \(result.stderr)")
}

@Suite struct LedgerCLITests {
    @Test func fullCoreLifecycleThroughTheBinary() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        try makeLedger(in: directory)
        for (index, name) in ["yu", "chef", "farm"].enumerated() {
            let accept = try runEMC(["accept", "l.jsonl", "--key", "\(name).key", "--time", "2020-05-0\(index + 2)T09:00:00Z"], in: directory)
            #expect(accept.exitCode == 0, "\(accept.stderr)")
            #expect(accept.stdout.contains("\(name) accepted contract version 1"))
        }
        let again = try runEMC(["accept", "l.jsonl", "--key", "chef.key", "--time", "2020-05-09T09:00:00Z"], in: directory)
        #expect(again.exitCode == 1)
        #expect(try runEMC(["keygen", "chef2"], in: directory).exitCode == 0)
        let rotate = try runEMC(["rotate-key", "l.jsonl", "--key", "chef.key", "--new-key", "chef2.key", "--time", "2020-05-10T09:00:00Z"], in: directory)
        #expect(rotate.exitCode == 0, "\(rotate.stderr)")
        let verify = try runEMC(["verify", "l.jsonl", "--json"], in: directory)
        #expect(verify.exitCode == 0)
        #expect(verify.stdout.contains("\"entries\":5") && verify.stdout.contains("\"ok\":true"))
        let log = try runEMC(["log", "l.jsonl"], in: directory)
        #expect(log.exitCode == 0)
        #expect(log.stdout.split(separator: "\n").count == 5)
        #expect(log.stdout.contains("rotate-key") && log.stdout.contains("chef"))
        // The old key no longer signs for chef.
        let stale = try runEMC(["accept", "l.jsonl", "--key", "chef.key", "--time", "2020-05-11T09:00:00Z"], in: directory)
        #expect(stale.exitCode == 1)
        #expect(stale.stderr.contains("not the current key"))
    }

    @Test func initRefusesToOverwriteAndNeedsFounderOnRoster() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        try makeLedger(in: directory)
        let before = try Data(contentsOf: directory.appendingPathComponent("l.jsonl"))
        let overwrite = try runEMC(["init", "l.jsonl", "--contract", "c.emc", "--key", "yu.key", "--member", "yu=micro-enterprise:yu.pub"], in: directory)
        #expect(overwrite.exitCode == 2)
        #expect(overwrite.stderr.contains("already exists"))
        #expect(try Data(contentsOf: directory.appendingPathComponent("l.jsonl")) == before)
        let notOnRoster = try runEMC(["init", "m.jsonl", "--contract", "c.emc", "--key", "yu.key", "--member", "chef=external-partner:chef.pub"], in: directory)
        #expect(notOnRoster.exitCode == 2)
        #expect(notOnRoster.stderr.contains("not on the roster"))
    }

    @Test func opensslKeysWorkAndPublicKeysMatch() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        try #require(try shell("openssl genpkey -algorithm ed25519 -out ossl.key && openssl pkey -in ossl.key -pubout -out ossl.pub", in: directory) == 0)
        #expect(try runEMC(["keygen", "ours"], in: directory).exitCode == 0)
        try #require(try shell("openssl pkey -in ours.key -pubout -out ours-openssl.pub", in: directory) == 0)
        #expect(try Data(contentsOf: directory.appendingPathComponent("ours.pub")) == Data(contentsOf: directory.appendingPathComponent("ours-openssl.pub")))
        try contractText(members: [("ossl", "platform")]).write(to: directory.appendingPathComponent("c.emc"), atomically: true, encoding: .utf8)
        let result = try runEMC(["init", "l.jsonl", "--contract", "c.emc", "--key", "ossl.key", "--member", "ossl=platform:ossl.pub"], in: directory)
        #expect(result.exitCode == 0, "\(result.stderr)")
        #expect(try runEMC(["accept", "l.jsonl", "--key", "ossl.key"], in: directory).exitCode == 0)
        #expect(try runEMC(["verify", "l.jsonl"], in: directory).exitCode == 0)
    }

    @Test("bad key files give one line and exit 2", arguments: [
        ("garbage", "echo 'not a key' > bad.key && chmod 600 bad.key"),
        ("rsa", "openssl genpkey -algorithm rsa -pkeyopt rsa_keygen_bits:1024 -out bad.key"),
        ("encrypted", "openssl genpkey -algorithm ed25519 -aes256 -pass pass:secret -out bad.key"),
        ("truncated", "openssl genpkey -algorithm ed25519 -out full.key && head -c 60 full.key > bad.key && chmod 600 bad.key"),
        ("world-readable", "openssl genpkey -algorithm ed25519 -out bad.key && chmod 644 bad.key"),
        ("missing", "true"),
    ])
    func badKeyFiles(label: String, setup: String) throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        try makeLedger(in: directory)
        try #require(try shell(setup, in: directory) == 0)
        let result = try runEMC(["accept", "l.jsonl", "--key", "bad.key"], in: directory)
        #expect(result.exitCode == 2, "\(label): \(result.stderr)")
        let lines = result.stderr.split(separator: "\n")
        #expect(lines.count == 1, "\(label): \(result.stderr)")
        #expect(result.stderr.contains("bad.key"), "\(label): \(result.stderr)")
        #expect(!result.stderr.contains("Fatal error"))
    }

    @Test func tamperedFixtureLedgersFailVerifyNamingTheEntry() throws {
        let expectedText = try String(contentsOf: fixturesRoot.appendingPathComponent("ledgers/invalid/expected.json"), encoding: .utf8)
        let expected = try #require(try JSONSerialization.jsonObject(with: Data(expectedText.utf8)) as? [String: [String: Any]])
        #expect(expected.count >= 10)
        for (name, fields) in expected.sorted(by: { $0.key < $1.key }) {
            let path = fixturesRoot.appendingPathComponent("ledgers/invalid/\(name).jsonl").path
            let result = try runEMC(["verify", path])
            #expect(result.exitCode == 1, "\(name): \(result.stderr)")
            let seq = try #require(fields["seq"] as? Int)
            #expect(result.stderr.contains("entry \(seq)"), "\(name): \(result.stderr)")
            #expect(result.stderr.contains(try #require(fields["reason"] as? String)), "\(name): \(result.stderr)")
            #expect(result.stderr.split(separator: "\n").count == 1)
        }
    }

    @Test func tornTailIsReportedAndRepaired() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        try makeLedger(in: directory)
        #expect(try runEMC(["accept", "l.jsonl", "--key", "yu.key", "--time", "2020-05-02T09:00:00Z"], in: directory).exitCode == 0)
        let url = directory.appendingPathComponent("l.jsonl")
        let full = try Data(contentsOf: url)
        try full.dropLast(25).write(to: url)
        let verify = try runEMC(["verify", "l.jsonl"], in: directory)
        #expect(verify.exitCode == 1)
        #expect(verify.stderr.contains("torn tail") && verify.stderr.contains("emc repair"))
        let append = try runEMC(["accept", "l.jsonl", "--key", "chef.key", "--time", "2020-05-03T09:00:00Z"], in: directory)
        #expect(append.exitCode == 1, "appending after a torn tail must be refused")
        let repair = try runEMC(["repair", "l.jsonl"], in: directory)
        #expect(repair.exitCode == 0, "\(repair.stderr)")
        #expect(try Data(contentsOf: directory.appendingPathComponent("l.jsonl.torn-1")) == full.dropLast(25))
        let after = try runEMC(["verify", "l.jsonl"], in: directory)
        #expect(after.exitCode == 0 && after.stdout.contains("1 entries"))
    }

    @Test func usageAndIOErrorsExitTwo() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let missing = try runEMC(["verify", "nope.jsonl"], in: directory)
        #expect(missing.exitCode == 2 && missing.stderr.contains("nope.jsonl"))
        let badFlag = try runEMC(["verify", "--frobnicate", "x"], in: directory)
        #expect(badFlag.exitCode == 2)
        #expect(badFlag.stderr.split(separator: "\n").count == 1)
        let noArgs = try runEMC(["init"], in: directory)
        #expect(noArgs.exitCode == 2)
    }

    /// Several processes append to one ledger at once: no fork, no interleaving, nothing lost.
    @Test(arguments: [2, 4])
    func concurrentAppendersNeverFork(processes: Int) throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let names = (0..<processes).map { "m\($0)" }
        let rounds = 6
        for name in names {
            for round in 0...rounds { #expect(try runEMC(["keygen", "\(name)-\(round)"], in: directory).exitCode == 0) }
        }
        try contractText(members: names.map { ($0, "micro-enterprise") }).write(to: directory.appendingPathComponent("c.emc"), atomically: true, encoding: .utf8)
        let members = names.flatMap { ["--member", "\($0)=micro-enterprise:\($0)-0.pub"] }
        #expect(try runEMC(["init", "l.jsonl", "--contract", "c.emc", "--key", "m0-0.key", "--time", "2020-01-01T00:00:00Z"] + members, in: directory).exitCode == 0)
        // Each process rotates its own member's key `rounds` times, racing the others.
        let workers = try names.map { name -> Process in
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/bin/sh")
            process.arguments = ["-c", "for r in $(seq 0 \(rounds - 1)); do \(emcBinary.path) rotate-key l.jsonl --key \(name)-$r.key --new-key \(name)-$((r+1)).key --time 2020-02-01T00:00:00Z >> \(name).out 2>&1 || echo FAIL >> \(name).out; done"]
            process.currentDirectoryURL = directory
            process.standardInput = FileHandle.nullDevice
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            return process
        }
        for worker in workers { worker.waitUntilExit() }
        for name in names {
            let output = try String(contentsOf: directory.appendingPathComponent("\(name).out"), encoding: .utf8)
            #expect(!output.contains("FAIL"), "\(name): \(output)")
        }
        let verify = try runEMC(["verify", "l.jsonl", "--json"], in: directory)
        #expect(verify.exitCode == 0, "\(verify.stderr)")
        #expect(verify.stdout.contains("\"entries\":\(1 + processes * rounds)"))
    }
}
