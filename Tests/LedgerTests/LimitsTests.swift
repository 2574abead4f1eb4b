import Foundation
@testable import Ledger
@testable import LedgerFormat
@testable import LedgerStorage
import LedgerCrypto
import Testing

/// Issue 11, finding 4: the writer runs the reader's decode and limits on the bytes it writes,
/// and both agree exactly at the boundary (SPEC.md §1.5).
@Suite struct LimitsTests {
    /// An entry after the basic ledger's first three entries with a body of exactly `bodyBytes`
    /// bytes and a line of `lineBytes` bytes (the kind is padded), signed by farm.
    static func padded(bodyBytes: Int, lineBytes: Int? = nil) throws -> Entry {
        let state = try FixtureFactory.basicLedger().prefix(3).reduce(LedgerState()) { try $0.applying($1) }
        func make(padding: Int, kind: String) throws -> Entry {
            try EntryBuilder.next(after: state, kind: kind,
                                  body: ["contract_hash": .string(Entry.contractHash(FixtureFactory.contract)),
                                         "padding": .string(String(repeating: "x", count: padding))],
                                  time: FixtureFactory.time(4), signers: [FixtureFactory.key("farm")])
        }
        let base = try make(padding: 0, kind: "accept")
        var entry = try make(padding: bodyBytes - base.body.canonicalBytes.count, kind: "accept")
        #expect(entry.body.canonicalBytes.count == bodyBytes)
        if let lineBytes {
            let kind = "accept" + String(repeating: "k", count: lineBytes - entry.lineBytes.count)
            entry = try make(padding: bodyBytes - base.body.canonicalBytes.count, kind: kind)
            #expect(entry.lineBytes.count == lineBytes)
        }
        return entry
    }

    static func isLimitError(_ error: any Error, _ text: String) -> Bool {
        guard let error = error as? LedgerError else { return false }
        return error.code == .malformed && error.reason.contains(text)
    }

    @Test func bodyAtTheLimitIsReadAndWrittenOneByteMoreIsRefusedByBoth() throws {
        let atLimit = try Self.padded(bodyBytes: Entry.maximumBodyBytes)
        #expect(throws: Never.self) { try DecodedEntry(entry: atLimit) }
        #expect(throws: Never.self) { try DecodedEntry(line: atLimit.lineBytes) }
        let over = try Self.padded(bodyBytes: Entry.maximumBodyBytes + 1)
        let message = "entry body is \(Entry.maximumBodyBytes + 1) bytes, the limit is \(Entry.maximumBodyBytes)"
        #expect { try DecodedEntry(entry: over) } throws: { Self.isLimitError($0, message) }
        #expect { try DecodedEntry(line: over.lineBytes) } throws: { Self.isLimitError($0, message) }
    }

    @Test func lineAtTheLimitIsReadAndWrittenOneByteMoreIsRefusedByBoth() throws {
        let atLimit = try Self.padded(bodyBytes: Entry.maximumBodyBytes, lineBytes: Entry.maximumLineBytes)
        #expect(throws: Never.self) { try DecodedEntry(entry: atLimit) }
        #expect(throws: Never.self) { try DecodedEntry(line: atLimit.lineBytes) }
        let over = try Self.padded(bodyBytes: Entry.maximumBodyBytes, lineBytes: Entry.maximumLineBytes + 1)
        let message = "entry is \(Entry.maximumLineBytes + 1) bytes, the limit is \(Entry.maximumLineBytes)"
        #expect { try DecodedEntry(entry: over) } throws: { Self.isLimitError($0, message) }
        #expect { try DecodedEntry(line: over.lineBytes) } throws: { Self.isLimitError($0, message) }
    }

    /// Through the file: the writer refuses the oversized entry before writing anything; an entry at
    /// the limit gets past the size check on both paths and is judged by `apply` instead.
    @Test func writerAndVerifierAgreeAtTheLineLimit() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("emc-limits-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let prefix = try FixtureFactory.basicLedger().prefix(3).map(\.lineBytes)
        let path = directory.appendingPathComponent("l.jsonl").path
        try Data(FixtureFactory.fileBytes(Array(prefix))).write(to: URL(fileURLWithPath: path))
        let atLimit = try Self.padded(bodyBytes: Entry.maximumBodyBytes, lineBytes: Entry.maximumLineBytes)
        let over = try Self.padded(bodyBytes: Entry.maximumBodyBytes, lineBytes: Entry.maximumLineBytes + 1)

        let writer = try LedgerWriter(path: path)
        defer { writer.close() }
        #expect { try writer.append([over]) } throws: { error in
            Self.isLimitError(error, "the limit is \(Entry.maximumLineBytes)") && (error as? LedgerError)?.seq == 4
        }
        #expect { try writer.append([atLimit]) } throws: { error in
            (error as? LedgerError)?.reason.contains("unknown entry kind") == true
        }
        #expect(try Verifier.verify(path: path).entryCount == 3, "nothing was written")

        for (entry, reason) in [(atLimit, "unknown entry kind"), (over, "the limit is \(Entry.maximumLineBytes)")] {
            let tampered = directory.appendingPathComponent("t.jsonl").path
            try Data(FixtureFactory.fileBytes(Array(prefix) + [entry.lineBytes])).write(to: URL(fileURLWithPath: tampered))
            #expect { try Verifier.verify(path: tampered) } throws: { error in
                (error as? LedgerError)?.seq == 4 && (error as? LedgerError)?.reason.contains(reason) == true
            }
        }
    }
}
