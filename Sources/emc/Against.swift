import ArgumentParser
import LedgerCrypto
import LedgerTransparency
import LedgerWitness

/// `emc verify LEDGER --against CHECKPOINT`: does this copy extend a checkpoint you trust?
struct AgainstOptions: ParsableArguments {
    @Option(help: "A signed checkpoint this copy must extend: exit 1 naming a fork or a rollback, and on a fork write a fork proof (LEDGER.emc-fork-proof-N).")
    var against: String?
    @Option(help: "With --against: how many active members' signatures the checkpoint needs (a number or `all`; default 1).")
    var quorum: String?

    /// Runs the check when --against was given; returns false otherwise. `key` (verify's `--key`)
    /// signs this copy's side of a fork proof.
    func runIfGiven(ledger: String, key: String?) throws -> Bool {
        guard let against else {
            guard quorum == nil else { throw CommandError(message: "--quorum goes with --against") }
            return false
        }
        let input = try readCheckpoint(against)
        let verdict = try CopyCheck.check(ledgerPath: ledger, against: input.bytes, source: against,
                                          quorum: try parseQuorum(quorum, default: 1),
                                          key: try key.map { try KeyFiles.loadPrivateKey(path: $0) })
        let size = verdict.checkpoint.checkpoint.size
        let signed = "signed by \(verdict.signers.joined(separator: ", "))"
        switch verdict.relation {
        case .same, .extends:
            print("ok: \(verdict.ledger.size) entries, root \(verdict.ledger.tree.root.base64); extends the checkpoint of size \(size) \(signed)")
            return true
        case .behind(let localSize):
            throw CommandError(message: "\(ledger): rollback: this copy has \(localSize) entries, the checkpoint \(against) (\(signed)) has \(size); "
                               + "if the copy is not a prefix of that tree it is a fork, which the longer copy's holder can prove", exitCode: 1)
        case .fork(let localRoot):
            if let path = verdict.forkProofPath { print("fork proof: \(path)") }
            let proof = verdict.forkProofPath.map { "; fork proof written to \($0) (check it with `emc verify-fork`)" }
                ?? "; no fork proof written: \(verdict.noProofReason ?? "")"
            throw CommandError(message: "\(ledger): fork: this copy has root \(localRoot.base64) at size \(size), the checkpoint \(against) (\(signed)) has \(verdict.checkpoint.checkpoint.root.base64)\(proof)", exitCode: 1)
        }
    }
}
