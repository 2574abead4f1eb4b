import ContractLanguage
import Foundation
import FuzzTargets
import Ledger
import LedgerCrypto
import LedgerStorage
import Testing

/// A large batch of entries signed elsewhere (every signature verified): its signature checks run
/// chunk by chunk while the rest is applied, and it still appends all or nothing, reporting the
/// error a check after applying everything would report.
@Suite struct ReceivedBatchTests {
    /// More entries than two signature chunks of `LedgerWriter`, so chunks run while others apply.
    static let count = 2 * LedgerWriter.signatureChunkSize + 300

    /// The fuzz prefix with the last member's acceptance (the contract is active), and `count`
    /// reports by yu after it, as read from their lines: no receipts, so every signature is checked.
    /// The reports at `forged` carry a signature with one bit changed, and the rest chain on them.
    static func ledger(forged: Set<Int> = []) throws -> (prefix: [[UInt8]], received: [Entry]) {
        var state = FuzzFixture.prefixState
        var prefix = FuzzFixture.prefixEntries.map(\.lineBytes)
        let accept = try DecodedEntry(line: try #require(FuzzFixture.validNextLines().first))
        try state.apply(accept)
        prefix.append(accept.lineBytes)
        var received: [Entry] = []
        for index in 0..<count {
            let report = try EntryBuilder.report(after: state, period: try #require(Period("2020-05")), metric: "revenue",
                                                 value: "\(index + 1).00", time: try #require(Timestamp("2020-05-20T09:00:00Z")),
                                                 key: FuzzFixture.key("yu"))
            var unchecked: [SignatureJob] = []
            let decoded = try DecodedEntry(entry: forged.contains(index) ? Self.forged(report) : report)
            try state.apply(decoded, deferringSignaturesInto: &unchecked)
            received.append(try DecodedEntry(line: decoded.lineBytes).entry)
        }
        return (prefix, received)
    }

    static func write(_ lines: [[UInt8]], in directory: URL) throws -> String {
        let path = directory.appendingPathComponent("ledger.jsonl").path
        try Data(lines.flatMap { $0 + [0x0a] }).write(to: URL(fileURLWithPath: path))
        return path
    }

    /// `entry` with one bit of its signature changed: still well formed, no longer valid (and
    /// without its receipt, which no longer matches).
    static func forged(_ entry: Entry) -> Entry {
        var forged = entry
        forged.signatures[0].signature[7] ^= 0x01
        return forged
    }

    @Test func aValidBatchAppendsWhole() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let (prefix, received) = try Self.ledger()
        let path = try Self.write(prefix, in: directory)
        let writer = try LedgerWriter(path: path)
        try writer.append(received)
        writer.close()
        #expect(try Verifier.verify(path: path).entryCount == Int64(prefix.count + received.count))
    }

    /// Appends `received` after `prefix` through a writer: it must be refused with a reason
    /// containing `reason`, naming entry `seq`, and leave the file as it was.
    static func expectRefused(_ received: [Entry], after prefix: [[UInt8]], reason: String, seq: Int,
                              sourceLocation: Testing.SourceLocation = #_sourceLocation) throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = try Self.write(prefix, in: directory)
        let before = fileBytes(path)
        let writer = try LedgerWriter(path: path)
        defer { writer.close() }
        do throws(LedgerError) {
            try writer.append(received)
            Issue.record("the batch was appended", sourceLocation: sourceLocation)
        } catch {
            #expect(error.reason.contains(reason), "\(error)", sourceLocation: sourceLocation)
            #expect(error.seq == Int64(seq), sourceLocation: sourceLocation)
        }
        #expect(fileBytes(path) == before, sourceLocation: sourceLocation)
    }

    /// The earliest bad signature is the one reported, wherever the chunks are cut; nothing is written.
    @Test(arguments: [3, LedgerWriter.signatureChunkSize - 1, LedgerWriter.signatureChunkSize + 5, count - 1])
    func theEarliestBadSignatureIsReported(position: Int) throws {
        let (prefix, received) = try Self.ledger(forged: [position, position + 200])
        try Self.expectRefused(received, after: prefix, reason: "does not verify", seq: prefix.count + position + 1)
    }

    /// An entry that does not apply is reported even when an earlier signature is bad (as when all
    /// signatures are checked after applying): the state machine's refusal comes first.
    @Test func anEntryThatDoesNotApplyIsReportedBeforeAnEarlierBadSignature() throws {
        let (prefix, generated) = try Self.ledger(forged: [10])
        var received = generated
        let late = LedgerWriter.signatureChunkSize * 2 + 7
        received[late].previousHash = Entry.zeroHash
        try Self.expectRefused(received, after: prefix, reason: "previous-entry hash", seq: prefix.count + late + 1)
    }
}
