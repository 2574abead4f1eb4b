import Dispatch
import Logging
import LedgerCrypto
import LedgerFormat
import LedgerHTTP
import LedgerServer
import NIOCore
import PostgresNIO

/// The PostgreSQL store of the server (SPEC §5.10): every hosted ledger in one database, which
/// several `emc-server` processes may share. The database orders entries (the compare-and-swap
/// on the ledger row, in one transaction per batch of appends: `AppendBatcher`) and keeps them;
/// it never decides validity.
/// Connections come from postgres-nio's pool (`PostgresClient`), statements are prepared once per
/// connection, and each call retries transient failures a bounded number of times.
public final class PostgresLedgerHost: LedgerHost {
    public let url: PostgresURL
    let client: PostgresClient
    /// Appends from every ledger of this process, committed together when they arrive together.
    let appends: AppendBatcher
    private let runner: Task<Void, Never>
    static let logger = Logger(label: "emc-server.postgres")

    /// Connects, and brings the schema to this version (refusing a newer one). Blocking: call it
    /// from a thread of its own (`PostgresLedgerHost.connect` does), not from a task or a global queue.
    public init(url: PostgresURL) throws(LedgerError) {
        var configuration = PostgresClient.Configuration(
            host: url.host, port: url.port, username: url.user, password: url.password, database: url.database,
            tls: url.tls == .disable ? .disable : url.tls == .require ? .require(.makeClientConfiguration()) : .prefer(.makeClientConfiguration()))
        configuration.options.maximumConnections = url.maximumConnections
        configuration.options.connectTimeout = .seconds(5)
        let client = PostgresClient(configuration: configuration)
        self.url = url
        self.client = client
        self.appends = AppendBatcher(client: client)
        self.runner = Task(executorPreference: PostgresExecutor.shared) { await client.run() }
        do {
            _ = try Blocking.run("cannot prepare the database \(url.redacted)", timeoutSeconds: 30) {
                try await Schema.migrate(client, logger: Self.logger)
            }
        } catch {
            runner.cancel()
            throw error
        }
    }

    /// `init(url:)` off the concurrency pool, for async callers (the server's start).
    public static func connect(_ url: PostgresURL) async throws(LedgerError) -> PostgresLedgerHost {
        try await StoreThread.run { () throws(LedgerError) in try PostgresLedgerHost(url: url) }
    }

    public func shutdown() { runner.cancel() }

    func storedSize(_ ledgerID: String) throws(LedgerError) -> Int64? {
        let client = self.client
        return try Blocking.run("cannot read the ledger's size") {
            var size: Int64?
            for try await value in try await client.execute(Statements.Size(ledgerID: ledgerID)) { size = value }
            return size
        }
    }

    public func exists(ledgerID: String) throws(LedgerError) -> Bool {
        try storedSize(ledgerID) != nil
    }

    public func create(ledgerID: String, genesisLine: [UInt8]) throws(LedgerError) -> (any HostedLedgerStore)? {
        precondition(APIRoute.isLedgerID(ledgerID), "ledger ids are checked before they reach the store")
        let client = self.client
        let statement = Statements.Create(ledgerID: ledgerID, hash: ByteBuffer(bytes: Self.entryHash(genesisLine)),
                                          line: ByteBuffer(bytes: genesisLine))
        let created = try Blocking.run("cannot create the ledger") {
            var created: Int64 = 0
            for try await row in try await client.execute(statement) { created = row.0 }
            return created
        }
        // A retry after a lost answer finds the ledger there: created by this call or another, the
        // caller compares the first line either way (SPEC §5.4).
        guard created == 1 else { return nil }
        return try open(ledgerID: ledgerID)
    }

    public func open(ledgerID: String) throws(LedgerError) -> (any HostedLedgerStore)? {
        guard let size = try storedSize(ledgerID) else { return nil }
        return PostgresHostedLedgerStore(host: self, ledgerID: ledgerID, size: size)
    }

    /// The entry hash of SPEC §1.6 as 32 bytes (what `entries.hash` and `ledgers.head` hold).
    static func entryHash(_ line: [UInt8]) -> [UInt8] {
        Hex.decode(Entry.hash(lineBytes: line))!
    }
}

/// One ledger's rows. `size` is what this process last saw; `storedSize()` asks the database.
final class PostgresHostedLedgerStore: HostedLedgerStore {
    let ledgerID: String
    private let host: PostgresLedgerHost
    private(set) var size: Int64
    /// Rows per read query (each a round trip): 64 first (most reads are short), doubling to 4,096.
    static let firstReadChunk: Int64 = 64
    static let readChunk: Int64 = 4096

    init(host: PostgresLedgerHost, ledgerID: String, size: Int64) {
        self.host = host
        self.ledgerID = ledgerID
        self.size = size
    }

    var isShared: Bool { true }

    func storedSize() throws(LedgerError) -> Int64 {
        guard let stored = try host.storedSize(ledgerID) else {
            throw LedgerError(.io, "the ledger's row is gone from the database", file: ledgerID)
        }
        size = max(size, stored)
        return stored
    }

    func readLines(fromSeq: Int64, _ body: (_ seq: Int64, _ line: [UInt8]) throws(LedgerError) -> Bool) throws(LedgerError) {
        let client = host.client, ledgerID = self.ledgerID
        var next = max(fromSeq, 1)
        var chunk = Self.firstReadChunk
        while true {
            let statement = Statements.Lines(ledgerID: ledgerID, fromSeq: next, throughSeq: next + chunk - 1)
            let rows = try Blocking.run("cannot read the ledger") {
                var rows: [(Int64, [UInt8])] = []
                for try await (seq, line) in try await client.execute(statement) { rows.append((seq, Array(line.readableBytesView))) }
                return rows
            }
            for (seq, line) in rows {
                guard seq == next else { throw LedgerError(.malformed, "the database has no entry \(next)", file: ledgerID) }
                guard try body(seq, line) else { return }
                next += 1
            }
            if Int64(rows.count) < chunk { return }
            chunk = min(chunk * 2, Self.readChunk)
        }
    }

    /// One transaction: the lines are never written but not yet durable, so `whileSyncing` is never called.
    func append(lines: [[UInt8]], expectedSize: Int64, whileSyncing _: () -> Void) throws(LedgerError) -> Bool {
        precondition(!lines.isEmpty, "a batch has lines")
        let hashes = lines.map { PostgresLedgerHost.entryHash($0) }
        let moved = try host.appends.append(ledgerID: ledgerID, expectedSize: expectedSize, lines: lines, hashes: hashes)
        guard moved else { return false }
        size = expectedSize + Int64(lines.count)
        return true
    }

    func loadCheckpoint() throws(LedgerError) -> [UInt8]? {
        let client = host.client, ledgerID = self.ledgerID
        return try Blocking.run("cannot read the checkpoint") {
            var note: [UInt8]?
            for try await bytes in try await client.execute(Statements.LoadCheckpoint(ledgerID: ledgerID)) { note = Array(bytes.readableBytesView) }
            return note
        }
    }

    func saveCheckpoint(_ note: [UInt8]) throws(LedgerError) {
        let client = host.client
        // The note's second line is its tree size (SPEC §4.3).
        let noteSize = note.split(separator: 0x0a, maxSplits: 2).dropFirst().first.flatMap { Int64(String(decoding: $0, as: UTF8.self)) }
        let statement = Statements.SaveCheckpoint(ledgerID: ledgerID, size: noteSize ?? size, note: ByteBuffer(bytes: note))
        try Blocking.run("cannot save the checkpoint") {
            for try await _ in try await client.execute(statement) {}
        }
    }

    func loadCosignatures() throws(LedgerError) -> [CosignatureRecord] {
        let client = host.client, ledgerID = self.ledgerID
        let rows = try Blocking.run("cannot read the cosignatures") {
            var rows: [CosignatureRecord] = []
            for try await (member, size, keyID, signature) in try await client.execute(Statements.LoadCosignatures(ledgerID: ledgerID)) {
                guard let keyID = UInt32(exactly: keyID) else { continue }
                rows.append(CosignatureRecord(member: member, size: size, keyID: keyID, signature: Array(signature.readableBytesView)))
            }
            return rows
        }
        return rows
    }

    func storeCosignature(_ record: CosignatureRecord, ifStoredSizeIs oldSize: Int64) throws(LedgerError) -> Int64? {
        let client = host.client
        let statement = Statements.StoreCosignature(ledgerID: ledgerID, member: record.member, size: record.size,
                                                    keyID: Int64(record.keyID), signature: ByteBuffer(bytes: record.signature), oldSize: oldSize)
        let stored = try Blocking.run("cannot store the cosignature") {
            var stored = false
            for try await _ in try await client.execute(statement) { stored = true }
            return stored
        }
        if stored { return nil }
        // A retry of a store that committed reads back its own record: that is success too.
        let current = try loadCosignatures().first { $0.member == record.member }
        if let current, current == record { return nil }
        return current?.size ?? 0
    }

    /// No tree cache in the database (the server rebuilds the tree from the lines at open).
    func saveTreeHashes(_ bytes: [UInt8]) {}

    func close() {}
}
