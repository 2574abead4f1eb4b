// emc-crash-helper: a test-only tool for the crash tests in ReliabilityTests (not part of `emc`).
//
//   emc-crash-helper init LEDGER
//       creates LEDGER holding FuzzFixture's valid prefix.
//   emc-crash-helper append LEDGER COUNT [MODE N]
//       appends COUNT key rotations of member yu, printing "ACK <seq> <hash>" (flushed) after each
//       acknowledged append. With MODE, the Nth append of this run ends in SIGKILL:
//         kill-before-fsync  after the line is written, before its fsync
//         kill-after-fsync   after the fsync, before the append returns (so before its ACK)
//         tear               instead of appending, writes the first half of the line and dies
//                            (what a crash mid-write can leave behind)
#if canImport(Glibc)
import Glibc
#endif
import FuzzTargets
import Ledger
import LedgerStorage
import LedgerCrypto

/// Writes `text` to `descriptor` unbuffered, so it is out before any later SIGKILL.
func emit(_ text: String, to descriptor: Int32) {
    let bytes = Array(text.utf8)
    var done = 0
    while done < bytes.count {
        let count = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress! + done, $0.count - done) }
        if count < 0 && errno == EINTR { continue }
        guard count > 0 else { exit(3) }
        done += count
    }
}

func fail(_ message: String) -> Never {
    emit("emc-crash-helper: \(message)\n", to: 2)
    exit(2)
}

/// Member yu's key after `rotations` rotations.
func yuKey(_ rotations: Int64) -> PrivateKey {
    rotations == 0 ? FuzzFixture.key("yu") : FuzzFixture.key("yu-rotation-\(rotations)")
}

/// The rotation that follows `state`'s head; entry times grow by one second per entry.
func nextRotation(after state: LedgerState) throws -> Entry {
    let rotations = state.headSeq - Int64(FuzzFixture.prefixEntries.count)
    guard rotations >= 0, state.member(named: "yu")?.key == yuKey(rotations).publicKey else {
        fail("ledger was not written by this helper")
    }
    let time = Timestamp(secondsSinceEpoch: 1_600_000_000 + state.headSeq)
    return try EntryBuilder.rotateKey(after: state, member: "yu", oldKey: yuKey(rotations), newKey: yuKey(rotations + 1), time: time)
}

func killSelf() -> Never {
    raise(SIGKILL)
    fail("still alive after SIGKILL")
}

/// Writes the first half of the next line without its newline, then dies.
func tear(path: String) throws -> Never {
    let state = try Verifier.verify(path: path).state
    let line = try nextRotation(after: state).lineBytes
    let descriptor = open(path, O_WRONLY | O_APPEND)
    guard descriptor >= 0 else { fail("cannot open \(path)") }
    let half = line.count / 2
    guard line.withUnsafeBytes({ write(descriptor, $0.baseAddress, half) }) == half, fsync(descriptor) == 0 else {
        fail("tearing write failed")
    }
    killSelf()
}

func append(path: String, count: Int, mode: String?, victim: Int) throws {
    var fsyncCalls = 0, syncs = 0
    let io = FaultyFileIO(fault: { operation in
        if mode == "kill-before-fsync" && operation == "fsync" { fsyncCalls += 1; if fsyncCalls == victim { killSelf() } }
        return true
    }, afterSync: {
        if mode == "kill-after-fsync" { syncs += 1; if syncs == victim { killSelf() } }
    })
    for index in 1...max(count, 1) {
        if mode == "tear" && index == victim { try tear(path: path) }
        let written = try LedgerStore.append(path: path, io: io) { state in [try nextRotation(after: state)] }
        for entry in written {
            emit("ACK \(entry.entry.seq) \(entry.hash)\n", to: 1)
        }
    }
}

let arguments = Array(CommandLine.arguments.dropFirst())
do {
    switch (arguments.first, arguments.count) {
    case ("init", 2):
        let path = arguments[1]
        try LedgerStore.create(path: path, genesis: FuzzFixture.prefixEntries[0])
        for entry in FuzzFixture.prefixEntries.dropFirst() {
            try LedgerStore.append(path: path) { _ in [entry.entry] }
        }
    case ("append", 3), ("append", 5):
        guard let count = Int(arguments[2]), count > 0 else { fail("COUNT must be a positive number") }
        let mode = arguments.count == 5 ? arguments[3] : nil
        guard mode == nil || ["kill-before-fsync", "kill-after-fsync", "tear"].contains(mode!) else { fail("unknown mode \(mode!)") }
        let victim = arguments.count == 5 ? Int(arguments[4]) ?? 0 : 0
        try append(path: arguments[1], count: count, mode: mode, victim: victim)
    default:
        fail("usage: emc-crash-helper init LEDGER | append LEDGER COUNT [kill-before-fsync|kill-after-fsync|tear N]")
    }
} catch {
    fail("\(error)")
}
