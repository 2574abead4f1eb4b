import ArgumentParser
import LedgerFormat
import LedgerTransparency
import LedgerWitness

struct VerifyProof: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify-proof",
        abstract: "Check an inclusion proof (C2SP tlog-proof) of an entry line against trusted member keys.",
        discussion: """
        Trusted keys: --ledger L takes the members active at the checkpoint's size in your verified \
        copy L, and the checkpoint must count under --quorum (default: all of them); each --vkey \
        (repeatable; `emc vkey` prints them) must also have signed. With --vkey alone, every key \
        given must have signed. Exit 0 when the line is proved, 1 when anything does not verify.
        Example: emc verify-proof e4.tlog-proof --entry e4.line --vkey yu+1a2b3c4d+AU...
        """
    )
    @Argument(help: "The proof file.") var proof: String
    @Option(help: "A file holding the entry line (a final newline is ignored).") var entry: String
    @Option(name: .customLong("vkey"), help: "A trusted note verifier key; repeatable.") var verifierKeys: [String] = []
    @Option(help: "Your verified copy of the ledger: trust its members active at the checkpoint's size.") var ledger: String?
    @OptionGroup var quorum: QuorumOption

    func run() throws {
        guard ledger != nil || !verifierKeys.isEmpty else {
            throw CommandError(message: "give the trusted keys: --vkey KEY (repeatable) and/or --ledger LEDGER")
        }
        let vkeys = try parseVerifierKeys(verifierKeys)
        let bytes = try OutputFile.read(proof, limit: TlogProof.maximumBytes, what: "proof")
        let parsed = try checking(proof) { try TlogProof(parsing: bytes) }
        var line = try OutputFile.read(entry, limit: Entry.maximumLineBytes + 1, what: "entry line")
        if line.last == 0x0a { line.removeLast() }
        guard !line.contains(0x0a) else { throw CommandError(message: "\(entry): holds more than one line", exitCode: 1) }
        let checkpoint = parsed.checkpoint.checkpoint
        var signers: [String] = []
        if let ledger {
            let tree = try LedgerTree.verify(path: ledger, rosterSizes: [checkpoint.size])
            guard checkpoint.origin == tree.origin else {
                throw CommandError(message: "\(proof): the proof is for \(checkpoint.origin), not for \(ledger)", exitCode: 1)
            }
            guard let roster = tree.activeMembers(atSize: checkpoint.size) else {
                throw CommandError(message: "\(proof): the checkpoint is of size \(checkpoint.size), \(ledger) has only \(tree.size) entries", exitCode: 1)
            }
            if case .fork = try checking(proof, { try tree.tree.relation(to: checkpoint) }) {
                throw CommandError(message: "\(proof): fork: the proof's checkpoint conflicts with your copy; run `emc verify \(ledger) --against` with it", exitCode: 1)
            }
            let policy = CheckpointPolicy(origin: tree.origin, quorum: try quorum.value(default: nil))
            signers = try checking(proof) { try parsed.verify(line: line, policy: policy, activeMembers: roster) }
        } else {
            try checking(proof) { try parsed.inclusionProof.verify(leafHash: MerkleTree.leafHash(line), root: checkpoint.root) }
        }
        let keySigners = try checking(proof) { try vkeys.isEmpty ? [] : parsed.checkpoint.note.verifiedSigners(vkeys.flatMap(withTwin)) }
        for key in vkeys where !keySigners.contains(where: { $0.name == key.name && $0.publicKey == key.publicKey }) {
            throw CommandError(message: "\(proof): the checkpoint carries no valid signature by \(key)", exitCode: 1)
        }
        var names = signers
        for signer in keySigners where !names.contains(signer.name) { names.append(signer.name) }
        print("ok: the line is entry \(parsed.index + 1) (leaf index \(parsed.index)) of \(checkpoint.origin) at size \(checkpoint.size), root \(checkpoint.root.base64); signed by \(names.joined(separator: ", "))")
    }
}
