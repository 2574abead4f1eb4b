import ArgumentParser
import LedgerTransparency
import LedgerWitness
import LedgerClient

struct VerifyFork: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify-fork",
        abstract: "Check a fork proof offline: two signed checkpoints of one ledger that no single history has.",
        discussion: """
        Each checkpoint must carry a valid signature by a trusted key (--vkey, repeatable). Prints \
        who signed each view and the equivocators (keys that signed both). Exit 0 when the fork is \
        proven, 1 when the file proves no fork.
        """
    )
    @Argument(help: "The fork proof file (`emc verify --against` writes LEDGER.emc-fork-proof-N).") var proof: String
    @Option(name: .customLong("vkey"), help: "A trusted note verifier key; repeatable.") var verifierKeys: [String] = []
    @Option(help: "Also trust the current members of this verified copy and, when it has a server (LEDGER.emc-remote), the server's pinned key.")
    var ledger: String?

    func run() throws {
        guard !verifierKeys.isEmpty || ledger != nil else { throw CommandError(message: "give the trusted keys with --vkey KEY (repeatable) or --ledger LEDGER") }
        var trusted = try parseVerifierKeys(verifierKeys).flatMap(withTwin)
        if let ledger {
            let state = try LedgerTree.verifyRoot(path: ledger).verified.state
            trusted += try CheckpointPolicy.verifiers(for: LedgerTree.activeMembers(state))
            if let config = try RemoteConfig.load(forLedger: ledger) { trusted.append(config.serverKey) }
        }
        let bytes = try OutputFile.read(proof, limit: ForkProof.maximumBytes, what: "fork proof")
        let parsed = try checking(proof) { try ForkProof(parsing: bytes) }
        let verdict = try checking(proof) { try parsed.verify(trusted: trusted) }
        let first = parsed.first.checkpoint, second = parsed.second.checkpoint
        func names(_ keys: [NoteVerifier]) -> String { Array(Set(keys.map(\.name))).sorted().joined(separator: ", ") }
        print("fork proven: \(first.origin) has root \(first.root.base64) at size \(first.size) signed by \(names(verdict.firstSigners)), "
              + "and a tree of size \(second.size) signed by \(names(verdict.secondSigners)) whose root at size \(first.size) is \(parsed.prefixRoot.base64)")
        let equivocators = names(verdict.equivocators)
        print(equivocators.isEmpty ? "no key signed both views" : "equivocators (signed both views): \(equivocators)")
    }
}
