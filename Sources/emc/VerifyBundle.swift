import ArgumentParser
import LedgerReports
import LedgerWitness

struct VerifyBundle: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify-bundle",
        abstract: "Verify a bundle offline: every entry (payouts re-executed), the tree root, and the members' signatures.",
        discussion: """
        The checkpoint must carry signatures of --quorum of the members active at its size in the \
        verified entries (default all). Exit 0 when valid, 1 naming what does not verify.
        """
    )
    @Argument(help: "The bundle file.") var bundle: String
    @OptionGroup var quorum: QuorumOption

    func run() throws {
        let verdict = try LedgerBundle.verify(path: bundle, quorum: try quorum.value(default: nil))
        let checkpoint = verdict.checkpoint.checkpoint
        print("ok: \(checkpoint.size) entries of ledger \(verdict.state.ledgerID), \(EntrySummary.counted(verdict.state.settlementCount, "settlement")) re-executed, root \(checkpoint.root.base64)")
        print("signed by \(verdict.signers.joined(separator: ", ")) (\(verdict.signers.count) of the \(verdict.activeMembers.count) active members: \(verdict.activeMembers.joined(separator: ", ")))")
    }
}
