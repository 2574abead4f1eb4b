import ContractLanguage
import Foundation
@testable import Ledger
@testable import LedgerFormat
@testable import LedgerStorage
@testable import LedgerReports
import LedgerCrypto
import Testing

@Suite struct StateCacheTests {
    func copyOfFixture(_ name: String) throws -> (URL, String) {
        let (directory, path) = try writeTemporaryLedger([UInt8](try Data(contentsOf: fixturesRoot.appendingPathComponent("ledgers/valid/\(name).jsonl"))))
        return (directory, path)
    }

    static let yu = FixtureFactory.key("yu")

    /// Law: a state survives the snapshot round trip (the status report is byte-identical).
    @Test func snapshotRoundTripsTheState() throws {
        let verified = try Verifier.verify(path: fixturesRoot.appendingPathComponent("ledgers/valid/demo.jsonl").path)
        let restored = try #require(LedgerState(snapshot: verified.state.snapshot))
        #expect(StatusReport.json(restored).canonicalBytes == StatusReport.json(verified.state).canonicalBytes)
        #expect(restored.runState == verified.state.runState)
        #expect(restored.recentSettlements.map(\.payouts) == verified.state.recentSettlements.map(\.payouts))
    }

    /// Law: the snapshot's binary form (the cache's `state` line, base64) reads back to the same
    /// snapshot, for every valid fixture ledger, and its bytes are stable.
    @Test(arguments: ["demo", "lifecycle"]) func snapshotBinaryRoundTrips(_ name: String) throws {
        let verified = try Verifier.verify(path: fixturesRoot.appendingPathComponent("ledgers/valid/\(name).jsonl").path)
        let binary = verified.state.snapshot.binary
        let snapshot = try #require(StateSnapshot(binary: binary))
        #expect(snapshot.binary == binary)
        let restored = try #require(LedgerState(snapshot: snapshot))
        #expect(StatusReport.json(restored).canonicalBytes == StatusReport.json(verified.state).canonicalBytes)
        #expect(restored.runState == verified.state.runState)
        #expect(restored.snapshot.binary == binary)
    }

    /// Law: every proper prefix of a snapshot's bytes, and the bytes with anything after them, are
    /// "no cache"; so is every single-byte change that still decodes to a snapshot the state
    /// refuses, and none of them traps.
    @Test func malformedSnapshotBinaryIsNoCache() throws {
        let verified = try Verifier.verify(path: fixturesRoot.appendingPathComponent("ledgers/valid/lifecycle.jsonl").path)
        let binary = verified.state.snapshot.binary
        for length in 0..<binary.count { #expect(StateSnapshot(binary: Array(binary.prefix(length))) == nil, "prefix \(length)") }
        #expect(StateSnapshot(binary: binary + [0]) == nil)
        var decodedChanges = 0
        for index in binary.indices {
            for flip: UInt8 in [0x01, 0x80, 0xff] {
                var edited = binary
                edited[index] ^= flip
                if let snapshot = StateSnapshot(binary: edited) {
                    decodedChanges += 1
                    _ = LedgerState(snapshot: snapshot)  // total: may be nil or a (wrong) state, never a trap
                }
            }
        }
        // Most changes break the framing; those that do not are what the MAC is for.
        #expect(decodedChanges < binary.count * 3)
        // A huge count (more items than bytes left) is refused before anything is reserved.
        #expect(StateSnapshot(binary: [0xfe, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]) == nil)
    }

    /// The framing after the MAC: exactly five header lines and one state line. A cache of the
    /// demo ledger decodes; resealed with a line added, removed, doubled or split, it is no cache.
    @Test func theCacheFileHasExactlySixLines() throws {
        let verified = try Verifier.verify(path: fixturesRoot.appendingPathComponent("ledgers/valid/demo.jsonl").path)
        let key = try StateCacheKey(member: Self.yu, ledgerID: verified.state.ledgerID)
        let file = StateCache.encode(verified, key: key)
        #expect(StateCache.decode(file, key: key) != nil)
        let body = Array(file[...file.dropLast().lastIndex(of: 0x0a)!])
        var lines = body.split(separator: 0x0a, omittingEmptySubsequences: false).dropLast().map { Array($0) }
        #expect(lines.count == 6 && lines[5].starts(with: Array("state ".utf8)))
        #expect(StateCache.decode(StateCache.seal(lines.joined(separator: [0x0a]) + [0x0a], key: key), key: key) != nil)
        func resealed(_ edited: [[UInt8]]) -> [UInt8] { StateCache.seal(edited.joined(separator: [0x0a]) + [0x0a], key: key) }
        var edits: [(String, [[UInt8]])] = []
        edits.append(("an empty line before the MAC", lines + [[]]))
        edits.append(("an empty line after the header", Array(lines[..<5]) + [[]] + [lines[5]]))
        edits.append(("a header line left out", Array(lines[..<4]) + [lines[5]]))
        edits.append(("a header line twice", Array(lines[..<5]) + [lines[4], lines[5]]))
        edits.append(("no state line", Array(lines[..<5])))
        let state = lines[5], middle = 6 + (state.count - 6) / 8 * 4
        edits.append(("the state line split in two", Array(lines[..<5]) + [Array(state[..<middle]), Array(state[middle...])]))
        edits.append(("the state line twice", lines + [state]))
        for (what, edited) in edits {
            #expect(StateCache.decode(resealed(edited), key: key) == nil, "\(what)")
        }
        lines[5] = Array("state ".utf8)
        #expect(StateCache.decode(resealed(lines), key: key) == nil, "an empty state")
    }

    /// Resuming from a cache gives the same state as verifying everything.
    @Test func resumedVerificationEqualsFullVerification() throws {
        let (directory, path) = try copyOfFixture("lifecycle")
        defer { try? FileManager.default.removeItem(at: directory) }
        let lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n")
        try Data((lines.prefix(10).joined(separator: "\n") + "\n").utf8).write(to: URL(fileURLWithPath: path))
        let early = try Verifier.verify(path: path)
        let key = try StateCacheKey(member: Self.yu, ledgerID: early.state.ledgerID)
        try StateCache.save(early, to: path + ".cp", key: key)
        try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: URL(fileURLWithPath: path))
        let cached = try #require(StateCache.load(from: path + ".cp", key: key))
        let resumed = try Verifier.verify(path: path, resumingFrom: cached)
        let full = try Verifier.verify(path: path)
        #expect(resumed.entryCount == full.entryCount && resumed.validByteCount == full.validByteCount)
        #expect(StatusReport.json(resumed.state).canonicalBytes == StatusReport.json(full.state).canonicalBytes)
        // Another member's key, or any changed byte, and the cache is not used.
        #expect(StateCache.load(from: path + ".cp", key: try StateCacheKey(member: FixtureFactory.key("chef"), ledgerID: early.state.ledgerID)) == nil)
        let bytes = try #require(contentsOfFile(path + ".cp"))
        for index in stride(from: 0, to: bytes.count, by: max(1, bytes.count / 97)) {
            var edited = bytes
            edited[index] ^= 0x01
            #expect(StateCache.decode(edited, key: key) == nil, "byte \(index) changed and the cache still decoded")
        }
        #expect(StateCache.decode(Array(bytes.dropLast(10)), key: key) == nil)
        // A cache whose head no longer matches the ledger is refused.
        var other = lines
        other[9] = Substring(String(other[9]).replacingOccurrences(of: "\"approve\":true", with: "\"approve\":false"))
        try Data((other.joined(separator: "\n") + "\n").utf8).write(to: URL(fileURLWithPath: path))
        #expect(throws: LedgerError.self) { try Verifier.verify(path: path, resumingFrom: cached) }
    }

    /// The writer's cache is only a cache: stale, corrupt or foreign caches never change what is accepted.
    @Test func appendsIgnoreStaleOrForeignCaches() throws {
        let (directory, path) = try copyOfFixture("lifecycle")
        defer { try? FileManager.default.removeItem(at: directory) }
        let cachePath = StateCache.path(forLedger: path, keyID: Self.yu.publicKey.keyID)
        func appendReport(_ value: String) throws {
            try LedgerStore.append(path: path, key: Self.yu) { state in
                [try EntryBuilder.report(after: state, period: Period("2020-08")!, metric: "revenue", value: value,
                                         time: Timestamp("2020-09-01T09:00:00Z")!, key: Self.yu)]
            }
        }
        try appendReport("1.00")
        #expect(FileManager.default.fileExists(atPath: cachePath))
        #expect(!FileManager.default.fileExists(atPath: StateCache.temporaryPath(for: cachePath)))
        // A cache of another ledger (the demo) is not this ledger's: the append still works, and
        // the foreign file is not overwritten.
        let demo = try Verifier.verify(path: fixturesRoot.appendingPathComponent("ledgers/valid/demo.jsonl").path)
        try FileManager.default.removeItem(atPath: cachePath)
        try StateCache.save(demo, to: cachePath, key: try StateCacheKey(member: Self.yu, ledgerID: demo.state.ledgerID))
        let foreign = contentsOfFile(cachePath)
        try appendReport("2.00")
        #expect(contentsOfFile(cachePath) == foreign)
        // Garbage in the cache: ignored, and not overwritten.
        try Data("not a cache".utf8).write(to: URL(fileURLWithPath: cachePath))
        try appendReport("3.00")
        #expect(contentsOfFile(cachePath) == Array("not a cache".utf8))
        try FileManager.default.removeItem(atPath: cachePath)
        // Entries appended behind the cache's back are verified from the cache on.
        let writer = try LedgerWriter(path: path, key: Self.yu)
        let stale = writer.verified
        writer.close()
        try appendReport("4.00")
        try StateCache.save(stale, to: cachePath, key: try StateCacheKey(member: Self.yu, ledgerID: stale.state.ledgerID))
        try appendReport("5.00")
        let final = try Verifier.verify(path: path)
        #expect(final.entryCount == 26)
        #expect(final.state.openReports[Period("2020-08")!]?["revenue"]?.superseded.count == 4)
    }

    /// A writer without a key reads and writes no cache.
    @Test func keylessWritersUseNoCache() throws {
        let (directory, path) = try copyOfFixture("lifecycle")
        defer { try? FileManager.default.removeItem(at: directory) }
        let before = try FileManager.default.contentsOfDirectory(atPath: directory.path)
        try LedgerStore.append(path: path) { state in
            [try EntryBuilder.report(after: state, period: Period("2020-08")!, metric: "revenue", value: "1.00",
                                     time: Timestamp("2020-09-01T09:00:00Z")!, key: Self.yu)]
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path) == before)
    }
}

@Suite struct WriterSessionTests {
    func report(_ value: String, after state: LedgerState, by member: String = "yu") throws -> Entry {
        try EntryBuilder.report(after: state, period: Period("2020-08")!, metric: "revenue", value: value,
                                time: Timestamp("2020-09-01T09:00:00Z")!, key: FixtureFactory.key(member))
    }

    /// Two writers kept open on one file take turns: each catches up with the other's entries
    /// (verifying only those) before appending, and the result verifies from scratch.
    @Test func openWritersCatchUpWithEachOther() throws {
        let (directory, path) = try StateCacheTests().copyOfFixture("lifecycle")
        defer { try? FileManager.default.removeItem(at: directory) }
        let first = try LedgerWriter(path: path), second = try LedgerWriter(path: path)
        for round in 1...5 {
            try first.append { state in [try report("\(round).10", after: state)] }
            try second.append { state in [try report("\(round).20", after: state)] }
        }
        // Each knows the file as of its own last append; the next one catches up.
        #expect(first.state.headSeq == 30)
        #expect(second.state.headSeq == 31)
        // Pre-built entries that no longer extend the head are refused, not forked.
        let stale = try report("9.99", after: first.state)
        try second.append { state in [try report("6.20", after: state)] }
        #expect(throws: LedgerError.self) { try first.append([stale]) }
        first.close()
        second.close()
        let final = try Verifier.verify(path: path)
        #expect(final.entryCount == 32)
        #expect(final.state.openReports[Period("2020-08")!]?["revenue"]?.value == second.state.openReports[Period("2020-08")!]?["revenue"]?.value)
    }

    /// A writer that finds the file replaced under it refuses to append rather than write to the old file.
    @Test func aReplacedFileIsRefused() throws {
        let (directory, path) = try StateCacheTests().copyOfFixture("lifecycle")
        defer { try? FileManager.default.removeItem(at: directory) }
        let writer = try LedgerWriter(path: path)
        defer { writer.close() }
        let copy = path + ".copy"
        try FileManager.default.copyItem(atPath: path, toPath: copy)
        #expect(rename(copy, path) == 0)
        #expect(throws: LedgerError.self) { try writer.append { state in [try report("1.00", after: state)] } }
    }

    /// A signature this process made is checked by its receipt; changing the signed entry, the
    /// signature or the signer afterwards breaks the receipt, and the full Ed25519 check rejects it.
    @Test func receiptsOnlyCoverUntouchedSignatures() throws {
        let (directory, path) = try StateCacheTests().copyOfFixture("lifecycle")
        defer { try? FileManager.default.removeItem(at: directory) }
        let writer = try LedgerWriter(path: path)
        defer { writer.close() }
        var changedBody = try report("1.00", after: writer.state)
        changedBody.body = .object(["period": .string("2020-08"), "metric": .string("revenue"), "value": .string("2.00")])
        var changedSignature = try report("1.00", after: writer.state)
        changedSignature.signatures[0].signature[0] ^= 1
        var otherSigner = try report("1.00", after: writer.state)
        let wrong = try report("1.00", after: writer.state, by: "chef")
        otherSigner.signatures = [EntrySignature(keyID: otherSigner.signatures[0].keyID, signature: wrong.signatures[0].signature)]
        for entry in [changedBody, changedSignature, otherSigner] {
            #expect(throws: LedgerError.self) { try writer.append([entry]) }
        }
        let good = try report("1.00", after: writer.state)
        #expect(good.signatures[0].receipt != nil)
        try writer.append([good])
        #expect(try Verifier.verify(path: path).entryCount == 22)
    }
}

/// The bytes of the file at `path`, or nil when it cannot be read.
func contentsOfFile(_ path: String) -> [UInt8]? {
    FileManager.default.contents(atPath: path).map { [UInt8]($0) }
}
