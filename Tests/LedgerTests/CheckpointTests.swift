import ContractLanguage
import Foundation
@testable import Ledger
import LedgerCrypto
import Testing

@Suite struct CheckpointTests {
    func copyOfFixture(_ name: String) throws -> (URL, String) {
        let (directory, path) = try writeTemporaryLedger([UInt8](try Data(contentsOf: fixturesRoot.appendingPathComponent("ledgers/valid/\(name).jsonl"))))
        return (directory, path)
    }

    /// Law: a state survives the snapshot round trip (the status report is byte-identical).
    @Test func snapshotRoundTripsTheState() throws {
        let verified = try Verifier.verify(path: fixturesRoot.appendingPathComponent("ledgers/valid/demo.jsonl").path)
        let restored = try #require(LedgerState(snapshot: verified.state.snapshot))
        #expect(StatusReport.json(restored).canonicalBytes == StatusReport.json(verified.state).canonicalBytes)
        #expect(restored.runState == verified.state.runState)
        #expect(restored.recentSettlements.map(\.payouts) == verified.state.recentSettlements.map(\.payouts))
    }

    /// Resuming from a checkpoint gives the same state as verifying everything.
    @Test func resumedVerificationEqualsFullVerification() throws {
        let (directory, path) = try copyOfFixture("lifecycle")
        defer { try? FileManager.default.removeItem(at: directory) }
        let lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n")
        try Data((lines.prefix(10).joined(separator: "\n") + "\n").utf8).write(to: URL(fileURLWithPath: path))
        let early = try Verifier.verify(path: path)
        Checkpoint.save(early, to: path + ".cp")
        try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: URL(fileURLWithPath: path))
        let checkpoint = try #require(Checkpoint.load(from: path + ".cp"))
        let resumed = try Verifier.verify(path: path, resumingFrom: checkpoint)
        let full = try Verifier.verify(path: path)
        #expect(resumed.entryCount == full.entryCount && resumed.validByteCount == full.validByteCount)
        #expect(StatusReport.json(resumed.state).canonicalBytes == StatusReport.json(full.state).canonicalBytes)
        // A checkpoint whose head no longer matches the ledger is refused.
        var other = lines
        other[9] = Substring(String(other[9]).replacingOccurrences(of: "\"approve\":true", with: "\"approve\":false"))
        try Data((other.joined(separator: "\n") + "\n").utf8).write(to: URL(fileURLWithPath: path))
        #expect(throws: LedgerError.self) { try Verifier.verify(path: path, resumingFrom: checkpoint) }
    }

    /// The writer's snapshot is only a cache: stale, corrupt or foreign snapshots never change what is accepted.
    @Test func appendsIgnoreStaleOrForeignSnapshots() throws {
        let (directory, path) = try copyOfFixture("lifecycle")
        defer { try? FileManager.default.removeItem(at: directory) }
        let snapshot = Checkpoint.snapshotPath(forLedger: path)
        func appendReport(_ value: String) throws {
            try LedgerStore.append(path: path) { state in
                [try EntryBuilder.report(after: state, period: Period("2020-08")!, metric: "revenue", value: value,
                                         time: Timestamp("2020-09-01T09:00:00Z")!, key: FixtureFactory.key("yu"))]
            }
        }
        try appendReport("1.00")
        #expect(FileManager.default.fileExists(atPath: snapshot))
        // A snapshot from another ledger (the demo) is refused by the head check; the append still works.
        let demo = try Verifier.verify(path: fixturesRoot.appendingPathComponent("ledgers/valid/demo.jsonl").path)
        Checkpoint.save(demo, to: snapshot)
        try appendReport("2.00")
        // Garbage in the snapshot: ignored.
        try Data("not json".utf8).write(to: URL(fileURLWithPath: snapshot))
        try appendReport("3.00")
        // Entries appended behind the snapshot's back are verified from the snapshot on.
        let writer = try LedgerWriter(path: path)
        let stale = writer.verified
        writer.close()
        try appendReport("4.00")
        Checkpoint.save(stale, to: snapshot)
        try appendReport("5.00")
        let final = try Verifier.verify(path: path)
        #expect(final.entryCount == 26)
        #expect(final.state.openReports[Period("2020-08")!]?["revenue"]?.superseded.count == 4)
    }
}
