import Dispatch
import Foundation
import Ledger
import LedgerCrypto
import LedgerFormat
import LedgerHTTP
import LedgerTransparency
import TestSupport
import Testing

/// The PostgreSQL store end to end (issue 15): real `emc-server` processes over one database of
/// the test cluster, clients on loopback.
@Suite(.serialized, .enabled(if: TestPostgres.enabled), .timeLimit(.minutes(10)))
struct PostgresServerTests {
    typealias Acknowledged = ServerReliabilityTests.Acknowledged

    /// `emc-server export` of ledger `id` into a new file under `folder`.
    static func export(_ id: String, from url: String, folder: TemporaryFolder) throws -> URL {
        let file = folder.url.appendingPathComponent("export-\(UUID().uuidString.prefix(8)).jsonl")
        let result = try TestPostgres.tool(serverBinary.path, ["export", "--store", url, id, file.path])
        try #require(result.status == 0, "export: \(result.output)")
        return file
    }

    @Test func aPostgresServerServesWhatTheFileStoreServes() throws {
        let folder = try TemporaryFolder()
        let database = try TestDatabase()
        let key = try PrivateKey(seed: Array(repeating: 3, count: 32))
        let files = try RunningServer(data: folder.url.appendingPathComponent("data"), serverKey: key, folder: folder.url)
        defer { files.stop() }
        let postgres = try RunningServer(store: database.url, serverKey: key, folder: folder.url)
        defer { postgres.stop() }
        var sessions: [MemberSession] = []
        for server in [files, postgres] {
            let yu = try createActiveLedger(server)
            for value in 1...5 { #expect(try yu.submit(yu.report(value)).count == 1) }
            sessions.append(yu)
        }
        #expect(sessions[0].lines == sessions[1].lines, "the same entries, byte for byte")
        let checkpoints = try sessions.map { try $0.send("GET", APIRoute.checkpoint(ledger: $0.ledgerID).target).body }
        #expect(checkpoints[0] == checkpoints[1], "the same signed checkpoint (Ed25519 is deterministic)")

        // Export is the canonical file; import puts it in another store, which serves it.
        let id = sessions[1].ledgerID
        let exported = try Self.export(id, from: database.url, folder: folder)
        #expect([UInt8](try Data(contentsOf: exported)) == EntryBatch.encode(sessions[1].lines))
        #expect([UInt8](try Data(contentsOf: exported)) == [UInt8](try Data(contentsOf: folder.url.appendingPathComponent("data/\(id)/ledger.jsonl"))))
        let again = try TestPostgres.tool(serverBinary.path, ["export", "--store", database.url, id, exported.path])
        #expect(again.status == 2 && again.output.contains("exists"), "export never overwrites: \(again.output)")
        let other = try TestDatabase()
        let imported = try TestPostgres.tool(serverBinary.path, ["import", "--store", other.url, exported.path])
        #expect(imported.status == 0 && imported.output.contains("imported 9 entries"), "\(imported.output)")
        let twice = try TestPostgres.tool(serverBinary.path, ["import", "--store", other.url, exported.path])
        #expect(twice.status == 2 && twice.output.contains("exists"), "import never overwrites: \(twice.output)")
        let server = try RunningServer(store: other.url, serverKey: key, folder: folder.url)
        defer { server.stop() }
        let reader = MemberSession(client: server.client(), key: Members.key("farm"), ledgerID: id)
        try reader.pull()
        #expect(reader.lines == sessions[1].lines)
    }

    @Test func anInvalidFileIsNotImported() throws {
        let folder = try TemporaryFolder()
        let database = try TestDatabase()
        let lines = try StoreConformanceTests.lines(ledger: 3)
        var tampered = lines
        tampered[2] = Array(String(decoding: lines[2], as: UTF8.self).replacingOccurrences(of: "\"seq\":3", with: "\"seq\":4").utf8)
        let file = folder.url.appendingPathComponent("bad.jsonl")
        try Data(EntryBatch.encode(tampered)).write(to: file)
        let result = try TestPostgres.tool(serverBinary.path, ["import", "--store", database.url, file.path])
        #expect(result.status == 1, "\(result.output)")
        #expect(try database.sql("SELECT count(*) FROM entries") == "0", "nothing of a bad file is stored")
    }

    /// Two server processes with one key over one new database: `body` gets them, the database and a folder.
    static func withTwoServers(seed: UInt8, _ body: (RunningServer, RunningServer, TestDatabase, TemporaryFolder) throws -> Void) throws {
        let folder = try TemporaryFolder()
        let database = try TestDatabase()
        let key = try PrivateKey(seed: Array(repeating: seed, count: 32))
        let first = try RunningServer(store: database.url, serverKey: key, folder: folder.url)
        defer { first.stop() }
        let second = try RunningServer(store: database.url, serverKey: key, folder: folder.url)
        defer { second.stop() }
        try body(first, second, database, folder)
    }

    @Test func twoServersOverOneDatabaseNeverForkALedger() throws {
        try Self.withTwoServers(seed: 4) { first, second, database, folder in
            let yu = try createActiveLedger(first)
            let acknowledged = Acknowledged()
            let clients = 6, rounds = 12
            ServerReliabilityTests.submitConcurrently(ports: [first.port, second.port], ledgerID: yu.ledgerID, clients: clients, rounds: rounds,
                                                      into: acknowledged, timeoutMs: 30_000)
            #expect(acknowledged.all.count == clients * rounds)
            let exported = try Self.export(yu.ledgerID, from: database.url, folder: folder)
            try ServerReliabilityTests.check(acknowledged.all, storedIn: exported)
            #expect(try database.sql("SELECT count(*) FROM entries") == String(4 + clients * rounds))
            for server in [first, second] {
                let session = MemberSession(client: server.client(), key: Members.key("chef"), ledgerID: yu.ledgerID)
                try session.pull()
                #expect(EntryBatch.encode(session.lines) == [UInt8](try Data(contentsOf: exported)), "every server serves the one history")
            }
        }
    }

    /// A proof asked of one server right after another appended (SPEC §5.10): a size beyond its
    /// cache makes it catch up and answer; a size it has verified it answers from its cache.
    @Test func proofsFromAnotherServerCatchUpWhenTheyMust() throws {
        try Self.withTwoServers(seed: 6) { first, second, _, _ in
            let yu = try createActiveLedger(first)
            let onSecond = MemberSession(client: second.client(), key: yu.key, ledgerID: yu.ledgerID)
            try onSecond.pull()  // the second server has verified the 4 entries
            for round in 1...3 {
                _ = try yu.submit(yu.report(round))
                let size = yu.state.headSeq
                for (index, asked) in [(size - 1, size), (0, 4)] {
                    let response = try onSecond.send("GET", APIRoute.inclusionProof(ledger: yu.ledgerID, index: index, size: asked).target)
                    #expect(response.status == 200, "round \(round), size \(asked): \(response.status) \(response.text)")
                    var frontier = MerkleFrontier()
                    for line in yu.lines.prefix(Int(asked)) { frontier.append(line: line) }
                    let hashes = try String(decoding: response.body, as: UTF8.self).split(separator: "\n").map {
                        try #require(MerkleHash(base64: String($0)))
                    }
                    try InclusionProof(index: UInt64(index), treeSize: UInt64(asked), hashes: hashes)
                        .verify(leafHash: MerkleTree.leafHash(yu.lines[Int(index)]), root: frontier.root)
                }
            }
        }
    }

    /// kill -9 of one server mid-commit, and `pg_ctl restart` of the database, while clients of two
    /// servers submit (seeded): every acknowledged entry is stored once, nothing half-written is
    /// served, and the clients carry on by retrying.
    @Test func crashesAndDatabaseRestartsLoseNothingAcknowledged() throws {
        var random = SeededGenerator(seed: 15)
        let folder = try TemporaryFolder()
        let database = try TestDatabase()
        let key = try PrivateKey(seed: Array(repeating: 5, count: 32))
        var crashing = try RunningServer(store: database.url, serverKey: key, folder: folder.url)
        let steady = try RunningServer(store: database.url, serverKey: key, folder: folder.url)
        defer { steady.stop() }
        let ledgerID = try createActiveLedger(steady).ledgerID
        let acknowledged = Acknowledged()
        for round in 0..<8 {
            let restartDatabase = round % 2 == 1
            let delayMs = Int.random(in: 50...400, using: &random)
            let ports = [crashing.port, steady.port]
            let clients = DispatchGroup()
            DispatchQueue.global().async(group: clients) {
                ServerReliabilityTests.submitConcurrently(ports: ports, ledgerID: ledgerID, clients: 4, rounds: 12,
                                                          into: acknowledged, stopOnError: true, timeoutMs: 30_000)
            }
            usleep(UInt32(delayMs * 1000))
            if restartDatabase {
                try TestPostgres.restart()
            } else {
                crashing.crash()
            }
            #expect(clients.wait(timeout: .now() + 120) == .success, "clients finish or stop")
            if !restartDatabase {
                crashing = try RunningServer(store: database.url, serverKey: key, folder: folder.url)
            }
            let exported = try Self.export(ledgerID, from: database.url, folder: folder)
            try ServerReliabilityTests.check(acknowledged.all, storedIn: exported)
            for server in [crashing, steady] {
                let session = MemberSession(client: server.client(), key: Members.key("yu"), ledgerID: ledgerID)
                try session.pull()
                #expect(EntryBatch.encode(session.lines) == [UInt8](try Data(contentsOf: exported)))
            }
        }
        #expect(acknowledged.all.count >= 8 * 4, "clients got acknowledgements in every round")
        crashing.stop()
    }

    @Test func aNewerSchemaIsRefused() throws {
        let folder = try TemporaryFolder()
        let database = try TestDatabase()
        let key = try PrivateKey(seed: Array(repeating: 6, count: 32))
        let server = try RunningServer(store: database.url, serverKey: key, folder: folder.url)
        server.stop()
        #expect(try database.sql("SELECT max(version) FROM emc_schema") == "1")
        try database.sql("INSERT INTO emc_schema (version, description) VALUES (99, 'from the future')")
        #expect(throws: HTTPClientError.self) {
            _ = try RunningServer(store: database.url, serverKey: key, folder: folder.url)
        }
        let refused = try TestPostgres.tool(serverBinary.path, ["export", "--store", database.url, String(repeating: "0", count: 64),
                                                                folder.url.appendingPathComponent("x.jsonl").path])
        #expect(refused.status == 2 && refused.output.contains("newer than this server's 1"), "\(refused.output)")
    }
}
