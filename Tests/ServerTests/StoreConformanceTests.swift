import Dispatch
import Foundation
import Ledger
import LedgerCrypto
import LedgerFormat
import LedgerServer
@testable import LedgerStoragePostgres
import Synchronization
import Testing

/// One storage conformance suite for every server store (SPEC §5.10): the file store and the
/// PostgreSQL store answer the `LedgerHost` / `HostedLedgerStore` interface alike.
@Suite(.timeLimit(.minutes(5)))
struct StoreConformanceTests {
    enum Kind: String, CustomTestStringConvertible, Sendable {
        case file, postgres
        var testDescription: String { rawValue }
        static var available: [Kind] { TestPostgres.enabled ? [.file, .postgres] : [.file] }
    }

    struct Mismatch: Error, CustomStringConvertible { var description: String }

    static func check(_ condition: Bool, _ what: String) throws {
        if !condition { throw Mismatch(description: what) }
    }

    /// Runs `body` on a thread of its own (stores block their caller; the concurrency pool must not wait).
    static func onDispatchThread(_ body: @escaping @Sendable () throws -> Void) async throws {
        let result: Result<Void, any Error> = await StoreThread.run { Result { try body() } }
        try result.get()
    }

    /// The genesis of a ledger and its three accepts, as stored lines.
    static func lines(ledger: Int) throws -> [[UInt8]] {
        var state = LedgerState()
        var lines: [[UInt8]] = []
        let genesis = try Members.genesis(ledger: ledger)
        try state.apply(genesis)
        lines.append(genesis.lineBytes)
        for name in Members.names {
            let entry = try DecodedEntry(entry: EntryBuilder.accept(after: state, contractHash: Entry.contractHash(Members.contract),
                                                                    time: Members.time, key: Members.key(name, ledger: ledger)))
            try state.apply(entry)
            lines.append(entry.lineBytes)
        }
        return lines
    }

    static func stored(_ store: any HostedLedgerStore, from seq: Int64) throws -> [[UInt8]] {
        var lines: [[UInt8]] = []
        try store.readLines(fromSeq: seq) { _, line in lines.append(line); return true }
        return lines
    }

    /// Runs `body` with a new, empty store of `kind` (a PostgreSQL one in a database of its own), on a thread of its own.
    static func withHost(_ kind: Kind, _ body: @escaping @Sendable (any LedgerHost) throws -> Void) async throws {
        let folder = try TemporaryFolder()
        let database = kind == .postgres ? try TestDatabase() : nil
        let url = database?.url
        let data = folder.url.appendingPathComponent("data").path
        try await onDispatchThread {
            let host: any LedgerHost = if let url { try PostgresLedgerHost(url: try PostgresURL(parsing: url)) } else { try FileLedgerHost(directory: data) }
            defer { host.shutdown() }
            try body(host)
        }
        withExtendedLifetime((folder, database)) {}
    }

    @Test(arguments: Kind.available)
    func storesAnswerTheInterfaceAlike(kind: Kind) async throws {
        try await Self.withHost(kind) { host in try Self.exercise(host) }
    }

    static func exercise(_ host: any LedgerHost) throws {
        let lines = try Self.lines(ledger: 7)
        let id = try DecodedEntry(line: lines[0]).entry.ledgerID
        try check(try !host.exists(ledgerID: id), "an unknown ledger does not exist")
        try check(try host.open(ledgerID: id) == nil, "an unknown ledger does not open")
        let store = try #require(try host.create(ledgerID: id, genesisLine: lines[0]))
        try check(store.ledgerID == id && store.size == 1, "a new ledger holds its genesis")
        try check(try host.create(ledgerID: id, genesisLine: lines[0]) == nil, "create does not overwrite")
        try check(try host.exists(ledgerID: id), "a created ledger exists")
        try check(try stored(store, from: 1) == [lines[0]], "the genesis reads back byte for byte")

        // Compare-and-swap: only on the expected size, all lines or none.
        try check(try !store.append(lines: [lines[1]], expectedSize: 2), "an append on a wrong size is refused")
        try check(store.size == 1 && (try store.storedSize()) == 1, "a refused append writes nothing")
        try check(try store.append(lines: [lines[1], lines[2]], expectedSize: 1), "an append on the size is taken")
        try check(store.size == 3 && (try store.storedSize()) == 3, "the size grows by the batch")
        try check(try !store.append(lines: [lines[3]], expectedSize: 1), "a stale append is refused")
        try check(try stored(store, from: 2) == [lines[1], lines[2]], "reads start at a seq")
        try check(try stored(store, from: 4).isEmpty, "reads past the end are empty")
        var first: [(Int64, [UInt8])] = []
        try store.readLines(fromSeq: 1) { seq, line in first.append((seq, line)); return false }
        try check(first.count == 1 && first[0].0 == 1, "a reader stops when asked")
        try check(try store.append(lines: [lines[3]], expectedSize: 3), "the next append is taken")

        // Checkpoint (a cache) and cosignatures (check-and-store).
        try check(try store.loadCheckpoint() == nil, "no checkpoint before one is saved")
        let note = Array("emc.ledger/v1/\(id)\n4\nroot\n\n— emc-server sig\n".utf8)
        try store.saveCheckpoint(note)
        try check(try store.loadCheckpoint() == note, "the checkpoint reads back")
        let first2 = CosignatureRecord(member: "chef", size: 2, keyID: 0xdead_beef, signature: Array(repeating: 7, count: 72))
        try check(try store.storeCosignature(first2, ifStoredSizeIs: 0) == nil, "a first cosignature is stored on old 0")
        try check(try store.storeCosignature(first2, ifStoredSizeIs: 0) == nil, "a retried store of the same record succeeds")
        var later = first2
        later.size = 4
        try check(try store.storeCosignature(later, ifStoredSizeIs: 0) == 2, "a stale old gets the stored size")
        try check(try store.storeCosignature(later, ifStoredSizeIs: 2) == nil, "the stored size as old replaces the record")
        let farm = CosignatureRecord(member: "farm", size: 4, keyID: 1, signature: Array(repeating: 1, count: 72))
        try check(try store.storeCosignature(farm, ifStoredSizeIs: 3) == 0, "no record counts as size 0")
        try check(try store.loadCosignatures() == [later], "one record per member, the last stored")
        store.close()

        // Reopened, the store holds exactly what was acknowledged.
        let reopened = try #require(try host.open(ledgerID: id))
        try check(reopened.size == 4, "the size survives reopening")
        try check(try stored(reopened, from: 1) == lines, "every line survives reopening, in order")
        reopened.close()
    }

    /// Appends to many ledgers at once (the PostgreSQL store commits those that arrive together in
    /// one statement): each compare-and-swap is decided on its own ledger — a stale one beside
    /// taken ones is refused alone — and every ledger ends with exactly its lines, in order.
    @Test(arguments: Kind.available)
    func concurrentAppendsAreDecidedPerLedger(kind: Kind) async throws {
        try await Self.withHost(kind) { host in
            let ledgers = 16
            let chains = try (0..<ledgers).map { try Self.lines(ledger: 100 + $0) }
            // Each thread uses its own ledger's store only.
            nonisolated(unsafe) let stores = try chains.map { chain in
                try #require(try host.create(ledgerID: try DecodedEntry(line: chain[0]).entry.ledgerID, genesisLine: chain[0]))
            }
            let failures = Mutex<[String]>([])
            let group = DispatchGroup()
            for index in 0..<ledgers {
                group.enter()
                let thread = Thread {
                    defer { group.leave() }
                    let store = stores[index], chain = chains[index]
                    do {
                        for seq in 1..<chain.count {
                            // A stale try first (odd ledgers): refused, and it must not take the next one with it.
                            if index % 2 == 1, try store.append(lines: [chain[seq]], expectedSize: Int64(seq) + (seq % 2 == 1 ? 1 : -1)) {
                                failures.withLock { $0.append("ledger \(index): a stale append at \(seq) was taken") }
                            }
                            if try !store.append(lines: [chain[seq]], expectedSize: Int64(seq)) {
                                failures.withLock { $0.append("ledger \(index): the append at \(seq) was refused") }
                            }
                        }
                    } catch {
                        failures.withLock { $0.append("ledger \(index): \(error)") }
                    }
                }
                thread.start()
            }
            group.wait()
            try Self.check(failures.withLock { $0 } == [], failures.withLock { $0.joined(separator: "; ") })
            for (store, chain) in zip(stores, chains) {
                try Self.check(try store.storedSize() == Int64(chain.count), "every ledger holds its lines")
                try Self.check(try Self.stored(store, from: 1) == chain, "every line is stored once, in order")
                store.close()
            }
        }
    }

    /// One statement of the PostgreSQL store's group commit holding a taken append and a stale one:
    /// the stale one is refused alone, and only the taken one's lines are stored.
    @Test(.enabled(if: TestPostgres.enabled))
    func aBatchDecidesEachLedgerOnItsOwnRow() async throws {
        let database = try TestDatabase()
        let url = database.url
        try await Self.onDispatchThread {
            let host = try PostgresLedgerHost(url: try PostgresURL(parsing: url))
            defer { host.shutdown() }
            let a = try Self.lines(ledger: 201), b = try Self.lines(ledger: 202)
            let storeA = try #require(try host.create(ledgerID: try DecodedEntry(line: a[0]).entry.ledgerID, genesisLine: a[0]))
            let storeB = try #require(try host.create(ledgerID: try DecodedEntry(line: b[0]).entry.ledgerID, genesisLine: b[0]))
            func request(_ store: any HostedLedgerStore, _ lines: [[UInt8]], after size: Int64) -> AppendBatcher.Request {
                AppendBatcher.Request(ledgerID: store.ledgerID, expectedSize: size, lines: lines, hashes: lines.map { PostgresLedgerHost.entryHash($0) })
            }
            let moved = try host.appends.send([request(storeA, [a[1], a[2]], after: 1), request(storeB, [b[1]], after: 2)])
            try Self.check(moved == [storeA.ledgerID], "only the append on its size moves its ledger")
            try Self.check(try Self.stored(storeA, from: 1) == Array(a.prefix(3)), "the taken append's lines are stored")
            try Self.check(try Self.stored(storeB, from: 1) == [b[0]] && (try storeB.storedSize()) == 1, "the stale append wrote nothing")
        }
        withExtendedLifetime(database) {}
    }

    /// A batch of the PostgreSQL store's group commit: the oldest appends within the bounds, one per ledger.
    @Test func appendBatchesAreBounded() {
        func request(_ ledger: String, lines: Int) -> AppendBatcher.Request {
            AppendBatcher.Request(ledgerID: ledger, expectedSize: 1, lines: Array(repeating: [0x7b], count: lines),
                                  hashes: Array(repeating: Array(repeating: 0, count: 32), count: lines))
        }
        var pending = [request("a", lines: 1), request("b", lines: 2), request("a", lines: 1), request("c", lines: 3)]
        let first = AppendBatcher.take(from: &pending)
        #expect(first.map(\.ledgerID) == ["a", "b", "c"], "one append per ledger, oldest first")
        #expect(pending.map(\.ledgerID) == ["a"], "the second append of a ledger waits for the next batch")
        var many = (0..<100).map { request("l\($0)", lines: 1) }
        #expect(AppendBatcher.take(from: &many).count == AppendBatcher.maximumRequests)
        #expect(many.count == 100 - AppendBatcher.maximumRequests)
        var large = [request("x", lines: AppendBatcher.maximumLines), request("y", lines: 1)]
        #expect(AppendBatcher.take(from: &large).map(\.ledgerID) == ["x"], "the line bound holds")
        var huge = [request("z", lines: AppendBatcher.maximumLines + 1)]
        #expect(AppendBatcher.take(from: &huge).count == 1, "a batch always takes at least one append")
    }

    /// The URL forms `--store` takes (and refuses).
    @Test func storeURLs() throws {
        let url = try PostgresURL(parsing: "postgres://emc:se%40cret@db.example:6543/ledgers?sslmode=require&pool=8")
        #expect(url.user == "emc" && url.password == "se@cret" && url.host == "db.example" && url.port == 6543)
        #expect(url.database == "ledgers" && url.tls == .require && url.maximumConnections == 8)
        #expect(url.redacted == "postgres://emc@db.example:6543/ledgers")
        let plain = try PostgresURL(parsing: "postgres://postgres@127.0.0.1/emc")
        #expect(plain.port == 5432 && plain.password == nil && plain.tls == .prefer && plain.maximumConnections == 16)
        for bad in ["mysql://u@h/d", "postgres://h/d", "postgres://u@h:0/d", "postgres://u@h:5432", "postgres://u@h/d?pool=0", "postgres://u@h/d?x=1"] {
            #expect(throws: LedgerError.self, "\(bad)") { _ = try PostgresURL(parsing: bad) }
        }
    }
}
