import ArgumentParser
import LedgerWitness

struct MakeBundle: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bundle",
        abstract: "Write one file for an auditor: the ledger up to a cosigned checkpoint, and that checkpoint.",
        discussion: """
        The checkpoint must count (--quorum of the members active at its size; default all) and \
        your verified copy must extend it. Check the file anywhere with `emc verify-bundle B`.
        Example: emc bundle duck.jsonl --checkpoint duck-7.checkpoint --out duck-7.emc-bundle
        """
    )
    @Argument(help: "The ledger file.") var ledger: String
    @Option(help: "The cosigned checkpoint.") var checkpoint: String
    @Option(help: "The bundle file to create (never overwritten).") var out: String
    @OptionGroup var quorum: QuorumOption

    func run() throws {
        let input = try readCheckpoint(checkpoint)
        let verdict = try LedgerBundle.write(ledgerPath: ledger, checkpoint: input.bytes, source: checkpoint, out: out,
                                             quorum: try quorum.value(default: nil))
        print("wrote \(out): \(verdict.checkpoint.checkpoint.size) entries and the checkpoint signed by \(verdict.signers.joined(separator: ", "))")
    }
}
