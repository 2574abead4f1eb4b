import ArgumentParser
import Ledger
import LedgerReports

struct Preview: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "preview",
        abstract: "Before a vote: what a proposed contract would have paid each member over the last settled periods.",
        discussion: """
        Re-settles the last K settled periods (at most the 12 the ledger keeps) under the proposal's contract, with the \
        reports they used and the same run state to start from, and shows per member and period what was paid, what \
        would have been paid, and the difference, with totals. Nothing is written.
        """
    )
    @Argument(help: "The ledger file.") var ledger: String
    @Option(help: "The entry number of the proposal.") var proposal: Int64
    @Option(help: "How many of the last settled periods to replay.") var periods: Int = 12
    @Flag(help: "Machine-readable JSON.") var json = false

    func run() throws {
        let state = try readVerifiedState(ledger, quiet: true)
        let preview = try LedgerReports.Preview.compute(state: state, proposal: proposal, periods: periods)
        if json { printJSON(preview.json) } else { StandardOutput.write(preview.text) }
    }
}
