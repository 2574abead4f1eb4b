import LedgerCrypto
import LedgerTransparency

/// Does my verified copy extend a checkpoint I trust? (SPEC §4.7, `emc verify --against`.)
public enum CopyCheck {
    public struct Verdict {
        public var relation: TreeRelation
        /// The members whose signatures on the checkpoint were checked and counted.
        public var signers: [String]
        public var checkpoint: SignedCheckpoint
        public var ledger: VerifiedTree
        /// Where the fork proof was written, when the copy forks and one could be built.
        public var forkProofPath: String?
        /// Why no fork proof was written, when the copy forks and none could be.
        public var noProofReason: String?
    }

    /// The fork proof files next to a ledger: `LEDGER.emc-fork-proof-1`, `-2`, …
    public static func forkProofBase(forLedger path: String) -> String { path + ".emc-fork-proof" }

    /// Verifies the ledger and relates it to the checkpoint in `bytes` (read from `source`), which
    /// must carry valid signatures of at least `quorum` (nil: all) members active at its size in
    /// this copy (at the copy's end if it is shorter). On a fork, writes a fork proof from a
    /// checkpoint of this copy: signed now with `key` if given (under the rules of `emc
    /// checkpoint`), else a recorded witness state that conflicts with the checkpoint.
    public static func check(ledgerPath: String, against bytes: [UInt8], source: String, quorum: Int?,
                             key: PrivateKey?) throws -> Verdict {
        let checkpoint = try about(source) { () throws(TransparencyError) in try SignedCheckpoint(parsing: bytes) }
        return try OwnedFile.withLedgerLock(ledgerPath) { () throws -> Verdict in
            let size = checkpoint.checkpoint.size
            let recorded = WitnessState.recordedSizes(ledgerPath: ledgerPath)
            let ledger = try LedgerTree.verify(path: ledgerPath, rosterSizes: recorded.union([size]))
            let roster = ledger.activeMembers(atSize: min(size, ledger.size)) ?? []
            let signers = try about(source) { () throws(TransparencyError) in
                try CheckpointPolicy(origin: ledger.origin, quorum: quorum).check(checkpoint, activeMembers: roster)
            }
            var verdict = Verdict(relation: try about(source) { () throws(TransparencyError) in try ledger.tree.relation(to: checkpoint.checkpoint) },
                                  signers: signers, checkpoint: checkpoint, ledger: ledger)
            guard case .fork = verdict.relation else { return verdict }
            do {
                let own = try ownCheckpoint(conflictingWith: checkpoint, ledger: ledger, key: key)
                let proof = try ForkProof(checkpoint, own, largerTree: ledger.tree)
                let trusted = try CheckpointPolicy.verifiers(for: roster + LedgerTree.activeMembers(ledger.state))
                verdict.forkProofPath = try writeForkProof(proof, ledgerPath: ledgerPath, trusted: trusted)
            } catch let error as WitnessError where error.kind == .usage {
                verdict.noProofReason = error.reason
            }
            return verdict
        }
    }

    /// Writes `proof` as the first free `LEDGER.emc-fork-proof-N` (created exclusively) after
    /// checking that it reads back as a fork that a third party trusting `trusted` accepts.
    public static func writeForkProof(_ proof: ForkProof, ledgerPath: String, trusted: [NoteVerifier]) throws -> String {
        _ = try ForkProof(parsing: proof.encoded).verify(trusted: trusted)
        return try OwnedFile.writeNew(proof.encoded, base: forkProofBase(forLedger: ledgerPath))
    }

    /// A signed checkpoint of this copy, of at least the other's size, whose root at the other's
    /// size differs from it.
    static func ownCheckpoint(conflictingWith other: SignedCheckpoint, ledger: VerifiedTree, key: PrivateKey?) throws -> SignedCheckpoint {
        if let key {
            return try Witness.signLocked(ledger: ledger, key: key).checkpoint
        }
        for member in LedgerTree.activeMembers(ledger.state).map(\.name) {
            guard let record = try? WitnessState.load(member: member, ledger: ledger) else { continue }
            let mine = record.checkpoint.checkpoint
            if mine.size >= other.checkpoint.size, (try? ledger.tree.relation(to: mine))?.isConsistent == true {
                return record.checkpoint
            }
        }
        throw WitnessError(.usage, "no signed checkpoint of this copy conflicts with it; pass --key with your ledger key to sign one and write a fork proof")
    }
}
