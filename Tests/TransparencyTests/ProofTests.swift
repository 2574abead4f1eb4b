import Foundation
import Testing
import TestSupport
@testable import LedgerTransparency

@Suite struct ProofTests {
    static let members = [member("alice"), member("bob")]
    static let policy = CheckpointPolicy(origin: testOrigin)

    @Test func tlogProofsRoundTripVerifyAndRefuseEveryByteChange() throws {
        let tree = store(size: 21)
        let checkpoint = try signedCheckpoint(tree)
        let proof = TlogProof(try tree.inclusionProof(index: 6, treeSize: 21), checkpoint: checkpoint)
        let bytes = proof.encoded
        let parsed = try TlogProof(parsing: bytes)
        #expect(parsed == proof)
        try parsed.verify(line: leafLine(6), policy: Self.policy, activeMembers: Self.members)
        #expect(throws: TransparencyError.self) { try parsed.verify(line: leafLine(7), policy: Self.policy, activeMembers: Self.members) }
        var random = SeededGenerator(seed: 2)
        for position in 0..<bytes.count {
            var changed = bytes
            changed[position] ^= UInt8.random(in: 1...255, using: &random)
            let accepted = (try? TlogProof(parsing: changed).verify(line: leafLine(6), policy: Self.policy, activeMembers: Self.members)) != nil
            #expect(!accepted, "byte \(position)")
        }
        var withExtra = proof
        withExtra.extra = Array("context".utf8)
        #expect(try TlogProof(parsing: withExtra.encoded) == withExtra)
    }

    @Test func checkpointUpdatesRoundTripAndVerify() throws {
        let tree = store(size: 1_000)
        let old = try signedCheckpoint(tree, size: 300)
        let new = try signedCheckpoint(tree)
        let update = CheckpointUpdate(try tree.consistencyProof(oldSize: 300, newSize: 1_000), checkpoint: new)
        let parsed = try CheckpointUpdate(parsing: update.encoded)
        #expect(parsed == update)
        try parsed.verify(extending: old.checkpoint)
        let other = try signedCheckpoint(store(size: 300, origin: testOrigin + "x"))
        #expect(throws: TransparencyError.self) { try parsed.verify(extending: other.checkpoint) }
        var forked = old.checkpoint
        forked.root = MerkleTree.emptyRoot
        #expect(throws: TransparencyError.self) { try parsed.verify(extending: forked) }
    }

    @Test func forkProofsForSameSizeAndForAnInconsistentPair() throws {
        let honest = store(size: 40)
        let forked = TreeHashStore(origin: testOrigin)
        for index in 0..<40 { forked.append(line: index == 17 ? Array("forged".utf8) : leafLine(index)) }
        let trusted = try CheckpointPolicy.verifiers(for: Self.members)
        for (smallSize, largeSize) in [(40, 40), (25, 40), (32, 40), (18, 19)] as [(UInt64, UInt64)] {
            let a = try signedCheckpoint(honest, size: smallSize)
            let b = try signedCheckpoint(forked, size: largeSize)
            let proof = try ForkProof(b, a, largerTree: forked)
            let parsed = try ForkProof(parsing: proof.encoded)
            #expect(parsed == proof)
            let verdict = try parsed.verify(trusted: trusted)
            #expect(Set(verdict.equivocators.map(\.name)) == ["alice", "bob"])
            #expect(throws: TransparencyError.self) { try parsed.verify(trusted: CheckpointPolicy.verifiers(for: [member("carol")])) }
            var random = SeededGenerator(seed: smallSize)
            let bytes = proof.encoded
            for _ in 0..<200 {
                var changed = bytes
                changed[Int.random(in: 0..<bytes.count, using: &random)] ^= UInt8.random(in: 1...255, using: &random)
                let accepted = (try? ForkProof(parsing: changed).verify(trusted: trusted))
                // A change either breaks the proof or only drops a signature; it never shows a fork without two signed views.
                if let accepted { #expect(!accepted.firstSigners.isEmpty && !accepted.secondSigners.isEmpty) }
            }
        }
        // Consistent checkpoints are no fork.
        let a = try signedCheckpoint(honest, size: 20), b = try signedCheckpoint(honest, size: 40)
        #expect(throws: TransparencyError.self) { try ForkProof(a, b, largerTree: honest) }
        // A fork (size 18 vs 40) where a forged leaf 17 is inside both: the smaller one is the prefix that differs.
        let small = try signedCheckpoint(forked, size: 16), large = try signedCheckpoint(honest, size: 40)
        #expect(throws: TransparencyError.self) { try ForkProof(small, large, largerTree: honest) }
    }
}
