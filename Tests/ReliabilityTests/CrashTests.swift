import Foundation
import FuzzTargets
import Ledger
import LedgerStorage
import LedgerReports
import TestSupport
import Testing

/// The test-only `emc-crash-helper` built next to the test bundle.
let crashHelperBinary: URL = {
    let beside = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
    for candidate in [beside, beside.deletingLastPathComponent()] {
        let url = candidate.appendingPathComponent("emc-crash-helper")
        if FileManager.default.isExecutableFile(atPath: url.path) { return url }
    }
    return packageRoot.appendingPathComponent(".build/debug/emc-crash-helper")
}()

struct HelperRun {
    var killed: Bool
    var status: Int32
    /// (sequence number, entry hash) of every append the helper acknowledged.
    var acks: [(seq: Int64, hash: String)]
    var stderr: String
}

/// A running helper process and its output pipes.
struct StartedHelper {
    var process: Process
    var output: Pipe
    var errors: Pipe

    func killNow() {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }
}

func startHelper(_ arguments: [String]) throws -> StartedHelper {
    let process = Process()
    process.executableURL = crashHelperBinary
    process.arguments = arguments
    let output = Pipe(), errors = Pipe()
    process.standardOutput = output
    process.standardError = errors
    process.standardInput = FileHandle.nullDevice
    try process.run()
    return StartedHelper(process: process, output: output, errors: errors)
}

/// Runs the helper; with `killAfterMicroseconds`, sends it SIGKILL after that long.
func runHelper(_ arguments: [String], killAfterMicroseconds delay: UInt32? = nil) throws -> HelperRun {
    let started = try startHelper(arguments)
    if let delay {
        usleep(delay)
        started.killNow()
    }
    return finishHelper(started)
}

/// Reads everything the helper printed and waits for it to end.
func finishHelper(_ started: StartedHelper) -> HelperRun {
    let (process, output, errors) = (started.process, started.output, started.errors)
    let outputData = output.fileHandleForReading.readDataToEndOfFile()
    let errorData = errors.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    let acks = String(decoding: outputData, as: UTF8.self).split(separator: "\n").compactMap { line -> (Int64, String)? in
        let parts = line.split(separator: " ")
        guard parts.count == 3, parts[0] == "ACK", let seq = Int64(parts[1]) else { return nil }
        return (seq, String(parts[2]))
    }
    return HelperRun(killed: process.terminationReason == .uncaughtSignal && process.terminationStatus == SIGKILL,
                     status: process.terminationStatus, acks: acks, stderr: String(decoding: errorData, as: UTF8.self))
}

/// Crash at every point (issue 7): SIGKILL the appending helper deterministically at each step of an
/// append and at random moments; afterwards every acknowledged entry is in the file, the ledger
/// verifies or has a torn tail, and repair leaves a verifying ledger.
@Suite struct CrashTests {
    /// What a crash left behind, after checking it.
    enum Outcome: Equatable { case clean, tornTailRepaired }

    /// Checks the ledger at `path` after a crash of a helper that acknowledged `acks`.
    @discardableResult
    func checkAfterCrash(path: String, acks: [(seq: Int64, hash: String)], label: String) throws -> Outcome {
        let bytes = try #require(fileBytes(path), "\(label): ledger vanished")
        let lines = bytes.split(separator: 0x0a, omittingEmptySubsequences: false)
        let verified = try Verifier.verify(path: path)
        for ack in acks {
            #expect(ack.seq <= verified.entryCount, "\(label): acknowledged entry \(ack.seq) is not in the ledger")
            guard ack.seq <= verified.entryCount else { continue }
            #expect(Entry.hash(lineBytes: Array(lines[Int(ack.seq) - 1])) == ack.hash,
                    "\(label): entry \(ack.seq) differs from the one acknowledged")
        }
        guard verified.tornTail != nil else {
            #expect(try LedgerStore.repair(path: path) == nil, "\(label): repair changed a clean ledger")
            return .clean
        }
        let repaired = try #require(try LedgerStore.repair(path: path), "\(label): repair did not remove the torn tail")
        #expect(repaired.entries == verified.entryCount)
        let after = try Verifier.verify(path: path)
        #expect(after.tornTail == nil && after.entryCount == verified.entryCount, "\(label): ledger does not verify after repair")
        try? FileManager.default.removeItem(atPath: repaired.backupPath)
        return .tornTailRepaired
    }

    func freshLedger(in directory: URL, _ name: String) throws -> String {
        let path = directory.appendingPathComponent(name).path
        let created = try runHelper(["init", path])
        try #require(created.status == 0 && !created.killed, "helper init failed: \(created.stderr)")
        return path
    }

    static let prefixCount = Int64(FuzzFixture.prefixEntries.count)

    /// SIGKILL between write and fsync, after fsync before success is reported, and mid-line,
    /// at the 1st, 2nd and 3rd append of a run.
    @Test(arguments: ["kill-before-fsync", "kill-after-fsync", "tear"])
    func deterministicCrashPoint(mode: String) throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        for victim in 1...3 {
            let path = try freshLedger(in: directory, "\(mode)-\(victim).jsonl")
            let run = try runHelper(["append", path, "10", mode, "\(victim)"])
            try #require(run.killed, "\(mode) \(victim): helper was not killed: \(run.stderr)")
            #expect(run.acks.map(\.seq) == (0..<Int64(victim - 1)).map { Self.prefixCount + 1 + $0 })
            let outcome = try checkAfterCrash(path: path, acks: run.acks, label: "\(mode) \(victim)")
            // Written but not acknowledged: a kill does not lose the page cache, so the entry stays.
            let expectedEntries = Self.prefixCount + Int64(victim) - (mode == "tear" ? 1 : 0)
            #expect(try Verifier.verify(path: path).entryCount == expectedEntries)
            #expect(outcome == (mode == "tear" ? .tornTailRepaired : .clean))
            // The ledger takes appends again.
            let next = try runHelper(["append", path, "2"])
            #expect(next.status == 0 && !next.killed, "\(next.stderr)")
            #expect(next.acks.map(\.seq) == [expectedEntries + 1, expectedEntries + 2])
            try checkAfterCrash(path: path, acks: next.acks, label: "\(mode) \(victim) then append")
        }
    }

    /// At least 200 SIGKILLs at seeded random moments (EMC_CRASH_SEED, EMC_CRASH_KILLS to vary).
    @Test func randomKillsNeverLoseAnAcknowledgedEntry() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let seedValue = seed("EMC_CRASH_SEED", default: 0x00C0_FFEE)
        var generator = SeededGenerator(seed: seedValue)
        let target = Int(ProcessInfo.processInfo.environment["EMC_CRASH_KILLS"] ?? "") ?? 220
        var kills = 0, runs = 0, tornTails = 0, acknowledged = 0
        var path = ""
        while kills < target && runs < target * 3 {
            if runs % 20 == 0 { path = try freshLedger(in: directory, "random-\(runs).jsonl") }
            runs += 1
            var arguments = ["append", path, "1000"]
            var delay: UInt32? = nil
            switch generator.next() % 8 {
            case 0: arguments += ["kill-before-fsync", "\(1 + generator.next() % 4)"]
            case 1: arguments += ["kill-after-fsync", "\(1 + generator.next() % 4)"]
            case 2: arguments += ["tear", "\(1 + generator.next() % 4)"]
            default: delay = UInt32(generator.next() % 150_000)
            }
            let run = try runHelper(arguments, killAfterMicroseconds: delay)
            let label = "seed \(seedValue) run \(runs) \(arguments.dropFirst(3)) delay \(delay.map(String.init) ?? "-") µs"
            #expect(run.killed || run.status == 0, "\(label): helper failed: \(run.stderr)")
            if run.killed { kills += 1 }
            acknowledged += run.acks.count
            if try checkAfterCrash(path: path, acks: run.acks, label: label) == .tornTailRepaired { tornTails += 1 }
        }
        #expect(kills >= target, "only \(kills) of \(runs) runs were killed")
        print("crash test: \(kills) SIGKILLs survived in \(runs) runs (seed \(seedValue)), \(acknowledged) acknowledged appends kept, \(tornTails) torn tails repaired")
    }

    /// Two and four helpers appending to one ledger at once while some are SIGKILLed: no entry is
    /// acknowledged twice, none is lost, and the ledger verifies (or repairs) after every round.
    @Test(arguments: [2, 4])
    func concurrentAppendersWithRandomKills(processes: Int) throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let seedValue = seed("EMC_CRASH_SEED", default: 0x00C0_FFEE) &+ UInt64(processes)
        var generator = SeededGenerator(seed: seedValue)
        let appendsPerProcess = 8
        var path = ""
        var kills = 0, acknowledged = 0
        for round in 0..<12 {
            if round % 4 == 0 { path = try freshLedger(in: directory, "concurrent-\(processes)-\(round).jsonl") }
            let before = try Verifier.verify(path: path).entryCount
            // Half the helpers get a kill time; the others must finish all their appends.
            let delays: [UInt32?] = (0..<processes).map { _ in generator.next() % 2 == 0 ? UInt32(generator.next() % 150_000) : nil }
            let helpers = try (0..<processes).map { _ in try startHelper(["append", path, "\(appendsPerProcess)"]) }
            var elapsed: UInt32 = 0
            for (index, delay) in delays.enumerated().compactMap({ item in item.element.map { (item.offset, $0) } }).sorted(by: { $0.1 < $1.1 }) {
                usleep(delay - elapsed)
                elapsed = delay
                helpers[index].killNow()
            }
            let runs = helpers.map(finishHelper)
            let label = "seed \(seedValue) round \(round)"
            for (run, delay) in zip(runs, delays) {
                #expect(run.killed || run.status == 0, "\(label): helper failed: \(run.stderr)")
                if delay == nil { #expect(run.acks.count == appendsPerProcess, "\(label): \(run.stderr)") }
                if run.killed { kills += 1 }
            }
            let acks = runs.flatMap(\.acks)
            acknowledged += acks.count
            #expect(Set(acks.map(\.seq)).count == acks.count, "\(label): an entry was acknowledged twice")
            #expect(acks.allSatisfy { $0.seq > before }, "\(label): acknowledged an entry that already existed")
            try checkAfterCrash(path: path, acks: acks, label: label)
        }
        print("concurrency test: \(processes) processes, 12 rounds, \(kills) SIGKILLs, \(acknowledged) acknowledged appends all present exactly once")
    }
}
