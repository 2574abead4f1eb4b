import ContractLanguage
import Foundation
import Ledger
import LedgerCrypto
import LedgerFormat
import LedgerHTTP
import LedgerTransparency
import Testing

let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

/// The `emc-server` binary built next to the test bundle.
let serverBinary: URL = {
    let beside = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
    for candidate in [beside, beside.deletingLastPathComponent()] {
        let url = candidate.appendingPathComponent("emc-server")
        if FileManager.default.isExecutableFile(atPath: url.path) { return url }
    }
    return packageRoot.appendingPathComponent(".build/debug/emc-server")
}()

/// A temporary folder removed at deinit.
final class TemporaryFolder {
    let url: URL
    var path: String { url.path }

    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("emc-server-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(at: url) }
}

/// A real `emc-server serve` process on 127.0.0.1 with a free port, started and stopped by a test.
final class RunningServer {
    let process = Process()
    let port: Int
    let folder: URL
    let serverKey: PrivateKey
    static let name = "emc-server"

    /// Starts the server over `data` (created if needed) and waits (at most 60 s) until it listens.
    convenience init(data: URL, serverKey: PrivateKey, folder: URL, extraArguments: [String] = []) throws {
        try self.init(storeArguments: ["--data", data.path], serverKey: serverKey, folder: folder, extraArguments: extraArguments)
    }

    /// Starts the server over the PostgreSQL database at `store` (a postgres:// URL).
    convenience init(store: String, serverKey: PrivateKey, folder: URL, extraArguments: [String] = []) throws {
        try self.init(storeArguments: ["--store", store], serverKey: serverKey, folder: folder, extraArguments: extraArguments)
    }

    init(storeArguments: [String], serverKey: PrivateKey, folder: URL, extraArguments: [String]) throws {
        self.folder = folder
        self.serverKey = serverKey
        let keyPath = folder.appendingPathComponent("server.key").path
        if !FileManager.default.fileExists(atPath: keyPath) { _ = try KeyFiles.write(serverKey, name: "server", directory: folder.path) }
        let stamp = UUID().uuidString.prefix(8)
        let outURL = folder.appendingPathComponent("server-\(stamp).out"), errURL = folder.appendingPathComponent("server-\(stamp).err")
        _ = FileManager.default.createFile(atPath: outURL.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
        process.executableURL = serverBinary
        process.arguments = ["serve"] + storeArguments + ["--key", keyPath, "--listen", "127.0.0.1:0"] + extraArguments
        process.standardOutput = try FileHandle(forWritingTo: outURL)
        process.standardError = try FileHandle(forWritingTo: errURL)
        try process.run()
        let deadline = Date().addingTimeInterval(60)
        var found: Int? = nil
        while found == nil && Date() < deadline && process.isRunning {
            let text = (try? String(contentsOf: outURL, encoding: .utf8)) ?? ""
            if let line = text.split(separator: "\n").first(where: { $0.hasPrefix("listening on 127.0.0.1:") }) {
                found = Int(line.dropFirst("listening on 127.0.0.1:".count))
            } else {
                usleep(20_000)
            }
        }
        guard let found else {
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
            let errors = (try? String(contentsOf: errURL, encoding: .utf8)) ?? ""
            throw HTTPClientError("the server did not start: \(errors)")
        }
        port = found
    }

    func client(timeoutMs: Int = 30_000) -> HTTPClient { HTTPClient(port: port, timeoutMs: timeoutMs) }

    var verifier: NoteVerifier { try! NoteVerifier(name: Self.name, publicKey: serverKey.publicKey) }

    /// SIGTERM and wait: a clean stop.
    func stop() {
        if process.isRunning { kill(process.processIdentifier, SIGTERM) }
        process.waitUntilExit()
    }

    /// SIGKILL and wait: a crash.
    func crash() {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }

    deinit { crash() }
}

/// Deterministic member keys and the fixture contract (yu reports revenue; yu and farm report cost).
enum Members {
    static let names = ["yu", "chef", "farm"]

    static func key(_ name: String, ledger: Int = 0) -> PrivateKey {
        try! PrivateKey(seed: SHA256.hash(Array("emc-server-test/\(ledger)/\(name)".utf8)))
    }

    static let contract: String = try! String(contentsOf: packageRoot.appendingPathComponent("Fixtures/ledgers/contracts/fixture.emc"), encoding: .utf8)

    static let time = Timestamp("2020-05-10T09:00:00Z")!
    static let period = Period("2020-05")!

    /// The genesis of ledger number `ledger` (its own keys and nonce), founded by yu.
    static func genesis(ledger: Int = 0) throws -> DecodedEntry {
        let roster = names.map { EntryBuilder.RosterMember(name: $0, role: $0 == "yu" ? "micro-enterprise" : "external-partner",
                                                           key: key($0, ledger: ledger).publicKey) }
        var nonce = [UInt8](repeating: 0, count: 16)
        nonce[0] = UInt8(ledger & 0xff)
        nonce[1] = UInt8(ledger >> 8 & 0xff)
        return try DecodedEntry(entry: EntryBuilder.genesis(contract: contract, members: roster, founder: key("yu", ledger: ledger),
                                                            time: Timestamp("2020-05-01T09:00:00Z")!, nonce: nonce))
    }
}

/// A member's view of one ledger on the server: her key, a verified copy of the entries, and
/// signed requests. The test-side stand-in for the client commands of issue 14.
final class MemberSession {
    let client: HTTPClient
    let key: PrivateKey
    let ledgerID: String
    private(set) var state = LedgerState()
    private(set) var lines: [[UInt8]] = []

    init(client: HTTPClient, key: PrivateKey, ledgerID: String) {
        self.client = client
        self.key = key
        self.ledgerID = ledgerID
    }

    func send(_ method: String, _ target: String, body: [UInt8] = [], key: PrivateKey? = nil) throws -> HTTPResponseMessage {
        try client.send(.signed(method: method, target: target, body: body, key: key ?? self.key))
    }

    /// Fetches and verifies every entry after the local copy.
    func pull() throws {
        var busy = 0
        while true {
            let response = try send("GET", APIRoute.readEntries(ledger: ledgerID, from: state.headSeq, limit: APILimits.maximumReadEntries).target)
            if response.status == 503 && busy < 300 {  // SPEC §5.8: retry after a short delay (at most 30 s)
                busy += 1
                usleep(100_000)
                continue
            }
            try #require(response.status == 200, "pull: \(response.status) \(response.text)")
            guard !response.body.isEmpty else { return }
            for line in try EntryBatch.parse(response.body, maximumLines: APILimits.maximumReadEntries) {
                try state.apply(try DecodedEntry(line: line))
                lines.append(line)
            }
            if Int64(response.header("EMC-Size") ?? "") == state.headSeq { return }
        }
    }

    /// Builds entries on the local head with `make`, submits them, and on 409 pulls and tries
    /// again (at most `attempts` times). Returns the acknowledged lines (empty if every try was stale).
    func submit(attempts: Int = 50, _ make: (LedgerState) throws -> [Entry]) throws -> [[UInt8]] {
        for _ in 0..<attempts {
            let batch = try make(state).map { try DecodedEntry(entry: $0) }
            let response = try send("POST", APIRoute.appendEntries(ledger: ledgerID).target, body: EntryBatch.encode(batch.map(\.lineBytes)))
            switch response.status {
            case 200:
                let answer = try #require(APIBody.parseHead(response.body))
                try pull()
                #expect(state.headSeq >= answer.size)
                return batch.map(\.lineBytes)
            case 409:
                try pull()
            case 503:
                usleep(100_000)
                try pull()
            default:
                Issue.record("submit: \(response.status) \(response.text)")
                return []
            }
        }
        return []
    }

    /// A cost report by this member (yu or farm).
    func report(_ value: Int) -> (LedgerState) throws -> [Entry] {
        let key = self.key
        return { state in
            [try EntryBuilder.report(after: state, period: Members.period, metric: "cost", value: "\(value).00", time: Members.time, key: key)]
        }
    }
}

/// Creates ledger `ledger` on the server and has every member accept it; returns yu's session.
func createActiveLedger(_ server: RunningServer, ledger: Int = 0) throws -> MemberSession {
    let genesis = try Members.genesis(ledger: ledger)
    let yu = MemberSession(client: server.client(), key: Members.key("yu", ledger: ledger), ledgerID: genesis.entry.ledgerID)
    let created = try yu.send("POST", APIRoute.createLedger.target, body: EntryBatch.encode([genesis.lineBytes]))
    try #require(created.status == 201, "create: \(created.status) \(created.text)")
    try yu.pull()
    let accepts = try yu.submit { state in
        var next = state
        var entries: [Entry] = []
        for name in Members.names {
            let entry = try EntryBuilder.accept(after: next, contractHash: Entry.contractHash(Members.contract), time: Members.time,
                                                key: Members.key(name, ledger: ledger))
            try next.apply(try DecodedEntry(entry: entry))
            entries.append(entry)
        }
        return entries
    }
    try #require(accepts.count == 3)
    return yu
}
