import Foundation
import FuzzTargets
import Ledger
import LedgerStorage
import LedgerCrypto
import Testing

/// I/O errors at every write and fsync of an append sequence (issue 7): each failure is a clear
/// `.io` error, leaves the file byte-identical and valid, and is never retried into a success.
/// Faults come from a `FaultyFileIO` handed to the store: no global state, so the tests may run in parallel.
@Suite struct FaultInjectionTests {
    /// One step of the sequence: create the ledger, or append the entries `make` builds, through `io`.
    struct Step: Sendable {
        var name: String
        var run: @Sendable (String, any FileIO) throws -> Void
    }

    static let steps: [Step] = {
        let hash = ReliabilityLedger.contractHash
        var steps = [Step(name: "create") { path, io in try LedgerStore.create(path: path, genesis: FuzzFixture.prefixEntries[0], io: io) }]
        for name in ["yu", "chef", "farm"] {
            steps.append(Step(name: "append accept by \(name)") { path, io in
                try LedgerStore.append(path: path, io: io) { state in
                    [try EntryBuilder.accept(after: state, contractHash: hash, time: Timestamp(secondsSinceEpoch: 1_600_000_000 + state.headSeq),
                                             key: FuzzFixture.key(name))]
                }
            })
        }
        steps.append(Step(name: "append one rotation") { path, io in
            try LedgerStore.append(path: path, io: io) { state in [try ReliabilityLedger.nextRotation(after: state)] }
        })
        steps.append(Step(name: "append a batch of three rotations") { path, io in
            try LedgerStore.append(path: path, io: io) { state in
                var next = state, entries: [Entry] = []
                for _ in 0..<3 {
                    let entry = try ReliabilityLedger.nextRotation(after: next)
                    next = try next.applying(try DecodedEntry(entry: entry))
                    entries.append(entry)
                }
                return entries
            }
        })
        return steps
    }()

    /// Runs every step with `inject` installed; returns the operations seen and the step that failed.
    func runSequence(path: String, failing victim: Int?) throws -> (operations: [String], outcomes: [Result<Void, any Error>], before: [[UInt8]?]) {
        var operations: [String] = []
        let io = FaultyFileIO(fault: { operation in
            operations.append(operation)
            return operations.count != victim
        })
        var outcomes: [Result<Void, any Error>] = []
        var before: [[UInt8]?] = []
        for step in Self.steps {
            before.append(fileBytes(path))
            outcomes.append(Result { try step.run(path, io) })
        }
        return (operations, outcomes, before)
    }

    @Test func cleanSequenceWritesAndSyncsOncePerStep() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("ledger.jsonl").path
        let run = try runSequence(path: path, failing: nil)
        for outcome in run.outcomes { try outcome.get() }
        #expect(run.operations == Array(repeating: ["write", "fsync"], count: Self.steps.count).flatMap { $0 })
        #expect(try Verifier.verify(path: path).entryCount == 8)
    }

    /// For every N, the Nth write or fsync fails: exactly that step fails, with `.io`, without any
    /// further write or fsync, leaving the file as it was; later steps then succeed.
    @Test func everyWriteAndFsyncFailureLeavesTheLedgerUnchanged() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let total = Self.steps.count * 2
        var faultsInjected = 0
        for victim in 1...total {
            let path = directory.appendingPathComponent("ledger-\(victim).jsonl").path
            let run = try runSequence(path: path, failing: victim)
            let failedStep = (victim - 1) / 2
            let operation = victim % 2 == 1 ? "write" : "fsync"
            faultsInjected += 1
            for (index, outcome) in run.outcomes.enumerated() {
                let label = "fault \(victim) (\(operation) in \(Self.steps[failedStep].name)), step \(index)"
                if index == failedStep {
                    #expect(throws: LedgerError.self, "\(label) must fail") { try outcome.get() }
                    if case .failure(let error as LedgerError) = outcome {
                        #expect(error.code == .io, "\(label): \(error)")
                        #expect(error.reason.contains("\(operation) failed") && error.reason.contains("nothing was appended"), "\(label): \(error)")
                        #expect(error.file == path)
                    }
                } else if failedStep == 0 && index > 0 {
                    // No ledger was created, so every append is refused for lack of one.
                    #expect(throws: LedgerError(.io, "no such ledger file", file: path), "\(label)") { try outcome.get() }
                } else {
                    #expect(throws: Never.self, "\(label) must succeed") { try outcome.get() }
                }
            }
            // After the fault, the next operation seen is the next step's write: no retry, and after a
            // failed write no fsync of that step.
            let expectedCount = failedStep == 0 ? victim : total - (operation == "write" ? 1 : 0)
            #expect(run.operations.count == expectedCount, "fault \(victim): operations \(run.operations)")
            if victim < run.operations.count {
                #expect(run.operations[victim] == "write", "fault \(victim): a \(run.operations[victim]) followed the failed \(operation)")
            }
            try checkFileAfterFailedStep(path: path, run: run, failedStep: failedStep)
        }
        #expect(faultsInjected == total)
        print("fault injection: \(faultsInjected) faults injected over \(Self.steps.count) steps")
    }

    /// The file after the failed step equals the file before it; the final ledger verifies and holds
    /// every entry but the failed step's.
    func checkFileAfterFailedStep(path: String, run: (operations: [String], outcomes: [Result<Void, any Error>], before: [[UInt8]?]),
                                  failedStep: Int) throws {
        let afterFailure = failedStep + 1 < Self.steps.count ? run.before[failedStep + 1] : fileBytes(path)
        #expect(afterFailure == run.before[failedStep], "step \(failedStep) changed the file although it failed")
        if failedStep == 0 {
            // A failed create removes the file it had started.
            #expect(fileBytes(path) == nil)
            return
        }
        if let bytes = afterFailure {
            let directory = try makeTemporaryDirectory()
            defer { try? FileManager.default.removeItem(at: directory) }
            let copy = directory.appendingPathComponent("copy.jsonl").path
            try Data(bytes).write(to: URL(fileURLWithPath: copy))
            let verified = try Verifier.verify(path: copy)
            #expect(verified.tornTail == nil)
        }
        let final = try Verifier.verify(path: path)
        #expect(final.tornTail == nil)
    }
}
