import Foundation
@testable import Ledger
@testable import LedgerFormat
@testable import LedgerStorage
@testable import LedgerReports
import LedgerCrypto
import Testing

func writeTemporaryLedger(_ bytes: [UInt8], name: String = "ledger.jsonl") throws -> (directory: URL, path: String) {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("emc-ledger-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    let path = directory.appendingPathComponent(name).path
    try Data(bytes).write(to: URL(fileURLWithPath: path))
    return (directory, path)
}

@Suite struct TamperPropertyTests {
    /// Law: verify rejects every single-byte change of a valid ledger (or calls it a torn tail).
    @Test func everySingleByteChangeIsDetected() throws {
        let original = FixtureFactory.fileBytes(try FixtureFactory.basicLedger().map(\.lineBytes))
        let (directory, path) = try writeTemporaryLedger(original)
        defer { try? FileManager.default.removeItem(at: directory) }
        #expect(try Verifier.verify(path: path).tornTail == nil)
        var undetected: [String] = []
        for offset in original.indices {
            for mask: UInt8 in [0x01, 0x80] {
                var bytes = original
                bytes[offset] ^= mask
                try Data(bytes).write(to: URL(fileURLWithPath: path))
                let accepted = (try? Verifier.verify(path: path)).map { $0.tornTail == nil } ?? false
                if accepted { undetected.append("offset \(offset) mask \(mask)") }
            }
        }
        #expect(undetected.isEmpty, "changes not detected: \(undetected.prefix(10))")
    }

    /// Truncating inside the last line is a torn tail; repair keeps a copy and ends at the previous entry.
    @Test func truncationInsideLastLineIsTornTailAndRepairs() throws {
        let lines = try FixtureFactory.basicLedger().map(\.lineBytes)
        let full = FixtureFactory.fileBytes(lines)
        let lastLineStart = full.count - lines.last!.count - 1
        for cut in (lastLineStart + 1)..<full.count {
            let truncated = Array(full[..<cut])
            let (directory, path) = try writeTemporaryLedger(truncated)
            defer { try? FileManager.default.removeItem(at: directory) }
            let verified = try Verifier.verify(path: path)
            #expect(verified.tornTail?.byteCount == cut - lastLineStart, "cut at \(cut)")
            #expect(verified.entryCount == Int64(lines.count - 1))
            let repair = try #require(try LedgerStore.repair(path: path))
            #expect(repair.entries == Int64(lines.count - 1))
            #expect([UInt8](try Data(contentsOf: URL(fileURLWithPath: repair.backupPath))) == truncated)
            let after = try Verifier.verify(path: path)
            #expect(after.tornTail == nil && after.entryCount == Int64(lines.count - 1))
            #expect(try LedgerStore.repair(path: path) == nil)
        }
    }

    @Test func repairRefusesCorruptionAndLeavesFileUntouched() throws {
        var lines = try FixtureFactory.basicLedger().map(\.lineBytes)
        lines[2][40] ^= 0x01
        let bytes = FixtureFactory.fileBytes(lines) + Array("{\"torn".utf8)
        let (directory, path) = try writeTemporaryLedger(bytes)
        defer { try? FileManager.default.removeItem(at: directory) }
        #expect { try LedgerStore.repair(path: path) } throws: { error in
            (error as? LedgerError)?.seq == 3 && (error as? LedgerError)?.reason.contains("repair refused") == true
        }
        #expect([UInt8](try Data(contentsOf: URL(fileURLWithPath: path))) == bytes)
    }

    @Test func emptyAndGarbageFilesAreErrorsNotCrashes() throws {
        for bytes in [[UInt8](), Array("\n".utf8), Array("not json\n".utf8), [0xff, 0xfe, 0x0a]] {
            let (directory, path) = try writeTemporaryLedger(bytes)
            defer { try? FileManager.default.removeItem(at: directory) }
            #expect(throws: LedgerError.self) { try Verifier.verify(path: path) }
        }
        #expect { try Verifier.verify(path: "/nonexistent/ledger.jsonl") } throws: { ($0 as? LedgerError)?.code == .io }
    }

    /// Law: a decoded entry re-encodes to exactly the bytes it was read from.
    @Test func entriesRoundTrip() throws {
        for decoded in try FixtureFactory.basicLedger() {
            let again = try DecodedEntry(line: decoded.lineBytes)
            #expect(again.entry == decoded.entry)
            #expect(again.entry.lineBytes == decoded.lineBytes)
            #expect(again.hash == decoded.hash)
        }
    }
}
