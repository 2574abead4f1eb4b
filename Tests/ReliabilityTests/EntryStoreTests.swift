import Foundation
import FuzzTargets
import Ledger
import LedgerStorage
import Testing

/// The file store behind the `EntryStore` interface: append is a compare-and-swap on the head.
@Suite struct EntryStoreTests {
    func rotation(after head: LedgerState) throws -> [UInt8] {
        try DecodedEntry(entry: try ReliabilityLedger.nextRotation(after: head)).lineBytes
    }

    @Test func appendIsACompareAndSwapOnTheHead() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("ledger.jsonl").path
        let store = FileEntryStore(path: path)
        #expect(throws: LedgerError.self) { try store.head() }
        try store.create(genesisLine: FuzzFixture.prefixEntries[0].lineBytes)
        #expect(throws: LedgerError.self) { try store.create(genesisLine: FuzzFixture.prefixEntries[0].lineBytes) }
        var head = try store.head()
        #expect(head.hash == FuzzFixture.prefixEntries[0].hash && head.lastLineOffset == 0)
        for entry in FuzzFixture.prefixEntries.dropFirst() {
            guard case .appended(let next) = try store.append(lines: [entry.lineBytes], expected: head) else {
                Issue.record("append at the head was refused")
                return
            }
            head = next
            #expect(try store.head() == head)
        }
        // A writer that expects a stale head appends nothing and learns the current head.
        let state = try Verifier.verify(path: path).state
        let line = try rotation(after: state)
        let stale = StoreHead(size: head.size - 1, lastLineOffset: head.lastLineOffset, hash: head.hash)
        let before = fileBytes(path)
        #expect(try store.append(lines: [line], expected: stale) == .headMoved(head))
        #expect(try store.append(lines: [line], expected: .empty) == .headMoved(head))
        #expect(fileBytes(path) == before)
        // The store never decides validity: that is `apply`, which every reader runs.
        guard case .appended = try store.append(lines: [line], expected: head) else {
            Issue.record("append at the head was refused")
            return
        }
        var lines: [[UInt8]] = []
        try store.readLines(from: 0) { line, _ in lines.append(line); return true }
        #expect(lines.count == FuzzFixture.prefixEntries.count + 1)
        #expect(try Verifier.verify(path: path).entryCount == Int64(lines.count))
        // A writer session kept open catches up with the store's appends.
        let writer = try LedgerWriter(path: path)
        defer { writer.close() }
        let after = try store.head()
        let next = try rotation(after: writer.state)
        #expect(try store.append(lines: [next], expected: after) != .headMoved(after))
        try writer.append { state in [try ReliabilityLedger.nextRotation(after: state)] }
        #expect(try Verifier.verify(path: path).entryCount == Int64(lines.count + 2))
    }

    /// Faults injected through `FaultyFileIO` reach the store's writes: a failed fsync appends nothing.
    @Test func aFailedSyncAppendsNothing() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("ledger.jsonl").path
        try FileEntryStore(path: path).create(genesisLine: FuzzFixture.prefixEntries[0].lineBytes)
        let store = FileEntryStore(path: path, io: FaultyFileIO(fault: { $0 != "fsync" }))
        let head = try store.head()
        let before = fileBytes(path)
        #expect(throws: LedgerError.self) { try store.append(lines: [FuzzFixture.prefixEntries[1].lineBytes], expected: head) }
        #expect(fileBytes(path) == before)
        // Nor does a failed create leave a ledger or its temporary file behind.
        let other = directory.appendingPathComponent("other.jsonl").path
        #expect(throws: LedgerError.self) { try store.create(genesisLine: FuzzFixture.prefixEntries[0].lineBytes) }
        #expect(throws: LedgerError.self) { try FileEntryStore(path: other, io: FaultyFileIO(fault: { $0 != "fsync" })).create(genesisLine: FuzzFixture.prefixEntries[0].lineBytes) }
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path) == ["ledger.jsonl"])
    }
}
