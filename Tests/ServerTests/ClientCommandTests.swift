import Foundation
import Ledger
import LedgerClient
import LedgerCrypto
import LedgerFormat
import LedgerHTTP
import LedgerTransparency
import Synchronization
import TestSupport
import Testing

/// The `emc` binary, built beside `emc-server`.
let emcBinary = serverBinary.deletingLastPathComponent().appendingPathComponent("emc")

/// Members on machines of their own (a folder and a key each) sharing ledgers through one real
/// `emc-server` on 127.0.0.1, driven with the `emc` client commands (SPEC §5.12).
final class SharedLedgerWorld {
    let folder: TemporaryFolder
    let serverKey = try! PrivateKey(seed: SHA256.hash(Array("emc-client-test/server".utf8)))
    let data: URL
    private(set) var server: RunningServer
    static let contract = packageRoot.appendingPathComponent("Fixtures/ledgers/contracts/fixture.emc").path
    static let contractV2 = packageRoot.appendingPathComponent("Fixtures/ledgers/contracts/fixture-v2.emc").path
    private(set) var ledgerID = ""

    init() throws {
        folder = try TemporaryFolder()
        data = folder.url.appendingPathComponent("data")
        server = try RunningServer(data: data, serverKey: serverKey, folder: folder.url)
        for name in Members.names {
            let directory = self.directory(name)
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            _ = try KeyFiles.write(Members.key(name), name: name, directory: directory.path)
        }
    }

    deinit { server.stop() }

    var url: String { "http://127.0.0.1:\(server.port)" }
    func directory(_ member: String) -> URL { folder.url.appendingPathComponent(member) }
    func ledger(_ member: String) -> URL { directory(member).appendingPathComponent("l.jsonl") }
    func serverLedger(data: URL? = nil) -> URL { (data ?? self.data).appendingPathComponent(ledgerID).appendingPathComponent("ledger.jsonl") }

    /// Runs `emc` in `member`'s folder and expects exit `code`.
    @discardableResult
    func emc(_ member: String, _ arguments: [String], expect code: Int32 = 0,
             sourceLocation: SourceLocation = #_sourceLocation) throws -> ProcessResult {
        let result = try runProcess(emcBinary, arguments, in: directory(member), timeoutSeconds: 300)
        #expect(result.exitCode == code, "\(member): emc \(arguments.joined(separator: " ")): \(result.stdout) \(result.stderr)",
                sourceLocation: sourceLocation)
        return result
    }

    /// yu creates the ledger on the server, chef and farm clone it, and all three accept.
    func createAndAcceptByAll() throws {
        var arguments = ["init", "l.jsonl", "--contract", Self.contract, "--key", "yu.key", "--time", "2020-05-01T09:00:00Z", "--remote", url]
        for name in Members.names {
            let role = name == "yu" ? "micro-enterprise" : "external-partner"
            arguments += ["--member", "\(name)=\(role):\(directory(name).appendingPathComponent("\(name).pub").path)"]
        }
        let created = try emc("yu", arguments)
        let id = try #require(created.stdout.split(separator: " ").first { $0.count == 64 })
        ledgerID = String(id)
        #expect(created.stdout.contains("yu cosigned the checkpoint of size 1"))
        for name in ["chef", "farm"] {
            let cloned = try emc(name, ["clone", url, ledgerID, "l.jsonl", "--key", "\(name).key"])
            #expect(cloned.stdout.contains("\(name) cosigned the checkpoint of size"))
        }
        for (index, name) in Members.names.enumerated() {
            try emc(name, ["accept", "l.jsonl", "--key", "\(name).key", "--time", "2020-05-0\(index + 2)T09:00:00Z"])
        }
    }

    /// After `createAndAcceptByAll`: yu's copy, its remote configuration, and farm's session on
    /// the server (pulled), to append beside yu's client commands.
    func yuCopyAndFarmSession() throws -> (path: String, config: RemoteConfig, farm: MemberSession) {
        try createAndAcceptByAll()
        let path = ledger("yu").path
        let config = try #require(try RemoteConfig.load(forLedger: path))
        let farm = MemberSession(client: server.client(), key: Members.key("farm"), ledgerID: ledgerID)
        try farm.pull()
        return (path, config, farm)
    }

    /// Every member pulls; then each copy is byte-identical to the server's file and verifies.
    func expectEveryCopyIsTheServers(sourceLocation: SourceLocation = #_sourceLocation) throws {
        for name in Members.names { try emc(name, ["pull", "l.jsonl"], sourceLocation: sourceLocation) }
        let served = try Data(contentsOf: serverLedger())
        for name in Members.names {
            #expect(try Data(contentsOf: ledger(name)) == served, "\(name)'s copy differs from the server's", sourceLocation: sourceLocation)
            try emc(name, ["verify", "l.jsonl"], sourceLocation: sourceLocation)
        }
    }

    /// Points `member`'s remote configuration at another server (as if DNS now led elsewhere).
    func redirect(_ member: String, to other: RunningServer) throws {
        let path = ledger(member).path + ".emc-remote"
        var text = try String(contentsOfFile: path, encoding: .utf8)
        text = text.replacingOccurrences(of: url, with: "http://127.0.0.1:\(other.port)")
        try text.write(toFile: path, atomically: true, encoding: .utf8)
    }

    /// A second server with the same key over a copy of the data directory as it is now.
    func copyOfTheServer(_ name: String) throws -> URL {
        let copy = folder.url.appendingPathComponent(name)
        try FileManager.default.copyItem(at: data, to: copy)
        return copy
    }
}

@Suite(.serialized) struct ClientCommandTests {
    @Test func threeMembersRunAWholeEMCThroughOneServer() throws {
        let world = try SharedLedgerWorld()
        try world.createAndAcceptByAll()
        let report = try world.emc("yu", ["report", "l.jsonl", "--key", "yu.key", "--period", "2020-05", "--metric", "revenue",
                                          "--value", "1000", "--time", "2020-06-01T09:00:00Z"])
        #expect(report.stdout.contains("revenue = 1000.00"))
        try world.emc("farm", ["report", "l.jsonl", "--key", "farm.key", "--period", "2020-05", "--metric", "cost", "--value", "450.00",
                               "--time", "2020-06-01T11:00:00Z"])
        let settle = try world.emc("chef", ["settle", "l.jsonl", "--key", "chef.key", "--period", "2020-05", "--time", "2020-06-02T09:00:00Z"])
        #expect(settle.stdout.contains("137.50") && settle.stdout.contains("275.00"))
        let propose = try world.emc("yu", ["propose", "l.jsonl", "--key", "yu.key", "--contract", SharedLedgerWorld.contractV2,
                                           "--effective", "2020-07", "--reason", "recipes drive sales", "--time", "2020-06-03T09:00:00Z"])
        #expect(propose.stdout.contains("proposal 8"))
        try world.emc("chef", ["vote", "l.jsonl", "--key", "chef.key", "--proposal", "8", "--approve", "--time", "2020-06-04T09:00:00Z"])
        let adopted = try world.emc("farm", ["vote", "l.jsonl", "--key", "farm.key", "--proposal", "8", "--approve", "--time", "2020-06-05T09:00:00Z"])
        #expect(adopted.stdout.contains("adopted"))
        let dispute = try world.emc("farm", ["dispute", "l.jsonl", "--key", "farm.key", "--period", "2020-05", "--set", "cost=400",
                                             "--reason", "a duplicated feed invoice", "--time", "2020-06-06T09:00:00Z"])
        #expect(dispute.stdout.contains("dispute 11"))
        try world.emc("yu", ["vote", "l.jsonl", "--key", "yu.key", "--proposal", "11", "--approve", "--time", "2020-06-07T09:00:00Z"])
        let adjusted = try world.emc("chef", ["vote", "l.jsonl", "--key", "chef.key", "--proposal", "11", "--approve", "--time", "2020-06-07T10:00:00Z"])
        #expect(adjusted.stdout.contains("adopted"))
        try world.expectEveryCopyIsTheServers()
        let log = try world.emc("farm", ["log", "l.jsonl"])
        #expect(log.stdout.contains("adjusts dispute 11"))
        // A member's refused entry reaches neither the server nor her copy.
        let before = try Data(contentsOf: world.serverLedger())
        let refused = try world.emc("chef", ["report", "l.jsonl", "--key", "chef.key", "--period", "2020-06", "--metric", "cost",
                                             "--value", "1", "--time", "2020-07-01T09:00:00Z"], expect: 1)
        #expect(refused.stderr.contains("may not report cost"))
        #expect(try Data(contentsOf: world.serverLedger()) == before)
        #expect(try Data(contentsOf: world.ledger("chef")) == before)
        // A rotation through the server moves the configuration to the new key; pulls and cosigns go on.
        try world.emc("chef", ["keygen", "chef2"])
        try world.emc("chef", ["rotate-key", "l.jsonl", "--key", "chef.key", "--new-key", "chef2.key", "--time", "2020-07-01T10:00:00Z"])
        let config = try String(contentsOf: URL(fileURLWithPath: world.ledger("chef").path + ".emc-remote"), encoding: .utf8)
        #expect(config.hasSuffix("key \(world.directory("chef").appendingPathComponent("chef2.key").path)\n"), "\(config)")
        let pulled = try world.emc("chef", ["pull", "l.jsonl"])
        #expect(pulled.stdout.contains("chef cosigned the checkpoint of size 15"), "\(pulled.stdout)")
        try world.expectEveryCopyIsTheServers()
    }

    @Test func aCloneWhoseCheckpointIsNotThePinnedKeysKeepsNothing() throws {
        let world = try SharedLedgerWorld()
        try world.createAndAcceptByAll()
        let stranger = try NoteVerifier(name: "emc-server", publicKey: Members.key("stranger").publicKey)
        let refused = try world.emc("chef", ["clone", world.url, world.ledgerID, "other.jsonl", "--key", "chef.key",
                                             "--server-key", stranger.verifierKey], expect: 1)
        #expect(refused.stderr.contains("no valid signature by the pinned server key"), "\(refused.stderr)")
        let left = try FileManager.default.contentsOfDirectory(atPath: world.directory("chef").path).filter { $0.hasPrefix("other.jsonl") }
        #expect(left.isEmpty, "\(left)")
        let existing = try world.emc("chef", ["clone", world.url, world.ledgerID, "l.jsonl", "--key", "chef.key"], expect: 2)
        #expect(existing.stderr.contains("already exists; refusing to overwrite it"))
        try world.emc("chef", ["keygen", "outsider"])
        let outsider = try world.emc("chef", ["clone", world.url, world.ledgerID, "x.jsonl", "--key", "outsider.key"], expect: 2)
        #expect(outsider.stderr.contains("answered 403"), "\(outsider.stderr)")
    }

    @Test func aForkedServerIsCaughtWithAProofAndARolledBackOneIsRefused() throws {
        let world = try SharedLedgerWorld()
        try world.createAndAcceptByAll()
        try world.expectEveryCopyIsTheServers()
        let forkData = try world.copyOfTheServer("fork-data"), oldData = try world.copyOfTheServer("old-data")
        try world.emc("yu", ["report", "l.jsonl", "--key", "yu.key", "--period", "2020-05", "--metric", "revenue",
                             "--value", "1000", "--time", "2020-06-01T09:00:00Z"])
        try world.emc("chef", ["pull", "l.jsonl"])
        try world.emc("farm", ["pull", "l.jsonl"])
        let chefBefore = try Data(contentsOf: world.ledger("chef"))

        // The same server key over the copy, where other entries follow entry 4.
        let forked = try RunningServer(data: forkData, serverKey: world.serverKey, folder: world.folder.url)
        defer { forked.stop() }
        let yu = MemberSession(client: forked.client(), key: Members.key("yu"), ledgerID: world.ledgerID)
        try yu.pull()
        #expect(try yu.submit(yu.report(11)).count == 1)
        #expect(try yu.submit(yu.report(12)).count == 1)
        try world.redirect("chef", to: forked)
        let pull = try world.emc("chef", ["pull", "l.jsonl"], expect: 1)
        #expect(pull.stderr.contains("fork:"), "\(pull.stderr)")
        let proofLine = try #require(pull.stdout.split(separator: "\n").first { $0.hasPrefix("fork proof: ") })
        let proof = String(proofLine.dropFirst("fork proof: ".count))
        #expect(try Data(contentsOf: world.ledger("chef")) == chefBefore, "nothing of the forked history is appended")
        // Another member checks it offline, with her own copy's keys and pinned server key, or the server's key alone.
        let proofPath = proof.hasPrefix("/") ? proof : world.directory("chef").appendingPathComponent(proof).path
        let checked = try world.emc("yu", ["verify-fork", proofPath, "--ledger", "l.jsonl"])
        #expect(checked.stdout.contains("equivocators (signed both views): emc-server"), "\(checked.stdout)")
        try world.emc("farm", ["verify-fork", proofPath, "--vkey", forked.verifier.verifierKey])

        // A server restarted on an older copy of its data: the checkpoint farm cosigned is gone.
        let rolledBack = try RunningServer(data: oldData, serverKey: world.serverKey, folder: world.folder.url)
        defer { rolledBack.stop() }
        try world.redirect("farm", to: rolledBack)
        let rollback = try world.emc("farm", ["pull", "l.jsonl"], expect: 1)
        #expect(rollback.stderr.contains("rollback: the server's checkpoint has size 4, smaller than the checkpoint of size 5 you cosigned"),
                "\(rollback.stderr)")
    }

    @Test func entriesMadeOfflineArePushedAndConcurrentAppendsBothLand() throws {
        let world = try SharedLedgerWorld()
        try world.createAndAcceptByAll()
        try world.emc("farm", ["report", "l.jsonl", "--key", "farm.key", "--period", "2020-05", "--metric", "cost", "--value", "450.00",
                               "--time", "2020-06-01T11:00:00Z", "--offline"])
        let behind = try world.emc("farm", ["pull", "l.jsonl"])
        #expect(behind.stdout.contains("1 entry made offline is not on the server"), "\(behind.stdout)")
        let blocked = try world.emc("farm", ["report", "l.jsonl", "--key", "farm.key", "--period", "2020-06", "--metric", "cost",
                                             "--value", "1", "--time", "2020-07-01T11:00:00Z"], expect: 2)
        #expect(blocked.stderr.contains("emc push"))
        let pushed = try world.emc("farm", ["push", "l.jsonl"])
        #expect(pushed.stdout.contains("pushed 1 entry"))
        #expect(try world.emc("farm", ["push", "l.jsonl"]).stdout.contains("nothing to push"))

        // yu and farm append at the same moment from the same head: both land, once each.
        let arguments = [("yu", ["report", "l.jsonl", "--key", "yu.key", "--period", "2020-05", "--metric", "revenue", "--value", "1000",
                                 "--time", "2020-07-01T12:00:00Z"]),
                         ("farm", ["report", "l.jsonl", "--key", "farm.key", "--period", "2020-06", "--metric", "cost", "--value", "5",
                                   "--time", "2020-07-01T12:00:00Z"])]
        let results = Mutex<[ProcessResult]>([])
        let directories = arguments.map { world.directory($0.0) }
        DispatchQueue.concurrentPerform(iterations: arguments.count) { index in
            if let result = try? runProcess(emcBinary, arguments[index].1, in: directories[index], timeoutSeconds: 300) {
                results.withLock { $0.append(result) }
            }
        }
        let finished = results.withLock { $0 }
        #expect(finished.count == 2 && finished.allSatisfy { $0.exitCode == 0 }, "\(finished.map(\.stderr))")
        try world.expectEveryCopyIsTheServers()
        let lines = try String(contentsOf: world.serverLedger(), encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 7)
        #expect(lines.filter { $0.contains("\"metric\":\"revenue\"") }.count == 1)
    }

    /// The 409 path, made certain: another member's entry lands between the plan and the submit.
    @Test func aStaleHeadIsPulledAndPlannedAgain() throws {
        let world = try SharedLedgerWorld()
        let (path, config, farm) = try world.yuCopyAndFarmSession()
        var plans = 0
        let appended = try Submit.append(ledgerPath: path, config: config, key: Members.key("yu"), timestamp: { 1_700_000_000 }) { state in
            plans += 1
            if plans == 1 { #expect(try farm.submit(farm.report(7)).count == 1) }
            return [try EntryBuilder.report(after: state, period: Members.period, metric: "revenue", value: "9.00", time: Members.time,
                                            key: Members.key("yu"))]
        }
        #expect(plans == 2)
        #expect(appended.map(\.entry.seq) == [6])
        try world.expectEveryCopyIsTheServers()
    }

    /// A pull of a copy verified before resumes from the member's caches (state cache, witness
    /// state, hash sidecar) and verifies only the new entries; a damaged sidecar or state cache
    /// means a verify from the start, with the same result (SPEC §5.12.4).
    @Test func aPullResumesFromTheCachesAndFallsBackWhenOneIsDamaged() throws {
        let world = try SharedLedgerWorld()
        let (path, config, farm) = try world.yuCopyAndFarmSession()
        func pull() throws -> Pull.Result {
            try Pull.run(ledgerPath: path, config: config, key: Members.key("yu"), timestamp: 1_700_000_000)
        }
        func farmReports(_ value: Int) throws { #expect(try farm.submit(farm.report(value)).count == 1) }
        func flipLastByte(_ file: String) throws {
            var bytes = try Data(contentsOf: URL(fileURLWithPath: file))
            bytes[bytes.count - 1] ^= 0x01
            try bytes.write(to: URL(fileURLWithPath: file))
        }
        _ = try pull()
        let steps: [(damage: String?, resumed: Bool)] = [
            (nil, true),
            (path + ".emc-tree", false),
            (nil, true),
            (path + ".emc-state-" + Members.key("yu").publicKey.keyID, false),
            (nil, true),
        ]
        for (index, step) in steps.enumerated() {
            try farmReports(10 + index)
            if let file = step.damage { try flipLastByte(file) }
            let result = try pull()
            #expect(result.resumed == step.resumed, "step \(index)")
            #expect(result.fetched == 1 && result.cosignedSize == UInt64(result.localSize) && result.member == "yu", "step \(index): \(result)")
            #expect(try Data(contentsOf: world.ledger("yu")) == Data(contentsOf: world.serverLedger()), "step \(index)")
        }
        // Nothing new: still resumed, nothing fetched, the same checkpoint cosigned.
        let again = try pull()
        #expect(again.resumed && again.fetched == 0 && again.cosignedSize == UInt64(again.localSize))
        try world.expectEveryCopyIsTheServers()
    }
}
