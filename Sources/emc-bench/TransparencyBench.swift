import Foundation
import LedgerCrypto
import LedgerStorage
import LedgerTransparency
import LedgerWitness

/// The figures of issue 13 on the synthetic ledger: after a verify that computed the tree, the
/// checkpoint, an inclusion proof served, proof verifications on one core, and the consistency
/// check of a member who last saw size N and now sees N + k.
struct TransparencyFigures {
    var checkpointMilliseconds = 0.0
    var inclusionProofMilliseconds = 0.0
    var proofVerificationsPerSecond = 0.0
    var consistencyMicrosecondsPerNewEntry = 0.0
    var consistencyNewEntries = 0
    var consistencyOldSize = 0
}

enum TransparencyBench {
    static func measure(path: String, signer: (name: String, key: PrivateKey), quick: Bool) throws -> TransparencyFigures {
        var figures = TransparencyFigures()
        let ledger = try LedgerTree.verify(path: path, saveSidecar: false)
        let tree = ledger.tree
        // The checkpoint: root, Ed25519 note signature, and the read-back check of what is handed out.
        var checkpointTimes = Samples()
        for _ in 0..<(quick ? 5 : 20) {
            let (_, seconds) = try Clock.measure { try ledger.sign(as: signer.name, key: signer.key) }
            checkpointTimes.add(seconds * 1e3)
        }
        figures.checkpointMilliseconds = checkpointTimes.median
        // An inclusion proof served: built from the tile hashes and verified against the root first.
        var generator = SystemRandomNumberGenerator()
        let root = tree.root
        var proofTimes = Samples()
        var proofs: [(InclusionProof, MerkleHash)] = []
        for _ in 0..<(quick ? 50 : 500) {
            let index = UInt64.random(in: 0..<tree.size, using: &generator)
            let (proof, seconds) = try Clock.measure { () throws -> InclusionProof in
                let proof = try tree.inclusionProof(index: index, treeSize: tree.size)
                try proof.verify(leafHash: tree.leafHash(index: index), root: root)
                return proof
            }
            proofTimes.add(seconds * 1e3)
            proofs.append((proof, try tree.leafHash(index: index)))
        }
        figures.inclusionProofMilliseconds = proofTimes.median
        // Proof verifications per second on this one thread.
        let count = quick ? 5_000 : 50_000
        let (_, verifySeconds) = try Clock.measure {
            for round in 0..<count { try proofs[round % proofs.count].0.verify(leafHash: proofs[round % proofs.count].1, root: root) }
        }
        figures.proofVerificationsPerSecond = Double(count) / verifySeconds
        try measureConsistency(path: path, tree: tree, quick: quick, into: &figures)
        return figures
    }

    /// A member's tree at size N (built untimed), then timed: hash the k new lines into it, and
    /// verify the consistency proof from her old root to the new checkpoint's root, which her
    /// new tree must have too.
    static func measureConsistency(path: String, tree: TreeHashStore, quick: Bool, into figures: inout TransparencyFigures) throws {
        let newEntries = min(quick ? 250 : 1_000, Int(tree.size) / 2)
        let oldSize = tree.size - UInt64(newEntries)
        let member = TreeHashStore(origin: tree.origin)
        for index in 0..<oldSize { member.append(leafHash: try tree.leafHash(index: index)) }
        let oldRoot = member.root
        var newLines: [[UInt8]] = []
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw BenchError("cannot open \(path)") }
        defer { close(descriptor) }
        var reader = LineReader(path: path, descriptor: descriptor)
        var lineIndex: UInt64 = 0
        while let line = try reader.nextLine() {
            if lineIndex >= oldSize && lineIndex < tree.size { newLines.append(line) }
            lineIndex += 1
        }
        let served = try tree.consistencyProof(oldSize: oldSize, newSize: tree.size)
        let newRoot = tree.root
        let (_, seconds) = try Clock.measure { () throws in
            for line in newLines { member.append(line: line) }
            try served.verify(oldRoot: oldRoot, newRoot: newRoot)
            guard member.root == newRoot else { throw BenchError("the member's tree does not reach the new root") }
        }
        figures.consistencyMicrosecondsPerNewEntry = seconds * 1e6 / Double(newEntries)
        figures.consistencyNewEntries = newEntries
        figures.consistencyOldSize = Int(oldSize)
    }
}
