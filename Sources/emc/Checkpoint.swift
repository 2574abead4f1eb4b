import ArgumentParser
import LedgerCrypto
import LedgerTransparency
import LedgerWitness

struct SignCheckpoint: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "checkpoint",
        abstract: "Verify the ledger and sign a checkpoint (size and Merkle root) of it as a C2SP signed note.",
        discussion: """
        The key must be an active member's current ledger key; the note key name is her member name. \
        Refused when the checkpoint would be inconsistent with the last one she signed or cosigned \
        (kept in LEDGER.emc-witness-NAME). Hand the file to the other members to `emc cosign`.
        Example: emc checkpoint duck.jsonl --key yu.key --out duck-7.checkpoint
        """
    )
    @Argument(help: "The ledger file.") var ledger: String
    @Option(help: "Your private ledger key.") var key: String
    @Option(help: "Write the signed checkpoint here instead of standard output.") var out: String?

    func run() throws {
        let privateKey = try KeyFiles.loadPrivateKey(path: key)
        let signed = try Witness.signCheckpoint(ledgerPath: ledger, key: privateKey)
        try emit(signed.checkpoint.encoded, out: out, what: "signed checkpoint", owns: isSignedCheckpoint)
        if let out {
            print("\(signed.member) signed the checkpoint of size \(signed.checkpoint.checkpoint.size), root \(signed.checkpoint.checkpoint.root.base64): \(out)")
        }
    }
}
