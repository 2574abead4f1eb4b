import Foundation
import Testing
import TestSupport

/// Checkpoints, cosignatures, proofs, fork and rollback evidence and bundles, end to end through
/// the built binary (issue 13's acceptance tests).
@Suite struct TransparencyCLITests {
    static let keyNames = ["alice", "bob", "carol", "bob2"]

    /// A temporary directory with every test key, and the directory's URL for files in it.
    struct Workspace {
        let directory: URL
        init() throws {
            directory = try makeTemporaryDirectory()
            try LibraryLedger.writeKeys(TransparencyCLITests.keyNames, into: directory)
        }
        func path(_ name: String) -> String { directory.appendingPathComponent(name).path }
        func url(_ name: String) -> URL { directory.appendingPathComponent(name) }
        func bytes(_ name: String) throws -> [UInt8] { [UInt8](try Data(contentsOf: url(name))) }
        func remove() { try? FileManager.default.removeItem(at: directory) }

        @discardableResult
        func emc(_ arguments: [String], exit expected: Int32 = 0, sourceLocation: SourceLocation = #_sourceLocation) throws -> RunResult {
            let result = try runEMC(arguments, in: directory)
            #expect(result.exitCode == expected, "emc \(arguments.joined(separator: " ")): \(result.stderr)", sourceLocation: sourceLocation)
            return result
        }

        func vkey(_ name: String) throws -> String {
            try emc(["vkey", "\(name).pub", "--name", name == "bob2" ? "bob" : name]).stdout.trimmingCharacters(in: .newlines)
        }
    }

    /// Two copies that share `shared` entries, then each has `extra` reports of its own.
    static func divergedCopies(shared: Int = 6, extraA: Int = 2, extraB: Int = 2, in space: Workspace) throws {
        try FileManager.default.createDirectory(at: space.url("A"), withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: space.url("B"), withIntermediateDirectories: true)
        var base = try LibraryLedger()
        try base.addReports(shared - 4)
        var a = base, b = base
        try a.addReports(extraA, base: 500)
        try b.addReports(extraB, base: 900)
        try a.write(to: space.url("A/l.jsonl"))
        try b.write(to: space.url("B/l.jsonl"))
    }

    @Test func copiesThatDivergedFailVerifyAgainstEachOthersCheckpointWithAForkProof() throws {
        let space = try Workspace()
        defer { space.remove() }
        try Self.divergedCopies(extraA: 3, extraB: 2, in: space)
        // Bob's view, cosigned by carol who holds the same copy.
        try space.emc(["checkpoint", "B/l.jsonl", "--key", "bob.key", "--out", "B.cp"])
        try space.emc(["cosign", "B.cp", "--ledger", "B/l.jsonl", "--key", "carol.key", "--out", "B.cp"])
        let vkeys = try ["alice", "bob", "carol"].flatMap { ["--vkey", try space.vkey($0)] }

        // Alice's longer copy against bob's checkpoint: a fork, and the proof of it.
        let alice = try space.emc(["verify", "A/l.jsonl", "--against", "B.cp", "--key", "alice.key"], exit: 1)
        #expect(alice.stderr.contains("fork:") && alice.stderr.hasPrefix("emc: error: A/l.jsonl: "))
        let alicePath = try #require(alice.stdout.split(separator: "\n").first { $0.hasPrefix("fork proof: ") }).dropFirst(12)
        #expect(alicePath.hasSuffix("A/l.jsonl.emc-fork-proof-1"))
        let proven = try space.emc(["verify-fork", String(alicePath)] + vkeys)
        #expect(proven.stdout.contains("fork proven"))

        // Bob's shorter copy against alice's checkpoint: he cannot prove more than a rollback.
        try space.emc(["checkpoint", "A/l.jsonl", "--key", "alice.key", "--out", "A.cp"])
        let bobShort = try space.emc(["verify", "B/l.jsonl", "--against", "A.cp"], exit: 1)
        #expect(bobShort.stderr.contains("rollback:"))

        // Equal sizes: either side proves the fork.
        try space.emc(["checkpoint", "A/l.jsonl", "--key", "alice.key", "--out", "A.cp"])
        let equalSpace = try Workspace()
        defer { equalSpace.remove() }
        try Self.divergedCopies(extraA: 2, extraB: 2, in: equalSpace)
        try equalSpace.emc(["checkpoint", "A/l.jsonl", "--key", "alice.key", "--out", "A.cp"])
        try equalSpace.emc(["checkpoint", "B/l.jsonl", "--key", "bob.key", "--out", "B.cp"])
        for (copy, other, key) in [("A", "B", "alice"), ("B", "A", "bob")] {
            let result = try equalSpace.emc(["verify", "\(copy)/l.jsonl", "--against", "\(other).cp"], exit: 1)
            #expect(result.stderr.contains("fork:"), "\(result.stderr)")
            // The member's own recorded checkpoint is her side of the proof; no key needed.
            let path = try #require(result.stdout.split(separator: "\n").first { $0.hasPrefix("fork proof: ") }, "\(key): \(result.stderr)").dropFirst(12)
            let verdict = try equalSpace.emc(["verify-fork", String(path)] + vkeys)
            #expect(verdict.stdout.contains("fork proven"))
        }
        // A file that proves no fork is refused.
        var notAFork = try space.bytes(String(alicePath).replacingOccurrences(of: space.directory.path + "/", with: ""))
        notAFork[notAFork.count / 2] ^= 0x01
        try Data(notAFork).write(to: space.url("bad.fork"))
        try space.emc(["verify-fork", "bad.fork"] + vkeys, exit: 1)
    }

    @Test func aCopyWithTheLastEntryRemovedIsARollback() throws {
        let space = try Workspace()
        defer { space.remove() }
        var ledger = try LibraryLedger()
        try ledger.addReports(4)
        try ledger.write(to: space.url("l.jsonl"))
        try space.emc(["checkpoint", "l.jsonl", "--key", "alice.key", "--out", "l.cp"])
        try space.emc(["cosign", "l.cp", "--ledger", "l.jsonl", "--key", "bob.key", "--out", "l.cp", "--time", "2020-06-02T00:00:00Z"])
        try space.emc(["cosign", "l.cp", "--ledger", "l.jsonl", "--key", "carol.key", "--out", "l.cp"])
        let ok = try space.emc(["verify", "l.jsonl", "--against", "l.cp", "--quorum", "all"])
        #expect(ok.stdout.contains("signed by alice, bob, carol"))
        try ledger.write(to: space.url("cut.jsonl"), count: ledger.lines.count - 1)
        let cut = try space.emc(["verify", "cut.jsonl", "--against", "l.cp"], exit: 1)
        #expect(cut.stderr.contains("rollback: this copy has 7 entries") && cut.stderr.contains("has 8"))
        // Plain verify of the cut copy still passes: only the checkpoint reveals the rollback.
        try space.emc(["verify", "cut.jsonl"])
        // A checkpoint of another ledger does not count against this one.
        var other = try LibraryLedger(nonce: 9)
        try other.addReports(1)
        try other.write(to: space.url("other.jsonl"))
        try space.emc(["checkpoint", "other.jsonl", "--key", "alice.key", "--out", "other.cp"])
        let foreign = try space.emc(["verify", "l.jsonl", "--against", "other.cp"], exit: 1)
        #expect(foreign.stderr.contains("not emc.ledger/v1/"))
    }

    @Test func noCosignatureForACheckpointInconsistentWithTheLastOneAcrossKeyRotation() throws {
        let space = try Workspace()
        defer { space.remove() }
        var base = try LibraryLedger()
        try base.addReports(1)
        var honest = base, forked = base
        try honest.addReports(1, base: 700)
        try forked.addReports(1, base: 800)
        try forked.rotate("bob", to: "bob2")
        try forked.addReports(1, base: 801)
        try honest.write(to: space.url("l.jsonl"))
        try space.emc(["checkpoint", "l.jsonl", "--key", "alice.key", "--out", "c6.cp"])
        try space.emc(["cosign", "c6.cp", "--ledger", "l.jsonl", "--key", "bob.key", "--out", "c6.cp"])
        let recorded = try space.bytes("l.jsonl.emc-witness-bob")
        #expect(String(decoding: recorded, as: UTF8.self).hasPrefix("emc.ledger/witness-state@v1\nmember bob\n\n"))

        // Bob's copy is replaced by the fork, which also carries his key rotation; alice's checkpoint of it comes from her own copy.
        try FileManager.default.createDirectory(at: space.url("alice"), withIntermediateDirectories: true)
        try forked.write(to: space.url("alice/l.jsonl"))
        try space.emc(["checkpoint", "alice/l.jsonl", "--key", "alice.key", "--out", "f8.cp"])
        try forked.write(to: space.url("l.jsonl"))
        let refused = try space.emc(["cosign", "f8.cp", "--ledger", "l.jsonl", "--key", "bob2.key", "--out", "f8-cosigned.cp"], exit: 1)
        #expect(refused.stderr.contains("fork: the checkpoint is inconsistent with the one of size 6 you last cosigned"), "\(refused.stderr)")
        #expect(!FileManager.default.fileExists(atPath: space.path("f8-cosigned.cp")))
        #expect(try space.bytes("l.jsonl.emc-witness-bob") == recorded)
        // Alice may not sign the fork either: she signed the honest copy at size 6.
        let aliceRefused = try space.emc(["checkpoint", "l.jsonl", "--key", "alice.key"], exit: 1)
        #expect(aliceRefused.stderr.contains("inconsistent with the one of size 6"))
        // The old key does not cosign after the rotation (it would not count at size 8).
        let oldKey = try space.emc(["cosign", "f8.cp", "--ledger", "l.jsonl", "--key", "bob.key"], exit: 1)
        #expect(oldKey.stderr.contains("not the key of any member active at size 8"), "\(oldKey.stderr)")
        // Without the record the same cosignature is made: the record alone refused it.
        let fresh = try Workspace()
        defer { fresh.remove() }
        try forked.write(to: fresh.url("l.jsonl"))
        try FileManager.default.copyItem(at: space.url("f8.cp"), to: fresh.url("f8.cp"))
        let made = try fresh.emc(["cosign", "f8.cp", "--ledger", "l.jsonl", "--key", "bob2.key", "--time", "1700000000"])
        #expect(made.stdout.contains("\n— bob "))
        // The record carries over the rotation: a later consistent checkpoint is cosigned with the new key.
        var longer = forked
        try longer.addReports(2, base: 900)
        try longer.write(to: fresh.url("l.jsonl"))
        try fresh.emc(["checkpoint", "l.jsonl", "--key", "alice.key", "--out", "f10.cp"])
        try fresh.emc(["cosign", "f10.cp", "--ledger", "l.jsonl", "--key", "bob2.key", "--out", "f10.cp"])
        // A witness state that is not one is never overwritten.
        try Data("not mine\n".utf8).write(to: fresh.url("l.jsonl.emc-witness-carol"))
        let foreign = try fresh.emc(["cosign", "f10.cp", "--ledger", "l.jsonl", "--key", "carol.key"], exit: 1)
        #expect(foreign.stderr.contains("not a witness state file"))
        #expect(try fresh.bytes("l.jsonl.emc-witness-carol") == Array("not mine\n".utf8))
    }

    @Test func noCosignatureForACheckpointInconsistentWithTheLastOneAcrossARosterChange() throws {
        let space = try Workspace()
        defer { space.remove() }
        let base = try LibraryLedger()
        var honest = base, amended = base
        try honest.addReports(1)
        try amended.removeCarol()
        try amended.addReports(1, base: 300)
        try honest.write(to: space.url("l.jsonl"))
        try space.emc(["checkpoint", "l.jsonl", "--key", "alice.key", "--out", "h5.cp"])
        for name in ["bob", "carol"] { try space.emc(["cosign", "h5.cp", "--ledger", "l.jsonl", "--key", "\(name).key", "--out", "h5.cp"]) }
        try FileManager.default.createDirectory(at: space.url("alice"), withIntermediateDirectories: true)
        try amended.write(to: space.url("alice/l.jsonl"))
        try space.emc(["checkpoint", "alice/l.jsonl", "--key", "alice.key", "--out", "a8.cp"])
        try amended.write(to: space.url("l.jsonl"))
        let bob = try space.emc(["cosign", "a8.cp", "--ledger", "l.jsonl", "--key", "bob.key"], exit: 1)
        #expect(bob.stderr.contains("inconsistent with the one of size 5 you last cosigned"), "\(bob.stderr)")
        let carol = try space.emc(["cosign", "a8.cp", "--ledger", "l.jsonl", "--key", "carol.key"], exit: 1)
        #expect(carol.stderr.contains("not the key of any member active at size 8"), "\(carol.stderr)")
        // On the amended copy alone, the checkpoint counts with alice and bob: the roster at size 8.
        try space.emc(["cosign", "a8.cp", "--ledger", "alice/l.jsonl", "--key", "bob.key", "--out", "a8.cp"])
        try space.emc(["bundle", "alice/l.jsonl", "--checkpoint", "a8.cp", "--out", "a8.bundle"])
        let bundle = try space.emc(["verify-bundle", "a8.bundle"])
        #expect(bundle.stdout.contains("signed by alice, bob (2 of the 2 active members: alice, bob)"), "\(bundle.stdout)")
    }

    @Test func verifyProofAcceptsTheProofAndRefusesATamperedProofOrLine() throws {
        let space = try Workspace()
        defer { space.remove() }
        var ledger = try LibraryLedger()
        try ledger.addReports(9)
        try ledger.write(to: space.url("l.jsonl"))
        try space.emc(["checkpoint", "l.jsonl", "--key", "alice.key", "--out", "l.cp"])
        for name in ["bob", "carol"] { try space.emc(["cosign", "l.cp", "--ledger", "l.jsonl", "--key", "\(name).key", "--out", "l.cp"]) }
        try space.emc(["prove", "l.jsonl", "--entry", "7", "--checkpoint", "l.cp", "--out", "e7.tlog-proof"])
        try Data(ledger.lines[6] + [0x0a]).write(to: space.url("e7.line"))
        let byLedger = try space.emc(["verify-proof", "e7.tlog-proof", "--entry", "e7.line", "--ledger", "l.jsonl"])
        #expect(byLedger.stdout.contains("entry 7 (leaf index 6)") && byLedger.stdout.contains("signed by alice, bob, carol"))
        let vkeys = try ["alice", "bob"].flatMap { ["--vkey", try space.vkey($0)] }
        try space.emc(["verify-proof", "e7.tlog-proof", "--entry", "e7.line"] + vkeys)
        // Another entry's line, a changed line, and every kind of changed proof byte are refused.
        try Data(ledger.lines[5]).write(to: space.url("e6.line"))
        try space.emc(["verify-proof", "e7.tlog-proof", "--entry", "e6.line", "--ledger", "l.jsonl"], exit: 1)
        var line = ledger.lines[6]
        line[line.count / 2] ^= 0x01
        try Data(line).write(to: space.url("changed.line"))
        try space.emc(["verify-proof", "e7.tlog-proof", "--entry", "changed.line"] + vkeys, exit: 1)
        let proof = try space.bytes("e7.tlog-proof")
        var generator = SeededGenerator(seed: 13)
        for _ in 0..<12 {
            var changed = proof
            let position = Int.random(in: 0..<proof.count, using: &generator)
            changed[position] ^= UInt8.random(in: 1...255, using: &generator)
            try Data(changed).write(to: space.url("changed.tlog-proof"))
            let result = try runEMC(["verify-proof", "changed.tlog-proof", "--entry", "e7.line", "--ledger", "l.jsonl"], in: space.directory)
            #expect(result.exitCode == 1, "a change of proof byte \(position) was accepted: \(result.stdout)")
        }
        // Consistency: an older checkpoint, and the proof that the newer one extends it.
        try ledger.write(to: space.url("old.jsonl"), count: 8)
        try space.emc(["checkpoint", "old.jsonl", "--key", "bob.key", "--out", "old.cp"])
        try space.emc(["prove", "l.jsonl", "--from", "old.cp", "--to", "l.cp", "--out", "update"])
        #expect(String(decoding: try space.bytes("update"), as: UTF8.self).hasPrefix("old 8\n"))
        try space.emc(["prove", "l.jsonl", "--entry", "3"], exit: 2)
    }

    @Test func bundleRoundTripAndATamperedBundleIsRefused() throws {
        let space = try Workspace()
        defer { space.remove() }
        var ledger = try LibraryLedger()
        try ledger.addReports(6)
        try ledger.write(to: space.url("l.jsonl"), count: 8)
        try space.emc(["checkpoint", "l.jsonl", "--key", "alice.key", "--out", "l.cp"])
        try space.emc(["cosign", "l.cp", "--ledger", "l.jsonl", "--key", "bob.key", "--out", "l.cp"])
        // Not yet counting: carol has not cosigned.
        try space.emc(["bundle", "l.jsonl", "--checkpoint", "l.cp", "--out", "b"], exit: 1)
        try space.emc(["bundle", "l.jsonl", "--checkpoint", "l.cp", "--out", "b", "--quorum", "2"])
        try space.emc(["verify-bundle", "b"], exit: 1)
        try space.emc(["verify-bundle", "b", "--quorum", "2"])
        try space.emc(["cosign", "l.cp", "--ledger", "l.jsonl", "--key", "carol.key", "--out", "l.cp"])
        // The ledger grows after the checkpoint: the bundle holds only the prefix it covers.
        try ledger.write(to: space.url("l.jsonl"))
        try space.emc(["bundle", "l.jsonl", "--checkpoint", "l.cp", "--out", "full"])
        try space.emc(["bundle", "l.jsonl", "--checkpoint", "l.cp", "--out", "full"], exit: 2)
        let ok = try space.emc(["verify-bundle", "full"])
        #expect(ok.stdout.contains("ok: 8 entries") && ok.stdout.contains("signed by alice, bob, carol (3 of the 3"))
        let bytes = try space.bytes("full")
        let firstEntry = try #require(String(decoding: bytes, as: UTF8.self).range(of: "\n\n{")).upperBound.utf16Offset(in: String(decoding: bytes, as: UTF8.self))
        var cases: [(String, [UInt8])] = []
        var inEntry = bytes
        inEntry[firstEntry + 200] ^= 0x04
        cases.append(("entry byte", inEntry))
        var inSignature = bytes
        inSignature[firstEntry - 10] ^= 0x04
        cases.append(("signature byte", inSignature))
        cases.append(("last line removed", Array(bytes.dropLast(ledger.lines[7].count + 1))))
        cases.append(("a line added", bytes + ledger.lines[8] + [0x0a]))
        cases.append(("torn end", Array(bytes.dropLast())))
        for (name, changed) in cases {
            try Data(changed).write(to: space.url("t"))
            let result = try runEMC(["verify-bundle", "t"], in: space.directory)
            #expect(result.exitCode == 1, "\(name) was accepted: \(result.stdout)")
        }
    }
}
