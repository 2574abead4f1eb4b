import ContractLanguage
import Foundation
@testable import Ledger
import LedgerCrypto
import LedgerStorage
import Testing

/// Issue 11, findings 1 and 3, through the binary: a state cache only saves time. Whatever is done
/// to a member's cache, the next command appends exactly what it appends with no cache at all, and
/// `emc verify` accepts the result; files that are not caches of the ledger are never written.
@Suite struct StateCacheCLITests {
    /// Where `emc` keeps `member`'s cache of `l.jsonl`.
    func cachePath(in directory: URL, member: String) throws -> String {
        let key = try KeyFiles.loadPrivateKey(path: directory.appendingPathComponent("\(member).key").path)
        return StateCache.path(forLedger: directory.appendingPathComponent("l.jsonl").path, keyID: key.publicKey.keyID)
    }

    /// Replaces the state in a cache file with `edit` applied to it (the MAC line is kept).
    static func editState(of path: String, _ edit: (inout StateSnapshot) -> Void) throws {
        var lines = try String(contentsOfFile: path, encoding: .utf8).components(separatedBy: "\n")
        let index = try #require(lines.firstIndex { $0.hasPrefix("state ") })
        var state = try #require(Base64.decode(lines[index].dropFirst(6)).flatMap { StateSnapshot(binary: $0) })
        edit(&state)
        lines[index] = "state " + Base64.encode(state.binary)
        try lines.joined(separator: "\n").write(toFile: path, atomically: false, encoding: .utf8)
    }

    struct Damage: Sendable, CustomTestStringConvertible {
        var name: String
        var apply: @Sendable (String) throws -> Void
        var testDescription: String { name }

        static func state(_ name: String, _ edit: @escaping @Sendable (inout StateSnapshot) -> Void) -> Damage {
            Damage(name: name) { path in try StateCacheCLITests.editState(of: path, edit) }
        }
    }

    /// `state` with its run state's once-fired and forfeited rules replaced.
    static func runState(_ state: ContractRunState, lastSettled: Period?, rules: Set<String>? = nil) -> ContractRunState {
        ContractRunState(lastSettled: lastSettled, previousValues: state.previousValues, totals: state.totals,
                         firedOnce: rules ?? state.firedOnce, forfeited: rules ?? state.forfeited, decidedGoals: state.decidedGoals,
                         goalMetCounts: state.goalMetCounts, ratingChanges: state.ratingChanges)
    }

    static let damages: [Damage] = [
        .state("open report value") { state in
            let values = state.openReports.map(\.value)
            for index in state.openReports.indices { state.openReports[index].value = values[(index + 1) % values.count] }
        },
        .state("duplicate open report") { state in state.openReports += state.openReports },
        .state("once-fired and forfeited rules") { state in
            state.runState = runState(state.runState, lastSettled: state.runState.lastSettled, rules: ["profit_sharing"])
        },
        .state("roster keys") { state in
            (state.members[0].key, state.members[1].key) = (state.members[1].key, state.members[0].key)
        },
        .state("last settled period") { state in state.runState = runState(state.runState, lastSettled: Period("2020-07")) },
        .state("late activation period") { state in state.activationPeriod = Period("9999-12") },
        .state("last time") { state in state.lastTime = "2020-01-01T00:00:00Z" },
        .state("sequence number") { state in state.headSeq -= 1 },
        .state("ledger id") { state in state.ledgerID = String(repeating: "0", count: 64) },
        .state("no contracts") { state in state.contracts = [] },
        .state("duplicate settlement reports") { state in
            state.recentSettlements[0].reports += state.recentSettlements[0].reports
        },
        .state("dispute votes") { state in
            for index in state.disputes.indices {
                state.disputes[index].votes = [.init(member: "chef", approve: true, seq: 18), .init(member: "farm", approve: true, seq: 18)]
            }
        },
        .state("totals paid") { state in state.totalsPaid = ["yu": 1] },
        Damage(name: "truncated") { path in
            let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
            try bytes.prefix(bytes.count / 2).write(to: URL(fileURLWithPath: path))
        },
        Damage(name: "empty") { path in try Data().write(to: URL(fileURLWithPath: path)) },
        Damage(name: "another member's cache") { path in
            let directory = URL(fileURLWithPath: path).deletingLastPathComponent()
            let other = directory.appendingPathComponent("chef-cache").path
            let result = try runEMC(["verify", "l.jsonl", "--cache", other, "--key", "chef.key"], in: directory)
            #expect(result.exitCode == 0, "\(result.stderr)")
            _ = rename(other, path)
        },
    ]

    /// The commands whose decisions a cache must not steer: each runs after a warm-up that writes
    /// the acting member's cache, then with the cache damaged, and once with no cache at all.
    static let commands: [(name: String, entries: Int, arguments: [String])] = [
        ("settle", 16, ["settle", "l.jsonl", "--key", "yu.key", "--period", "2020-07", "--time", "2020-08-02T09:00:00Z"]),
        ("report", 16, ["report", "l.jsonl", "--key", "yu.key", "--period", "2020-07", "--metric", "cost", "--value", "1300",
                        "--time", "2020-08-01T11:00:00Z"]),
        ("vote", 18, ["vote", "l.jsonl", "--key", "yu.key", "--proposal", "18", "--approve", "--time", "2020-08-04T09:00:00Z"]),
    ]

    @Test(arguments: damages)
    func aDamagedCacheChangesNoDecision(damage: Damage) throws {
        for command in Self.commands {
            let control = try lifecycleLedgerDirectory(entries: command.entries)
            let damaged = try lifecycleLedgerDirectory(entries: command.entries)
            defer {
                try? FileManager.default.removeItem(at: control)
                try? FileManager.default.removeItem(at: damaged)
            }
            let expected = try runEMC(command.arguments, in: control)
            let cache = try cachePath(in: damaged, member: "yu")
            let warmUp = try runEMC(["verify", "l.jsonl", "--cache", cache, "--key", "yu.key"], in: damaged)
            #expect(warmUp.exitCode == 0, "\(warmUp.stderr)")
            try damage.apply(cache)
            let result = try runEMC(command.arguments, in: damaged)
            let label = "\(command.name) after \(damage.name)"
            #expect(result.exitCode == expected.exitCode, "\(label): \(result.stderr)")
            #expect(result.stdout == expected.stdout, "\(label)")
            #expect(result.stderr == expected.stderr, "\(label)")
            #expect(FileManager.default.contents(atPath: damaged.appendingPathComponent("l.jsonl").path)
                    == FileManager.default.contents(atPath: control.appendingPathComponent("l.jsonl").path), "\(label): a different ledger")
            let verify = try runEMC(["verify", "l.jsonl"], in: damaged)
            #expect(verify.exitCode == 0, "\(label): \(verify.stderr)")
        }
    }

    /// The commands keep and use a cache: after one append, the member's cache exists under a name
    /// of its own, and no temporary file is left.
    @Test func appendsKeepTheMembersCache() throws {
        let directory = try lifecycleLedgerDirectory(entries: 16)
        defer { try? FileManager.default.removeItem(at: directory) }
        let result = try runEMC(Self.commands[0].arguments, in: directory)
        #expect(result.exitCode == 0, "\(result.stderr)")
        let cache = try cachePath(in: directory, member: "yu")
        #expect(FileManager.default.contents(atPath: cache).map { $0.starts(with: Data("emc-state-cache v3\n".utf8)) } == true)
        let names = try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted()
        #expect(names == ["chef.key", "farm.key", "l.jsonl", URL(fileURLWithPath: cache).lastPathComponent, "yu.key"].sorted())
    }

    /// A cache an older version wrote (v1, v2: the state as JSON) is not read, and the next append
    /// replaces it with a current one rather than refusing to touch it (SPEC §1.9).
    @Test(arguments: ["emc-state-cache v1", "emc-state-cache v2"])
    func anOlderCacheIsReplaced(formatLine: String) throws {
        let directory = try lifecycleLedgerDirectory(entries: 16)
        defer { try? FileManager.default.removeItem(at: directory) }
        let cache = try cachePath(in: directory, member: "yu")
        let ledger = try #require(FileManager.default.contents(atPath: directory.appendingPathComponent("l.jsonl").path))
        let second = ledger.split(separator: 0x0a)[1]  // genesis has no "ledger" field; every later entry does
        let ledgerID = try #require(try JSONSerialization.jsonObject(with: Data(second)) as? [String: Any])["ledger"] as? String
        let old = "\(formatLine)\nledger \(try #require(ledgerID))\nkey x\nbytes 1\nhead-line 0\nstate {}\nmac 00\n"
        try Data(old.utf8).write(to: URL(fileURLWithPath: cache))
        let result = try runEMC(Self.commands[0].arguments, in: directory)
        #expect(result.exitCode == 0, "\(result.stderr)")
        #expect(FileManager.default.contents(atPath: cache).map { $0.starts(with: Data("emc-state-cache v3\n".utf8)) } == true)
    }

    /// Finding 3: a ledger `X` next to an unrelated `X.state` (the old cache name) or a file at the
    /// new cache name: `init` and appends never touch them.
    @Test func unrelatedFilesNextToTheLedgerAreUntouched() throws {
        let directory = try lifecycleLedgerDirectory(entries: 16)
        defer { try? FileManager.default.removeItem(at: directory) }
        let unrelated = Data("my notes, not a cache\n".utf8)
        let cache = try cachePath(in: directory, member: "yu")
        for path in ["l.jsonl.state", "new.jsonl.state"].map({ directory.appendingPathComponent($0).path }) + [cache] {
            try unrelated.write(to: URL(fileURLWithPath: path))
        }
        for name in ["yu", "chef", "farm"] {
            try FileManager.default.copyItem(at: fixturesRoot.appendingPathComponent("keys/\(name).pub"),
                                             to: directory.appendingPathComponent("\(name).pub"))
        }
        let contract = fixturesRoot.appendingPathComponent("ledgers/contracts/fixture.emc").path
        let created = try runEMC(["init", "new.jsonl", "--contract", contract, "--key", "yu.key", "--time", "2020-05-01T09:00:00Z",
                                  "--member", "yu=micro-enterprise:yu.pub", "--member", "chef=external-partner:chef.pub",
                                  "--member", "farm=external-partner:farm.pub"], in: directory)
        #expect(created.exitCode == 0, "\(created.stderr)")
        let appended = try runEMC(Self.commands[0].arguments, in: directory)
        #expect(appended.exitCode == 0, "\(appended.stderr)")
        for path in ["l.jsonl.state", "new.jsonl.state"].map({ directory.appendingPathComponent($0).path }) + [cache] {
            #expect(FileManager.default.contents(atPath: path) == unrelated, "\(path) was changed")
        }
        #expect(try runEMC(["verify", "l.jsonl"], in: directory).exitCode == 0)
    }

    /// Finding 1: `verify --cache FILE` refuses, exit 2, to write a FILE that exists and is not a
    /// cache of this ledger, and leaves it untouched; `--checkpoint` is gone with a clear message.
    @Test func verifyNeverOverwritesAFileThatIsNotItsCache() throws {
        let directory = try lifecycleLedgerDirectory(entries: 16)
        defer { try? FileManager.default.removeItem(at: directory) }
        let other = try lifecycleLedgerDirectory(entries: 1)
        defer { try? FileManager.default.removeItem(at: other) }
        try FileManager.default.removeItem(at: other.appendingPathComponent("l.jsonl"))
        try FileManager.default.copyItem(at: fixturesRoot.appendingPathComponent("ledgers/valid/demo.jsonl"), to: other.appendingPathComponent("l.jsonl"))
        try Data("not even a ledger\n".utf8).write(to: directory.appendingPathComponent("notes.txt"))
        let targets = ["yu.key", "l.jsonl", "/dev/null", "notes.txt"]
        for target in targets {
            let path = target.hasPrefix("/") ? target : directory.appendingPathComponent(target).path
            let before = FileManager.default.contents(atPath: path)
            let mode = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int
            let result = try runEMC(["verify", "l.jsonl", "--cache", target, "--key", "yu.key"], in: directory)
            #expect(result.exitCode == 2, "verify --cache \(target): \(result.stderr)")
            #expect(result.stderr.hasPrefix("emc: error: ") && result.stderr.contains("refusing to overwrite"), "\(target): \(result.stderr)")
            #expect(FileManager.default.contents(atPath: path) == before, "\(target) was changed")
            #expect(try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int == mode)
        }
        // A cache of another ledger is not this ledger's either.
        let foreign = other.appendingPathComponent("cache").path
        #expect(try runEMC(["verify", "l.jsonl", "--cache", foreign, "--key", "yu.key"], in: other).exitCode == 0)
        let foreignBytes = FileManager.default.contents(atPath: foreign)
        let refused = try runEMC(["verify", "l.jsonl", "--cache", foreign, "--key", "yu.key"], in: directory)
        #expect(refused.exitCode == 2)
        #expect(FileManager.default.contents(atPath: foreign) == foreignBytes)
        // A symbolic link to the ledger is refused too.
        #expect(symlink(directory.appendingPathComponent("l.jsonl").path, directory.appendingPathComponent("link").path) == 0)
        #expect(try runEMC(["verify", "l.jsonl", "--cache", "link", "--key", "yu.key"], in: directory).exitCode == 2)
        // Its own cache is written, then used.
        let first = try runEMC(["verify", "l.jsonl", "--cache", "mine", "--key", "yu.key"], in: directory)
        #expect(first.exitCode == 0, "\(first.stderr)")
        let second = try runEMC(["verify", "l.jsonl", "--cache", "mine", "--key", "yu.key"], in: directory)
        #expect(second.stdout.contains("no entries since the cache"), "\(second.stdout)")
        // The old flag fails with a line that says what to use.
        let old = try runEMC(["verify", "l.jsonl", "--checkpoint", "notes.txt"], in: directory)
        #expect(old.exitCode == 2 && old.stderr.contains("--cache FILE --key KEY"), "\(old.stderr)")
        #expect(FileManager.default.contents(atPath: directory.appendingPathComponent("notes.txt").path) == Data("not even a ledger\n".utf8))
    }
}
