import Dispatch
import Foundation
import Ledger
import LedgerCrypto
import LedgerFormat
import LedgerHTTP
import LedgerStorage
import Synchronization
import TestSupport
import Testing

/// Concurrent clients and crashes: every acknowledged entry is stored exactly once, in order,
/// and the file verifies (issue 14, "Reliability").
@Suite(.serialized, .timeLimit(.minutes(10)))
struct ServerReliabilityTests {
    /// The acknowledged lines of all clients, collected across threads.
    final class Acknowledged: Sendable {
        private let lines = Mutex<[[UInt8]]>([])
        func add(_ new: [[UInt8]]) { lines.withLock { $0 += new } }
        var all: [[UInt8]] { lines.withLock { $0 } }
    }

    /// Each client (yu or farm, alternating) submits `rounds` cost reports, retrying on 409.
    /// With several `ports` (servers over one store), client `i` talks to `ports[i % ports.count]`.
    static func submitConcurrently(ports: [Int], ledgerID: String, clients: Int, rounds: Int, into acknowledged: Acknowledged,
                                   stopOnError: Bool = false, timeoutMs: Int = 10_000) {
        DispatchQueue.concurrentPerform(iterations: clients) { index in
            let name = index % 2 == 0 ? "yu" : "farm"
            let session = MemberSession(client: HTTPClient(port: ports[index % ports.count], timeoutMs: timeoutMs), key: Members.key(name),
                                        ledgerID: ledgerID)
            do {
                try session.pull()
                for round in 0..<rounds {
                    let lines = try session.submit(attempts: 200, session.report(index * 1000 + round))
                    acknowledged.add(lines)
                }
            } catch {
                if !stopOnError { Issue.record("client \(index): \(error)") }
            }
        }
    }

    /// Every acknowledged line appears exactly once in `lines`, and `lines` verify from genesis.
    static func check(_ acknowledged: [[UInt8]], storedIn file: URL) throws {
        let verified = try Verifier.verify(path: file.path)
        #expect(verified.tornTail == nil)
        let stored = try [UInt8](Data(contentsOf: file)).split(separator: 0x0a).map(Array.init)
        #expect(Int64(stored.count) == verified.entryCount)
        var count: [[UInt8]: Int] = [:]
        for line in stored { count[line, default: 0] += 1 }
        for line in acknowledged {
            #expect(count[line] == 1, "an acknowledged entry is stored exactly once")
        }
    }

    @Test(arguments: [3, 8])
    func concurrentClientsNeverForkTheLedger(clients: Int) throws {
        let folder = try TemporaryFolder()
        let server = try RunningServer(data: folder.url.appendingPathComponent("data"), serverKey: try PrivateKey(seed: Array(repeating: 1, count: 32)),
                                       folder: folder.url)
        defer { server.stop() }
        let yu = try createActiveLedger(server)
        let acknowledged = Acknowledged()
        Self.submitConcurrently(ports: [server.port], ledgerID: yu.ledgerID, clients: clients, rounds: 64 / clients * 3, into: acknowledged)
        #expect(acknowledged.all.count == clients * (64 / clients * 3))
        let file = folder.url.appendingPathComponent("data/\(yu.ledgerID)/ledger.jsonl")
        try Self.check(acknowledged.all, storedIn: file)
        try yu.pull()
        #expect(EntryBatch.encode(yu.lines) == [UInt8](try Data(contentsOf: file)))
    }

    /// kill -9 of the server while clients submit, many times (seeded): after each restart every
    /// acknowledged entry is there and the store verifies.
    @Test func killNineDuringSubmissionsLosesNothingAcknowledged() throws {
        var random = SeededGenerator(seed: 14)
        let folder = try TemporaryFolder()
        let data = folder.url.appendingPathComponent("data")
        let serverKey = try PrivateKey(seed: Array(repeating: 2, count: 32))
        var server = try RunningServer(data: data, serverKey: serverKey, folder: folder.url)
        let yu = try createActiveLedger(server)
        let ledgerID = yu.ledgerID
        let file = data.appendingPathComponent("\(ledgerID)/ledger.jsonl")
        let acknowledged = Acknowledged()
        for _ in 0..<12 {
            let delayMs = Int.random(in: 30...400, using: &random)
            let port = server.port
            let clients = DispatchGroup()
            DispatchQueue.global().async(group: clients) {
                Self.submitConcurrently(ports: [port], ledgerID: ledgerID, clients: 3, rounds: 1_000, into: acknowledged, stopOnError: true)
            }
            usleep(UInt32(delayMs * 1000))
            server.crash()
            #expect(clients.wait(timeout: .now() + 60) == .success, "clients stop when the server dies")
            server = try RunningServer(data: data, serverKey: serverKey, folder: folder.url)
            try Self.check(acknowledged.all, storedIn: file)
            // The restarted server serves what it stored, and takes new entries.
            let session = MemberSession(client: server.client(), key: Members.key("yu"), ledgerID: ledgerID)
            try session.pull()
            #expect(EntryBatch.encode(session.lines) == [UInt8](try Data(contentsOf: file)))
        }
        #expect(acknowledged.all.count >= 12, "clients got acknowledgements between the crashes")
        server.stop()
    }
}
