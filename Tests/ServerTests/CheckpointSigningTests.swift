import Foundation
import Ledger
import LedgerCrypto
import LedgerFormat
import LedgerHTTP
import LedgerTransparency
@testable import LedgerServer
import Testing

/// A single submission's checkpoint is signed during its fsync (`HostedLedger.commit`,
/// `signingWhileSyncing`), from the moment the entry is written: what the server then serves is
/// exactly the checkpoint it would have signed afterwards, and if the fsync fails nothing signed
/// ahead is ever served (the ledger keeps its old checkpoint and stops).
@Suite struct CheckpointSigningTests {
    /// The file store, with a switch that makes an append fail where a failed fsync would: after
    /// the lines are written (`whileSyncing` has run), before they are durable.
    final class SyncFailingStore: HostedLedgerStore {
        let base: any HostedLedgerStore
        var failSync = false
        var syncs = 0
        init(_ base: any HostedLedgerStore) { self.base = base }
        var ledgerID: String { base.ledgerID }
        var size: Int64 { base.size }
        var isShared: Bool { false }
        func storedSize() throws(LedgerError) -> Int64 { try base.storedSize() }
        func readLines(fromSeq: Int64, _ body: (Int64, [UInt8]) throws(LedgerError) -> Bool) throws(LedgerError) {
            try base.readLines(fromSeq: fromSeq, body)
        }
        func append(lines: [[UInt8]], expectedSize: Int64, whileSyncing: () -> Void) throws(LedgerError) -> Bool {
            guard failSync else {
                return try base.append(lines: lines, expectedSize: expectedSize, whileSyncing: { syncs += 1; whileSyncing() })
            }
            whileSyncing()
            throw LedgerError(.io, "fsync failed (test); nothing was appended")
        }
        func loadCheckpoint() throws(LedgerError) -> [UInt8]? { try base.loadCheckpoint() }
        func saveCheckpoint(_ note: [UInt8]) throws(LedgerError) { try base.saveCheckpoint(note) }
        func loadCosignatures() throws(LedgerError) -> [CosignatureRecord] { try base.loadCosignatures() }
        func storeCosignature(_ record: CosignatureRecord, ifStoredSizeIs oldSize: Int64) throws(LedgerError) -> Int64? {
            try base.storeCosignature(record, ifStoredSizeIs: oldSize)
        }
        func saveTreeHashes(_ bytes: [UInt8]) { base.saveTreeHashes(bytes) }
        func close() { base.close() }
    }

    let folder: TemporaryFolder
    let genesis: DecodedEntry
    let signer: NoteSigner

    init() throws {
        folder = try TemporaryFolder()
        genesis = try Members.genesis(ledger: 3)
        signer = try NoteSigner(name: "emc-server", privateKey: try PrivateKey(seed: Array(repeating: 42, count: 32)))
    }

    /// A fresh hosted ledger holding the genesis, and the lines of yu's, chef's and farm's acceptances after it.
    func hosted() throws -> (HostedLedger, SyncFailingStore, [[UInt8]]) {
        let host = try FileLedgerHost(directory: folder.url.appendingPathComponent("data").path)
        let created = try #require(try host.create(ledgerID: genesis.entry.ledgerID, genesisLine: genesis.lineBytes))
        created.close()
        let store = SyncFailingStore(try #require(try host.open(ledgerID: genesis.entry.ledgerID)))
        var state = LedgerState()
        try state.apply(genesis)
        var lines: [[UInt8]] = []
        for name in Members.names {
            let entry = try DecodedEntry(entry: EntryBuilder.accept(after: state, contractHash: Entry.contractHash(Members.contract),
                                                                    time: Members.time, key: Members.key(name, ledger: 3)))
            try state.apply(entry)
            lines.append(entry.lineBytes)
        }
        return (try HostedLedger(store: store, signer: signer), store, lines)
    }

    func servedCheckpoint(_ ledger: HostedLedger) throws -> SignedCheckpoint {
        try SignedCheckpoint(parsing: ledger.checkpointNote)
    }

    @Test func theCheckpointSignedDuringTheSyncIsTheOneSignedAfterIt() throws {
        let (ledger, store, lines) = try hosted()
        defer { store.close() }
        let tree = TreeHashStore(origin: Checkpoint.origin(ledgerID: genesis.entry.ledgerID))
        tree.append(line: genesis.lineBytes)
        for (index, line) in lines.enumerated() {
            _ = try ledger.commit(try ledger.prepareAppend(lines: [line]), signingWhileSyncing: index != 1)
            tree.append(line: line)
            let expected = try SignedCheckpoint(Checkpoint(origin: tree.origin, size: tree.size, root: tree.root), signer: signer)
            #expect(try servedCheckpoint(ledger).encoded == expected.encoded, "entry \(index + 2)")
        }
        #expect(store.syncs == 3, "every append wrote, then synced")
        #expect(ledger.size == 4)
    }

    @Test func aFailedSyncServesNothingSignedAhead() async throws {
        let (ledger, store, lines) = try hosted()
        defer { store.close() }
        let before = try servedCheckpoint(ledger).encoded
        store.failSync = true
        #expect(throws: APIError.self) {
            _ = try ledger.commit(try ledger.prepareAppend(lines: [lines[0]]), signingWhileSyncing: true)
        }
        #expect(ledger.size == 1)
        #expect(try servedCheckpoint(ledger).encoded == before, "the checkpoint of the stored tree, not the one signed ahead")
        store.failSync = false
        // The ledger has stopped: nothing more is appended until the server is restarted.
        var refused = false
        do {
            _ = try await ledger.run { ledger throws(APIError) in try ledger.append(lines: [lines[0]]) }
        } catch {
            refused = error.status == 500
        }
        #expect(refused, "a stopped ledger answers 500")
        #expect(try store.storedSize() == 1)
    }
}
