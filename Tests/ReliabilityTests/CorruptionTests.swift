import Foundation
import FuzzTargets
@testable import Ledger
@testable import LedgerFormat
@testable import LedgerStorage
@testable import LedgerReports
import LedgerCrypto
import TestSupport
import Testing

/// Bit flips in the middle of a 10,000-entry ledger (issue 7): every one is detected, at the entry
/// that holds the flipped bit, and `repair` refuses to touch the file.
@Suite struct CorruptionTests {
    static let entryCount = 10_000

    /// FuzzFixture's prefix followed by key rotations of yu, up to `entryCount` lines (without newlines).
    /// Signatures are made here, so applying defers their checks instead of re-verifying 20,000 of them.
    static func bigLedgerLines() throws -> [[UInt8]] {
        var state = LedgerState()
        var lines: [[UInt8]] = []
        var jobs: [SignatureJob] = []
        for entry in FuzzFixture.prefixEntries {
            try state.apply(entry, deferringSignaturesInto: &jobs)
            lines.append(entry.lineBytes)
        }
        var oldKey = ReliabilityLedger.yuKey(0)
        for rotation in 1...(entryCount - lines.count) {
            let newKey = ReliabilityLedger.yuKey(rotation)
            let entry = try EntryBuilder.rotateKey(after: state, member: "yu", oldKey: oldKey, newKey: newKey,
                                                   time: Timestamp(secondsSinceEpoch: 1_600_000_000 + state.headSeq))
            let decoded = try DecodedEntry(entry: entry)
            try state.apply(decoded, deferringSignaturesInto: &jobs)
            jobs.removeAll(keepingCapacity: true)
            lines.append(decoded.lineBytes)
            oldKey = newKey
        }
        return lines
    }

    /// A seeded bit flip inside entry 4,001…6,000 (the newline after an entry belongs to it).
    struct Flip {
        var entry: Int
        var position: Int
        var mask: UInt8
        var label: String
    }

    static func flips(count: Int, lines: [[UInt8]], lineStarts: [Int], generator: inout SeededGenerator, seed: UInt64) -> [Flip] {
        (1...count).map { number in
            let entry = 4_001 + Int(generator.next() % 2_000)
            let offset = Int(generator.next() % UInt64(lines[entry - 1].count + 1))
            let mask = UInt8(1) << UInt8(generator.next() % 8)
            return Flip(entry: entry, position: lineStarts[entry - 1] + offset, mask: mask,
                        label: "seed \(seed) flip \(number): entry \(entry), byte \(offset), mask \(mask)")
        }
    }

    @Test func bitFlipsInTheMiddleAreDetectedAtTheRightEntry() throws {
        let clock = ContinuousClock()
        let started = clock.now
        let lines = try Self.bigLedgerLines()
        let original: [UInt8] = lines.flatMap { $0 + [0x0a] }
        var lineStarts: [Int] = []
        var offset = 0
        for line in lines { lineStarts.append(offset); offset += line.count + 1 }
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("big.jsonl").path
        try Data(original).write(to: URL(fileURLWithPath: path))

        // The states the verifier reaches after every 50th entry of the clean ledger's middle.
        var checkpoints: [Int: LedgerState] = [:]
        let clean = try Verifier.verify(path: path, willApply: { entry, state in
            let done = Int(entry.entry.seq - 1)
            if done % 50 == 0 && (4_000...6_000).contains(done) { checkpoints[done] = state }
        })
        #expect(clean.entryCount == Int64(Self.entryCount) && clean.tornTail == nil)
        let built = clock.now

        let seedValue = seed("EMC_CORRUPTION_SEED", default: 0xB17F_11B5)
        var generator = SeededGenerator(seed: seedValue)
        let count = Int(ProcessInfo.processInfo.environment["EMC_CORRUPTION_FLIPS"] ?? "") ?? 400
        var detected = 0
        for flip in Self.flips(count: count, lines: lines, lineStarts: lineStarts, generator: &generator, seed: seedValue) {
            // Entries before the flip are unchanged, so the verifier reaches the last checkpoint before
            // it with the state recorded above; run its batch step from there over the damaged bytes.
            let first = (flip.entry - 1) / 50 * 50
            var state = try #require(checkpoints[first])
            var window = Array(original[lineStarts[first]..<(lineStarts[min(flip.entry + 1, Self.entryCount - 1)])])
            window[flip.position - lineStarts[first]] ^= flip.mask
            let windowLines = window.dropLast().split(separator: 0x0a, omittingEmptySubsequences: false).map { Array($0) }
            do {
                try Replay.verifyBatch(windowLines, firstLine: first + 1, state: &state)
                Issue.record("\(flip.label): not detected")
            } catch {
                #expect(error.seq == Int64(flip.entry), "\(flip.label): reported as \(error)")
                if error.seq == Int64(flip.entry) { detected += 1 }
            }
        }
        #expect(detected == count)
        let windowed = clock.now

        // A few flips through the whole file: `verify` names the entry, `repair` refuses and leaves it.
        let fullCount = Int(ProcessInfo.processInfo.environment["EMC_CORRUPTION_FULL_FLIPS"] ?? "") ?? 2
        for flip in Self.flips(count: fullCount, lines: lines, lineStarts: lineStarts, generator: &generator, seed: seedValue) {
            var bytes = original
            bytes[flip.position] ^= flip.mask
            try Data(bytes).write(to: URL(fileURLWithPath: path))
            #expect(throws: LedgerError.self, "\(flip.label)") { try Verifier.verify(path: path) }
            do {
                _ = try LedgerStore.repair(path: path)
                Issue.record("\(flip.label): repair did not refuse")
            } catch {
                #expect(error.seq == Int64(flip.entry) && error.reason.contains("repair refused"), "\(flip.label): \(error)")
            }
            #expect(fileBytes(path) == bytes, "\(flip.label): repair touched the file")
        }
        print("corruption test: \(detected)/\(count) flips detected at the right entry + \(fullCount) through verify and repair (seed \(seedValue)); build+verify \(built - started), flips \(windowed - built), full \(clock.now - windowed)")
    }
}
