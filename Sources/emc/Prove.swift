import ArgumentParser
import LedgerCrypto
import LedgerTransparency
import LedgerWitness

struct Prove: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "prove",
        abstract: "Prove an entry is in the ledger (C2SP tlog-proof), or that one checkpoint extends another.",
        discussion: """
        --entry N: an inclusion proof of entry N (leaf index N - 1) against the signed checkpoint \
        --checkpoint F, or against a checkpoint of the whole ledger signed now with --key K. \
        Check it with `emc verify-proof PROOF --entry LINEFILE`.
        --from OLD --to NEW: a consistency proof from checkpoint OLD to checkpoint NEW, as the body \
        of a C2SP tlog-witness add-checkpoint request (`old N`, hashes, blank line, NEW).
        Both checkpoints must match your verified copy; every proof is verified before it is printed.
        """
    )
    @Argument(help: "The ledger file.") var ledger: String
    @Option(help: "The entry to prove (its seq, from 1).") var entry: Int64?
    @Option(help: "The signed checkpoint to prove against.") var checkpoint: String?
    @Option(help: "Sign a checkpoint of the whole ledger with this key and prove against it.") var key: String?
    @Option(help: "The older checkpoint (consistency proof).") var from: String?
    @Option(help: "The newer checkpoint (consistency proof).") var to: String?
    @Option(help: "Write the proof here instead of standard output.") var out: String?

    func validate() throws {
        if entry != nil {
            guard from == nil && to == nil else { throw ValidationError("--entry cannot be combined with --from/--to") }
            guard (checkpoint == nil) != (key == nil) else { throw ValidationError("--entry needs exactly one of --checkpoint F or --key K") }
        } else {
            guard from != nil && to != nil else { throw ValidationError("pass --entry N, or --from OLD --to NEW") }
            guard checkpoint == nil && key == nil else { throw ValidationError("--checkpoint and --key go with --entry") }
        }
    }

    func run() throws {
        if let entry { try proveInclusion(seq: entry) } else if let from, let to { try proveConsistency(from: from, to: to) }
    }

    func proveInclusion(seq: Int64) throws {
        let tree: VerifiedTree
        let signed: SignedCheckpoint
        if let key {
            let made = try Witness.signCheckpoint(ledgerPath: ledger, key: try KeyFiles.loadPrivateKey(path: key))
            (tree, signed) = (made.ledger, made.checkpoint)
        } else {
            let path = checkpoint!
            signed = try readCheckpoint(path).checkpoint
            tree = try LedgerTree.verify(path: ledger)
            try requireMatch(signed, tree: tree, file: path)
        }
        let size = signed.checkpoint.size
        guard seq >= 1, UInt64(seq) <= size else {
            throw CommandError(message: "\(ledger): --entry \(seq) is outside the checkpoint's entries 1-\(size)", exitCode: 1)
        }
        let proof = try checking(ledger) { () throws -> TlogProof in
            let inclusion = try tree.tree.inclusionProof(index: UInt64(seq - 1), treeSize: size)
            try inclusion.verify(leafHash: tree.tree.leafHash(index: UInt64(seq - 1)), root: signed.checkpoint.root)
            return TlogProof(inclusion, checkpoint: signed)
        }
        try emit(proof.encoded, out: out, what: "tlog proof", owns: startsWithLine(TlogProof.header))
    }

    func proveConsistency(from: String, to: String) throws {
        let old = try readCheckpoint(from).checkpoint, new = try readCheckpoint(to).checkpoint
        let tree = try LedgerTree.verify(path: ledger)
        try requireMatch(old, tree: tree, file: from)
        try requireMatch(new, tree: tree, file: to)
        guard old.checkpoint.size <= new.checkpoint.size else {
            throw CommandError(message: "\(from): the older checkpoint (size \(old.checkpoint.size)) is larger than the newer one (size \(new.checkpoint.size))")
        }
        let update = try checking(ledger) { () throws -> CheckpointUpdate in
            let proof = try tree.tree.consistencyProof(oldSize: old.checkpoint.size, newSize: new.checkpoint.size)
            let update = CheckpointUpdate(proof, checkpoint: new)
            try CheckpointUpdate(parsing: update.encoded).verify(extending: old.checkpoint)
            return update
        }
        try emit(update.encoded, out: out, what: "consistency proof", owns: { $0.starts(with: Array("old ".utf8)) })
    }

    /// Proofs are served only for checkpoints this copy extends.
    func requireMatch(_ signed: SignedCheckpoint, tree: VerifiedTree, file: String) throws {
        let relation = try checking(file) { try tree.tree.relation(to: signed.checkpoint) }
        switch relation {
        case .same, .extends: return
        case .behind(let localSize):
            throw CommandError(message: "\(file): the checkpoint is of size \(signed.checkpoint.size), this copy has only \(localSize) entries", exitCode: 1)
        case .fork:
            throw CommandError(message: "\(file): fork: this copy has another root at size \(signed.checkpoint.size); run `emc verify \(ledger) --against \(file)`", exitCode: 1)
        }
    }
}
